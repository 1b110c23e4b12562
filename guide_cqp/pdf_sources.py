"""What the PDF build may read and link to: the package's own assets, nothing of the network or the machine.

Référentiel text is Markdown: an image (``![x](http://hôte/a.png)``, ``![x](/un/fichier)``) would
make WeasyPrint fetch an address during the build or embed a file of the build machine in the
published PDF, and a relative link (``[a](autre-page.html)``, ``[b](/etc/passwd)``) would become a
``file:///…`` link showing the build folder. Two locks, each enough on its own:

- before layout, the document tree is cleaned: an image becomes its text alternative, and a link
  whose target is not ``https:``, ``http:``, ``mailto:`` or an anchor of the livret (« #… »)
  becomes plain text;
- WeasyPrint's URL fetcher refuses every address except the files of ``guide_cqp/assets`` (no
  network request, no file elsewhere), should anything in the page still ask for one.
"""

from __future__ import annotations

import html
import re
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

# Links that mean the same thing in the published PDF as on the site, whatever the machine.
# A lone « # » is no anchor: WeasyPrint would resolve it against the base URL, a folder of the machine.
_KEPT_LINK = re.compile(r"^(?:https?://|mailto:|#.)", re.IGNORECASE)
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]+")


class RessourceRefusee(ValueError):
    """A fetch that the PDF build does not make (WeasyPrint reports it and goes on without the resource)."""


def keeps_link(href: str) -> bool:
    """Whether a link target survives in the PDF, judged as a viewer reads it (entities decoded, blanks dropped)."""
    return bool(_KEPT_LINK.match(_URL_IGNORED.sub("", html.unescape(href))))


def neutralise_references(root: ElementTree.Element) -> None:
    """Turn images into their text alternative and links to files or relative pages into plain text."""
    for element in root.iter():
        tag = _local_name(element.tag)
        if tag == "img":
            alt = element.get("alt", "")
            element.attrib.clear()
            element.tag = "span"
            element.text = alt + (element.text or "")
        elif tag == "a" and not keeps_link(element.get("href", "")):
            element.attrib.pop("href", None)
            element.tag = "span"
        elif tag in ("link", "object", "embed", "iframe", "video", "audio", "source", "picture"):
            # Not produced by the templates nor by Markdown without raw HTML; gone if they ever come.
            element.attrib.clear()
            element.tag = "span"


def asset_fetcher(weasyprint: ModuleType, assets: Path) -> Any:
    """A WeasyPrint URL fetcher that serves the files under ``assets`` and refuses everything else."""
    root = assets.resolve()

    class AssetFetcher(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.lower().startswith("file:"):
                path = Path(urllib.request.url2pathname(url.split("?", 1)[0].split("#", 1)[0][len("file:") :]))
                real = path.resolve()  # symbolic links followed: the file actually read must be an asset
                if real.is_relative_to(root) and real.is_file():
                    return super().fetch(real.as_uri(), headers)
            raise RessourceRefusee(f"ressource refusée dans le livret PDF (seuls les fichiers du paquet sont lus)\u00a0: {url[:200]}")

    return AssetFetcher()


def _local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
