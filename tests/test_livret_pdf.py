"""The fillable livret PDF made by `mkdocs build` with WeasyPrint: pages, fields, bookmarks, metadata.

Everything expected is computed from the référentiel (competences, modules, livret labels), so the
same checks run on the seed and on tests/data/autre-referentiel.yaml.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader
from support import OTHER_REFERENTIEL, SEED_REFERENTIEL, Build, run_build

from guide_cqp import addresses, render, settings
from guide_cqp.model import Referentiel
from guide_cqp.pdf import build_pdf
from guide_cqp.validate import load_referentiel, parse_referentiel

A4 = (595.28, 841.89)  # points
CM = 72 / 2.54
MM = CM / 10
MULTILINE = 1 << 12  # PDF text field flag « multiline »
RADIO, PUSHBUTTON = 1 << 15, 1 << 16
ZONES = ("points_cles", "activites", "formateur", "tuteur_positifs", "tuteur_approfondir")
SYNTHESE = ("organisme", "dates", "heures")


# --- helpers shared with test_livret_print ------------------------------------------------


def norm(text: str) -> str:
    """Compare texts as a reader would: ligatures and non-breaking spaces unfolded, spaces folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, by poppler's pdftotext (what a search or a screen reader gets)."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    pages = done.stdout.decode("utf-8").split("\f")
    return [norm(page) for page in pages[: len(PdfReader(pdf).pages)]]


def label(ref: Referentiel, text: str) -> str:
    return norm(ref.libelle(text))


def markdown_text(ref: Referentiel, text: str) -> str:
    return norm(BeautifulSoup(str(render.markdown_filter(text, ref)), "html.parser").get_text(" "))


def grid_labels(ref: Referentiel) -> list[str]:
    f = ref.livret.fiche
    return [
        label(ref, t)
        for t in (f.points_cles, f.activites_realisees, f.commentaires_formateur, f.points_positifs, f.a_approfondir)
    ]


@dataclass
class Layout:
    """Where the parts of a printed livret fall, found from the text of its pages."""

    pages: list[str]
    parcours: int
    preconise: int
    sheets: list[range]


def layout(ref: Referentiel, pages: list[str]) -> Layout:
    """Locate the parts; each competence sheet is found by its « savoir faire » heading, which only sheets have."""
    savoir_faire = label(ref, ref.livret.savoir_faire)
    for i, page in enumerate(pages):
        assert page.count(savoir_faire) <= 1, f"page {i + 1}: two competence sheets share it"
    starts = [i for i, page in enumerate(pages) if savoir_faire in page]
    competences = ref.competences_triees()
    assert len(starts) == len(competences), f"{len(starts)} sheets for {len(competences)} competences"
    parcours = next(i for i, page in enumerate(pages) if label(ref, ref.livret.parcours_titre) in page)
    preconise = next(i for i, page in enumerate(pages) if label(ref, ref.livret.preconise_titre) in page)
    ends = [*starts[1:], len(pages)]
    return Layout(pages, parcours, preconise, [range(s, e) for s, e in zip(starts, ends, strict=True)])


def check_livret_pages(ref: Referentiel, pages: list[str]) -> Layout:
    """The page rules common to the WeasyPrint PDF and the browser's print."""
    where = layout(ref, pages)
    cover = pages[0]
    for text in [ref.livret.titre_certificat, ref.cqp.intitule, ref.livret.titre, *ref.livret.champs_couverture]:
        assert label(ref, text).lower() in cover.lower(), text
    # The cover is alone on page 1: nothing of the next parts, and its fields nowhere else.
    objet_start = " ".join(markdown_text(ref, ref.livret.objet).split()[:8])
    assert objet_start not in cover
    assert objet_start in pages[1]
    for page in pages[1:]:
        for champ in ref.livret.champs_couverture:
            assert label(ref, champ) not in page
    assert 1 < where.parcours < where.preconise < where.sheets[0].start
    for c, sheet in zip(ref.competences_triees(), where.sheets, strict=True):
        first = pages[sheet.start]
        assert f"compétence {c.numero}" in first.lower() and norm(c.intitule) in first, c.numero
        # The whole « De la formation à l'entreprise » grid is on one page of the sheet, once.
        assert [i for i in sheet if all(g in pages[i] for g in grid_labels(ref))], (
            f"grid of competence {c.numero} split"
        )
        for g in grid_labels(ref):
            assert sum(pages[i].count(g) for i in sheet) == 1, (c.numero, g)
        assert len(sheet) <= 2, f"competence {c.numero} takes {len(sheet)} pages"
    return where


# --- fixtures ---------------------------------------------------------------------------------


@dataclass
class Livret:
    ref: Referentiel
    path: Path
    reader: PdfReader
    pages: list[str]


@pytest.fixture(scope="module")
def seed_pdf(seed_site: Build) -> Livret:
    ref = load_referentiel(SEED_REFERENTIEL)
    path = seed_site.site / addresses.pdf(ref.cqp.code)
    return Livret(ref, path, PdfReader(path), page_texts(path))


@pytest.fixture(scope="module")
def other_pdf(tmp_path_factory: pytest.TempPathFactory) -> Livret:
    """The second référentiel's PDF, made by the same function the build calls (its site is built without PDF)."""
    ref = load_referentiel(OTHER_REFERENTIEL)
    path = tmp_path_factory.mktemp("other-pdf") / "livret.pdf"
    path.write_bytes(build_pdf(ref))
    return Livret(ref, path, PdfReader(path), page_texts(path))


@pytest.fixture(params=["seed", "other"])
def livret(request: pytest.FixtureRequest) -> Livret:
    return request.getfixturevalue(f"{request.param}_pdf")


def fields_by_name(reader: PdfReader) -> Iterator[tuple[str, int, dict]]:
    """(name, page index, widget) for every form field, from the pages' annotations."""
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/Subtype") == "/Widget":
                yield str(widget["/T"]), index, widget


# --- tests ------------------------------------------------------------------------------------


def test_every_page_is_a4_portrait(livret: Livret) -> None:
    for page in livret.reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1


def test_cover_alone_then_the_parts_then_one_sheet_per_competence(livret: Livret) -> None:
    where = check_livret_pages(livret.ref, livret.pages)
    competences = len(livret.ref.competences)
    # cover, purpose, synthesis sheet, recommended course, then the sheets: for these two référentiels
    # every part and every sheet fits its page, as in the 2009 paper livret.
    assert (where.parcours, where.preconise, where.sheets[0].start) == (2, 3, 4)
    assert len(livret.pages) == 4 + competences
    assert all(len(sheet) == 1 for sheet in where.sheets)


def test_footer_names_the_cqp_and_numbers_pages_except_on_the_cover(livret: Livret) -> None:
    total = len(livret.pages)
    assert "page 1 /" not in livret.pages[0]
    for number, text in enumerate(livret.pages[1:], start=2):
        assert f"page {number} / {total}" in text
        assert norm(livret.ref.cqp.intitule) in text


def test_form_fields_have_stable_names_and_kinds(livret: Livret) -> None:
    ref = livret.ref
    expected: dict[str, str] = {}
    for i, champ in enumerate(ref.livret.champs_couverture, start=1):
        grand = "cachet" in champ.lower() or "signature" in champ.lower()
        expected[f"couverture_{i}"] = "multiline" if grand else "text"
    for c in ref.competences:
        for j in range(1, len(c.modules) + 1):
            expected[f"c{c.numero}_module_{j}"] = "checkbox"
        for name in SYNTHESE + ZONES:
            expected[f"c{c.numero}_{name}"] = "multiline"
    found: dict[str, str] = {}
    for name, _, widget in fields_by_name(livret.reader):
        flags = int(widget.get("/Ff", 0))
        if widget["/FT"] == "/Btn":
            assert not flags & (RADIO | PUSHBUTTON), name
            found[name] = "checkbox"
        else:
            assert widget["/FT"] == "/Tx", name
            found[name] = "multiline" if flags & MULTILINE else "text"
    assert found == expected
    assert set(livret.reader.get_fields()) == set(expected)  # the AcroForm lists them all


def test_fields_sit_on_their_page_and_comment_areas_leave_room_to_write(livret: Livret) -> None:
    ref = livret.ref
    where = layout(ref, livret.pages)
    placed = {name: (page, [float(x) for x in widget["/Rect"]]) for name, page, widget in fields_by_name(livret.reader)}
    assert {page for name, (page, _) in placed.items() if name.startswith("couverture_")} == {0}
    for c, sheet in zip(ref.competences_triees(), where.sheets, strict=True):
        row = [f"c{c.numero}_module_{j}" for j in range(1, len(c.modules) + 1)] + [f"c{c.numero}_{n}" for n in SYNTHESE]
        assert {placed[name][0] for name in row} == {where.parcours}, f"synthesis row {c.numero} split or misplaced"
        zones = {placed[f"c{c.numero}_{zone}"][0] for zone in ZONES}
        assert len(zones) == 1 and zones <= set(sheet), f"grid of competence {c.numero}"
        for zone in ZONES:
            x1, y1, x2, y2 = placed[f"c{c.numero}_{zone}"][1]
            assert abs(y2 - y1) >= 4 * CM and abs(x2 - x1) >= 6 * CM, (c.numero, zone)
        for j in range(1, len(c.modules) + 1):
            x1, y1, x2, y2 = placed[f"c{c.numero}_module_{j}"][1]
            assert 4 * MM <= abs(x2 - x1) <= 6 * MM and 4 * MM <= abs(y2 - y1) <= 6 * MM, "a checkbox of 4 to 6 mm"


def test_bookmarks_name_each_part_and_each_competence(livret: Livret) -> None:
    ref, reader = livret.ref, livret.reader
    where = layout(ref, livret.pages)
    outline = [(norm(item.title), reader.get_destination_page_number(item)) for item in reader.outline]
    expected = [
        ("Couverture", 0),
        ("Objet du livret", 1),
        (label(ref, ref.livret.parcours_titre), where.parcours),
        (label(ref, ref.livret.preconise_titre), where.preconise),
    ] + [
        (norm(f"Compétence {c.numero} – {c.intitule}"), sheet.start)
        for c, sheet in zip(ref.competences_triees(), where.sheets, strict=True)
    ]
    assert outline == expected


def test_metadata_title_language_and_dates_come_from_the_referentiel(livret: Livret) -> None:
    ref, reader = livret.ref, livret.reader
    meta = reader.metadata
    assert norm(ref.cqp.intitule) in norm(meta.title) and label(ref, ref.livret.titre) in norm(meta.title)
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    day = ref.version.date.strftime("%Y%m%d")
    assert meta["/CreationDate"].startswith(f"D:{day}") and meta["/ModDate"].startswith(f"D:{day}")
    assert reader.trailer["/ID"][0].original_bytes == f"guide-cqp:{ref.cqp.code}:{ref.version.numero}".encode()


def test_same_referentiel_same_bytes(seed_pdf: Livret) -> None:
    """The PDF built by `mkdocs build` (another process, another hash seed) equals one built here."""
    assert build_pdf(seed_pdf.ref) == seed_pdf.path.read_bytes()


def test_the_livret_page_and_the_overview_link_the_pdf(seed_site: Build) -> None:
    ref = load_referentiel(SEED_REFERENTIEL)
    for page in (f"{ref.cqp.code}/livret/", f"{ref.cqp.code}/"):
        links = [
            a
            for a in seed_site.html(page).select("article a[href$='.pdf']")
            if "Télécharger le livret (PDF)" in a.get_text()
        ]
        assert links, page
        target = (seed_site.site / page / links[0]["href"]).resolve()
        assert target == (seed_site.site / addresses.pdf(ref.cqp.code)).resolve() and target.stat().st_size > 10_000


def test_cqp_pdf_0_builds_no_pdf_and_links_none(other_site: Build) -> None:
    """conftest builds this site with CQP_PDF=0."""
    ref = load_referentiel(OTHER_REFERENTIEL)
    assert not list(other_site.site.rglob("*.pdf"))
    assert not other_site.html(f"{ref.cqp.code}/livret/").select("a[href$='.pdf']")
    assert "Imprimer le livret" in other_site.text(f"{ref.cqp.code}/livret/")


@pytest.mark.parametrize(
    ("command", "option", "value", "wanted"),
    [
        ("build", None, None, True),
        ("serve", None, None, False),
        ("build", None, "0", False),
        ("serve", None, "1", True),
        ("gh-deploy", None, None, True),
        ("serve", True, None, True),
        ("build", False, None, False),
        ("build", False, "1", True),
        ("serve", True, "0", False),
    ],
)
def test_when_the_pdf_is_built(
    monkeypatch: pytest.MonkeyPatch, command: str, option: bool | None, value: str | None, wanted: bool
) -> None:
    """The plugin's pdf option decides, CQP_PDF overrides it; without either, `mkdocs serve` skips the PDF."""
    if value is None:
        monkeypatch.delenv("CQP_PDF", raising=False)
    else:
        monkeypatch.setenv("CQP_PDF", value)
    assert settings.pdf_wanted(option, command) is wanted


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses the Linux dynamic loader's LD_LIBRARY_PATH")
def test_without_pango_the_build_stops_with_a_french_message(tmp_path: Path) -> None:
    """A broken libpango found first on LD_LIBRARY_PATH is what the loader sees when Pango is missing."""
    libs = tmp_path / "lib"
    libs.mkdir()
    for name in ("libpango-1.0.so.0", "libpango-1.0.so", "libpango-1.0-0"):
        (libs / name).write_text("pas une bibliothèque\n")
    path = os.pathsep.join(p for p in (str(libs), os.environ.get("LD_LIBRARY_PATH", "")) if p)
    build = run_build(OTHER_REFERENTIEL, tmp_path / "site", pdf=True, extra_env={"LD_LIBRARY_PATH": path})
    assert build.returncode != 0
    assert "Traceback" not in build.output
    assert "could not import some external libraries" not in build.output  # WeasyPrint's English banner
    assert "Livret PDF impossible à créer" in build.output
    assert "Pango (libpango-1.0-0)" in build.output and "apt-get install libpango-1.0-0" in build.output
    assert "CQP_PDF=0" in build.output
    assert not (tmp_path / "site" / "logistique-entrepot" / "livret-logistique-entrepot.pdf").exists()


def test_a_long_referentiel_keeps_sheets_apart_and_rows_whole(tmp_path: Path) -> None:
    """Twelve competences and one very long sheet: the synthesis table and a sheet run over two pages,
    yet no table row is cut, no grid is split and no two sheets share a page."""
    data = yaml.safe_load(OTHER_REFERENTIEL.read_text(encoding="utf-8"))
    base = data["competences"][1]  # one with modules that carry their own hours
    data["competences"] = []
    for n in range(1, 13):
        competence = {**base, "numero": n, "intitule": f"Compétence numéro {n} à acquérir en entrepôt"}
        competence["modules"] = [{**m, "numero": f"{n}.{j}"} for j, m in enumerate(base["modules"], start=1)]
        if n == 3:
            competence["savoir_faire"] = [
                f"Savoir-faire détaillé numéro {k}, " + "décrit longuement " * 12 for k in range(25)
            ]
        data["competences"].append(competence)
    ref = parse_referentiel(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    path = tmp_path / "long.pdf"
    path.write_bytes(build_pdf(ref))
    reader, pages = PdfReader(path), page_texts(path)
    where = check_livret_pages(ref, pages)
    assert where.preconise - where.parcours >= 2, "the synthesis table should need two pages here"
    assert len(where.sheets[2]) == 2 and all(len(s) == 1 for i, s in enumerate(where.sheets) if i != 2)
    third = ref.competences_triees()[2]
    assert f"{norm(third.intitule)} (suite)" in pages[where.sheets[2][1]]  # the second page says whose sheet it is
    assert "(suite)" not in pages[where.sheets[2][0]] + pages[where.sheets[3][0]]
    placed: dict[str, int] = {name: page for name, page, _ in fields_by_name(reader)}
    for c in ref.competences:
        row = [f"c{c.numero}_module_{j}" for j in range(1, len(c.modules) + 1)] + [f"c{c.numero}_{n}" for n in SYNTHESE]
        assert len({placed[name] for name in row}) == 1, f"synthesis row {c.numero} cut across pages"
    rows_per_page = [
        sum(1 for c in ref.competences if placed[f"c{c.numero}_organisme"] == p)
        for p in range(where.parcours, where.preconise)
    ]
    assert all(rows_per_page), rows_per_page
