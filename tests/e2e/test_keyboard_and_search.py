"""The keyboard alone gets around (skip link, menu, search, a visible focus everywhere), and the search finds
French words typed without their accents, in Chromium at desktop and phone widths.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .e2e_support import DESKTOP, PHONE, new_context, screenshot

WIDTHS = {"bureau": DESKTOP, "telephone": PHONE}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Words of the issue: the tutors' « réclamation », « compétence », « négociation », typed without accents.
ACCENTED_WORDS = ["réclamation", "compétence", "négociation"]
FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  let opacity = 1, hidden = false;
  for (let a = e; a; a = a.parentElement) {
    const st = getComputedStyle(a);
    opacity *= parseFloat(st.opacity);
    if (st.visibility === "hidden" || st.display === "none") hidden = true;
  }
  return {
    what: `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} « ${(e.innerText || e.getAttribute("aria-label") || e.getAttribute("href") || "").trim().slice(0, 40)} »`,
    outline: s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth),
    inside: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
    opacity, hidden,
  };
}"""
# The focus has settled where a reader can see it: on an element drawn on screen, opaque, with its ring; or on
# nothing (past the last tab stop), where there is nothing to wait for.
FOCUS_SHOWN = f"""() => {{
  const info = ({FOCUS_JS})();
  return info === null || (info.inside && !info.hidden && info.opacity === 1 && info.outline >= 2);
}}"""
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"
# Material's search runs in a web worker: each keyup posts the field's value ({type: 2, data: value}) and the
# worker answers every query, in order, with {type: 3, data: {items}} (one item per page found; Material renders
# the first ten, the others as the reader scrolls); Material then rewrites the count (« N documents trouvés ») and
# the list in the same task. A count shown after the first letters is not the answer to the whole word: this
# probe, installed before the page's scripts, keeps the queries posted, the answers, and counts the answers
# rendered (a task after the answer arrives, once Material's own listener has run).
SEARCH_PROBE = """(() => {
  const probe = window.__cqpRecherche = {posted: [], rendered: 0, answers: []};
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", event => {
        if (event.data && event.data.type === 3) {
          probe.answers.push(event.data.data.items.map(item => item[0].location));
          setTimeout(() => { probe.rendered += 1; });
        }
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) probe.posted.push(message.data);
      return super.postMessage(message, ...rest);
    }
  };
})();"""
DRAWER_OPEN = """() => document.getElementById("__drawer").checked
  && document.querySelector(".md-sidebar--primary").getBoundingClientRect().left >= 0"""
# The final state of a search: the field holds the whole query, it was the last one posted, and every query
# posted has had its answer rendered.
RESULTS_OF = """query => {
  const probe = window.__cqpRecherche, field = document.querySelector("input.md-search__input");
  return field.value === query && probe.posted.length > 0 && probe.posted[probe.posted.length - 1] === query
    && probe.rendered === probe.posted.length;
}"""


def describe(violation: dict) -> str:
    nodes = "; ".join(f"{' '.join(map(str, n['target']))} {n['failureSummary']}" for n in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}) : {violation['help']} — {nodes}"


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def competence_page(site_pages: list[str]) -> str:
    return next(p for p in site_pages if re.fullmatch(r"[^/]+/competence-\d+/", p))


def probed_context(browser, viewport: dict[str, int]):  # noqa: ANN001, ANN201 (Playwright objects)
    """A fresh browser profile whose pages report what their search worker was asked and answered."""
    context = new_context(browser, viewport)
    context.add_init_script(SEARCH_PROBE)
    return context


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def page(request, browser):  # noqa: ANN001, ANN201 (pytest and Playwright objects)
    """A fresh page at one width (desktop or phone)."""
    context = probed_context(browser, WIDTHS[request.param])
    yield context.new_page()
    context.close()


def settles(page, predicate: str, arg: object = None, timeout: float = 10_000) -> bool:  # noqa: ANN001
    """Whether a JavaScript predicate becomes true within ``timeout`` ms: the end state of a fade, a slide, a
    scroll or a rendering, whatever the machine's load. Tests assert on what they then read, with its details.
    """
    try:
        page.wait_for_function(predicate, arg=arg, timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True


def focused(page) -> dict:  # noqa: ANN001
    info = page.evaluate(FOCUS_JS)
    assert info is not None, "le focus est sur la page elle-même"
    return info


def settled_focus(page) -> dict | None:  # noqa: ANN001
    """The focused element once its fade-in, scrolling and focus ring are over (None: nothing is focused)."""
    settles(page, FOCUS_SHOWN)
    return page.evaluate(FOCUS_JS)


def tab_to(page, selector: str, most: int = 6) -> None:  # noqa: ANN001
    """Press Tab until the element matching ``selector`` has the focus; fail after ``most`` presses."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    pytest.fail(f"{selector} : pas atteint en {most} appuis sur Tab (focus sur {focused(page)['what']})")


def open_search(page) -> None:  # noqa: ANN001
    """Open the search as a keyboard user would: the « / » shortcut on a desktop, the header's button on a phone."""
    if page.viewport_size["width"] >= 960:
        page.keyboard.press("/")
    else:
        tab_to(page, "label[for='__search']")
        page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('__search').checked")


def type_query(page, query: str) -> None:  # noqa: ANN001
    """Type a query into the focused search field, key by key, and wait for the results of the whole query."""
    page.keyboard.type(query)
    page.wait_for_function(RESULTS_OF, arg=query)


def search(page, site_url: str, query: str) -> dict:  # noqa: ANN001
    """Type a query in the search of the home page; every page found and the highlighted words."""
    page.goto(site_url)
    open_search(page)
    type_query(page, query)
    found = page.evaluate("window.__cqpRecherche.answers.at(-1)")
    pages = {urlsplit(urljoin(site_url, location)).path for location in found}
    marks = page.locator(".md-search-result mark").evaluate_all("marks => marks.map(m => m.textContent)")
    meta = page.locator(".md-search-result__meta").inner_text()
    return {"pages": pages, "marks": marks, "meta": meta}


# --- keyboard ------------------------------------------------------------------------------


def test_the_first_tab_shows_a_skip_link_that_jumps_to_the_content(page, site_url: str, competence_page: str) -> None:  # noqa: ANN001
    page.goto(site_url + competence_page)
    page.keyboard.press("Tab")
    link = page.locator("a.md-skip")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    info = settled_focus(page)  # Material fades it in: its end state
    assert info and info["inside"] and info["opacity"] == 1 and not info["hidden"], info
    target = link.get_attribute("href").lstrip("#")
    page.keyboard.press("Enter")
    heading_on_screen = """id => {
      const r = document.getElementById(id)?.getBoundingClientRect();
      return location.hash === "#" + id && !!r && r.top >= 0 && r.top < innerHeight;
    }"""
    settles(page, heading_on_screen, arg=target)
    assert urlsplit(page.url).fragment == target
    box = page.locator(f"[id='{target}']").bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"], box


@pytest.mark.parametrize("which", ["accueil", "competence"])
def test_every_tab_stop_is_visible_with_a_focus_ring(page, site_url: str, competence_page: str, which: str) -> None:  # noqa: ANN001
    page.goto(site_url + ("" if which == "accueil" else competence_page))
    page.add_style_tag(content=NO_TRANSITIONS)  # the end state of each focus, not its fade-in
    problems = []
    for _ in range(30):
        page.keyboard.press("Tab")
        info = settled_focus(page)
        if info is None:  # past the last tab stop: the browser's own interface
            break
        if not info["inside"] or info["hidden"] or info["opacity"] < 1 or info["outline"] < 2:
            problems.append(info)
    assert problems == [], "\n".join(map(str, problems))


def test_the_search_is_reached_and_used_with_the_keyboard(page, site_url: str) -> None:  # noqa: ANN001
    """Desktop: Tab to the search field. Phone: Tab to the search button, Enter. Then type, arrow down, Enter."""
    page.goto(site_url)
    if page.viewport_size["width"] >= 960:
        tab_to(page, "input.md-search__input")
    else:
        tab_to(page, "label[for='__search']")
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('__search').checked")
    type_query(page, fold(ACCENTED_WORDS[0]))
    assert page.locator(".md-search-result__item").count() > 0
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
    assert settled_focus(page)["outline"] >= 2
    screenshot(page, f"recherche-clavier-{page.viewport_size['width']}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ACCENTED_WORDS[0] in page.locator("article").inner_text().lower()


@pytest.mark.parametrize("which", ["accueil", "competence"])
def test_the_phone_menu_opens_with_the_keyboard_and_hides_its_links_when_closed(
    browser, site_url: str, competence_page: str, which: str
) -> None:  # noqa: ANN001
    """Closed, its links cannot take the focus; open, every link Tab reaches in it is shown, with its ring
    (closed sections and the page's contents wait beside the list: they must not take the focus either)."""
    context = new_context(browser, PHONE)
    page = context.new_page()
    page.goto(site_url + ("" if which == "accueil" else competence_page))
    nav_links = page.locator(".md-sidebar--primary a.md-nav__link")
    assert nav_links.count() > 0 and not nav_links.first.is_visible()  # closed: not reachable by Tab either
    tab_to(page, "label[for='__drawer']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('__drawer').checked")
    page.wait_for_function(DRAWER_OPEN)  # slid in
    tab_to(page, ".md-sidebar--primary a.md-nav__link", most=10)
    problems, stops = [], 0
    while page.evaluate("!!document.activeElement.closest('.md-sidebar--primary')") and stops < 60:
        info = settled_focus(page)
        if not info["inside"] or info["hidden"] or info["opacity"] < 1 or info["outline"] < 2:
            problems.append(info)
        stops += 1
        page.keyboard.press("Tab")
    assert problems == [], "\n".join(map(str, problems))
    context.close()


# --- search without accents -------------------------------------------------------------------


@pytest.fixture(scope="module")
def search_page(browser):  # noqa: ANN001, ANN201
    context = probed_context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("word", ACCENTED_WORDS)
def test_a_word_typed_without_accents_finds_the_pages_that_have_it_with_accents(
    search_page, site_url: str, word: str
) -> None:  # noqa: ANN001
    accented = search(search_page, site_url, word)
    plain = search(search_page, site_url, fold(word))
    assert accented["pages"], f"« {word} » : la recherche avec accents ne trouve rien"
    assert plain["pages"] == accented["pages"]
    assert plain["meta"] == accented["meta"]
    # The snippets quote the pages as written: the highlighted words keep their accents.
    assert plain["marks"] and all(fold(m.lower()).startswith(fold(word)) for m in plain["marks"])
    assert any(word in m.lower() for m in plain["marks"]), plain["marks"]


def test_the_accented_word_is_in_the_index_as_written(site_root) -> None:  # noqa: ANN001
    """Precondition of the test above, and the index keeps proper French: nothing folded in search_index.json."""
    index = (site_root / "search" / "search_index.json").read_text(encoding="utf-8")
    import json

    text = " ".join(d["title"] + " " + d["text"] for d in json.loads(index)["docs"]).lower()
    for word in ACCENTED_WORDS:
        assert word in text


def test_a_french_elision_does_not_bury_the_word(search_page, site_url: str) -> None:  # noqa: ANN001
    """« l'entreprise » finds what « entreprise » finds (the « l » is not searched as « l* »)."""
    assert (
        search(search_page, site_url, "l'entreprise")["pages"] == search(search_page, site_url, "entreprise")["pages"]
    )


# --- axe on the opened search and menu ------------------------------------------------------------


def test_the_opened_search_and_menu_have_no_wcag_violation(page, site_url: str) -> None:  # noqa: ANN001
    axe = Axe()
    page.goto(site_url)
    page.add_style_tag(content=NO_TRANSITIONS)  # Tab passes the version menu: check its end state, not its fade-out
    open_search(page)
    type_query(page, fold(ACCENTED_WORDS[1]))
    found = [describe(v) for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]
    if page.viewport_size["width"] < 960:
        page.keyboard.press("Escape")
        page.goto(site_url)
        page.add_style_tag(content=NO_TRANSITIONS)
        page.locator("label[for='__drawer'].md-header__button").click()
        page.wait_for_function(DRAWER_OPEN)
        found += [describe(v) for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]
    assert found == []
