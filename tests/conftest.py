"""Shared fixtures (real `mkdocs build` runs on a chosen référentiel, the in-process `cqp`) and the markers of slow
tests. What tests import lives in tests/support.py."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import inspect
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import (
    NO_HOURS_REFERENTIEL,
    OMI_REFERENTIEL,
    OTHER_REFERENTIEL,
    ROOT,
    SEED_REFERENTIEL,
    VERSIONS,
    Build,
    Cqp,
    Run,
    catalogue_files,
    catalogue_folder,
    run_build,
)

from guide_cqp import cli
from guide_cqp.model import Referentiel
from guide_cqp.validate import load_referentiel

# --- markers: `pytest -m "not e2e and not lent"` runs the quick part alone -------------------------------

TESTS = Path(__file__).resolve().parent
# What a test or one of its fixtures calls when it drives a real browser; when it builds a site or the PDF, or
# starts another program (`mkdocs serve`, mike, git, Java, the `cqp` console script); when it picks a fixture
# at run time (``built``, ``livret``: the sites and PDFs of the session).
BROWSER = re.compile(r"\b(?:sync_playwright|CHROMIUM)\b")
SLOW = re.compile(r"\b(?:run_build|build_in_process|subprocess|Popen|cqp_process|build_pdf|getfixturevalue)\b")


@functools.cache
def _source(function: Callable[..., object]) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):  # no source (a builtin fixture)
        return ""


def _calls(function: Callable[..., object], pattern: re.Pattern[str]) -> bool:
    return pattern.search(_source(function)) is not None


def _closure(item: pytest.Item) -> list[Callable[..., object]]:
    """The test function and the functions of every fixture it uses, directly or not."""
    functions = [item.function] if isinstance(item, pytest.Function) else []
    fixtures = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return functions + [definition.func for definitions in fixtures.values() for definition in definitions]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``e2e``: everything under tests/e2e, and any test that drives Chromium. ``lent``: any test that runs a
    real build, another program or the PDF, itself or through a fixture. Found from the code, so new tests
    get their marker without anyone thinking of it; ``@pytest.mark.lent`` marks by hand what this misses."""
    for item in items:
        functions = _closure(item)
        if "e2e" in item.path.relative_to(TESTS).parts or any(_calls(f, BROWSER) for f in functions):
            item.add_marker(pytest.mark.e2e)
        if any(_calls(f, SLOW) for f in functions):
            item.add_marker(pytest.mark.lent)
    _heaviest_files_first(items)


def _heaviest_files_first(items: list[pytest.Item]) -> None:
    """The files that drive a browser first, then those that build or run programs, each file's tests in their
    order: pytest-xdist hands out whole files (--dist loadfile) as workers free up, and the quick files last
    fill the gaps, so that both workers end together instead of one finishing a browser file alone."""
    group: dict[Path, int] = {}
    for item in items:
        rank = 0 if item.get_closest_marker("e2e") else 1 if item.get_closest_marker("lent") else 2
        group[item.path] = min(group.get(item.path, 2), rank)
    items.sort(key=lambda item: group[item.path])  # stable: each file keeps its order


# --- sites built once per run -----------------------------------------------------------------------------


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Build]) -> Build:
    """``build(folder)``, run once for the whole test run and asserted successful.

    pytest-xdist gives each worker its own session: without this, every worker that needs a site would
    build it again, PDF included. The first one builds into the run's shared temporary folder, under a
    lock; the others read the record it leaves (pytest-xdist's documented pattern for session data).
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder, record = shared / f"site-{name}", shared / f"site-{name}.json"
    with _exclusive(shared / f"site-{name}.lock"):
        if record.exists():
            data = json.loads(record.read_text(encoding="utf-8"))
            done = Build(data["returncode"], data["output"], Path(data["site"]))
        else:
            folder.mkdir()
            done = build(folder)
            data = {"returncode": done.returncode, "output": done.output, "site": str(done.site)}
            record.write_text(json.dumps(data), encoding="utf-8")
    assert done.returncode == 0, done.output
    return done


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The default référentiel, built once with its PDF."""
    return built_once(tmp_path_factory, "seed", lambda folder: run_build(SEED_REFERENTIEL, folder / "site", pdf=True))


@pytest.fixture(scope="session")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A second, differently shaped référentiel: proves nothing is tied to the seed."""
    return built_once(tmp_path_factory, "other", lambda folder: run_build(OTHER_REFERENTIEL, folder / "site"))


@pytest.fixture(scope="session")
def omi_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The format 2 référentiel in blocs, built once with its PDF."""
    return built_once(tmp_path_factory, "omi", lambda folder: run_build(OMI_REFERENTIEL, folder / "site", pdf=True))


@pytest.fixture(scope="session")
def no_hours_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The format 2 référentiel that gives no hours at all, built once with its PDF."""
    return built_once(
        tmp_path_factory, "sans-heures", lambda folder: run_build(NO_HOURS_REFERENTIEL, folder / "site", pdf=True)
    )

@pytest.fixture(scope="module", params=["omi", "sans-heures"])
def format2_built(request: pytest.FixtureRequest) -> tuple[Build, Referentiel]:
    """Each format 2 test runs on both format 2 référentiels."""
    if request.param == "omi":
        return request.getfixturevalue("omi_site"), load_referentiel(OMI_REFERENTIEL)
    return request.getfixturevalue("no_hours_site"), load_referentiel(NO_HOURS_REFERENTIEL)


@pytest.fixture(scope="session")
def catalogue_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A site of several CQPs (CQP_REFERENTIEL names a folder), built once with the PDF of each."""
    build = built_once(
        tmp_path_factory,
        "catalogue",
        lambda folder: run_build(catalogue_folder(folder / "referentiels"), folder / "site", pdf=True),
    )
    build.referentiels = [load_referentiel(path) for path in catalogue_files(build.site.parent / "referentiels")]
    return build


@pytest.fixture(scope="module", params=["seed", "other"])
def built(request: pytest.FixtureRequest) -> tuple[Build, Referentiel]:
    """Each test runs on the default référentiel and on a differently shaped one (competences 1, 2, 10)."""
    if request.param == "seed":
        return request.getfixturevalue("seed_site"), load_referentiel(SEED_REFERENTIEL)
    return request.getfixturevalue("other_site"), load_referentiel(OTHER_REFERENTIEL)


# --- a référentiel that declares its previous version (version.precedente) -------------------------------

@pytest.fixture(scope="session")
def versions_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The format 1 pair of versions, built once with its PDF: change page, marked hours table."""
    return built_once(
        tmp_path_factory,
        "versions",
        lambda folder: run_build(VERSIONS / "format1" / "referentiel.yaml", folder / "site", pdf=True),
    )


@pytest.fixture(scope="session")
def versions2_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The format 2 pair of versions (blocs, hours appearing and disappearing), built once."""
    return built_once(
        tmp_path_factory, "versions2", lambda folder: run_build(VERSIONS / "format2" / "referentiel.yaml", folder / "site")
    )


@pytest.fixture()
def cqp(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cqp:
    """`cqp ARGS` through ``cli.main`` in this process, in folder ``cwd`` with ``env`` added (and no
    CQP_REFERENTIEL but the one given): exit code, the bytes written to stdout, the text written to stderr."""

    def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            patch.delenv("CQP_REFERENTIEL", raising=False)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            capsysbinary.readouterr()
            code = cli.main(list(args))
            printed = capsysbinary.readouterr()
        return Run(code, printed.out, printed.err.decode("utf-8"))

    return run
