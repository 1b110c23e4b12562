"""Helpers shared by the end-to-end tests (imported as a plain module: tests/ is not a package)."""

from __future__ import annotations

from pathlib import Path

from support import SETTLE

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"  # git-ignored
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def discover_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to its root (« » for the home, « rcad/ », « 404.html »)."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site)
        if relative.parts[0] == "assets":
            continue
        url = relative.as_posix()
        pages.append(url[: -len("index.html")] if path.name == "index.html" else url)
    return pages


def new_context(browser, viewport: dict[str, int], **options: object):  # noqa: ANN001, ANN201 (Playwright objects)
    """A fresh French-speaking browser profile: no cookie, no cache, no storage from another test.

    Its waits (loading a page, a final state) last up to SETTLE seconds rather than Playwright's 30: a
    loaded machine makes them longer, never fail.
    """
    context = browser.new_context(viewport=viewport, locale="fr-FR", **options)
    context.set_default_timeout(SETTLE * 1000)
    return context


def screenshot(page, name: str) -> Path:  # noqa: ANN001 (a Playwright page)
    """Save a full-page screenshot into tests/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
