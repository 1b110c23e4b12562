"""A tutor reaches every competence, the livret and every how-to page from the home page in two clicks at most.

Only links of the page's content count (the sidebar is hidden on a phone), and they are really clicked in
Chromium at phone width.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from guide_cqp.validate import load_referentiel

from .e2e_support import new_context

ROOT = Path(__file__).resolve().parents[2]
HOW_TO = ["tuteur/role/", "tuteur/entretien-reperage/", "tuteur/suivre-livret/", "tuteur/sans-formation/",
          "tuteur/evaluation-finale/"]  # fmt: skip
CONTENT_LINKS = """() => [...document.querySelectorAll('article a[href]')]
    .filter(a => !a.classList.contains('headerlink') && a.offsetParent !== null)
    .map(a => [a.getAttribute('href'), a.href])"""


@pytest.fixture(scope="module")
def phone_page(browser) -> Iterator[object]:  # noqa: ANN001 (the Chromium of tests/e2e/conftest.py)
    """One phone-sized tab for the module (the served site and the browser are the shared e2e fixtures)."""
    context = new_context(browser, {"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def content_links(page, url: str) -> dict[str, str]:  # noqa: ANN001 (a Playwright page)
    """Visible links of the page's content, other pages only: {page URL without anchor: href as written}."""
    page.goto(url)
    links: dict[str, str] = {}
    here = urldefrag(page.url).url
    for raw, absolute in page.evaluate(CONTENT_LINKS):
        target = urldefrag(absolute).url
        if target != here and target.startswith(url.split("/", 3)[0]):
            links.setdefault(target, raw)
    return links


def test_every_competence_the_livret_and_the_how_to_are_two_clicks_from_home(phone_page, site_url: str) -> None:  # noqa: ANN001
    ref = load_referentiel(ROOT / "referentiel.yaml")
    targets = [f"{ref.cqp.code}/competence-{c.numero}/" for c in ref.competences_triees()]
    targets += [f"{ref.cqp.code}/livret/", *HOW_TO]

    first = content_links(phone_page, site_url)
    second = {url: content_links(phone_page, url) for url in first}
    for target in targets:
        wanted = site_url + target
        if wanted in first:
            path = [first[wanted]]
        else:
            via = next((url for url, links in second.items() if wanted in links), None)
            assert via is not None, f"{target} : à plus de deux clics de l'accueil"
            path = [first[via], second[via][wanted]]

        phone_page.goto(site_url)
        for href in path:
            link = phone_page.locator(f'article a[href="{href}"]:visible').first
            with phone_page.expect_navigation():
                link.click()
        assert urldefrag(phone_page.url).url == wanted
        assert phone_page.locator("article h1").is_visible()
