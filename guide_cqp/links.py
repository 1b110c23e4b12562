"""Links and images in the référentiel's Markdown texts: only what a reader can safely follow is published.

The build must fetch nothing and publish nothing of the machine that runs it, and the site must
ask nothing of a third party. So a Markdown text may link to a full ``https://`` address or to an
e-mail address (``mailto:``), and nothing else: no image (WeasyPrint would fetch it during the
build, every reader's browser at each visit), no ``http:``, no relative or absolute path (in the
PDF they become ``file:`` links that show the build machine's folders), no other scheme.

The check renders the text with the same Markdown as the pages (guide_cqp.render), so it sees
what Markdown sees: inline links, reference links and their definitions, autolinks, entities and
backslash escapes. render._SafeLinks stays as a second line of defence.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as etree

from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    import markdown

ALLOWED = "https:// ou mailto:"
_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]+")  # what browsers drop from a URL before reading it
_HTTPS = re.compile(r"^https://[^/?#\s]+", re.IGNORECASE)
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$", re.IGNORECASE)
_RAW_URL = re.compile(r"(?<![\w.+-])([a-z][a-z0-9+.-]*://[^\s<>\"']*)", re.IGNORECASE)
_LINK_SIGNS = re.compile(r"[\[<]|://")  # without any of these, Markdown makes no link and no image
_SHOWN = 80  # characters of a refused address shown in the message


@dataclass(frozen=True)
class Link:
    """A link, image or bare address that the rendered text holds."""

    kind: str  # "lien", "image" or "adresse" (written as plain text)
    url: str  # as the browser reads it: entities decoded, control characters dropped


def allowed(url: str) -> bool:
    """A full https:// address, or mailto: with an e-mail address."""
    return bool(_HTTPS.match(url) or _MAILTO.match(url))


def links_in(text: str) -> list[Link]:
    """Every link, image and bare address that Markdown makes of a text, in order."""
    if not _LINK_SIGNS.search(text):
        return []
    converter = _converter()
    converter.reset().convert(text)
    found: list[Link] = converter.cqp_links  # type: ignore[attr-defined]
    return list(found)


def check_links(text: str) -> str:
    """Refuse images and any link that is not https:// or mailto:, naming the address and its line."""
    for link in links_in(text):
        if link.kind == "image":
            raise _refusal(
                text,
                link,
                "image « {url} »{ligne}\u00a0: les images ne sont pas acceptées dans les textes du "
                "référentiel (elles seraient téléchargées à chaque lecture et à la construction du PDF)\u00a0; "
                "retirez-la (une image peut aller dans une page écrite à la main, dossier docs/)",
            )
        if link.kind == "adresse":
            raise _refusal(
                text,
                link,
                "adresse « {url} »{ligne}\u00a0: seules les adresses https:// sont acceptées\u00a0; "
                "écrivez la même adresse en https://, ou retirez-la",
            )
        if not allowed(link.url):
            raise _refusal(text, link, "lien « {url} »{ligne}\u00a0: " + _advice(link.url))
    return text


def _advice(url: str) -> str:
    lowered = url.lower()
    if lowered.startswith("http://"):
        return "seuls les liens https:// sont acceptés\u00a0; écrivez https:// (le site visé doit le permettre)"
    if lowered.startswith("mailto:"):
        return "une adresse électronique s'écrit mailto:nom@domaine.fr"
    if lowered.startswith("//"):
        return "une adresse complète commence par https://"
    if re.match(r"^[a-z][a-z0-9+.-]*:", lowered):
        return f"seuls les liens {ALLOWED} sont acceptés"
    return (
        f"seuls les liens complets ({ALLOWED}) sont acceptés dans le référentiel\u00a0; un chemin ou une page "
        "du site s'écrit dans une page écrite à la main (dossier docs/)"
    )


def _refusal(text: str, link: Link, template: str) -> PydanticCustomError:
    shown = link.url if len(link.url) <= _SHOWN else link.url[:_SHOWN] + "…"
    return PydanticCustomError(
        "lien_refuse",
        template,
        {"url": shown, "ligne": _line_of(text, link.url)},
    )


def _line_of(text: str, url: str) -> str:
    """« , ligne 3 du texte » when the address is written as is in a text of several lines."""
    if "\n" not in text.strip("\n"):
        return ""
    at = text.find(url) if url else -1
    if at < 0:
        return ""
    return f", ligne {text.count(chr(10), 0, at) + 1} du texte"


def _seen(value: str, unescape: Any) -> str:
    """A URL as the browser reads it: Markdown's placeholders restored, entities decoded, blanks dropped."""
    from markdown import util

    value = unescape(value).replace(util.AMP_SUBSTITUTE, "&")
    return _IGNORED.sub("", html.unescape(value))


@cache
def _converter() -> markdown.Markdown:
    """The pages' Markdown with one more step that lists links and images before they are judged."""
    import markdown as markdown_lib

    from . import render

    class Collect(markdown_lib.treeprocessors.Treeprocessor):
        def run(self, root: etree.Element) -> None:
            unescape = self.md.treeprocessors["unescape"].unescape
            found: list[Link] = []
            for element in root.iter():
                if element.tag == "img":
                    found.append(Link("image", _seen(element.get("src") or "", unescape)))
                elif element.get("href") is not None:
                    found.append(Link("lien", _seen(element.get("href") or "", unescape)))
                texts = [element.tail] if element.tag == "code" else [element.text, element.tail]
                for text in texts:  # an address in `code` is shown as code, never followed
                    for match in _RAW_URL.finditer(unescape(text or "")):
                        address = match.group(1).rstrip(".,;:!?)»]'\"")
                        if not address.lower().startswith("https://"):
                            found.append(Link("adresse", address))
            self.md.cqp_links = found  # type: ignore[attr-defined]

    class CollectLinks(markdown_lib.Extension):
        def extendMarkdown(self, md: markdown_lib.Markdown) -> None:  # noqa: N802 (Markdown's API)
            # After the inline patterns (20) made the links, before placeholders are restored and
            # render._SafeLinks drops the targets it refuses (both 0).
            md.treeprocessors.register(Collect(md), "cqp_collect_links", 0.5)

    return render.markdown_converter(CollectLinks())
