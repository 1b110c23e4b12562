"""End-to-end fixtures: the built site served on 127.0.0.1, and Debian's Chromium driven by Playwright.

The site is the seed's, built once per session by tests/conftest.py (``seed_site``, a real `mkdocs build`);
test_format2_sites.py serves the sites of the two format 2 référentiels the same way (``published``).
Pages are discovered in the built site, never listed by hand: pages added to docs/ are checked too.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import CHROMIUM, CHROMIUM_ARGS, SETTLE, serve

from .e2e_support import discover_pages

playwright_api = pytest.importorskip("playwright.sync_api")
# expect(…) retries until the final state, for 5 s by default: as long as any other wait here (SETTLE), so
# that a loaded machine makes it wait longer, never fail.
playwright_api.expect.set_options(timeout=SETTLE * 1000)
VERSION = "essai"  # the folder mike would publish the build in


@pytest.fixture(scope="session")
def site_root(seed_site) -> Path:  # noqa: ANN001 (the session fixture of tests/conftest.py)
    return seed_site.site


@contextlib.contextmanager
def published(site_root: Path, folder: Path) -> Iterator[str]:
    """A built site over HTTP on a free port of 127.0.0.1, laid out as mike publishes it.

    mkdocs.yml's ``extra.version.provider: mike`` makes every page fetch ``../versions.json`` for the
    version selector: the site is served under /essai/, next to a versions.json naming it « latest »,
    so that the selector really shows (and is checked) instead of a 404 in the console. The build is
    also mounted at the root, where its 404.html (root-relative links while site_url is unset) works.
    """
    (folder / VERSION).symlink_to(site_root, target_is_directory=True)
    for entry in site_root.iterdir():  # also at the root: 404.html's links start with « / » (no site_url set)
        (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    versions = [{"version": VERSION, "title": VERSION, "aliases": ["latest"]}]
    (folder / "versions.json").write_text(json.dumps(versions), encoding="utf-8")
    with serve(folder) as base:
        yield f"{base}/{VERSION}/"


@pytest.fixture(scope="session")
def site_url(site_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed's built site, served as mike publishes it (see published)."""
    with published(site_root, tmp_path_factory.mktemp("publie")) as url:
        yield url


@pytest.fixture(scope="session")
def catalogue_url(catalogue_site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: ANN001
    """The site of several CQPs (tests/conftest.py, ``catalogue_site``), published the same way."""
    with published(catalogue_site.site, tmp_path_factory.mktemp("publie-catalogue")) as url:
        yield url


@pytest.fixture(scope="session")
def site_pages(site_root: Path) -> list[str]:
    pages = discover_pages(site_root)
    assert "" in pages and len(pages) > 3, pages
    return pages


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module.

    Not per session: Playwright's sync API refuses a second instance in the same thread; a
    module-wide browser is closed before the next module starts its own.
    """
    if not CHROMIUM.exists():
        pytest.skip("Chromium absent (/usr/bin/chromium)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
