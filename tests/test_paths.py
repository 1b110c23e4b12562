"""Unusual paths and outputs: `cqp` and the build answer in French, never hang, never print a traceback
(issue 11, part 8).

What is not a regular file is refused (a FIFO would block forever, /dev/zero never ends), the size
read is capped whatever the file claims, and a missing file is explained where its name came from.
On output, a closed standard output, a reader that stops early and a full disk end quietly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import OTHER_REFERENTIEL, ROOT

from guide_cqp.errors import ReferentielInvalide
from guide_cqp.load import MAX_BYTES, Source
from guide_cqp.validate import load_referentiel

CQP = [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.argv[0] = 'cqp'; sys.exit(main())"]
TIMEOUT = 60  # a hang shows as a timeout, not as a slow pass


def cqp(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CQP_REFERENTIEL"}
    return subprocess.run(
        [*CQP, *args], cwd=cwd, env={**environ, **(env or {})}, capture_output=True, timeout=TIMEOUT, **kwargs
    )


def assert_refused(done: subprocess.CompletedProcess, *words: str) -> str:
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1, err
    assert "Traceback" not in err and "Error" not in err, err
    for word in words:
        assert word in err, err
    return err


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "tube.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp, fifo: fifo, ("n'est pas un fichier ordinaire", "tube")),
        (lambda tmp, fifo: Path("/dev/zero"), ("n'est pas un fichier ordinaire", "périphérique")),
        (lambda tmp, fifo: Path("/dev/urandom"), ("n'est pas un fichier ordinaire",)),
        (lambda tmp, fifo: tmp, ("dossier",)),
        (lambda tmp, fifo: _loop(tmp), ("en boucle",)),
        (lambda tmp, fifo: _broken(tmp), ("lien symbolique cassé", "introuvable-cible.yaml")),
        (lambda tmp, fifo: tmp / "absent.yaml", ("fichier introuvable", "chemin donné à la commande")),
        (lambda tmp, fifo: tmp / "pas-un-dossier.txt" / "x.yaml", ("n'est pas un dossier",)),
    ],
    ids=["fifo", "dev-zero", "dev-urandom", "dossier", "boucle", "lien-casse", "absent", "chemin-impossible"],
)
def test_cqp_valider_refuses_what_is_not_a_readable_file_in_french(tmp_path: Path, fifo: Path, make, words) -> None:  # noqa: ANN001
    (tmp_path / "pas-un-dossier.txt").write_text("x", encoding="utf-8")
    path = make(tmp_path, fifo)
    err = assert_refused(cqp("valider", str(path)), *words)
    assert "mkdocs.yml" not in err and "CQP_REFERENTIEL" not in err


def _loop(tmp: Path) -> Path:
    (tmp / "a.yaml").symlink_to(tmp / "b.yaml")
    (tmp / "b.yaml").symlink_to(tmp / "a.yaml")
    return tmp / "a.yaml"


def _broken(tmp: Path) -> Path:
    (tmp / "lien.yaml").symlink_to(tmp / "introuvable-cible.yaml")
    return tmp / "lien.yaml"


def test_an_unreadable_file_is_refused_in_french(tmp_path: Path) -> None:
    path = tmp_path / "referentiel.yaml"
    shutil.copyfile(OTHER_REFERENTIEL, path)
    path.chmod(0)
    command = [*CQP, "valider", str(path)]
    if os.geteuid() == 0:  # root reads anything: run as nobody, who cannot
        if not shutil.which("setpriv"):
            pytest.skip("setpriv absent")
        tmp_path.chmod(0o755)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, cwd=tmp_path)
    assert_refused(done, "permission refusée")


def test_a_file_larger_than_allowed_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    sparse = tmp_path / "enorme.yaml"
    with sparse.open("wb") as out:
        out.truncate(50 * MAX_BYTES)  # a sparse file: 100 MB announced, nothing on the disk
    assert_refused(cqp("valider", str(sparse)), "trop volumineux")


def test_the_size_read_is_capped_even_when_the_size_claimed_is_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc and network file systems may announce a size of 0: the cap holds on what is read."""
    import guide_cqp.load as load

    big = tmp_path / "grand.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES + 10) + b"\n")
    real_fstat = os.fstat

    def lying_fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 0, *info[7:]))  # st_size = 0, as /proc says

    monkeypatch.setattr(load.os, "fstat", lying_fstat)
    with pytest.raises(ReferentielInvalide) as caught:
        load_referentiel(big, Source.LIGNE_DE_COMMANDE)
    assert "trop volumineux" in caught.value.rapport() and "plus de" in caught.value.rapport()


def test_a_build_on_a_fifo_stops_in_french_instead_of_hanging(fifo: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CQP_REFERENTIEL": str(fifo), "CQP_PDF": "0", "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output
    assert "n'est pas un fichier ordinaire" in output and "corrigez le référentiel" in output


# --- where the name came from ----------------------------------------------------------------------------


def test_a_missing_file_is_explained_where_its_name_came_from(tmp_path: Path) -> None:
    absent = str(tmp_path / "absent.yaml")
    given = assert_refused(cqp("valider", absent), "chemin donné à la commande")
    assert "mkdocs.yml" not in given and "CQP_REFERENTIEL" not in given
    variable = assert_refused(cqp("valider", env={"CQP_REFERENTIEL": absent}), "variable d'environnement CQP_REFERENTIEL")
    assert "mkdocs.yml" not in variable
    default = assert_refused(cqp("valider", cwd=tmp_path), "dossier du site", "referentiel.yaml")
    assert "CQP_REFERENTIEL" not in default and "mkdocs.yml" not in default
    for command in (("version",), ("exporter", "--format", "json")):
        assert_refused(cqp(*command, absent), "chemin donné à la commande")


def test_a_build_whose_referentiel_is_missing_names_the_setting(tmp_path: Path) -> None:
    env = {**os.environ, "CQP_REFERENTIEL": str(tmp_path / "absent.yaml"), "CQP_PDF": "0", "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "fichier introuvable" in done.stderr and "CQP_REFERENTIEL" in done.stderr


# --- the standard output -----------------------------------------------------------------------------------


def test_exporter_to_a_closed_standard_output_says_so() -> None:
    done = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *CQP, "exporter", "--format", "csv", str(OTHER_REFERENTIEL)],
        stderr=subprocess.PIPE,
        timeout=TIMEOUT,
        cwd=ROOT,
    )
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1 and "Traceback" not in err and "Exception" not in err
    assert "sortie standard est fermée" in err and "-o SORTIE" in err


@pytest.fixture(scope="module")
def large_referentiel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid référentiel whose JSON export is far larger than a pipe's buffer (64 KiB)."""
    from synthetic import write_referentiel

    path = write_referentiel(tmp_path_factory.mktemp("grand") / "referentiel.yaml", 30)
    assert path.stat().st_size > 100_000
    return path


def test_a_reader_that_stops_early_ends_the_export_quietly(large_referentiel: Path) -> None:
    """`cqp exporter … | head -c1`: no traceback, no « Exception ignored » on exit."""
    process = subprocess.Popen(
        [*CQP, "exporter", "--format", "json", str(large_referentiel)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(1) == b"{"
    process.stdout.close()  # the reader goes away
    err = process.stderr.read().decode("utf-8")
    code = process.wait(timeout=TIMEOUT)
    assert code == 1 and err == "", err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("command", [("exporter", "--format", "json"), ("valider",), ("version",)])
def test_a_full_disk_is_told_in_french(command: tuple[str, ...], large_referentiel: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*CQP, *command, str(large_referentiel)], stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT, cwd=ROOT)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1 and "Traceback" not in err and "Exception" not in err, err
    assert "disque plein" in err
