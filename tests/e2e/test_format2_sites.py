"""The browser checks of the seed's site, on the sites of the two format 2 référentiels.

tests/data/omi-format2.yaml (blocs, certification, evaluation, hours for some modules only) and
tests/data/sans-heures-format2.yaml (no hours at all), each built once (tests/conftest.py) and served as
mike publishes it. Every page that depends on the référentiel is loaded in Chromium at desktop and phone
widths: WCAG 2.1 AA (axe-core), nothing wider than a phone, no request leaving 127.0.0.1, no JavaScript
error, the version shown; the W3C checker reads them; the search finds their accented words typed without
accents. The authors' pages and the 404 page, the same on every site, are checked on the seed's only.
Screenshots of each site's overview, a competence page and the livret go to tests/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import NO_HOURS_REFERENTIEL, OMI_REFERENTIEL

from guide_cqp import addresses
from guide_cqp.model import Referentiel
from guide_cqp.render import version_label
from guide_cqp.validate import load_referentiel

from .conftest import published
from .e2e_support import DESKTOP, discover_pages
from .test_every_page import visit_at_every_width
from .test_html_valid import unexpected_html_errors
from .test_keyboard_and_search import fold, probed_context, search

SAME_ON_EVERY_SITE = ("404.html", "rediger-le-referentiel/", "macros/")
SITES = {"omi": ("omi_site", OMI_REFERENTIEL), "sans-heures": ("no_hours_site", NO_HOURS_REFERENTIEL)}


@dataclass
class Site:
    name: str
    url: str
    root: Path
    ref: Referentiel
    pages: list[str]


@pytest.fixture(scope="module", params=list(SITES))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    fixture, path = SITES[request.param]
    build = request.getfixturevalue(fixture)
    pages = [p for p in discover_pages(build.site) if p not in SAME_ON_EVERY_SITE]
    with published(build.site, tmp_path_factory.mktemp(f"publie-{request.param}")) as url:
        yield Site(request.param, url, build.site, load_referentiel(path), pages)


@pytest.fixture(scope="module")
def visits(browser, site: Site) -> dict:  # noqa: ANN001 (the Chromium of tests/e2e/conftest.py)
    """Every page at each width, loaded once, with every request outside 127.0.0.1 recorded and blocked."""
    code = site.ref.cqp.code
    first = site.ref.competences_triees()[0]
    shots = {
        f"{code}/": f"format2-{site.name}-apercu",
        addresses.competence(code, first.numero).removesuffix(".md") + "/": f"format2-{site.name}-competence",
        f"{code}/livret/": f"format2-{site.name}-livret",
    }
    assert set(shots) <= set(site.pages)
    return visit_at_every_width(browser, site.url, site.pages, shots)


def test_every_page_of_a_format_2_site_has_no_wcag_21_aa_violation(visits: dict) -> None:
    assert {f"{w} {p or '(accueil)'}": v.violations for (w, p), v in visits["visits"].items() if v.violations} == {}


def test_no_page_of_a_format_2_site_is_wider_than_a_phone(visits: dict) -> None:
    too_wide = {
        p or "(accueil)": v.overflow
        for (w, p), v in visits["visits"].items()
        if w == "telephone" and (v.overflow["scrollWidth"] > v.overflow["width"] or v.overflow["wide"])
    }
    assert too_wide == {}


def test_a_format_2_site_asks_nothing_of_a_third_party_and_runs_without_errors(visits: dict, site: Site) -> None:
    assert {p: v.external for (_, p), v in visits["visits"].items() if v.external} == {}
    assert visits["cookies"] == []
    assert {p: v.console_errors for (_, p), v in visits["visits"].items() if v.console_errors} == {}
    label = version_label(site.ref)
    assert {p: v.banner for (_, p), v in visits["visits"].items() if label not in (v.banner or "")} == {}


def test_every_page_of_a_format_2_site_is_valid_html(site: Site, tmp_path: Path) -> None:
    files = [site.root / (p + "index.html" if p == "" or p.endswith("/") else p) for p in site.pages]
    unexpected = unexpected_html_errors(files, site.root, tmp_path)
    assert unexpected == [], "\n".join(unexpected)


def test_a_competence_is_found_by_a_word_of_its_title_typed_without_accents(browser, site: Site) -> None:  # noqa: ANN001
    """The longest accented word of the first competence's title, typed with and without its accents."""
    first = site.ref.competences_triees()[0]
    words = [w for w in re.findall(r"\w+", first.intitule.lower()) if fold(w) != w]
    assert words, f"no accented word in « {first.intitule} »"
    word = max(words, key=len)
    context = probed_context(browser, DESKTOP)
    page = context.new_page()
    try:
        accented = search(page, site.url, word)
        plain = search(page, site.url, fold(word))
    finally:
        context.close()
    competence = addresses.competence(site.ref.cqp.code, first.numero).removesuffix(".md") + "/"
    assert any(found.endswith(competence) for found in accented["pages"]), accented
    assert plain["pages"] == accented["pages"]
