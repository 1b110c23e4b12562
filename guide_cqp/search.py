"""Accent-insensitive search: « reclamation » typed on a phone finds « réclamation ».

Material's search builds its lunr index in a web worker, in the reader's browser, from search_index.json,
and does not fold accents. Folding the JSON itself would lose the accents in the result snippets, and a
second, folded copy of every text would double the file and never be highlighted. So the folding happens
where lunr indexes: assets/search-fold.js adds one step to lunr's indexing pipeline (see its header).

The worker loads ``lunr.stemmer.support.min.js`` from the theme before any language other than English
(this site is in French), with ``self.lunr`` already set: the script is appended to that theme file, in
memory, when MkDocs gathers the files. A Material upgrade that moves the file makes the build fail with a
message instead of silently losing the feature.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.plugins.guide_cqp")

LUNR_SUPPORT = "assets/javascripts/lunr/min/lunr.stemmer.support.min.js"
FOLD_SCRIPT = Path(__file__).parent / "assets" / "search-fold.js"


def search_enabled(config: MkDocsConfig) -> bool:
    """Material's search plugin is on (its name is « search » in mkdocs.yml, « material/search » once loaded)."""
    return any(name in config.plugins for name in ("material/search", "search"))


def add_accent_folding(files: Files, config: MkDocsConfig) -> None:
    """Replace the theme's lunr support script by the same script followed by search-fold.js."""
    if not search_enabled(config):
        return
    theme_file = files.get_file_from_path(LUNR_SUPPORT)
    if theme_file is None:
        log.warning(
            "Recherche sans accents indisponible\u00a0: le thème ne fournit plus %s "
            "(version de Material incompatible avec guide_cqp/search.py).",
            LUNR_SUPPORT,
        )
        return
    script = theme_file.content_bytes.rstrip(b"\n") + b"\n;\n" + FOLD_SCRIPT.read_bytes()
    files.remove(theme_file)
    files.append(File.generated(config, LUNR_SUPPORT, content=script))


SEARCH_INDEX = Path("search") / "search_index.json"


def show_tags_without_searching_them(site_dir: Path) -> None:
    """Keep the pages' tags in the search results, out of what a query matches.

    On a site of several CQPs each page of a CQP carries the CQP's title as a tag (guide_cqp.plugin), which
    Material's results show under each result: the reader sees which CQP it is about. Material also indexes
    tags, a million times above the text: a word of a CQP's title (« commande ») would then bring every section
    of that CQP before the pages that are about it. The index's configuration lists the fields the browser
    indexes; without « tags » there, the tags are still shown and no longer searched.
    """
    path = site_dir / SEARCH_INDEX
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = data.get("config", {}).get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, dict):
        log.warning("Recherche\u00a0: index de Material d'un format inconnu (%s), laissé tel quel.", path)
        return
    if fields.pop("tags", None) is not None:
        path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
