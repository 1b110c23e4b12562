"""Every page of the built site, opened in Chromium at desktop and phone widths: WCAG 2.1 AA (axe-core, zero
violation), no request leaving 127.0.0.1, no cookie, nothing wider than a 360 px screen (on the other
référentiel's site too), the référentiel's version shown. Screenshots of the home, the overview, a competence
page and the livret go to tests/screenshots/.

Each page is loaded once per width (the ``visits`` fixture); the tests then read what was measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from support import Build, serve

from guide_cqp.render import version_label
from guide_cqp.validate import load_referentiel

from .e2e_support import DESKTOP, PHONE, discover_pages, new_context, screenshot

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"bureau": DESKTOP, "telephone": PHONE}
# The four sets of rules of WCAG 2.1 level AA, as axe-core tags them (the RGAA's reference level).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# What sticks out of the screen, even inside a box that would scroll sideways (a table's .cqp-scroll, Material's
# table wrapper): on a phone every table reflows or fits. Only code blocks may scroll (a line of code does not
# wrap). Hidden (visibility) and empty boxes do not count.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= width + 1 || el.closest("pre")) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    wide.push(`${el.tagName.toLowerCase()}${cls} (bord droit à ${Math.round(r.right)} px)`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""
# A page's final state: with mike's version provider on, Material fetches versions.json after the load event and
# then inserts the version selector into the header. Checks made before would see a header about to change.
HEADER_COMPLETE = """() => {
  const config = JSON.parse(document.getElementById("__config")?.textContent || "{}");
  return config.version?.provider !== "mike" || document.querySelector(".md-header .md-version") !== null;
}"""


@dataclass
class Visit:
    """What one page showed and did at one width."""

    external: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    overflow: dict = field(default_factory=dict)
    banner: str | None = None
    console_errors: list[str] = field(default_factory=list)


def describe(violation: dict) -> str:
    nodes = "; ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}) : {violation['help']} — {nodes}"


def screenshot_targets(pages: list[str]) -> dict[str, str]:
    """The home, the overview (hours table), the first competence page and the livret, as the built site names them."""
    competence = next(p for p in pages if re.fullmatch(r"[^/]+/competence-\d+/", p))
    livret = next(p for p in pages if re.fullmatch(r"[^/]+/livret/", p))
    return {"accueil": "", "apercu": livret.removesuffix("livret/"), "competence": competence, "livret": livret}


def visit_pages(browser, site_url: str, pages: list[str], width_name: str, shots: dict[str, str]):  # noqa: ANN001, ANN201
    """Load every page at one width in a fresh profile; what each showed and did, and the cookies left behind."""
    viewport = WIDTHS[width_name]
    axe = Axe()  # axe-core from the package itself: nothing downloaded
    context = new_context(browser, viewport)
    current = Visit()

    def route(route, request) -> None:  # noqa: ANN001 (Playwright objects)
        if urlsplit(request.url).hostname == "127.0.0.1" or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:  # recorded, and blocked: nothing leaves the machine even when the test fails
            current.external.append(request.url)
            route.abort()

    def console(message) -> None:  # noqa: ANN001
        if message.type == "error":
            current.console_errors.append(message.text)

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", console)
    results: dict[str, Visit] = {}
    for number, relative in enumerate(pages):
        current = results[relative] = Visit()
        # The first page: until the network is idle, so that late requests are seen too. Those come from
        # scripts (analytics, web fonts), which are the theme's, the same on every page; what a page's own
        # content asks for (images, frames) is asked before its load event, which every visit waits for.
        page.goto(site_url + relative, wait_until="networkidle" if number == 0 else "load")
        page.wait_for_function(HEADER_COMPLETE)
        current.violations = [describe(v) for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]
        current.overflow = page.evaluate(OVERFLOW_JS)
        banner = page.locator(".cqp-bandeau")
        current.banner = banner.inner_text() if banner.count() and banner.is_visible() else None
        if relative in shots:
            screenshot(page, f"{shots[relative]}-{viewport['width']}")
    cookies = context.cookies()
    context.close()
    return results, cookies


def visit_at_every_width(browser, site_url: str, pages: list[str], shots: dict[str, str]) -> dict:  # noqa: ANN001
    """visit_pages at each width: {"visits": {(width, page): Visit}, "cookies": [what was left behind]}."""
    results, cookies = {}, []
    for width_name in WIDTHS:
        by_page, left = visit_pages(browser, site_url, pages, width_name, shots)
        results.update({(width_name, page): visit for page, visit in by_page.items()})
        cookies += left
    return {"visits": results, "cookies": cookies}


@pytest.fixture(scope="module")
def visits(browser, site_url: str, site_pages: list[str]) -> dict[tuple[str, str], Visit]:  # noqa: ANN001
    """Every page at each width, loaded once, with every request outside 127.0.0.1 recorded and blocked."""
    shots = {page: name for name, page in screenshot_targets(site_pages).items()}
    results: dict[tuple[str, str], Visit] = {}
    cookies: list[dict] = []
    for width_name in WIDTHS:
        by_page, left = visit_pages(browser, site_url, site_pages, width_name, shots)
        results.update({(width_name, relative): visit for relative, visit in by_page.items()})
        cookies += left
    results[("cookies", "")] = Visit(external=[f"{c['name']}={c['value']} ({c['domain']})" for c in cookies])
    return results


def _failures(visits: dict, attribute: str) -> dict[str, object]:
    return {
        f"{w} {p or '(accueil)'}": getattr(v, attribute)
        for (w, p), v in visits.items()
        if w in WIDTHS and getattr(v, attribute)
    }


def test_every_page_has_no_wcag_21_aa_violation(visits) -> None:  # noqa: ANN001
    assert _failures(visits, "violations") == {}


def test_no_request_leaves_the_machine_and_no_cookie_is_set(visits) -> None:  # noqa: ANN001
    assert _failures(visits, "external") == {}
    assert visits[("cookies", "")].external == []


def test_no_page_is_wider_than_a_phone(visits) -> None:  # noqa: ANN001
    too_wide = {
        f"{p or '(accueil)'}": v.overflow
        for (w, p), v in visits.items()
        if w == "telephone" and (v.overflow["scrollWidth"] > v.overflow["width"] or v.overflow["wide"])
    }
    assert too_wide == {}
    assert all(v.overflow["width"] == PHONE["width"] for (w, _), v in visits.items() if w == "telephone")


def test_no_page_of_the_other_referentiel_is_wider_than_a_phone(browser, other_site: Build) -> None:  # noqa: ANN001
    """The other référentiel's site (common hour ranges, competence 10, decimal hours) at 360 px, with screenshots."""
    pages = discover_pages(other_site.site)
    shots = {page: name for name, page in screenshot_targets(pages).items()}
    context = new_context(browser, PHONE)
    page = context.new_page()
    too_wide = {}
    with serve(other_site.site) as base:
        for relative in pages:
            page.goto(f"{base}/{relative}")
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow["scrollWidth"] > overflow["width"] or overflow["wide"]:
                too_wide[relative or "(accueil)"] = overflow
            if relative in shots:
                screenshot(page, f"autre-{shots[relative]}-{PHONE['width']}")
    context.close()
    assert too_wide == {}


def test_every_page_shows_the_referentiel_version(visits) -> None:  # noqa: ANN001
    label = version_label(load_referentiel(ROOT / "referentiel.yaml"))
    missing = {
        f"{w} {p or '(accueil)'}": v.banner
        for (w, p), v in visits.items()
        if w in WIDTHS and label not in (v.banner or "")
    }
    assert missing == {}, f"« {label} » absent"


def test_pages_run_without_javascript_errors(visits) -> None:  # noqa: ANN001
    assert _failures(visits, "console_errors") == {}
