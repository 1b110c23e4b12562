"""Versions of a référentiel on the command line: `cqp comparer`, `cqp archiver`, and the checks of version.precedente.

`cqp comparer` exits as diff does (0 the same, 1 different, 2 trouble); `cqp archiver` keeps the version being
replaced in archives/ and can declare it; a declared previous version is validated with the référentiel, its
problems told under its own name, and may not lead outside the référentiel's project.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import OTHER_REFERENTIEL, SEED_REFERENTIEL, Cqp, Run, assert_french_error, cqp_process
from test_compare import FORMAT1_NEW, FORMAT1_OLD, FORMAT2_NEW, FORMAT2_OLD, plain

from guide_cqp.catalogue import load_catalogue
from guide_cqp.compare import comparer
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.validate import load_referentiel
from guide_cqp.versions import project_root


def lines(run: Run) -> list[str]:
    return [plain(line.strip()) for line in run.out.splitlines()]


# --- cqp comparer ------------------------------------------------------------------------------------------


def test_comparer_reports_the_differences_in_french_and_exits_1(cqp: Cqp) -> None:
    run = cqp("comparer", str(FORMAT1_OLD), str(FORMAT1_NEW))
    assert run.returncode == 1, run.stderr
    assert run.stderr == ""
    shown = lines(run)
    # Written from the two files: module 1.1 went from 7-21 h to 7-14 h, competence 3 became 4, 4 went away.
    for expected in (
        "- heures : 7 à 21 h → 7 à 14 h",
        "- Compétence 3 → 4 · Traiter les réclamations des clients (renumérotée)",
        "- Compétence 4 · Assurer le suivi administratif des ventes (retirée)",
        "- Compétence 3 · Préparer les tournées de livraison (ajoutée)",
        "- Module 2.3 → 1.3 · Les techniques de rebond commercial (renuméroté)",
        "- « Proposer les promotions du moment »",
        "- numéro de version : 2019-03 → 2021-09",
    ):
        assert expected in shown, expected
    assert shown[0] == "Ce qui change dans le référentiel du CQP « Vente à distance en commerces de gros » (vad)"


def test_comparer_exits_0_when_the_two_versions_say_the_same(cqp: Cqp, tmp_path: Path) -> None:
    copy = tmp_path / "copie.yaml"
    copy.write_text("# une copie, commentée autrement\n" + FORMAT2_OLD.read_text(encoding="utf-8"), encoding="utf-8")
    run = cqp("comparer", str(FORMAT2_OLD), str(copy))
    assert run.returncode == 0, run.stderr
    assert "Aucune différence" in run.out


def test_comparer_with_one_file_compares_it_with_the_previous_version_it_declares(cqp: Cqp) -> None:
    both = cqp("comparer", str(FORMAT2_OLD), str(FORMAT2_NEW), "--format", "json")
    one = cqp("comparer", str(FORMAT2_NEW), "--format", "json")
    by_variable = cqp("comparer", "--format", "json", env={"CQP_REFERENTIEL": str(FORMAT2_NEW)})
    assert both.returncode == one.returncode == by_variable.returncode == 1
    assert json.loads(one.out) == json.loads(both.out) == json.loads(by_variable.out)


def test_comparer_json_is_the_whole_comparison(cqp: Cqp) -> None:
    run = cqp("comparer", "--format", "json", str(FORMAT2_OLD), str(FORMAT2_NEW))
    data = json.loads(run.out)
    expected = comparer(load_referentiel(FORMAT2_OLD), load_referentiel(FORMAT2_NEW)).as_dict()
    assert data["format"] == "guide-cqp-comparaison" and data["identiques"] is False
    assert data["ancien"]["fichier"].endswith("maint-2020-09.yaml") and data["ancien"]["numero"] == "2020-09"
    assert data["nouveau"]["numero"] == "2023-09"
    for section in ("version", "cqp", "listes", "certification", "blocs", "competences", "livret"):
        assert data[section] == json.loads(json.dumps(expected[section], ensure_ascii=False)), section


def test_comparer_markdown_has_a_section_per_part_and_escapes_the_texts(cqp: Cqp, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    shutil.copytree(FORMAT1_NEW.parent, folder)
    new = folder / "referentiel.yaml"
    new.write_text(
        new.read_text(encoding="utf-8").replace("Préparer les tournées de livraison", "Préparer les *tournées* [urgent] <b>"),
        encoding="utf-8",
    )
    run = cqp("comparer", "--format", "markdown", str(new))
    assert run.returncode == 1, run.stderr
    shown = lines(run)
    assert shown[0].startswith("# Ce qui change dans le référentiel du CQP")
    assert [line for line in shown if line.startswith("## ")] == [
        "## Version",
        "## Le CQP",
        "## Compétences",
        "## Libellés du livret",
    ]
    assert "- Compétence 3 · Préparer les \\*tournées\\* \\[urgent\\] \\<b\\> (ajoutée)" in shown
    assert "- « Proposer les promotions du moment »" in shown


def test_comparer_reads_the_json_exports_of_published_sites(cqp: Cqp, tmp_path: Path) -> None:
    for name, path in (("ancien.json", FORMAT1_OLD), ("nouveau.json", FORMAT1_NEW)):
        assert cqp("exporter", "--format", "json", str(path), "-o", str(tmp_path / name)).returncode == 0
    from_json = cqp("comparer", "--format", "json", str(tmp_path / "ancien.json"), str(tmp_path / "nouveau.json"))
    from_yaml = cqp("comparer", "--format", "json", str(FORMAT1_OLD), str(FORMAT1_NEW))
    assert from_json.returncode == 1, from_json.stderr
    strip = lambda data: {k: v for k, v in data.items() if k not in ("ancien", "nouveau")}  # noqa: E731
    assert strip(json.loads(from_json.out)) == strip(json.loads(from_yaml.out))
    mixed = cqp("comparer", str(tmp_path / "nouveau.json"), str(FORMAT1_NEW))  # the export of a file and the file
    assert mixed.returncode == 0, mixed.out


def test_comparer_writes_to_a_file_with_o(cqp: Cqp, tmp_path: Path) -> None:
    target = tmp_path / "changements.md"
    run = cqp("comparer", str(FORMAT1_OLD), str(FORMAT1_NEW), "--format", "markdown", "-o", str(target))
    assert run.returncode == 1 and run.out == ""
    assert target.read_text(encoding="utf-8") == cqp("comparer", str(FORMAT1_OLD), str(FORMAT1_NEW), "--format", "markdown").out


def test_comparer_exits_2_with_the_validation_report_for_an_invalid_file(cqp: Cqp, tmp_path: Path) -> None:
    broken = tmp_path / "casse.yaml"
    broken.write_text(FORMAT1_NEW.read_text(encoding="utf-8").replace("heures: {min: 7, max: 21}", "heures: {min: 21, max: 7}"), encoding="utf-8")
    run = cqp("comparer", str(FORMAT1_OLD), str(broken))
    assert_french_error(run, code=2)
    assert "casse.yaml, ligne" in run.stderr and "le minimum (21 h) dépasse le maximum (7 h)" in plain(run.stderr)
    assert run.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["comparer", "a.yaml", "b.yaml", "c.yaml"],
        ["comparer", "--format", "html", "a.yaml", "b.yaml"],
        ["comparer", "absent.yaml", str(FORMAT1_NEW)],
        ["comparer", str(OTHER_REFERENTIEL)],  # declares no previous version
        ["comparer", "--inconnue"],
    ],
    ids=["trois fichiers", "format inconnu", "fichier absent", "sans version précédente", "option inconnue"],
)
def test_comparer_exits_2_for_a_usage_error(args: list[str], cqp: Cqp) -> None:
    run = cqp(*args)
    assert_french_error(run, code=2)


def test_comparer_help_says_what_each_exit_code_means(cqp: Cqp) -> None:
    run = cqp("comparer", "--aide")
    assert run.returncode == 0
    text = " ".join(run.out.split())
    assert "0 si les deux versions disent la même chose, 1 si elles diffèrent, 2 pour une erreur" in text
    assert "texte" in text and "markdown" in text and "json" in text


def test_the_console_script_exits_1_for_different_versions() -> None:
    run = cqp_process("comparer", str(FORMAT2_OLD), str(FORMAT2_NEW))
    assert run.returncode == 1, run.stderr
    assert "Compétence C4 → C6 · Proposer des améliorations (renumérotée)" in plain(run.out)


# --- version.precedente -------------------------------------------------------------------------------------


def project(tmp_path: Path, source: Path = FORMAT1_NEW, archive: Path = FORMAT1_OLD) -> Path:
    """A site's folder: mkdocs.yml, referentiel.yaml and its archived previous version."""
    root = tmp_path / "projet"
    (root / "archives").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: essai\n", encoding="utf-8")
    shutil.copy(source, root / "referentiel.yaml")
    shutil.copy(archive, root / "archives" / archive.name)
    return root


def declaring(path: Path, precedente: str) -> Path:
    text = path.read_text(encoding="utf-8")
    start = text.index("  precedente:")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"  precedente: {precedente}" + text[end:], encoding="utf-8")
    return path


def refusal(run: Run) -> str:
    assert_french_error(run, code=1)
    return plain(run.stderr)


def test_the_previous_version_is_loaded_and_validated_with_the_referentiel() -> None:
    catalogue = load_catalogue(FORMAT2_NEW)
    code = catalogue.codes[0]
    assert catalogue.precedente(code) == load_referentiel(FORMAT2_OLD)
    assert catalogue.fichiers_precedents[code] == FORMAT2_OLD.resolve()
    assert load_catalogue(SEED_REFERENTIEL).precedentes == {}


def test_a_missing_previous_version_is_an_error_of_its_field(cqp: Cqp, tmp_path: Path) -> None:
    root = project(tmp_path)
    declaring(root / "referentiel.yaml", "archives/vad-2018.yaml")
    message = refusal(cqp("valider", str(root / "referentiel.yaml")))
    line = 1 + next(i for i, t in enumerate((root / "referentiel.yaml").read_text().splitlines()) if "precedente:" in t)
    assert f"referentiel.yaml, ligne {line}, colonne 15 — champ version.precedente" in message
    assert "« archives/vad-2018.yaml » introuvable" in message


def test_an_invalid_previous_version_is_reported_under_its_own_name_and_lines(cqp: Cqp, tmp_path: Path) -> None:
    root = project(tmp_path)
    archive = root / "archives" / "vad-2019-03.yaml"
    text = archive.read_text(encoding="utf-8")
    archive.write_text(text.replace("        heures: {min: 14, max: 28}", "        heures: {min: 28, max: 14}"), encoding="utf-8")
    line = 1 + text.splitlines().index("        heures: {min: 14, max: 28}")
    message = refusal(cqp("valider", str(root / "referentiel.yaml")))
    assert f"vad-2019-03.yaml, ligne {line}, colonne 17 — compétence 2, module 2.1, champ heures (competences[1].modules[0].heures) : le minimum (28 h) dépasse le maximum (14 h)" in message
    assert "champ version.precedente : la version précédente « archives/vad-2019-03.yaml » n'est pas un référentiel valide" in message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("../dehors.yaml", "mène hors du dossier du projet"),
        ("archives/../../dehors.yaml", "mène hors du dossier du projet"),
        ("archives/lien.yaml", "mène hors du dossier du projet"),  # a symbolic link to ../dehors.yaml
        ("/etc/passwd.yaml", "chemin absolu"),
        ("~/archives/vad.yaml", "chemin absolu"),
        ("C:/archives/vad.yaml", "chemin absolu"),
        ("archives\\\\vad-2019-03.yaml", "chemin attendu avec des « / »"),
        ("archives/vad-2019-03.txt", "fichier .yaml attendu"),
        ("referentiel.yaml", "est ce référentiel lui-même"),
        ("archives", "fichier .yaml attendu"),
    ],
)
def test_a_previous_version_must_be_a_file_of_the_project(written: str, expected: str, cqp: Cqp, tmp_path: Path) -> None:
    root = project(tmp_path)
    outside = tmp_path / "dehors.yaml"
    shutil.copy(FORMAT1_OLD, outside)  # a valid référentiel: refused for where it is, not for what it says
    (root / "archives" / "lien.yaml").symlink_to(outside)
    declaring(root / "referentiel.yaml", json.dumps(written) if "\\" in written else written)
    message = refusal(cqp("valider", str(root / "referentiel.yaml")))
    assert "champ version.precedente" in message and expected in message, message


def test_a_previous_version_may_be_anywhere_inside_the_project(cqp: Cqp, tmp_path: Path) -> None:
    """A folder of référentiels (referentiels/) with the archives beside it, at the project's root."""
    root = project(tmp_path)
    (root / "referentiels").mkdir()
    shutil.move(root / "referentiel.yaml", root / "referentiels" / "vad.yaml")
    declaring(root / "referentiels" / "vad.yaml", "../archives/vad-2019-03.yaml")
    assert project_root(root / "referentiels" / "vad.yaml") == root.resolve()
    run = cqp("valider", str(root / "referentiels" / "vad.yaml"))
    assert run.returncode == 0, run.stderr


def test_a_referentiel_outside_the_site_names_its_previous_version_from_its_own_folder(cqp: Cqp, tmp_path: Path) -> None:
    """CQP_REFERENTIEL=/ailleurs/x.yaml: its archives/ is the one next to it, whatever the working folder."""
    elsewhere = tmp_path / "ailleurs"
    shutil.copytree(FORMAT2_NEW.parent, elsewhere)
    run = cqp("valider", env={"CQP_REFERENTIEL": str(elsewhere / "referentiel.yaml")}, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    compared = cqp("comparer", "--format", "json", env={"CQP_REFERENTIEL": str(elsewhere / "referentiel.yaml")})
    assert compared.returncode == 1 and json.loads(compared.out)["ancien"]["numero"] == "2020-09"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("2021-09", "2019-03"), "la version précédente porte le même numéro (2019-03)"),
        (("2021-09-01", "2018-01-01"), "la version précédente (2019-03) est datée après celle-ci"),
    ],
    ids=["même numéro", "date antérieure"],
)
def test_a_previous_version_must_come_before(change: tuple[str, str], expected: str, cqp: Cqp, tmp_path: Path) -> None:
    root = project(tmp_path)
    path = root / "referentiel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    assert expected in refusal(cqp("valider", str(path)))


def test_the_previous_version_of_the_previous_version_is_not_followed(cqp: Cqp, tmp_path: Path) -> None:
    """An archive is the state of the repository then: the older file it named may be gone."""
    root = project(tmp_path, FORMAT2_NEW, FORMAT2_OLD)
    archive = root / "archives" / FORMAT2_OLD.name
    text = archive.read_text(encoding="utf-8")
    archive.write_text(text.replace('  date: 2020-09-10\n', '  date: 2020-09-10\n  precedente: archives/maint-2017.yaml\n'), encoding="utf-8")
    assert load_referentiel(archive).version.precedente == "archives/maint-2017.yaml"
    assert cqp("valider", str(root / "referentiel.yaml")).returncode == 0


def test_every_problem_is_reported_as_an_error_without_a_traceback(tmp_path: Path) -> None:
    root = project(tmp_path)
    declaring(root / "referentiel.yaml", "archives/absente.yaml")
    with pytest.raises(ReferentielInvalide) as caught:
        load_catalogue(root / "referentiel.yaml")
    assert [p.chemin for p in caught.value.problemes] == [("version", "precedente")]


# --- cqp archiver ------------------------------------------------------------------------------------------


def site(tmp_path: Path, source: Path = SEED_REFERENTIEL) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "mkdocs.yml").write_text("site_name: essai\n", encoding="utf-8")
    shutil.copy(source, root / "referentiel.yaml")
    return root


def test_archiver_copies_the_referentiel_byte_for_byte_and_says_what_comes_next(cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path)
    ref = load_referentiel(SEED_REFERENTIEL)
    run = cqp("archiver", cwd=root)
    assert run.returncode == 0, run.stderr
    archive = root / "archives" / f"{ref.cqp.code}-{ref.version.numero}.yaml"
    assert archive.read_bytes() == SEED_REFERENTIEL.read_bytes()
    assert (root / "referentiel.yaml").read_bytes() == SEED_REFERENTIEL.read_bytes()  # untouched without --precedente
    said = plain(run.out)
    assert f"referentiel.yaml copié dans archives/{archive.name}" in said
    assert "changez version.numero et version.date" in said
    assert f"« precedente: archives/{archive.name} »" in said


def test_archiver_never_replaces_an_existing_archive(cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path)
    assert cqp("archiver", cwd=root).returncode == 0
    (archive,) = (root / "archives").iterdir()
    archive.write_text("# déjà là\n", encoding="utf-8")
    run = cqp("archiver", "--precedente", cwd=root)
    assert_french_error(run, code=1)
    assert "existe déjà" in run.stderr
    assert archive.read_text(encoding="utf-8") == "# déjà là\n"
    assert (root / "referentiel.yaml").read_bytes() == SEED_REFERENTIEL.read_bytes()


@pytest.mark.parametrize("source", [SEED_REFERENTIEL, OTHER_REFERENTIEL, FORMAT2_OLD], ids=lambda p: p.name)
def test_archiver_precedente_adds_one_line_and_keeps_every_other_byte(source: Path, cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path, source)
    ref = load_referentiel(source)
    before = (root / "referentiel.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    run = cqp("archiver", "--precedente", "referentiel.yaml", cwd=root)
    assert run.returncode == 0, run.stderr
    after = (root / "referentiel.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    reference = f"archives/{ref.cqp.code}-{ref.version.numero}.yaml"
    added = [line for line in after if line not in before]
    assert [line.strip() for line in added] == [f"precedente: {reference}"]
    assert [line for line in after if line not in added] == before
    assert load_referentiel(root / "referentiel.yaml").version.precedente == reference
    # Until the new version gets its own number, validation says what to do.
    assert "changez version.numero et version.date" in refusal(cqp("valider", cwd=root))


def test_the_next_version_after_archiver_compares_with_the_archived_one(cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path, OTHER_REFERENTIEL)
    assert cqp("archiver", "--precedente", cwd=root).returncode == 0
    path = root / "referentiel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('numero: "2024.10"', 'numero: "2025.01"').replace("date: 2024-10-01", "date: 2025-01-15"), encoding="utf-8")
    assert cqp("valider", cwd=root).returncode == 0
    run = cqp("comparer", "--format", "json", cwd=root)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.out)
    assert digest_sections(data) == {"version": {"numéro de version": ("2024.10", "2025.01"), "date de version": ("1er octobre 2024", "15 janvier 2025")}}


def digest_sections(data: dict) -> dict:
    """The sections of a JSON comparison that hold something, values as (before, after)."""
    found = {}
    for section in ("version", "cqp", "listes", "certification", "blocs", "competences", "livret"):
        if data[section]:
            found[section] = {v["quoi"]: (plain(v["avant"]), plain(v["apres"])) for v in data[section]}
    return found


def test_archiver_precedente_replaces_the_previous_declaration(cqp: Cqp, tmp_path: Path) -> None:
    """Archiving version 2 to start version 3: precedente now names version 2's archive."""
    root = project(tmp_path)
    before = (root / "referentiel.yaml").read_text(encoding="utf-8")
    run = cqp("archiver", "--precedente", cwd=root)
    assert run.returncode == 0, run.stderr
    after = (root / "referentiel.yaml").read_text(encoding="utf-8")
    assert after == before.replace("precedente: archives/vad-2019-03.yaml", "precedente: archives/vad-2021-09.yaml")
    assert (root / "archives" / "vad-2021-09.yaml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("shape", ["accolades", "crlf", "bom", "statut en bloc"])
def test_archiver_precedente_writes_into_any_shape_of_version(shape: str, cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path, OTHER_REFERENTIEL)
    path = root / "referentiel.yaml"
    text = path.read_text(encoding="utf-8")
    block = 'version:\n  numero: "2024.10"\n  date: 2024-10-01\n'
    assert block in text
    if shape == "accolades":
        text = text.replace(block, 'version: {numero: "2024.10", date: 2024-10-01}  # en une ligne\n')
    elif shape == "statut en bloc":
        text = text.replace(block, block + "  statut: |\n    Document\n    de travail\n\n")
    raw = text.encode("utf-8")
    if shape == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    if shape == "bom":
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    before = load_referentiel(path)
    run = cqp("archiver", "--precedente", cwd=root)
    assert run.returncode == 0, run.stderr
    after_raw = path.read_bytes()
    assert after_raw.startswith(b"\xef\xbb\xbf") == (shape == "bom")
    assert (b"\r\n" in after_raw) == (shape == "crlf") and after_raw.count(b"\n") - raw.count(b"\n") in (0, 1)
    after = load_referentiel(path)
    assert after.version.precedente == "archives/logistique-entrepot-2024.10.yaml"
    assert after.model_copy(update={"version": after.version.model_copy(update={"precedente": None})}) == before


def test_archiver_refuses_an_invalid_referentiel_and_writes_nothing(cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path, OTHER_REFERENTIEL)
    path = root / "referentiel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("intitule: Préparer les commandes en sécurité", "intitule:"), encoding="utf-8")
    run = cqp("archiver", "--precedente", cwd=root)
    assert_french_error(run, code=1)
    assert not (root / "archives").exists()


def test_archiver_keeps_the_archive_inside_the_project(cqp: Cqp, tmp_path: Path) -> None:
    root = site(tmp_path)
    run = cqp("archiver", "-o", str(tmp_path / "ailleurs.yaml"), cwd=root)
    assert_french_error(run, code=1)
    assert "hors du dossier du projet" in run.stderr
    assert not (tmp_path / "ailleurs.yaml").exists()


def test_archiver_names_the_archive_from_the_referentiel_s_own_folder(cqp: Cqp, tmp_path: Path) -> None:
    """Run from elsewhere: the archive goes next to the référentiel, precedente names it from there."""
    root = site(tmp_path, OTHER_REFERENTIEL)
    run = cqp("archiver", "--precedente", str(root / "referentiel.yaml"), "-o", str(root / "anciennes" / "v1.yaml"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (root / "anciennes" / "v1.yaml").is_file()
    assert load_referentiel(root / "referentiel.yaml").version.precedente == "anciennes/v1.yaml"
