"""The pages a guide generates from its référentiels, as Markdown sources: the one module that makes pages.

Each generated page is only a macro call (``{{ cqp_page_competence(2, cqp="rcad") }}``): no text of the
référentiel ever enters a page's source, where mkdocs-macros would read it as a template. Under MkDocs the
guide-cqp plugin adds these sources in memory and renders their call itself; ``cqp generer DOSSIER`` writes
them as files, for an engine that runs no plugin (Zensical) or for a person who wants to read them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import addresses
from .catalogue import Catalogue
from .model import Referentiel


@dataclass(frozen=True)
class GeneratedPage:
    """One page: where its source goes (relative to the docs folder) and the macro call it holds."""

    src_uri: str
    macro: str
    args: tuple[object, ...]
    code: str
    hide_toc: bool = False

    @property
    def call(self) -> str:
        """The macro call as Jinja reads it; numbers and codes only (validated, no quotes or braces inside)."""
        shown = [json.dumps(a, ensure_ascii=False) for a in self.args]
        shown.append(f"cqp={json.dumps(self.code)}")
        return f"{{{{ {self.macro}({', '.join(shown)}) }}}}"

    @property
    def source(self) -> str:
        front = "---\nhide:\n  - toc\n---\n" if self.hide_toc else ""
        return f"{front}{self.call}\n"


def referentiel_pages(ref: Referentiel, with_changes: bool = False) -> list[GeneratedPage]:
    """The overview, one page per competence and the livret page of one CQP; with ``with_changes`` (it
    declares its previous version), the page « Ce qui change dans la version … »."""
    code = ref.cqp.code
    pages = [GeneratedPage(addresses.overview(code), "cqp_page_apercu", (), code)]
    for c in ref.competences_triees():
        pages.append(GeneratedPage(addresses.competence(code, c.numero), "cqp_page_competence", (c.numero,), code))
    pages.append(GeneratedPage(addresses.livret(code), "cqp_page_livret", (), code, hide_toc=True))
    if with_changes:
        pages.append(GeneratedPage(addresses.changes(code), "cqp_page_changements", (), code))
    return pages


def generated_pages(catalogue: Catalogue) -> list[GeneratedPage]:
    return [
        page for ref in catalogue for page in referentiel_pages(ref, catalogue.precedente(ref.cqp.code) is not None)
    ]


def write_pages(catalogue: Catalogue, docs: Path) -> list[Path]:
    """Write every generated page's source under ``docs``; return the files written."""
    written: list[Path] = []
    for page in generated_pages(catalogue):
        target = docs / page.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.source, encoding="utf-8")
        written.append(target)
    return written
