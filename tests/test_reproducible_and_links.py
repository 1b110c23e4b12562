"""Same référentiel, same bytes; and every link of the site leads somewhere, also under a sub-path.

Two builds of one référentiel must give identical files (PDF included): the
published site changes only when the référentiel or the tool changes, and a
diff of two builds shows what a change did. GitHub Pages serves a project site
under /<project>/: a link written from the site root would work locally and
break there, so the site is also served under /guide-cqp/ and crawled.
"""

from __future__ import annotations

import functools
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from support import HANG, SEED_REFERENTIEL, Build, QuietHandler, run_build, serve

PREFIX = "/guide-cqp/"
LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
# GitHub Pages serves 404.html at any depth: its links are absolute and only right once site_url is set.
ROOT_ONLY = {"404.html"}


@pytest.fixture(scope="module")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = run_build(SEED_REFERENTIEL, tmp_path_factory.mktemp("seed-again") / "site", pdf=True)
    assert build.returncode == 0, build.output
    return build


def files_of(site: Path) -> dict[str, Path]:
    return {str(path.relative_to(site)): path for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_builds_of_the_same_referentiel_are_byte_identical(seed_site: Build, second_build: Build) -> None:
    first, second = files_of(seed_site.site), files_of(second_build.site)
    assert first.keys() == second.keys()
    assert any(name.endswith(".pdf") for name in first)
    different = [
        name for name in first if name != "sitemap.xml.gz" and first[name].read_bytes() != second[name].read_bytes()
    ]
    assert different == []


def _local_links(page: Path) -> Iterator[tuple[str, str]]:
    """(attribute value, link without fragment) of every local link or asset of a page."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag, attribute in LINK_ATTRIBUTES.items():
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if not value or urlsplit(value).scheme or value.startswith("//"):
                continue
            yield value, urldefrag(value).url


def _target(page: Path, site: Path, link: str) -> Path:
    base = page.parent
    path = (site / unquote(link).lstrip("/")) if link.startswith("/") else (base / unquote(link))
    path = path.resolve()
    return path / "index.html" if path.is_dir() else path


@functools.cache
def _ids(page: Path) -> frozenset[str]:
    """The anchors of a page, read once: many links point into the same pages."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return frozenset({element["id"] for element in soup.find_all(id=True)}) | {
        a["name"] for a in soup.find_all("a", attrs={"name": True})
    }


def test_every_link_and_asset_of_every_page_is_in_the_site(seed_site: Build) -> None:
    site = seed_site.site.resolve()
    broken, absolute = [], []
    pages = [p for p in site.rglob("*.html") if str(p.relative_to(site)) not in ROOT_ONLY]
    assert len(pages) >= 5
    for page in pages:
        for value, link in _local_links(page):
            name = str(page.relative_to(site))
            if value.startswith("/"):
                absolute.append((name, value))
                continue
            target = _target(page, site, link) if link else page
            if not target.is_file() or site not in target.parents:
                broken.append((name, value))
                continue
            fragment = urldefrag(value).fragment
            if fragment and target.suffix == ".html" and unquote(fragment) not in _ids(target):
                broken.append((name, value))
    assert broken == []
    assert absolute == [], "a link from the site root breaks under a sub-path"


def test_css_urls_point_into_the_site(seed_site: Build) -> None:
    site = seed_site.site.resolve()
    missing = []
    for css in site.rglob("*.css"):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8")):
            if url.startswith(("data:", "#")) or urlsplit(url).scheme:
                continue
            target = (css.parent / urldefrag(unquote(url)).url).resolve()
            if not target.is_file():
                missing.append((str(css.relative_to(site)), url))
    assert missing == []


class _SubPathHandler(QuietHandler):
    """The site at /guide-cqp/, as GitHub Pages serves a project site; anything else is 404."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX) and path != PREFIX.rstrip("/"):
            return str(Path(self.directory) / "__hors-du-site__")
        return super().translate_path("/" + path[len(PREFIX) :])


@pytest.fixture(scope="module")
def served(seed_site: Build) -> Iterator[str]:
    with serve(seed_site.site, _SubPathHandler) as base:
        yield f"{base}{PREFIX}"


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=HANG) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def test_the_site_served_under_a_sub_path_has_no_broken_link(served: str) -> None:
    start = served
    host = urlsplit(start).netloc
    seen: set[str] = {start}
    queue = [start]
    failures: list[tuple[str, str, int]] = []
    pages = 0
    referrer = {start: "(départ)"}
    while queue:
        url = queue.pop()
        status, kind, body = _fetch(url)
        if status != 200:
            failures.append((referrer[url], url, status))
            continue
        links: list[str] = []
        if kind == "text/html":
            pages += 1
            soup = BeautifulSoup(body.decode("utf-8"), "html.parser")
            links = [
                element.get(attribute)
                for tag, attribute in LINK_ATTRIBUTES.items()
                for element in soup.find_all(tag)
                if element.get(attribute)
            ]
        elif kind == "text/css":
            links = CSS_URL.findall(body.decode("utf-8"))
        for link in links:
            absolute = urldefrag(urljoin(url, link)).url
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or parts.netloc != host or absolute in seen:
                continue
            seen.add(absolute)
            referrer[absolute] = url
            queue.append(absolute)
    assert failures == []
    assert pages >= 5
    assert any(url.endswith(".pdf") for url in seen)
    assert all(urlsplit(url).path.startswith(PREFIX) for url in seen)
