"""The browser checks on the sites of a référentiel that declares its previous version.

tests/data/versions/format1 and format2 (tests/conftest.py: versions_site, versions2_site), served as mike
publishes them. The pages the previous version changes (the page « Ce qui change dans la version … », the
overview and the guide's page that shows tableau_heures(), both with the marked hours table) are loaded in
Chromium at desktop and phone widths: WCAG 2.1 AA (axe-core), nothing wider than a phone, no request leaving
127.0.0.1, no JavaScript error; the W3C checker reads them; the search finds the change page by the title of
a competence that only it names (one that was removed), typed without accents. Screenshots of the change page
and of the marked overview go to tests/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import VERSIONS

from guide_cqp import addresses
from guide_cqp.validate import load_referentiel

from .conftest import published
from .e2e_support import DESKTOP, PHONE
from .test_every_page import visit_at_every_width
from .test_format2_sites import Site
from .test_html_valid import unexpected_html_errors
from .test_keyboard_and_search import fold, probed_context, search

SITES = {"format1": ("versions_site", VERSIONS / "format1" / "referentiel.yaml"), "format2": ("versions2_site", VERSIONS / "format2" / "referentiel.yaml")}
GUIDE_PAGE_WITH_HOURS = "tuteur/entretien-reperage/"  # docs/tuteur/entretien-reperage.md: {{ tableau_heures() }}


def folder(source: str) -> str:
    base = source.removesuffix(".md")
    return base.removesuffix("index") if base.endswith("index") else base + "/"


@pytest.fixture(scope="module", params=list(SITES))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    fixture, path = SITES[request.param]
    build = request.getfixturevalue(fixture)
    ref = load_referentiel(path)
    pages = [folder(addresses.changes(ref.cqp.code)), folder(addresses.overview(ref.cqp.code)), GUIDE_PAGE_WITH_HOURS]
    assert all((build.site / page / "index.html").is_file() for page in pages)
    with published(build.site, tmp_path_factory.mktemp(f"publie-{request.param}")) as url:
        yield Site(request.param, url, build.site, ref, pages)


@pytest.fixture(scope="module")
def visits(browser, site: Site) -> dict:  # noqa: ANN001 (the Chromium of tests/e2e/conftest.py)
    shots = {site.pages[0]: f"versions-{site.name}-changements", site.pages[1]: f"versions-{site.name}-apercu"}
    return visit_at_every_width(browser, site.url, site.pages, shots)


def test_the_change_page_and_the_marked_tables_have_no_wcag_21_aa_violation(visits: dict) -> None:
    assert {f"{w} {p}": v.violations for (w, p), v in visits["visits"].items() if v.violations} == {}


def test_the_change_page_and_the_marked_tables_fit_a_phone(visits: dict) -> None:
    too_wide = {
        p: v.overflow
        for (w, p), v in visits["visits"].items()
        if w == "telephone" and (v.overflow["scrollWidth"] > v.overflow["width"] or v.overflow["wide"])
    }
    assert too_wide == {}


def test_the_change_page_asks_nothing_of_a_third_party_and_runs_without_errors(visits: dict) -> None:
    assert {p: v.external for (_, p), v in visits["visits"].items() if v.external} == {}
    assert visits["cookies"] == []
    assert {p: v.console_errors for (_, p), v in visits["visits"].items() if v.console_errors} == {}


def test_the_change_page_is_valid_html(site: Site, tmp_path: Path) -> None:
    unexpected = unexpected_html_errors([site.root / page / "index.html" for page in site.pages], site.root, tmp_path)
    assert unexpected == [], "\n".join(unexpected)


# A word of the previous version only (tests/data/versions): the change page alone has it; and an accented word
# the change page shares with other pages.
REMOVED = {"format1": "administratif", "format2": "paritaire"}  # « Assurer le suivi administratif… », « Jury paritaire »
ACCENTED = {"format1": "réclamation", "format2": "préventive"}


def test_the_search_finds_the_change_page_by_what_only_it_names(browser, site: Site) -> None:  # noqa: ANN001
    changes = folder(addresses.changes(site.ref.cqp.code))
    having = {
        path.parent.relative_to(site.root).as_posix() + "/"
        for path in site.root.rglob("index.html")
        if REMOVED[site.name] in path.read_text(encoding="utf-8").lower()
    }
    assert having == {changes}
    for viewport in (DESKTOP, PHONE):
        context = probed_context(browser, viewport)
        page = context.new_page()
        try:
            removed = search(page, site.url, REMOVED[site.name])
            accented = search(page, site.url, ACCENTED[site.name])
            plain = search(page, site.url, fold(ACCENTED[site.name]))
        finally:
            context.close()
        assert {p.rsplit("/essai/", 1)[-1] for p in removed["pages"]} == {changes}, removed
        assert any(found.endswith("/" + changes) for found in accented["pages"]), accented
        assert plain["pages"] == accented["pages"]
