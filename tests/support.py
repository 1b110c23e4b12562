"""What tests share besides fixtures: the project's paths, real builds of a site, a local web server.

Tests import these from here (``from support import …``); tests/conftest.py holds the fixtures and markers.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import logging
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

from guide_cqp.model import Referentiel

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
# Seconds after which a subprocess counts as hung. Only a hang reaches it: it is no speed target (those live in
# benchmarks/), and a machine loaded by other builds must never hit it.
HANG = 600
# Seconds a test waits for a final state that normally comes in a second or two (a page rebuilt by `mkdocs
# serve`, a browser's rendering): ample on a loaded machine, short enough for a failing test to end.
SETTLE = 120
VERSIONS = DATA / "versions"  # format1/ and format2/: referentiel.yaml and archives/ with its previous version


# A small valid référentiel (format 1) that tests change one line of: two competences, three modules.
MINIMAL_REFERENTIEL = textwrap.dedent(
    """\
    format: 1
    cqp:
      code: essai
      intitule: CQP d'essai
      instance: CPNEFP
    version:
      numero: "2024-01"
      date: 2024-01-15
    presentation: |
      Première ligne.
    competences:
      - numero: 1
        intitule: Accueillir
        savoir_faire: [Accueillir]
        modules:
          - numero: "1.1"
            intitule: L'accueil
            heures: {min: 7, max: 14}
          - numero: "1.2"
            intitule: Le conseil
            heures: {min: 7, max: 14}
        activites_entreprise: [Accueil]
      - numero: 2
        intitule: Vendre
        savoir_faire: [Vendre]
        modules:
          - numero: "2.1"
            intitule: La vente
            heures: {min: 7, max: 14}
        activites_entreprise: [Vente]
    """
)


@dataclass
class Build:
    """The outcome of one `mkdocs build`."""

    returncode: int
    output: str
    site: Path
    referentiels: list[Referentiel] = field(default_factory=list)  # of a site of several CQPs, in their order

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


def project_copy(tmp_path: Path, pages: dict[str, str]) -> Path:
    """A copy of docs/ plus ``pages``, next to links to the real code: the repository's docs/ stay as they are."""
    copy = tmp_path / "projet"
    copy.mkdir()
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    for name in ("overrides", "guide_cqp", "referentiel.yaml"):
        (copy / name).symlink_to(ROOT / name)
    for uri, text in pages.items():
        (copy / "docs" / uri).parent.mkdir(parents=True, exist_ok=True)
        (copy / "docs" / uri).write_text(text, encoding="utf-8")
    return copy / "mkdocs.yml"


def catalogue_folder(target: Path) -> Path:
    """A folder of référentiels as a branch keeps it: the seed and every référentiel of tests/data, next to
    what the site must not read (an archives/ folder, a hidden draft, a README), all of them broken."""
    target.mkdir(parents=True)
    shutil.copy(SEED_REFERENTIEL, target / "referentiel.yaml")
    for path in sorted(DATA.glob("*.yaml")):
        shutil.copy(path, target / path.name)
    (target / "archives").mkdir()
    (target / "archives" / "ancien.yaml").write_text("format: 1\ncqp: [cassé\n", encoding="utf-8")
    (target / ".brouillon.yaml").write_text("cqp:\n\t- [\n", encoding="utf-8")
    (target / "LISEZMOI.md").write_text("# Les référentiels de la branche\n", encoding="utf-8")
    return target


def catalogue_files(folder: Path) -> list[Path]:
    """The référentiels of such a folder, in the order of their names (none of them has digits)."""
    return sorted((p for p in folder.glob("*.yaml") if not p.name.startswith(".")), key=lambda p: p.name.lower())


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


# --- the `cqp` command ---------------------------------------------------------------------------------

BIN = Path(sys.executable).parent
CQP = BIN / "cqp"
ENGLISH = ("Traceback", "usage:", "error:", "show this help", "positional arguments", "the following arguments", "options:")


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")


Cqp = Callable[..., Run]


def cqp_process(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    """The installed console script, as a real process."""
    assert CQP.exists(), "the console script `cqp` is installed next to the interpreter (pip install -e .)"
    environ = {k: v for k, v in os.environ.items() if k != "CQP_REFERENTIEL"}
    done = subprocess.run([str(CQP), *args], cwd=cwd, env={**environ, **(env or {})}, capture_output=True, timeout=HANG)
    return Run(done.returncode, done.stdout, done.stderr.decode("utf-8"))


def assert_french_error(run: Run, code: int = 1) -> None:
    text = run.out + run.stderr
    assert run.returncode == code, text
    for word in ENGLISH:
        assert word not in text, text
    assert run.stderr.strip(), "the message goes to stderr"
