"""Views of a référentiel, rendered with Jinja2 templates (one per view, autoescaped).

Every text of the référentiel is data: escaped, never evaluated as a template.
Only the Markdown fields go through Markdown, with raw HTML disabled and
links limited to http(s), mailto and relative URLs.

Page views return Markdown made of headings (escaped, so the theme builds a
table of contents) and raw HTML blocks; the livret returns plain HTML, shared
by the web page and the PDF.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as etree

import markdown as markdown_lib
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from .model import Competence, Heures, ItemDetaille, Referentiel, fr_number

_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
_SAFE_URL = re.compile(r"^(?:https?:|mailto:|[^:]*$)", re.IGNORECASE)
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_MD_SPECIALS = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>^=:&\"']")
_HIGH_PUNCT = re.compile(r"(?<=[^\s;!?])[ \u00a0\u202f]*([;!?]+)(?=\s|$)")
_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]+:(?=\s|$)")
_CLOSE_QUOTE = re.compile(r"(?<=\S)[ \u00a0\u202f]*»")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*(?=\S)")
_TYPOGRAPHY_SIGNS = re.compile(r"[;:!?«»]")  # each rule above needs one of these


@dataclass(frozen=True)
class Links:
    """Relative URLs from the page being rendered; the site glue knows the file layout."""

    overview: str
    competence: Callable[[int], str]
    livret: str
    pdf: str | None


def french_typography(text: str) -> str:
    """Non-breaking spaces where French typography wants them: « x », a :, a ; ? !

    Staff type ordinary spaces (or none before ; ? !); a line must not break there.
    Most texts have none of these signs: one search spares them the four substitutions.
    """
    if not _TYPOGRAPHY_SIGNS.search(text):
        return text
    text = _HIGH_PUNCT.sub(lambda m: "\u202f" + m.group(1), text)
    text = _COLON.sub("\u00a0:", text)
    text = _CLOSE_QUOTE.sub("\u00a0»", text)
    return _OPEN_QUOTE.sub("«\u00a0", text)


def text_filter(value: Any) -> Markup:
    """Escape a YAML text for HTML, with French spacing."""
    return escape(french_typography(str(value)))


def heading_filter(value: Any) -> Markup:
    """Escape a YAML text for a Markdown heading: every HTML or Markdown sign becomes a character reference."""
    raw = value.unescape() if isinstance(value, Markup) else french_typography(str(value))
    return Markup("".join(f"&#{ord(ch)};" if _MD_SPECIALS.match(ch) else ch for ch in raw))


def slug(value: Any) -> str:
    """An anchor from a module number: « 1.1 » → « 1-1 »."""
    return re.sub(r"[^0-9a-z]+", "-", str(value).lower()).strip("-") or "x"


def hours(value: Heures) -> str:
    """« 7 à 21 h », or « 7 h » when the range is a single value."""
    if value.min == value.max:
        return f"{fr_number(value.min)}\u00a0h"
    return f"{fr_number(value.min)} à {fr_number(value.max)}\u00a0h"


def hour(value: Any) -> str:
    return f"{fr_number(value)}\u00a0h"


def french_date(value: dt.date) -> str:
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[value.month - 1]} {value.year}"


class _SafeLinks(markdown_lib.treeprocessors.Treeprocessor):
    """Drop link targets that are neither http(s), mailto nor relative (no javascript:, data:…).

    The attribute is removed, not replaced by « # »: the link text stays, as plain text,
    and the PDF gets no link to the build machine's folder.
    """

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                url = element.get(attribute)
                if url is not None and not is_safe_url(url):
                    del element.attrib[attribute]


def is_safe_url(url: str) -> bool:
    """Judge the URL the browser will follow: entities decoded (« javascript&#58; »), control and space characters dropped."""
    seen = _URL_IGNORED.sub("", html.unescape(url))
    return bool(_SAFE_URL.match(seen))


class _NoRawHtml(markdown_lib.Extension):
    """Raw HTML in a Markdown field shows as text: the YAML's authors write prose, not markup."""

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "cqp_safe_links", 0)


@cache
def _markdown() -> markdown_lib.Markdown:
    """One converter per process, reset before each field: setting up its processors costs more than a conversion."""
    return markdown_lib.Markdown(extensions=[_NoRawHtml(), "sane_lists"], output_format="html")


def markdown_filter(value: str | None, referentiel: Referentiel | None = None) -> Markup:
    """Render a Markdown field of the référentiel to safe HTML."""
    if not value:
        return Markup("")
    text = referentiel.libelle(value) if referentiel else value
    html = _markdown().reset().convert(french_typography(text))
    return Markup(html.replace("\n\n", "\n"))


@cache
def environment() -> Environment:
    """The template environment, built once per process."""
    env = Environment(
        loader=PackageLoader("guide_cqp", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        comment_start_string="{##",  # "{#id}" is Markdown's attribute syntax in page templates
        comment_end_string="##}",
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(
        t=text_filter,
        h=heading_filter,
        hours=hours,
        hour=hour,
        number=fr_number,
        date_fr=french_date,
        slug=slug,
    )
    env.tests["detailed"] = lambda item: isinstance(item, ItemDetaille)
    return env


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """A cache that cannot be read or written only makes the build slower, never stops it."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 (a damaged cache file: compile the template again)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds, as Python keeps .pyc files.

    Compiling the templates is a large part of what the generator adds to a `mkdocs build`; Jinja
    checks each cached entry against its template's source and its own and Python's versions.
    The cache lives in the user's cache folder (XDG_CACHE_HOME, else ~/.cache); CQP_CACHE=0 turns it off.
    """
    if os.environ.get("CQP_CACHE", "").strip() == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    directory = Path(base) / "guide-cqp" / "jinja"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(directory))


def _render(template: str, referentiel: Referentiel, **context: Any) -> str:
    md = lambda value: markdown_filter(value, referentiel)  # noqa: E731 (a filter bound to this référentiel)
    label = lambda value: text_filter(referentiel.libelle(value))  # noqa: E731
    return (
        environment()
        .get_template(template)
        .render(
            ref=referentiel,
            labels=referentiel.livret,
            md=md,
            label=label,
            version=version_label(referentiel),
            **context,
        )
    )


def render_overview(referentiel: Referentiel, links: Links) -> str:
    return _render("overview.md.j2", referentiel, links=links)


def render_competence(referentiel: Referentiel, competence: Competence, links: Links) -> str:
    return _render("competence.md.j2", referentiel, c=competence, links=links)


def render_livret(referentiel: Referentiel, links: Links | None, *, for_pdf: bool = False) -> str:
    return _render("livret.html.j2", referentiel, links=links, for_pdf=for_pdf)


def render_livret_document(referentiel: Referentiel, css: str) -> str:
    """The standalone HTML document that WeasyPrint turns into the PDF."""
    return _render("livret_document.html.j2", referentiel, css=Markup(css), links=None, for_pdf=True)


def render_fragment(name: str, referentiel: Referentiel, **context: Any) -> str:
    """A small view for hand-written pages (macros): competence list, hours table, activities…"""
    return _render(f"fragments/{name}.html.j2", referentiel, **context)


def version_label(referentiel: Referentiel) -> str:
    """« version 2009-05 du 7 mai 2009 (Document de travail) », shown on every page."""
    label = f"version {referentiel.version.numero} du {french_date(referentiel.version.date)}"
    if referentiel.version.statut:
        label += f" ({referentiel.version.statut})"
    return label
