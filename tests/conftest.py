"""Shared fixtures: real `mkdocs build` runs of this project on a chosen référentiel."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from guide_cqp.model import Referentiel
from guide_cqp.validate import load_referentiel

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_REFERENTIEL = ROOT / "referentiel.yaml"
OTHER_REFERENTIEL = DATA / "autre-referentiel.yaml"
# Format 2: a real CQPM organised in blocs (with hours for some modules only), and a CQP without any hours.
OMI_REFERENTIEL = DATA / "omi-format2.yaml"
NO_HOURS_REFERENTIEL = DATA / "sans-heures-format2.yaml"
# Debian's Chromium (Playwright's own browser download does not work here), for Playwright and for --print-to-pdf.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass
class Build:
    """The outcome of one `mkdocs build`."""

    returncode: int
    output: str
    site: Path

    def html(self, page: str) -> BeautifulSoup:
        """Parse a built page, e.g. html("rcad/competence-1/")."""
        path = self.site / page
        if page.endswith("/") or not page.endswith(".html"):
            path = path / "index.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def text(self, page: str) -> str:
        """The visible text of a page's main content, whitespace folded."""
        article = self.html(page).select_one("article") or self.html(page)
        return " ".join(article.get_text(" ").split())


def run_build(
    referentiel: Path,
    site: Path,
    *,
    pdf: bool = False,
    extra_env: dict[str, str] | None = None,
    config: Path | None = None,
    timeout: float = 300,
) -> Build:
    """Run the real `mkdocs build` in a subprocess, as the README does."""
    env = {
        **os.environ,
        "CQP_REFERENTIEL": str(referentiel),
        "CQP_PDF": "1" if pdf else "0",
        "NO_MKDOCS_2_WARNING": "1",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "-d",
        str(site),
        "-f",
        str(config or ROOT / "mkdocs.yml"),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return Build(done.returncode, done.stdout + done.stderr, site)


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The default référentiel, built once with its PDF."""
    build = run_build(SEED_REFERENTIEL, tmp_path_factory.mktemp("seed") / "site", pdf=True)
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A second, differently shaped référentiel: proves nothing is tied to the seed."""
    build = run_build(OTHER_REFERENTIEL, tmp_path_factory.mktemp("other") / "site")
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def omi_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The format 2 référentiel in blocs, built once with its PDF."""
    build = run_build(OMI_REFERENTIEL, tmp_path_factory.mktemp("omi") / "site", pdf=True)
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def no_hours_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The format 2 référentiel that gives no hours at all, built once with its PDF."""
    build = run_build(NO_HOURS_REFERENTIEL, tmp_path_factory.mktemp("sans-heures") / "site", pdf=True)
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="module", params=["omi", "sans-heures"])
def format2_built(request: pytest.FixtureRequest) -> tuple[Build, Referentiel]:
    """Each format 2 test runs on both format 2 référentiels."""
    if request.param == "omi":
        return request.getfixturevalue("omi_site"), load_referentiel(OMI_REFERENTIEL)
    return request.getfixturevalue("no_hours_site"), load_referentiel(NO_HOURS_REFERENTIEL)


@pytest.fixture(scope="module", params=["seed", "other"])
def built(request: pytest.FixtureRequest) -> tuple[Build, Referentiel]:
    """Each test runs on the default référentiel and on a differently shaped one (competences 1, 2, 10)."""
    if request.param == "seed":
        return request.getfixturevalue("seed_site"), load_referentiel(SEED_REFERENTIEL)
    return request.getfixturevalue("other_site"), load_referentiel(OTHER_REFERENTIEL)


def items_text(items: list) -> list[str]:
    """Every text of a list of items, sub-lists included."""
    texts: list[str] = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
        else:
            texts.append(item.texte)
            texts += items_text(item.details)
    return texts


def fold(text: str) -> str:
    """Compare texts regardless of typography: spaces, apostrophes, case."""
    text = unicodedata.normalize("NFC", text).replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'")
    return " ".join(text.split()).casefold()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without printing every request into the test output."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve(directory: Path, handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """A folder over HTTP on a free port of 127.0.0.1, as « http://127.0.0.1:<port> » (no trailing slash).

    A threaded server: a browser opens several sockets at once.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
