"""What Material's JavaScript shows is French too, in Chromium at desktop and phone widths.

The version selector (with mike's alias, which is named in English in the addresses), the search
(opened, without result, with results), « back to top »: every label and message once shown, checked
against the English words of Material's interface (tests/test_french_ui.py). Screenshots are saved in
tests/screenshots/ (francais-*.png) to be looked at.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from support import SETTLE
from test_french_ui import english_in

from .e2e_support import DESKTOP, PHONE, screenshot
from .test_keyboard_and_search import open_search, probed_context, type_query

WIDTHS = {"bureau": DESKTOP, "telephone": PHONE}
SHOWN_TEXTS = """() => {
  const texts = [];
  for (const e of document.querySelectorAll("*")) {
    if (e.closest("code, pre, script, style")) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      const value = e.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  // Material's own texts; the search results quote the pages, which are not its.
  const material = ".md-header__title, .md-header__button, .md-version, .md-search__form, .md-search-result__meta, "
    + ".md-search-result__more summary, .md-top, .md-footer, .md-sidebar, .md-dialog, .md-skip, .md-announce";
  for (const e of document.querySelectorAll(material)) texts.push(e.textContent.replace(/\\s+/g, " ").trim());
  return texts.filter(Boolean);
}"""
META = "document.querySelector('.md-search-result__meta')?.textContent"


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def page(request, browser):  # noqa: ANN001, ANN201 (pytest and Playwright objects)
    context = probed_context(browser, WIDTHS[request.param])  # its search says when a whole query is answered
    page = context.new_page()
    page.name = request.param
    yield page
    context.close()


@pytest.fixture(scope="module")
def aliases(site_url: str) -> list[str]:
    """mike's aliases of the served versions (« latest »): the names of addresses, never shown as they are."""
    with urllib.request.urlopen(site_url + "../versions.json", timeout=SETTLE) as response:
        versions = json.loads(response.read())
    names = [alias for version in versions for alias in version["aliases"]]
    assert names, "the served site has a version with an alias"
    return names


@pytest.fixture(scope="module")
def long_page(site_pages: list[str]) -> str:
    """A page long enough to scroll: a competence's."""
    return next(p for p in site_pages if re.fullmatch(r"[^/]+/competence-\d+/", p))


def _no_english(texts: list[str]) -> None:
    found = english_in(texts)
    assert not found, "\n".join(f"« {word} » dans « {text[:120]} »" for word, text in found)


def test_the_version_selector_is_french(page, site_url: str, aliases: list[str]) -> None:  # noqa: ANN001
    page.goto(site_url)
    page.wait_for_selector(".md-version__list .md-version__alias", state="attached")  # renamed as soon as it is there
    alias_shown = "[...document.querySelectorAll('.md-version__alias')].map(e => e.textContent.trim())"
    page.locator(".md-version__current").focus()
    page.wait_for_function("getComputedStyle(document.querySelector('.md-version__list')).opacity === '1'")
    screenshot(page, f"francais-version-{page.name}")
    shown = page.evaluate(alias_shown)
    assert shown and set(shown) == {"la plus récente"}
    selector = page.locator(".md-version").inner_text().lower()
    assert not [alias for alias in aliases if re.search(rf"\b{re.escape(alias.lower())}\b", selector)], selector
    _no_english(page.evaluate(SHOWN_TEXTS))


def test_the_search_is_french_opened_without_and_with_results(page, site_url: str) -> None:  # noqa: ANN001
    page.goto(site_url)
    open_search(page)
    page.wait_for_function(f"{META}?.trim().length > 0 && !{META}.includes('Initialisation')")
    texts = page.evaluate(SHOWN_TEXTS)
    assert page.evaluate(META).strip() == "Taper pour démarrer la recherche"
    screenshot(page, f"francais-recherche-ouverte-{page.name}")
    type_query(page, "zqxwvj")  # the answer to the whole word, not to its first letters
    assert "Aucun document" in page.evaluate(META)
    texts += page.evaluate(SHOWN_TEXTS)
    screenshot(page, f"francais-recherche-sans-resultat-{page.name}")
    page.keyboard.press("Control+A")
    type_query(page, "livret")
    assert re.search(r"\d+ documents? trouvés?", page.evaluate(META)), page.evaluate(META)
    texts += page.evaluate(SHOWN_TEXTS)
    screenshot(page, f"francais-recherche-resultats-{page.name}")
    _no_english(texts)


def test_back_to_top_is_french(page, site_url: str, long_page: str) -> None:  # noqa: ANN001
    page.goto(site_url + long_page)
    page.mouse.wheel(0, 4000)
    page.wait_for_function("scrollY > 1000")
    page.mouse.wheel(0, -300)  # Material shows the button when the reader scrolls back up
    page.wait_for_selector(".md-top:not([hidden])")
    button = page.locator(".md-top")
    assert " ".join(button.inner_text().split()) == "Retour en haut de la page"
    box = button.bounding_box()
    assert box and box["height"] < 60, "one line, even on a phone"
    screenshot(page, f"francais-retour-en-haut-{page.name}")
    _no_english(page.evaluate(SHOWN_TEXTS))
