"""French typography in everything the `cqp` command says: its help, its messages, its reports.

French puts a non-breaking space (U+00A0, or the narrow U+202F) before « : ; ? ! » and inside « »; a plain
space there lets a terminal, or the log of a GitHub check, break the line before the sign. The scan below
reads what the staff read: the help of every command the parser has, the report of every malformed file
of tests/data/invalid, `cqp comparer`'s text and Markdown on the pairs of versions, `cqp archiver`'s
instructions and refusals, argparse's errors; then what `cqp valider` says of the folders of versions.
"""

from __future__ import annotations

import argparse
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DATA, ROOT

from guide_cqp import cli

INVALID = DATA / "invalid"
VERSIONS = DATA / "versions"
# A plain space (U+0020) before a high sign, or after « ; a sign that ends a word (« http:// », « 14:00 ») is none.
PLAIN_SPACE = re.compile(r"(?<=\S) (?=[:;?!»](?:\s|$|[.,)»]))|« ")
DECIMAL_POINT_HOURS = re.compile(r"\b\d+\.\d+\s?h\b")


def typography_mistakes(text: str) -> list[str]:
    """Each line with a plain space where French wants a non-breaking one, or hours with a decimal point."""
    return [line for line in text.splitlines() if PLAIN_SPACE.search(line) or DECIMAL_POINT_HOURS.search(line)]


def run_cqp(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """`cqp ARGS` in this process: everything it printed, on both outputs."""
    capsys.readouterr()
    cli.main(list(args))
    printed = capsys.readouterr()
    return printed.out + printed.err


def commands() -> list[str]:
    """Every command of `cqp`, as its parser knows them (a new command is scanned without editing this file)."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    return sorted(subparsers.choices)


def version_pairs() -> Iterator[tuple[Path, Path]]:
    for folder in sorted(VERSIONS.iterdir()):
        for archive in sorted((folder / "archives").glob("*.yaml")):
            yield archive, folder / "referentiel.yaml"


# --- the scan itself ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Options :", "Code de sortie : 0", "vouliez-vous dire « max »\u00a0?", "dire «\u00a0max » ?", "a ; b", "3.5 h"],
)
def test_the_scan_sees_a_plain_space_before_a_high_sign(text: str) -> None:
    assert typography_mistakes(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Options\u00a0:",
        "vouliez-vous dire «\u00a0max\u00a0»\u202f?",
        "écrivez «\u00a0format: 2\u00a0»",
        "seuls les liens https:// ou mailto: sont acceptés",
        "3,5\u00a0h",
    ],
)
def test_the_scan_lets_correct_french_pass(text: str) -> None:
    assert typography_mistakes(text) == []


# --- what `cqp` says --------------------------------------------------------------------------------------


def test_the_help_of_every_command_has_french_typography(capsys: pytest.CaptureFixture[str]) -> None:
    found = commands()
    assert {"valider", "comparer", "archiver"} <= set(found)
    for args in [["--aide"], *([command, "--aide"] for command in found)]:
        shown = run_cqp(capsys, *args)
        assert "Utilisation" in shown, args
        assert typography_mistakes(shown) == [], args


@pytest.mark.parametrize(
    "args", [["exporter", "--format", "xml"], ["comparer", "--format"], ["valider", "--inconnue"], ["archiver", "-o"]]
)
def test_argparse_errors_have_french_typography(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    shown = run_cqp(capsys, *args)
    assert "erreur" in shown
    assert typography_mistakes(shown) == []


def test_every_report_of_a_malformed_file_has_french_typography(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(INVALID.glob("*.yaml"))
    assert len(files) > 50
    mistakes = {}
    for path in files:
        shown = run_cqp(capsys, "valider", str(path))
        assert path.name in shown
        if typography_mistakes(shown):
            mistakes[path.name] = typography_mistakes(shown)
    assert mistakes == {}


@pytest.mark.parametrize("pair", list(version_pairs()), ids=lambda pair: pair[0].parent.parent.name)
@pytest.mark.parametrize("fmt", ["texte", "markdown"])
def test_what_comparer_writes_has_french_typography(
    pair: tuple[Path, Path], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = run_cqp(capsys, "comparer", "--format", fmt, str(pair[0]), str(pair[1]))
    assert "→" in shown  # the versions differ: there are sentences to check
    assert typography_mistakes(shown) == []


def test_what_archiver_says_has_french_typography(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "referentiel.yaml", tmp_path / "referentiel.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CQP_REFERENTIEL", raising=False)
    said = [run_cqp(capsys, "archiver")]  # the instructions, with the line to add
    said.append(run_cqp(capsys, "archiver"))  # the archive exists: refused
    shutil.rmtree(tmp_path / "archives")
    said.append(run_cqp(capsys, "archiver", "--precedente"))  # written in the file
    said.append(run_cqp(capsys, "comparer"))  # same numero as the archive: refused with the report
    said.append(run_cqp(capsys, "archiver", "absent.yaml"))
    assert all(said)
    assert [typography_mistakes(text) for text in said] == [[]] * len(said)


def test_valider_of_the_folders_of_versions_has_french_typography(capsys: pytest.CaptureFixture[str]) -> None:
    for folder in sorted(VERSIONS.iterdir()):
        shown = run_cqp(capsys, "valider", str(folder / "referentiel.yaml"))
        assert "référentiel valide" in shown
        assert typography_mistakes(shown) == []


# --- french.typography, which the site and the messages share ----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Mise en situation : 5 h", "Mise en situation\u00a0: 5\u00a0h"),
        ("«5 h»", "«\u00a05\u00a0h\u00a0»"),
        ("entre 30 min et 3,5 heures", "entre 30\u00a0min et 3,5\u00a0heures"),
        ("de 7 h à 21 h (10 minutes.)", "de 7\u00a0h à 21\u00a0h (10\u00a0minutes.)"),
        ("2 hommes, 3 heureux, module 2 et 3", "2 hommes, 3 heureux, module 2 et 3"),
        ("Prêt ? Oui !", "Prêt\u202f? Oui\u202f!"),
    ],
)
def test_typography_keeps_a_number_with_its_unit_and_a_sign_with_its_word(typed: str, shown: str) -> None:
    from guide_cqp import french

    assert french.typography(typed) == shown
    assert french.typography(shown) == shown  # applied twice (a message quoting a text): no change
