"""Shared fixtures: real `mkdocs build` runs of this project on a chosen référentiel."""

from __future__ import annotations

import contextlib
import functools
import http.server
import logging
import os
import subprocess
import sys
import threading
import traceback
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
# Seconds after which a subprocess counts as hung. Only a hang reaches it: it is no speed target (those live in
# benchmarks/), and a machine loaded by other builds must never hit it.
HANG = 600


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
) -> Build:
    """Run the real `mkdocs build` in a subprocess, as the README does."""
    env = {**os.environ, **_build_env(referentiel, pdf, extra_env)}
    command = [sys.executable, "-m", "mkdocs", *_build_args(site, config)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=HANG)
    return Build(done.returncode, done.stdout + done.stderr, site)


def build_in_process(
    referentiel: Path,
    site: Path,
    *,
    pdf: bool = False,
    extra_env: dict[str, str] | None = None,
    config: Path | None = None,
) -> Build:
    """The same `mkdocs build --strict` as run_build, through MkDocs' own command line, inside this process.

    For the many refusals of the invalid corpus: a subprocess pays a second of Python and MkDocs start-up
    for a command that stops in its first hook. The person reads the same thing: MkDocs' logging, its
    message and exit code (tests/test_invalid_corpus.py compares both ways line for line on a few cases).
    An exception that would escape the real command is written out as Python would print it.
    """
    from click.testing import CliRunner
    from mkdocs.__main__ import cli
    from mkdocs.commands import build as mkdocs_build

    # Each command adds a log handler and a filter that drops messages already seen: left in place, they
    # would pile up and hide a message of this build that an earlier build printed.
    logger = logging.getLogger("mkdocs")
    handlers, filters = list(logger.handlers), list(mkdocs_build.log.filters)
    try:
        result = CliRunner().invoke(cli, _build_args(site, config), env=_build_env(referentiel, pdf, extra_env))
    finally:
        for handler in set(logger.handlers) - set(handlers):
            logger.removeHandler(handler)
        mkdocs_build.log.filters[:] = filters
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    return Build(result.exit_code, output, site)


def _build_env(referentiel: Path, pdf: bool, extra_env: dict[str, str] | None) -> dict[str, str]:
    return {
        "CQP_REFERENTIEL": str(referentiel),
        "CQP_PDF": "1" if pdf else "0",
        "NO_MKDOCS_2_WARNING": "1",
        **(extra_env or {}),
    }


def _build_args(site: Path, config: Path | None) -> list[str]:
    return ["build", "--strict", "-d", str(site), "-f", str(config or ROOT / "mkdocs.yml")]


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
