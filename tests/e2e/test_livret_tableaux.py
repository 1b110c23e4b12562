"""Phones read every table: at 360 px the hours table, the synthesis sheet and the « De la formation à
l'entreprise » grid reflow into blocks (cqp.css, container queries) instead of scrolling sideways; a screen
reader still finds a table with its headers; desktop, paper and the PDF keep the tables. In Chromium, on the
seed and on the other référentiel (common hour ranges, competence 10).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from support import OTHER_REFERENTIEL, SEED_REFERENTIEL, Build, serve

from guide_cqp.model import Referentiel
from guide_cqp.validate import load_referentiel

from .e2e_support import DESKTOP, PHONE, new_context

TABLES = {"heures": "table.cqp-heures", "synthese": "table.cqp-synthese", "fiche": "table.cqp-fiche"}
# Where a table's cells are, against the viewport and against the box the table sits in.
GEOMETRY_JS = """table => {
  const box = table.closest(".cqp-scroll");
  const cells = [...table.querySelectorAll("th, td")].filter(c => c.getClientRects().length);
  const hidden = c => { const r = c.getBoundingClientRect(); return r.width <= 1 || r.height <= 1; };
  return {
    display: getComputedStyle(table).display,
    scrolls: box.scrollWidth > box.clientWidth + 1,
    outside: cells.filter(c => !hidden(c) && c.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                  .map(c => c.textContent.trim().slice(0, 40)),
  };
}"""


@pytest.fixture(scope="module", params=["seed", "other"])
def site(request: pytest.FixtureRequest, seed_site: Build, other_site: Build) -> Iterator[tuple[str, Referentiel]]:
    """One built site over HTTP, with its référentiel."""
    build, path = (seed_site, SEED_REFERENTIEL) if request.param == "seed" else (other_site, OTHER_REFERENTIEL)
    with serve(build.site) as base:
        yield base + "/", load_referentiel(path)


def load(browser, url: str, viewport: dict[str, int], media: str = "screen") -> Page:  # noqa: ANN001
    page = new_context(browser, viewport).new_page()
    page.emulate_media(media=media)
    page.goto(url)
    return page


def labels(ref: Referentiel) -> dict[str, list[str]]:
    """Column headers of each table, as the référentiel names them."""
    livret = ref.livret
    return {
        "heures": [livret.colonne_domaine, livret.colonne_formation, livret.colonne_volumes, "De", "À"],
        "synthese": [livret.colonne_domaines, livret.colonne_modules, livret.colonne_organisme,
                     livret.colonne_dates, livret.colonne_heures],
        "fiche": [livret.fiche.en_formation, livret.fiche.en_entreprise],
    }


def test_at_360_px_the_tables_reflow_within_the_screen(browser, site) -> None:  # noqa: ANN001
    base, ref = site
    for url in (f"{base}{ref.cqp.code}/livret/", f"{base}{ref.cqp.code}/"):
        page = load(browser, url, PHONE)
        for name, selector in TABLES.items():
            for table in page.locator(selector).all():
                geometry = table.evaluate(GEOMETRY_JS)
                assert geometry["display"] == "block", (url, name)
                assert not geometry["scrolls"] and geometry["outside"] == [], (url, name, geometry)
        page.context.close()


def test_the_hours_keep_their_row_at_360_px(browser, site) -> None:  # noqa: ANN001
    """« Total du parcours » shows its hours; a range common to the modules sits with its competence."""
    base, ref = site
    page = load(browser, f"{base}{ref.cqp.code}/", PHONE)
    table = page.locator(TABLES["heures"])
    total = table.locator("tfoot tr")
    row_top = total.locator("th").bounding_box()["y"]
    hours = total.locator("td")
    assert hours.count() == 2
    for cell in hours.all():
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] + box["width"] <= PHONE["width"] and abs(box["y"] - row_top) < 1
    assert [hours_in(c.inner_text()) for c in hours.all()] == [ref.total_heures.min, ref.total_heures.max]
    for c, group in zip(ref.competences_triees(), table.locator("tbody").all(), strict=True):
        head = group.locator("th.cqp-domaine").bounding_box()
        modules = group.locator("td:not(.cqp-num)")
        assert modules.count() == len(c.modules)
        for module in modules.all():
            assert module.bounding_box()["y"] >= head["y"] + head["height"] - 1  # under the competence
        common = group.locator(".cqp-commun").all()
        assert len(common) == (2 if c.plage_commune else 0)
        for cell in common:
            assert abs(cell.bounding_box()["y"] - head["y"]) < 1  # on the competence's line
    page.context.close()


def hours_in(text: str) -> float:
    """« 87,5 h » → 87.5"""
    return float(text.replace("\u00a0", " ").removesuffix(" h").replace(",", "."))


def spaces(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_each_block_names_its_column_at_360_px_and_not_on_desktop(browser, site) -> None:  # noqa: ANN001
    base, ref = site
    url = f"{base}{ref.cqp.code}/livret/"
    before = "e => getComputedStyle(e, '::before').content"
    page = load(browser, url, PHONE)
    cells = page.locator(".cqp-synthese td[data-label], .cqp-fiche td[data-label]")
    assert cells.count() == len(ref.competences) * (4 + 5)
    for cell in cells.all():
        assert cell.evaluate(before).startswith('"' + cell.get_attribute("data-label")), cell.get_attribute("data-label")
    page.context.close()
    page = load(browser, url, DESKTOP)
    assert {c.evaluate(before) for c in page.locator("td[data-label]").all()} == {"none"}
    page.context.close()


def test_a_screen_reader_still_finds_tables_with_their_headers_at_360_px(browser, site) -> None:  # noqa: ANN001
    base, ref = site
    page = load(browser, f"{base}{ref.cqp.code}/livret/", PHONE)
    for name, selector in TABLES.items():
        tree = spaces(page.locator(selector).first.aria_snapshot())
        assert tree.startswith("- table"), name
        for header in labels(ref)[name]:
            assert f'columnheader "{spaces(header)}"' in tree, (name, header)
        assert "rowheader" in tree or name == "fiche", name
        assert "- cell" in tree, name
    # The column names drawn before each block are not read a second time.
    cell = page.locator(".cqp-fiche td[data-label]").first.aria_snapshot()
    assert ref.livret.fiche.en_formation not in cell
    page.context.close()


@pytest.mark.parametrize("viewport, media", [(DESKTOP, "screen"), (PHONE, "print")], ids=["bureau", "impression"])
def test_desktop_and_paper_keep_the_tables(browser, site, viewport, media) -> None:  # noqa: ANN001
    base, ref = site
    page = load(browser, f"{base}{ref.cqp.code}/livret/", viewport, media)
    for name, selector in TABLES.items():
        for table in page.locator(selector).all():
            assert table.evaluate("t => getComputedStyle(t).display") == "table", name
            assert table.locator("thead").evaluate("e => getComputedStyle(e).position") == "static", name
    page.context.close()
