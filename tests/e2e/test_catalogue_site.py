"""The site of several CQPs in Chromium: the catalogue's text filter, the pages that differ from a site of one CQP
(home, tutor's guide, authors' macros, and each CQP's overview, first competence and livret) checked as
test_every_page.py checks the seed's (WCAG 2.1 AA with axe-core, phone width, banner, no request out), and
search results that say which CQP they belong to. Screenshots go to tests/screenshots/ (catalogue-*).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from guide_cqp import addresses
from guide_cqp.render import version_label

from .e2e_support import DESKTOP, PHONE, SCREENSHOTS, new_context, screenshot
from .test_every_page import AXE_OPTIONS, WIDTHS, describe, visit_pages

RESULTS_READY = "document.querySelector('.md-search-result__meta')?.textContent.includes('trouvé')"
COUNT = ".cqp-catalogue-compte"


def url(source: str) -> str:
    """The built page of a Markdown source: « rcad/competence-1.md » → « rcad/competence-1/ »."""
    return source[: -len("index.md")] if source.endswith("index.md") else source[: -len(".md")] + "/"


def fold(text: str) -> str:
    """Lower case, accents dropped: what the filter compares."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def refs(catalogue_site):  # noqa: ANN001, ANN201 (the session fixture of tests/conftest.py)
    return catalogue_site.referentiels


@pytest.fixture(scope="module")
def checked_pages(catalogue_site, refs) -> list[str]:  # noqa: ANN001
    """The pages that differ from the seed site's: shared pages, and three pages of each CQP."""
    codes = {ref.cqp.code for ref in refs}
    shared = [
        "" if path.parent == catalogue_site.site else path.parent.relative_to(catalogue_site.site).as_posix() + "/"
        for path in sorted(catalogue_site.site.rglob("index.html"))
        if path.parent == catalogue_site.site or path.parent.relative_to(catalogue_site.site).parts[0] not in {*codes, "assets", "search", "rediger-le-referentiel"}
    ]
    own = []
    for ref in refs:
        first = ref.competences_triees()[0]
        own += [url(addresses.overview(ref.cqp.code)), url(addresses.competence(ref.cqp.code, first.numero))]
        own.append(url(addresses.livret(ref.cqp.code)))
    return shared + own


@pytest.fixture(scope="module")
def visits(browser, catalogue_url: str, checked_pages: list[str], refs):  # noqa: ANN001, ANN201
    first = refs[0]
    competence = url(addresses.competence(first.cqp.code, first.competences_triees()[0].numero))
    shots = {"": "catalogue-accueil", competence: "catalogue-competence"}
    results = {}
    for width_name in WIDTHS:
        by_page, cookies = visit_pages(browser, catalogue_url, checked_pages, width_name, shots)
        assert cookies == []
        results.update({(width_name, page): visit for page, visit in by_page.items()})
    return results


def test_the_catalogue_site_has_no_wcag_violation_no_request_out_and_no_script_error(visits) -> None:  # noqa: ANN001
    assert {f"{w} {p or '(accueil)'}": v.violations for (w, p), v in visits.items() if v.violations} == {}
    assert {f"{w} {p or '(accueil)'}": v.external for (w, p), v in visits.items() if v.external} == {}
    assert {f"{w} {p or '(accueil)'}": v.console_errors for (w, p), v in visits.items() if v.console_errors} == {}


def test_no_page_of_the_catalogue_site_is_wider_than_a_phone(visits) -> None:  # noqa: ANN001
    too_wide = {
        p or "(accueil)": v.overflow
        for (w, p), v in visits.items()
        if w == "telephone" and (v.overflow["scrollWidth"] > v.overflow["width"] or v.overflow["wide"])
    }
    assert too_wide == {}


def test_the_banner_names_the_cqp_of_the_page_at_every_width(visits, refs) -> None:  # noqa: ANN001
    by_code = {ref.cqp.code: ref for ref in refs}
    wrong = {}
    for (width, page), visit in visits.items():
        shown = squeeze(visit.banner or "")
        ref = by_code.get(page.split("/")[0])
        if ref is not None:
            expected = [ref.cqp.intitule, version_label(ref)]
            if not all(squeeze(e) in shown for e in expected):
                wrong[f"{width} {page}"] = shown
        elif shown != f"Guide du tuteur — {len(refs)} CQP":
            wrong[f"{width} {page or '(accueil)'}"] = shown
    assert wrong == {}


# --- the catalogue's filter ----------------------------------------------------------------------------


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def home(request, browser, catalogue_url: str):  # noqa: ANN001, ANN201
    context = new_context(browser, WIDTHS[request.param])
    page = context.new_page()
    page.goto(catalogue_url)
    page.wait_for_selector(".cqp-catalogue-filtre:not([hidden])")
    yield page
    context.close()


def visible_titles(page) -> list[str]:  # noqa: ANN001
    return [squeeze(t) for t in page.locator(".cqp-catalogue-cqp:visible .cqp-catalogue-titre").all_inner_texts()]


def distinctive_word(refs, index: int) -> str:  # noqa: ANN001
    """A word of one CQP's title that no other CQP's title, code or version holds."""
    own = refs[index].cqp.intitule
    others = " ".join(fold(f"{r.cqp.intitule} {r.cqp.code} {r.version.numero}") for i, r in enumerate(refs) if i != index)
    words = [w for w in re.findall(r"\w{4,}", own) if fold(w) not in others]
    assert words, f"« {own} » n'a aucun mot propre"
    return words[0]


def type_in_filter(page, text: str) -> None:  # noqa: ANN001
    field = page.locator(".cqp-catalogue-saisie")
    field.fill("")
    field.press_sequentially(text)


def test_the_filter_keeps_the_cqps_whose_text_has_every_word_typed(home, refs) -> None:  # noqa: ANN001
    n = len(refs)
    assert visible_titles(home) == [squeeze(r.cqp.intitule) for r in refs]
    assert home.locator(COUNT).inner_text() == f"{n}\u00a0CQP sur {n}"
    for i, ref in enumerate(refs):
        word = distinctive_word(refs, i)
        type_in_filter(home, fold(word).upper())  # without accents, in capitals: found all the same
        home.wait_for_function(f"document.querySelector('{COUNT}').textContent.startsWith('1\u00a0CQP')")
        assert visible_titles(home) == [squeeze(ref.cqp.intitule)]
        assert home.locator(COUNT).inner_text() == f"1\u00a0CQP sur {n}"
        type_in_filter(home, f"{ref.cqp.code} {word[:3]}")  # several words: each must be found
        home.wait_for_function(f"document.querySelector('{COUNT}').textContent.startsWith('1\u00a0CQP')")
        assert visible_titles(home) == [squeeze(ref.cqp.intitule)]
    type_in_filter(home, "zzqqxx")
    home.wait_for_function(f"document.querySelector('{COUNT}').textContent.startsWith('Aucun')")
    assert visible_titles(home) == []
    assert home.locator(COUNT).inner_text() == f"Aucun CQP sur {n} ne correspond à «\u00a0zzqqxx\u00a0»"
    found = Axe().run(home, options=AXE_OPTIONS).response["violations"]
    assert [describe(v) for v in found] == []
    home.locator(".cqp-catalogue-saisie").press("Escape")
    home.wait_for_function(f"document.querySelector('{COUNT}').textContent === '{n}\u00a0CQP sur {n}'")
    assert len(visible_titles(home)) == n
    screenshot(home, f"catalogue-filtre-{home.viewport_size['width']}")


def test_the_filter_is_reached_and_used_with_the_keyboard_alone(home, refs) -> None:  # noqa: ANN001
    """Tab reaches the field, its label names it; typed letters that are Material's shortcuts (« / », « s »
    search, « n », « p » next and previous page) go into the field: the page stays, the search stays closed."""
    for _ in range(80):
        home.keyboard.press("Tab")
        if home.evaluate("document.activeElement.matches('.cqp-catalogue-saisie')"):
            break
    else:
        pytest.fail("le champ du filtre n'est pas atteint avec Tab")
    field = home.locator(".cqp-catalogue-saisie")
    assert home.evaluate("document.activeElement.labels[0].textContent.trim()") == "Filtrer les CQP"
    url = home.url
    home.keyboard.type("s/np")
    assert field.input_value() == "s/np"
    assert home.url == url and not home.evaluate("document.getElementById('__search').checked")
    home.keyboard.press("Escape")
    assert field.input_value() == ""
    home.keyboard.type(fold(distinctive_word(refs, 0)))
    home.wait_for_function(f"document.querySelector('{COUNT}').textContent.startsWith('1\u00a0CQP')")
    home.keyboard.press("Tab")  # next stop: the one card left, its title's link
    link = home.evaluate("document.activeElement.closest('.cqp-catalogue-cqp') && document.activeElement.textContent")
    assert squeeze(link or "") == squeeze(refs[0].cqp.intitule)
    with home.expect_navigation():
        home.keyboard.press("Enter")
    assert urlsplit(home.url).path.rstrip("/").endswith(refs[0].cqp.code)


def test_without_javascript_the_whole_catalogue_shows_and_no_useless_filter(browser, catalogue_url: str, refs) -> None:  # noqa: ANN001
    context = new_context(browser, PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(catalogue_url)
    assert visible_titles(page) == [squeeze(r.cqp.intitule) for r in refs]
    assert not page.locator(".cqp-catalogue-saisie").is_visible()
    context.close()


# --- search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["bureau", "telephone"])
def test_each_search_result_says_which_cqp_it_belongs_to(browser, catalogue_url: str, refs, viewport) -> None:  # noqa: ANN001
    context = new_context(browser, viewport)
    page = context.new_page()
    axe = Axe()
    problems = []
    for ref in refs:
        c = ref.competences_triees()[0]
        page.goto(catalogue_url)
        if viewport["width"] >= 960:
            page.keyboard.press("/")
        else:
            page.locator("label[for='__search'].md-header__button").click()
        page.wait_for_function("document.getElementById('__search').checked")
        page.keyboard.type(c.intitule)
        page.wait_for_function(RESULTS_READY)
        target = "/" + url(addresses.competence(ref.cqp.code, c.numero))
        result = page.locator(".md-search-result__item").filter(
            has=page.locator(f".md-search-result__link[href*='{target}']")
        ).first
        result.wait_for()
        shown = squeeze(result.locator(".md-search-result__link").first.locator(".md-tag").inner_text())
        every = {squeeze(t) for t in result.locator(".md-tag").all_text_contents()}  # sections folded away too
        if shown != f"CQP {squeeze(ref.cqp.intitule)}" or every != {shown}:
            problems.append((ref.cqp.code, shown, every))
        problems += [describe(v) for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # the results as they fill the screen (the overlay is fixed)
    page.screenshot(path=str(SCREENSHOTS / f"catalogue-recherche-{viewport['width']}.png"))
    context.close()
    assert problems == []
