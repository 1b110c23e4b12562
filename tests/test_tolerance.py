"""What office tools do to a file is accepted: a BOM, CRLF line ends, stray and non-breaking spaces.

Branch staff save the référentiel from Notepad, Word or a spreadsheet; none of
this should stop the build, and none of it should show on the pages. Numbers
written without quotes keep their written form (2.10 is not 2.1).
"""

from __future__ import annotations

import pytest
from support import OTHER_REFERENTIEL, Build, build_in_process

from guide_cqp.validate import load_referentiel, parse_referentiel

CLEAN = OTHER_REFERENTIEL.read_text(encoding="utf-8")
CODE = "logistique-entrepot"
NBSP = "\u00a0"


def office_variant(text: str) -> bytes:
    """The same référentiel as saved by office tools: BOM, CRLF, an unquoted 2.10, padded texts."""
    assert 'numero: "2.10"' in text and "intitule: Réceptionner les marchandises\n" in text
    text = text.replace('numero: "2.10"', "numero: 2.10")
    text = text.replace(
        "intitule: Réceptionner les marchandises\n", f'intitule: "{NBSP} Réceptionner les marchandises {NBSP}{NBSP}"\n'
    )
    text = text.replace("- Contrôler une livraison\n", "- Contrôler une livraison   \n")
    text = text.replace(
        "version:\n", "presentation: |\n  Premier paragraphe.   \n\n  Second paragraphe.\nversion:\n", 1
    )
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


@pytest.fixture(scope="module")
def office_file(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 (a Path)
    path = tmp_path_factory.mktemp("office") / "referentiel.yaml"
    path.write_bytes(office_variant(CLEAN))
    return path


@pytest.fixture(scope="module")
def office_site(office_file, tmp_path_factory: pytest.TempPathFactory) -> Build:  # noqa: ANN001
    build = build_in_process(office_file, tmp_path_factory.mktemp("office-site") / "site")
    assert build.returncode == 0, build.output
    return build


def test_a_bom_and_crlf_line_ends_give_the_same_referentiel(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "bom-crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + CLEAN.replace("\n", "\r\n").encode("utf-8"))
    assert load_referentiel(path) == load_referentiel(OTHER_REFERENTIEL)


def test_crlf_inside_a_markdown_block_keeps_paragraphs_not_carriage_returns(office_file) -> None:  # noqa: ANN001
    ref = load_referentiel(office_file)
    assert ref.presentation == "Premier paragraphe.\n\nSecond paragraphe."


def test_texts_lose_their_outer_spaces_non_breaking_ones_included(office_file) -> None:  # noqa: ANN001
    ref = load_referentiel(office_file)
    assert ref.competence(1).intitule == "Réceptionner les marchandises"
    assert ref.competence(1).savoir_faire == ["Contrôler une livraison"]


def test_the_office_variant_builds_and_shows_clean_texts(office_site: Build) -> None:
    page = office_site.html(f"{CODE}/competence-1/")
    heading = page.select_one("article h1")
    text = heading.get_text()
    assert "Réceptionner les marchandises" in text
    assert f"{NBSP}Réceptionner" not in text and "  " not in text
    assert "marchandises" + NBSP not in text and "marchandises " not in text.rstrip("#¶ ")
    nav_titles = [a.get_text(" ", strip=True) for a in page.select("nav.md-nav a")]
    assert "1. Réceptionner les marchandises" in nav_titles
    overview = office_site.html(f"{CODE}/")
    paragraphs = [p.get_text() for p in overview.select(".cqp-presentation p")]
    assert paragraphs == ["Premier paragraphe.", "Second paragraphe."]
    assert "\r" not in (office_site.site / CODE / "index.html").read_text(encoding="utf-8")


def test_an_unquoted_module_number_shows_as_written(office_site: Build, office_file) -> None:  # noqa: ANN001
    assert [m.numero for m in load_referentiel(office_file).competence(2).modules] == ["2.1", "2.10"]
    competence = office_site.text(f"{CODE}/competence-2/")
    assert "Module 2.10 –" in competence
    assert office_site.html(f"{CODE}/competence-2/").select_one("#module-2-10") is not None
    table = office_site.html(f"{CODE}/").select_one("table.cqp-heures").get_text(" ")
    assert "Module 2.10 –" in " ".join(table.split())
    livret = office_site.text(f"{CODE}/livret/")
    assert "Module 2.10" in livret


@pytest.mark.parametrize("written", ["2.10", "1.0", "01", "1e3", "0x1A", ".5", "2.1.3"])
def test_any_unquoted_module_number_keeps_its_text(written: str) -> None:
    text = CLEAN.replace('numero: "2.10"', f"numero: {written}")
    ref = parse_referentiel(text)
    assert ref.competence(2).modules[1].numero == written
