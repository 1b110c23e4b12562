"""The `cqp` command (pyproject: cqp = "guide_cqp.cli:main"): what a person, pre-commit or the workflow gets
is its exit code and what it prints, in French, never a traceback.

Most runs call ``cli.main`` in this process, with its own folder, environment and captured output: the same
code the console script runs, without a second of start-up each time. The installed console script itself
runs as a real process where it matters: a valid and an invalid file, the CSV's bytes on a real pipe, the
pre-commit hook's command line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from support import ENGLISH, OTHER_REFERENTIEL, ROOT, SEED_REFERENTIEL, Cqp, assert_french_error, cqp_process

from guide_cqp import schema
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.french import number as fr_number
from guide_cqp.validate import load_referentiel, parse_referentiel

INVALID = ROOT / "tests" / "data" / "invalid"


# --- cqp valider ---------------------------------------------------------------------------------------


def test_valider_accepts_a_valid_referentiel_with_a_short_french_line() -> None:
    run = cqp_process("valider", str(OTHER_REFERENTIEL))
    ref = load_referentiel(OTHER_REFERENTIEL)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    line = run.out.strip()
    assert len(line.splitlines()) == 1 and "valide" in line
    assert str(OTHER_REFERENTIEL) in line and ref.version.numero in line


def test_valider_without_a_file_checks_the_referentiel_of_the_site(tmp_path: Path, cqp: Cqp) -> None:
    (tmp_path / "referentiel.yaml").write_text(OTHER_REFERENTIEL.read_text(encoding="utf-8"), encoding="utf-8")
    assert cqp("valider", cwd=tmp_path).returncode == 0
    assert cqp("valider", env={"CQP_REFERENTIEL": str(INVALID / "heures-negatives.yaml")}, cwd=tmp_path).returncode == 1


@pytest.mark.parametrize(
    "name", ["heures-min-superieur-max.yaml", "cle-inconnue-module.yaml", "syntaxe-tabulation.yaml"]
)
def test_valider_prints_the_report_of_the_build(name: str, cqp: Cqp) -> None:
    path = INVALID / name
    run = cqp("valider", str(path))
    with pytest.raises(ReferentielInvalide) as caught:
        load_referentiel(path)
    assert_french_error(run)
    assert run.stderr.strip() == caught.value.rapport()
    assert run.out == ""


def test_valider_checks_every_file_it_is_given() -> None:
    """pre-commit passes all the changed files at once: one bad file must not hide the others."""
    bad = INVALID / "heures-negatives.yaml"
    run = cqp_process("valider", str(bad), str(OTHER_REFERENTIEL), str(SEED_REFERENTIEL))
    assert run.returncode == 1
    assert bad.name in run.stderr
    assert str(OTHER_REFERENTIEL) in run.out and str(SEED_REFERENTIEL) in run.out


def test_valider_of_a_missing_file_says_so_in_french(tmp_path: Path, cqp: Cqp) -> None:
    run = cqp("valider", str(tmp_path / "absent.yaml"))
    assert_french_error(run)
    assert "introuvable" in run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["valider", "{absent}"],
        ["comparer", "{absent}", "{seed}"],
        ["comparer", "{seed}", "{absent}"],
        ["comparer", "{absent}"],
        ["archiver", "{absent}"],
        ["generer", "{docs}", "{absent}"],
        ["exporter", "--format", "json", "{absent}"],
    ],
    ids=lambda args: "-".join(a.strip("{}") for a in args),
)
def test_a_missing_file_named_on_the_command_line_is_blamed_on_the_command_line(
    args: list[str], tmp_path: Path, cqp: Cqp
) -> None:
    """The file the person typed is the one to check, not the site's settings (mkdocs.yml is in the folder)."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    values = {"absent": "absent.yaml", "seed": str(SEED_REFERENTIEL), "docs": str(tmp_path / "docs")}
    run = cqp(*(a.format(**values) for a in args), cwd=tmp_path)
    assert run.returncode != 0
    assert "absent.yaml" in run.stderr and "introuvable" in run.stderr
    assert "chemin donné à la commande" in run.stderr and "mkdocs.yml" not in run.stderr, run.stderr


# --- arguments and help ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [[], ["inconnue"], ["valider", "--option-inconnue"], ["exporter"], ["exporter", "--format", "xml"], ["nouveau"]],
    ids=["sans commande", "commande inconnue", "option inconnue", "sans format", "format inconnu", "sans dossier"],
)
def test_a_bad_command_line_gets_a_french_message(args: list[str], cqp: Cqp) -> None:
    run = cqp(*args)
    assert_french_error(run, code=2)
    assert "Utilisation" in run.stderr and "erreur" in run.stderr


@pytest.mark.parametrize("args", [["--aide"], ["-h"], ["exporter", "--help"], ["nouveau", "--aide"]])
def test_the_help_is_french(args: list[str], cqp: Cqp) -> None:
    run = cqp(*args)
    assert run.returncode == 0, run.stderr
    for word in ENGLISH:
        assert word not in run.out
    assert run.out.startswith("Utilisation")
    assert "afficher cette aide" in run.out


# --- cqp version, cqp schema ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEED_REFERENTIEL, OTHER_REFERENTIEL], ids=["seed", "autre"])
def test_version_prints_the_name_of_the_online_version(path: Path, cqp: Cqp) -> None:
    ref = load_referentiel(path)
    assert cqp("version", str(path)).out == ref.version.numero + "\n"
    titre = cqp("version", "--titre", str(path)).out.strip()
    assert titre.startswith(ref.version.numero) and str(ref.version.date.year) in titre


def test_version_makes_a_folder_name_of_any_numero(tmp_path: Path, cqp: Cqp) -> None:
    text = OTHER_REFERENTIEL.read_text(encoding="utf-8")
    names = set()
    for numero in ("2024/10 bis", "v2 (révision)"):
        path = tmp_path / f"{len(names)}.yaml"
        path.write_text(re.sub(r'numero: "2024\.10"', f'numero: "{numero}"', text), encoding="utf-8")
        assert load_referentiel(path).version.numero == numero
        name = cqp("version", str(path)).out.strip()
        assert re.fullmatch(r"[0-9A-Za-z._-]+", name), name
        names.add(name)
    assert len(names) == 2


def test_schema_prints_the_committed_schema(tmp_path: Path, cqp: Cqp) -> None:
    run = cqp("schema")
    assert run.returncode == 0
    assert run.out == schema.schema_json()
    assert json.loads(run.out) == json.loads((ROOT / schema.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert cqp("schema", "-o", str(tmp_path / "s.json")).returncode == 0
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == run.out


# --- cqp exporter --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEED_REFERENTIEL, OTHER_REFERENTIEL], ids=["seed", "autre"])
def test_exporter_json_is_the_whole_referentiel(path: Path, cqp: Cqp) -> None:
    run = cqp("exporter", "--format", "json", str(path))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.out)
    ref = load_referentiel(path)
    assert data["version"]["date"] == ref.version.date.isoformat()
    assert parse_referentiel(run.out, "export.json") == ref, (
        "JSON is YAML: the export reads back as the same référentiel"
    )
    committed = json.loads((ROOT / schema.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft7Validator(committed).iter_errors(data))


def _numbers(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [n for v in data.values() for n in _numbers(v)]
    if isinstance(data, list):
        return [n for v in data for n in _numbers(v)]
    return [data] if isinstance(data, (int, float)) and not isinstance(data, bool) else []


def test_exporter_json_writes_hours_as_numbers(cqp: Cqp) -> None:
    data = json.loads(cqp("exporter", "--format", "json", str(OTHER_REFERENTIEL)).out)
    shared = [c["heures"] for c in data["competences"] if "heures" in c]
    assert shared and all(isinstance(h["min"], (int, float)) for h in shared)
    assert any(isinstance(n, float) for n in _numbers(data)), "decimal hours stay decimal"


@pytest.mark.parametrize("path", [SEED_REFERENTIEL, OTHER_REFERENTIEL], ids=["seed", "autre"])
def test_exporter_csv_is_the_hours_table_for_a_french_spreadsheet(path: Path, cqp: Cqp) -> None:
    run = cqp("exporter", "--format", "csv", str(path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, or Excel reads the accents wrong"
    rows = list(csv.reader(io.StringIO(run.stdout.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(header) == 6 and all(len(row) == 6 for row in body)
    ref = load_referentiel(path)
    expected_rows = sum(len(c.modules) + 1 for c in ref.competences) + 1
    assert len(body) == expected_rows
    for row in body:
        for cell in row[4:]:
            assert re.fullmatch(r"|[0-9]+(,[0-9]+)?", cell), f"decimal comma, no point: {row}"
    by_module = {(row[0], row[2]): row for row in body if row[2]}
    subtotals = {row[0]: row for row in body if not row[2] and row[0]}
    for c in ref.competences:
        assert subtotals[str(c.numero)][4:] == [fr_number(c.total_heures.min), fr_number(c.total_heures.max)]
        for m in c.modules:
            row = by_module[(str(c.numero), m.numero)]
            assert row[1] == c.intitule and row[3] == m.intitule
            hours = [fr_number(m.heures.min), fr_number(m.heures.max)] if m.heures else ["", ""]
            assert row[4:] == hours
    assert body[-1][4:] == [fr_number(ref.total_heures.min), fr_number(ref.total_heures.max)]


def test_exporter_writes_to_a_file_or_says_why_it_cannot(tmp_path: Path, cqp: Cqp) -> None:
    out = tmp_path / "heures.csv"
    assert cqp("exporter", "--format", "csv", str(OTHER_REFERENTIEL), "-o", str(out)).returncode == 0
    assert out.read_bytes() == cqp_process("exporter", "--format", "csv", str(OTHER_REFERENTIEL)).stdout
    run = cqp("exporter", "--format", "csv", str(OTHER_REFERENTIEL), "-o", str(tmp_path / "absent" / "x.csv"))
    assert_french_error(run)
    assert "impossible d'écrire" in run.stderr


def test_exporter_of_an_invalid_referentiel_prints_the_report(cqp: Cqp) -> None:
    run = cqp("exporter", "--format", "json", str(INVALID / "heures-negatives.yaml"))
    assert_french_error(run)
    assert run.out == "" and "heures-negatives.yaml" in run.stderr


# --- pre-commit ----------------------------------------------------------------------------------------


def test_the_pre_commit_hook_runs_cqp_valider_on_the_referentiel() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] and hook["language"] == "python" and hook.get("pass_filenames", True)
    files = re.compile(hook["files"])
    assert files.search("referentiel.yaml") and files.search("cqp/rcad/referentiel.yaml")
    assert not files.search("docs/index.md") and not files.search("mkdocs.yml")
    program, *args = hook["entry"].split()
    assert program == "cqp"
    assert cqp_process(*args, str(OTHER_REFERENTIEL)).returncode == 0
    bad = cqp_process(*args, str(OTHER_REFERENTIEL), str(INVALID / "cle-inconnue-module.yaml"))
    assert_french_error(bad)


# --- cqp migrer, and the exports of format 2 ---------------------------------------------------------------

MIGRATED = [SEED_REFERENTIEL, OTHER_REFERENTIEL, ROOT / "tests" / "data" / "squelette-format1.yaml"]


def comment_lines(text: str) -> list[str]:
    """The comments of a YAML file, without their indentation (migrating moves them right)."""
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize("path", MIGRATED, ids=["seed", "autre", "squelette"])
def test_migrer_rewrites_format_1_as_format_2_with_the_same_content_and_comments(
    path: Path, tmp_path: Path, cqp: Cqp
) -> None:
    from guide_cqp.migrate import BLOC_CODE, essentials

    source = tmp_path / "referentiel.yaml"
    original = path.read_text(encoding="utf-8").replace("\nversion:", "\n# Une remarque de la branche.\nversion:", 1)
    source.write_text(original, encoding="utf-8")
    run = cqp("migrer", str(source))
    assert run.returncode == 0, run.stderr
    migrated = parse_referentiel(run.out)
    before = parse_referentiel(original)
    assert migrated.format == 2 and before.format == 1
    assert [b.code for b in migrated.blocs] == [BLOC_CODE]
    assert essentials(migrated) == essentials(before)
    # Same competences, modules and hours, hence the same PDF field names.
    assert [c.numero for c in migrated.competences_triees()] == [c.numero for c in before.competences_triees()]
    assert migrated.total_heures == before.total_heures
    # Every comment kept, plus the one that asks to rename the bloc; the YAML goes to stdout, the note to stderr.
    kept = comment_lines(run.out)
    assert [line for line in kept if line in comment_lines(original)] == comment_lines(original)
    assert any("renommez-le" in line for line in kept)
    assert "renommez-le" in run.stderr and BLOC_CODE in run.stderr
    assert source.read_text(encoding="utf-8") == original, "without an option the file is left as it was"


def test_migrer_writes_to_a_file_or_in_place(tmp_path: Path, cqp: Cqp) -> None:
    source = tmp_path / "referentiel.yaml"
    source.write_text(OTHER_REFERENTIEL.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "format2.yaml"
    run = cqp("migrer", str(source), "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert "renommez-le" in run.out and str(out) in run.out
    assert load_referentiel(out).format == 2 and load_referentiel(source).format == 1
    run = cqp("migrer", "--sur-place", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert source.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    assert cqp("valider", str(source)).returncode == 0


def test_migrer_refuses_in_french(tmp_path: Path, cqp: Cqp) -> None:
    run = cqp("migrer", str(ROOT / "tests" / "data" / "omi-format2.yaml"))
    assert_french_error(run)
    assert "déjà au format 2" in run.stderr and run.out == ""
    run = cqp("migrer", str(INVALID / "heures-negatives.yaml"))
    assert_french_error(run)
    assert "heures-negatives.yaml, ligne" in run.stderr and run.out == ""
    run = cqp("migrer", str(OTHER_REFERENTIEL), "-o", str(tmp_path / "x.yaml"), "--sur-place")
    assert_french_error(run, code=2)
    assert "ne se combine pas" in run.stderr
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("name", ["omi-format2.yaml", "sans-heures-format2.yaml"])
def test_exporter_csv_of_format_2_has_a_bloc_column_and_empty_cells_for_unknown_hours(name: str, cqp: Cqp) -> None:
    path = ROOT / "tests" / "data" / name
    run = cqp("exporter", "--format", "csv", str(path))
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Bloc", "Intitulé du bloc"] and header[-2:] == ["Heures min", "Heures max"]
    assert all(len(row) == len(header) for row in body)
    ref = load_referentiel(path)
    modules = sum(len(c.modules) for c in ref.competences)
    assert len(body) == modules + len(ref.competences) + len(ref.blocs) + 1

    def cells(volume: Any) -> list[str]:
        return [fr_number(volume.min), fr_number(volume.max)] if volume is not None else ["", ""]

    for row in body:
        for cell in row[-2:]:
            assert re.fullmatch(r"|[0-9]+(,[0-9]+)?", cell), row
    for bloc, competences in ref.par_bloc():
        rows_of_bloc = [row for row in body if row[0] == bloc.code]
        assert rows_of_bloc[-1][-2:] == cells(bloc.total_heures)
        for c in competences:
            subtotal = next(row for row in rows_of_bloc if row[2] == str(c.numero) and not row[4])
            assert subtotal[-2:] == cells(c.total_heures)
            for m in c.modules:
                row = next(row for row in rows_of_bloc if row[4] == m.numero)
                assert row[6] == ("oui" if m.facultatif else "")
                assert row[-2:] == (cells(m.heures) if not c.plage_commune else ["", ""])
    assert body[-1][-2:] == cells(ref.total_heures)
    if ref.total_heures is not None and ref.total_heures.hors:
        assert "durée non indiquée" in body[-1][3]


def test_exporter_json_of_format_2_keeps_the_blocs(cqp: Cqp) -> None:
    data = json.loads(cqp("exporter", "--format", "json", str(ROOT / "tests" / "data" / "omi-format2.yaml")).out)
    ref = load_referentiel(ROOT / "tests" / "data" / "omi-format2.yaml")
    assert data["format"] == 2 and "competences" not in data
    assert [b["code"] for b in data["blocs"]] == [b.code for b in ref.blocs]
    assert data["cqp"]["certification"]["numero"] == ref.certification.numero
    modules = [m for b in data["blocs"] for c in b["competences"] for m in c.get("modules", [])]
    assert any(m["facultatif"] is True for m in modules) and all(isinstance(m["facultatif"], bool) for m in modules)


def test_the_skeleton_of_cqp_nouveau_shows_a_bloc() -> None:
    ref = load_referentiel(schema.SKELETON_REFERENTIEL)
    assert ref.format == 2 and ref.blocs and ref.blocs[0].evaluation is not None
    assert ref.certification is not None and ref.public and ref.acces


# --- CSV cells a spreadsheet could run ---------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"https://exemple.fr\";\"clic\")", "+33 1 23", "-2+3", "@SUM(A1:A2)", " =1+1", "\u00a0@x"]


def test_exporter_csv_cells_never_start_a_formula(tmp_path: Path, cqp: Cqp) -> None:
    """OWASP « CSV injection »: a cell that begins with = + - @ (after spaces too) gets a leading apostrophe."""
    text = OTHER_REFERENTIEL.read_text(encoding="utf-8")
    titles = iter(FORMULAS)
    text = re.sub(r"(?m)^(\s+intitule:) .*$", lambda m: f"{m.group(1)} {json.dumps(next(titles, 'Titre'), ensure_ascii=False)}", text)
    text = text.replace('numero: "2.1"', 'numero: "=2+1"').replace("numero: R1", 'numero: "-R1"')
    path = tmp_path / "formules.yaml"
    path.write_text(text, encoding="utf-8")
    ref = load_referentiel(path)
    run = cqp("exporter", "--format", "csv", str(path))
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    written = {c.intitule for c in ref.competences} | {m.intitule for c in ref.competences for m in c.modules}
    written |= {m.numero for c in ref.competences for m in c.modules}
    dangerous = {w for w in written if w.lstrip(" \u00a0")[:1] in ("=", "+", "-", "@")}
    assert len(dangerous) >= 6
    for value in dangerous:
        assert "'" + value in cells and value not in cells, value
    for cell in cells:
        assert not cell.lstrip(" \u00a0").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for row in rows[1:]:  # hours stay numbers a spreadsheet can add up
        for cell in row[4:]:
            assert re.fullmatch(r"|[0-9]+(,[0-9]+)?", cell), row


@pytest.mark.parametrize("args", [["--aide"], ["valider", "--aide"], ["exporter", "--aide"], ["version", "-h"]])
def test_the_help_headings_are_french(args: list[str], cqp: Cqp) -> None:
    run = cqp(*args)
    assert run.returncode == 0
    assert "options:" not in run.out and "arguments:" not in run.out and "positional" not in run.out
    assert re.search(r"^Options\u00a0:$", run.out, re.MULTILINE), run.out
