"""« Valide » means « publishes »: names that mike, the site or the file system would refuse are refused
by `cqp valider`, and every anchor of the pages is unique (issue 11, parts 4 and 6).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from mike.versions import Versions
from support import MINIMAL_REFERENTIEL, ROOT, fold, run_build

from guide_cqp import addresses, publishable
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.settings import read_site_config
from guide_cqp.validate import load_referentiel, parse_referentiel

BASE = MINIMAL_REFERENTIEL


def line_of(text: str) -> int:
    """The line (1-based) of BASE that holds ``text``."""
    return next(number for number, line in enumerate(BASE.splitlines(), start=1) if text in line)

WORKFLOW = ROOT / ".github" / "workflows" / "publier.yml"


def refused(text: str) -> list:
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(text, "essai.yaml")
    return caught.value.problemes


def with_version(numero: str) -> str:
    return BASE.replace('numero: "2024-01"', f"numero: {yaml.safe_dump(numero, allow_unicode=True).splitlines()[0]}")


# --- the version's folder -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numero",
    ["latest", "Latest", " LATEST ", "versions.json", "index.html", "CNAME", "404.html", ".", "..", "…", "???", "/", "con", "NUL.txt"],
)
def test_a_version_number_that_names_a_reserved_folder_is_refused(numero: str) -> None:
    (probleme,) = refused(with_version(numero))
    assert probleme.chemin == ("version", "numero") and probleme.ligne == line_of("numero: \"2024-01\""), str(probleme)
    assert "dossier" in probleme.message or "version la plus récente" in probleme.message


@pytest.mark.parametrize(("numero", "folder"), [("2009-05", "2009-05"), ("2024/10 bis", "2024-10-bis"), ("v2 (révision)", "v2-revision"), ("1.0", "1.0")])
def test_a_version_number_names_its_folder(numero: str, folder: str) -> None:
    assert parse_referentiel(with_version(numero)).version.numero == numero
    assert publishable.version_folder(numero) == folder


def test_the_reserved_alias_is_the_one_the_workflow_and_the_site_use() -> None:
    deploy = next(line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if "mike deploy" in line)
    assert shlex.split(deploy)[-1] == publishable.ALIAS
    assert "mike set-default --push " + publishable.ALIAS in WORKFLOW.read_text(encoding="utf-8")
    config = read_site_config(ROOT / "mkdocs.yml")
    assert config is not None
    assert config["extra"]["version"]["default"] == publishable.ALIAS


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=20))
def test_what_validation_accepts_mike_deploys_next_to_latest(numero: str) -> None:
    """mike's own check (mike.versions): an accepted number never clashes with the alias or breaks a path."""
    if publishable.version_problem(numero) is not None:
        return
    folder = publishable.version_folder(numero)
    versions = Versions()
    versions.add("2000-01", aliases=[publishable.ALIAS])
    versions.add(folder, aliases=[publishable.ALIAS], update_aliases=True)  # raises on what mike refuses
    assert re.fullmatch(r"[0-9A-Za-z._-]+", folder) and folder.casefold() not in publishable.RESERVED_VERSIONS
    assert not folder.startswith(".") and len(folder.encode()) <= publishable.MAX_NAME_BYTES


def test_mike_itself_refuses_what_is_refused_here() -> None:
    versions = Versions()
    with pytest.raises(ValueError):
        versions.add(publishable.ALIAS, aliases=[publishable.ALIAS])
    for name in ("", ".", ".."):
        with pytest.raises(ValueError):
            Versions().add(name)
        assert publishable.version_problem(name or " ") is not None


def test_cqp_version_prints_the_folder_that_validation_checked(tmp_path: Path) -> None:
    path = tmp_path / "referentiel.yaml"
    path.write_text(with_version("2024/10 bis"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.exit(main())", "version", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout == "2024-10-bis\n", done.stderr
    path.write_text(with_version("latest"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.exit(main())", "version", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and done.stdout == "" and "version.numero" in done.stderr


# --- the CQP's code -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(publishable.RESERVED_CODES - {"prn", "aux"})[:6] + ["con", "lpt1", "aux"])
def test_a_code_that_names_a_folder_of_the_site_is_refused(code: str) -> None:
    (probleme,) = refused(BASE.replace("code: essai", f"code: {code}"))
    assert probleme.chemin == ("cqp", "code") and probleme.ligne == line_of("code: essai") and f"« {code} »" in probleme.message


def _site(folder: Path, docs_dir: str | None = None) -> Path:
    """A site: mkdocs.yml (with the tags the real one uses) and a docs folder with hand-written pages."""
    config = "site_name: Essai\nplugins:\n  - guide-cqp\nextra:\n  x: !ENV [X, y]\n"
    if docs_dir:
        config += f"docs_dir: {docs_dir}\n"
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    docs = folder / (docs_dir or "docs")
    (docs / "tuteur").mkdir(parents=True)
    (docs / "tuteur" / "role.md").write_text("# Rôle\n", encoding="utf-8")
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    (docs / "macros.md").write_text("# Macros\n", encoding="utf-8")
    (docs / "Aide-Rapide.md").write_text("# Aide\n", encoding="utf-8")
    return docs


@pytest.mark.parametrize("docs_dir", [None, "pages"])
@pytest.mark.parametrize("code", ["macros", "tuteur", "aide-rapide"])
def test_a_code_that_takes_the_place_of_a_hand_written_page_is_refused(tmp_path: Path, code: str, docs_dir: str | None) -> None:
    _site(tmp_path, docs_dir)
    path = tmp_path / "referentiel.yaml"
    path.write_text(BASE.replace("code: essai", f"code: {code}"), encoding="utf-8")
    with pytest.raises(ReferentielInvalide) as caught:
        load_referentiel(path)
    (probleme,) = caught.value.problemes
    taken = {"macros": "macros.md", "tuteur": "tuteur/", "aide-rapide": "Aide-Rapide.md"}[code]
    assert probleme.chemin == ("cqp", "code") and f"« {code} »" in probleme.message
    assert f"déjà pris par {docs_dir or 'docs'}/{taken}," in probleme.message
    path.write_text(BASE.replace("code: essai", "code: index"), encoding="utf-8")
    with pytest.raises(ReferentielInvalide):
        load_referentiel(path)
    path.write_text(BASE.replace("code: essai", "code: rcad"), encoding="utf-8")
    assert load_referentiel(path).cqp.code == "rcad"


def test_the_site_of_the_working_directory_counts_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "site").mkdir()
    _site(tmp_path / "site")
    elsewhere = tmp_path / "ailleurs" / "referentiel.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(BASE.replace("code: essai", "code: macros"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_referentiel(elsewhere).cqp.code == "macros"  # no site known: nothing to collide with
    monkeypatch.chdir(tmp_path / "site")
    with pytest.raises(ReferentielInvalide):
        load_referentiel(elsewhere)


def test_the_build_refuses_a_code_that_takes_a_page_before_writing_anything(tmp_path: Path) -> None:
    """This project's docs/macros.md: `code: macros` stops the build with the validation's message."""
    path = tmp_path / "referentiel.yaml"
    path.write_text(BASE.replace("code: essai", "code: macros"), encoding="utf-8")
    build = run_build(path, tmp_path / "site")
    assert build.returncode != 0 and "Traceback" not in build.output
    assert "cqp.code" in build.output and "« macros »" in fold(build.output) and "corrigez le référentiel" in build.output
    assert not (tmp_path / "site").exists() or not any((tmp_path / "site").rglob("*.html"))


# --- anchors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("1.1", "1-1"), ("1.1", "1 1"), ("1.1", "1_1"), ("A.1", "a-1"), ("1.é", "1.e"), ("1.1", "1..1"), ("1.1", "(1.1)"), ("α.1", "Α-1")],
)
def test_module_numbers_whose_anchors_collide_are_refused_naming_both(first: str, second: str) -> None:
    assert addresses.module(first) == addresses.module(second)
    text = BASE.replace('numero: "1.1"', f'numero: "{first}"').replace('numero: "2.1"', f'numero: "{second}"')
    (probleme,) = refused(text)
    assert probleme.chemin == ("competences", 1, "modules", 0, "numero") and probleme.ligne == line_of('numero: "2.1"')
    assert f"« {second} »" in probleme.message and f"« {first} »" in probleme.message
    first_line = line_of('numero: "1.1"')
    assert f"#{addresses.module(first)}" in probleme.message and f"ligne {first_line}" in probleme.message


@pytest.mark.parametrize(("first", "second"), [("1.1", "1.10"), ("1.1", "11"), ("α", "β"), ("R1", "S1"), ("1.1a", "1.1b")])
def test_module_numbers_that_differ_by_letters_or_digits_are_kept(first: str, second: str) -> None:
    text = BASE.replace('numero: "1.1"', f'numero: "{first}"').replace('numero: "2.1"', f'numero: "{second}"')
    ref = parse_referentiel(text)
    assert [m.numero for c in ref.competences for m in c.modules] == [first, "1.2", second]


def _ids(page: Path) -> Counter[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return Counter(element["id"] for element in soup.find_all(id=True))


def test_every_page_of_a_site_with_unusual_numbers_has_unique_ids(tmp_path: Path) -> None:
    numbers = {"1.1": "α", "1.2": "1.10", "2.1": "β"}
    text = BASE
    for old, new in numbers.items():
        text = text.replace(f'numero: "{old}"', f'numero: "{new}"')
    path = tmp_path / "referentiel.yaml"
    path.write_text(text, encoding="utf-8")
    ref = load_referentiel(path)
    build = run_build(path, tmp_path / "site")
    assert build.returncode == 0, build.output
    pages = list((tmp_path / "site" / ref.cqp.code).rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        duplicates = [i for i, n in _ids(page).items() if n > 1]
        assert not duplicates, (page, duplicates)
    for competence in ref.competences:
        page = tmp_path / "site" / addresses.competence(ref.cqp.code, competence.numero).removesuffix(".md") / "index.html"
        ids = _ids(page)
        for module in competence.modules:
            assert ids[addresses.module(module.numero)] == 1, (page, module.numero)


@pytest.mark.parametrize("name", ["Certificat de qualification professionnelle vendeur conseil en magasin spécialisé", "aux", "Search"])
def test_cqp_nouveau_gives_a_code_that_publishes(tmp_path: Path, name: str) -> None:
    """The code that `cqp nouveau` takes from the folder's name is one that validation accepts."""
    folder = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.exit(main())", "nouveau", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    ref = load_referentiel(folder / "referentiel.yaml")
    assert publishable.code_problem(ref.cqp.code, publishable.docs_pages(folder / "referentiel.yaml") or ()) is None


FORMAT_2 = ROOT / "tests" / "data" / "sans-heures-format2.yaml"


@pytest.mark.parametrize(
    ("old", "new", "place", "anchor"),
    [
        ("  - code: BC2\n", "  - code: BC-1\n", ("blocs", 1, "code"), "bloc-bc-1"),
        ("      - numero: B2.1\n", "      - numero: B1-1\n", ("blocs", 1, "competences", 0, "numero"), "competence-b1-1"),
        ('          - numero: "B2.1-a"\n', '          - numero: "B1.1.a"\n', ("blocs", 1, "competences", 0, "modules", 0, "numero"), "module-b1-1-a"),
    ],
    ids=["bloc", "competence", "module"],
)
def test_format_2_codes_and_numbers_whose_anchors_collide_are_refused(old: str, new: str, place: tuple, anchor: str) -> None:
    text = FORMAT_2.read_text(encoding="utf-8").replace("  - code: BC1\n", "  - code: BC.1\n")
    assert old in text
    (probleme,) = refused(text.replace(old, new, 1))
    assert probleme.chemin == place and f"#{anchor}" in probleme.message
