"""Shared fixtures: real `mkdocs build` runs of this project on a chosen référentiel."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_REFERENTIEL = ROOT / "referentiel.yaml"
OTHER_REFERENTIEL = DATA / "autre-referentiel.yaml"


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
