"""All of the site in French: no word of Material's English interface in the built pages.

The English words come from Material itself: its English translations (partials/languages/en.html)
less the words its French translations also use, and the labels its JavaScript writes without a
translation. What is scanned is what Material speaks: the text around the page's content (header,
menus, search, footer), the content's own buttons, every `title`, `aria-label`, `placeholder` and
`alt`, and the translations handed to the JavaScript (search messages, copy buttons, version selector).
tests/e2e/test_french_ui.py looks at what the JavaScript then shows in a browser.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import material
import pytest
from bs4 import BeautifulSoup
from support import Build

MATERIAL = Path(material.__file__).parent / "templates"
UI_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# English words of Material's interface that are also plain French words of our content.
FRENCH_TOO = {"type", "index", "content"}
# What Material writes inside the content area, besides the content itself.
MATERIAL_IN_CONTENT = ".md-content__button, .md-source-file, .md-code__nav, .md-tags, .md-feedback"
WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def material_translations(language: str) -> dict[str, str]:
    """The key → text table of one of Material's languages."""
    text = (MATERIAL / "partials" / "languages" / f"{language}.html").read_text(encoding="utf-8")
    return {key: json.loads(f'"{value}"') for key, value in re.findall(r'^\s*"([^"]+)": "((?:[^"\\]|\\.)*)",?$', text, re.MULTILINE)}


def _words(texts: list[str] | set[str]) -> set[str]:
    return {word.lower() for text in texts for word in WORD.findall(text) if len(word) > 2}


def _labels_written_by_javascript() -> set[str]:
    """Labels Material's JavaScript writes as they are, without its translations (« Toggle line selection »)."""
    bundle = next((MATERIAL / "assets" / "javascripts").glob("bundle.*.min.js")).read_text(encoding="utf-8")
    return set(re.findall(r'(?:title|"aria-label"|placeholder|alt):"([^"]+)"', bundle))


@cache
def english_words() -> frozenset[str]:
    """Words of Material's English interface that a French page never shows."""
    def interface(language: str) -> list[str]:
        table = material_translations(language)
        return [text for key, text in table.items() if key not in {"language", "direction"} and not key.startswith("search.config")]

    english = _words(interface("en")) | _words(_labels_written_by_javascript())
    return frozenset(english - _words(interface("fr")) - FRENCH_TOO)


def english_in(texts: list[str]) -> list[tuple[str, str]]:
    """(word, text) for each English interface word found in these texts."""
    words = english_words()
    return [(word.lower(), text) for text in texts for word in WORD.findall(text) if word.lower() in words]


def interface_texts(html: str) -> list[str]:
    """What Material speaks on a page: around the content, its own buttons in it, labels, the JavaScript's messages."""
    soup = BeautifulSoup(html, "html.parser")
    config = soup.select_one("script#__config")
    texts = list(json.loads(config.string)["translations"].values()) if config else []
    for hidden in soup.select("script, style, code, pre"):
        hidden.decompose()
    for tag in soup.find_all(True):
        texts += [str(tag[name]) for name in UI_ATTRIBUTES if tag.has_attr(name)]
    texts += [" ".join(tag.get_text(" ").split()) for tag in soup.select(MATERIAL_IN_CONTENT)]
    for content in soup.select(".md-content"):
        content.decompose()
    texts.append(" ".join(soup.get_text(" ").split()))
    return [text for text in texts if text]


# --- the word list can catch English ------------------------------------------------------------------


def test_the_english_words_are_material_s_own() -> None:
    words = english_words()
    english, french = material_translations("en"), material_translations("fr")
    assert english["search.placeholder"] == "Search" and french["search.placeholder"] != "Search"
    assert {"search", "previous", "next", "top", "skip", "clear", "copy", "toggle"} <= words
    assert not words & _words(list(french.values())), "a word French shares with English is no evidence"


def test_the_scan_finds_english_wherever_material_writes_it() -> None:
    page = """<html lang="en"><body><header class="md-header"><a class="md-skip">Skip to content</a></header>
      <div class="md-content"><article><p>Un texte du guide, avec son type.</p>
      <a class="md-content__button" title="Modifier">Edit this page</a></article></div>
      <button class="md-top" aria-label="Retour">Back to top</button><input placeholder="Search">
      <script id="__config" type="application/json">{"translations": {"search.result.none": "No matching documents"}}</script>
      </body></html>"""
    found = {word for word, _ in english_in(interface_texts(page))}
    assert {"skip", "edit", "back", "top", "search", "matching"} <= found
    assert "type" not in found and "texte" not in found


# --- the built sites ----------------------------------------------------------------------------------


def _pages(build: Build) -> list[Path]:
    pages = [p for p in sorted(build.site.rglob("*.html")) if "assets" not in p.relative_to(build.site).parts]
    assert (build.site / "404.html") in pages and len(pages) > 5
    return pages


def test_every_page_says_it_is_french(built) -> None:  # noqa: ANN001 (conftest's fixture)
    build, _ = built
    for page in _pages(build):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").html
        assert html["lang"] == "fr", page


def test_material_speaks_french_on_every_page(built) -> None:  # noqa: ANN001 (conftest's fixture)
    build, _ = built
    problems = []
    for page in _pages(build):
        for word, text in english_in(interface_texts(page.read_text(encoding="utf-8"))):
            problems.append(f"{page.relative_to(build.site)}: « {word} » in « {text[:120]} »")
    assert not problems, "\n".join(problems)


def test_the_javascript_gets_french_messages(built) -> None:  # noqa: ANN001 (conftest's fixture)
    """Search results, « no result », copy buttons, version selector: the texts the JavaScript shows."""
    build, _ = built
    french = material_translations("fr")
    soup = BeautifulSoup((build.site / "index.html").read_text(encoding="utf-8"), "html.parser")
    translations = json.loads(soup.select_one("script#__config").string)["translations"]
    assert {"search.result.none", "search.result.placeholder", "select.version"} <= set(translations)
    assert translations == {key: french[key] for key in translations}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_material_s_translation_tables_are_read(language: str) -> None:
    table = material_translations(language)
    assert table["language"] == language and len(table) > 40
