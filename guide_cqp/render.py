"""Views of a référentiel, rendered with Jinja2 templates (one per view, autoescaped).

Every text of the référentiel is data: escaped, never evaluated as a template.
Only the Markdown fields go through Markdown, with raw HTML disabled and
links limited to http(s), mailto and relative URLs.

Page views return Markdown made of headings (escaped, so the theme builds a
table of contents) and raw HTML blocks; the livret returns plain HTML, shared
by the web page and the PDF. Links between pages come from guide_cqp.addresses.

A site overrides any template by putting a file of the same name in its own
templates folder (``Views(overrides=…)``), searched before the package's.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import stat
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as etree

import markdown as markdown_lib
from jinja2 import ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from . import addresses, compare_output, french
from .addresses import Links
from .compare import NO_MARKS, Comparaison, MarquesHeures
from .model import REPERTOIRES, BaseCompetence, ItemDetaille, Referentiel, SavoirFaire

_SAFE_URL = re.compile(r"^(?:https?:|mailto:|[^:]*$)", re.IGNORECASE)
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_MD_SPECIALS = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>^=:&\"']")


def text_filter(value: Any) -> Markup:
    """Escape a YAML text for HTML, with French spacing."""
    return escape(french.typography(str(value)))


def heading_filter(value: Any) -> Markup:
    """Escape a YAML text for a Markdown heading: every HTML or Markdown sign becomes a character reference."""
    raw = value.unescape() if isinstance(value, Markup) else french.typography(str(value))
    return Markup("".join(f"&#{ord(ch)};" if _MD_SPECIALS.match(ch) else ch for ch in raw))


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


def markdown_converter(*extensions: markdown_lib.Extension) -> markdown_lib.Markdown:
    """The Markdown of the référentiel's fields (raw HTML off, unsafe links dropped, sane lists), plus
    ``extensions`` (guide_cqp.links adds one that lists links, to check them as the pages will show them)."""
    return markdown_lib.Markdown(extensions=[_NoRawHtml(), "sane_lists", *extensions], output_format="html")


@cache
def _markdown() -> markdown_lib.Markdown:
    """One converter per process, reset before each field: setting up its processors costs more than a conversion."""
    return markdown_converter()


def markdown_filter(value: str | None, referentiel: Referentiel | None = None) -> Markup:
    """Render a Markdown field of the référentiel to safe HTML."""
    if not value:
        return Markup("")
    text = french.typography(value)
    if referentiel:  # the CQP's title and instance are text everywhere: in Markdown, their signs stay signs
        text = referentiel.libelle(text, insert=lambda inserted: str(heading_filter(inserted)))
    html = _markdown().reset().convert(text)
    return Markup(html.replace("\n\n", "\n"))


@cache
def environment(overrides: Path | None = None) -> Environment:
    """The template environment, built once per process and templates folder."""
    package = PackageLoader("guide_cqp", "templates")
    loader = ChoiceLoader([FileSystemLoader(str(overrides)), package]) if overrides else package
    env = Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        comment_start_string="{##",  # "{#id}" is Markdown's attribute syntax in page templates
        comment_end_string="##}",
        bytecode_cache=bytecode_cache(),
    )
    env.filters.update(
        text=text_filter,
        heading=heading_filter,
        hours=french.hours,
        hour=french.hour,
        number=french.number,
        date_fr=french.date,
        slug=addresses.slug,
        left_out=french.hours_left_out,
        first_upper=lambda text: text[:1].upper() + text[1:],
    )
    env.globals.update(
        anchor_sheet=addresses.competence_sheet,
        anchor_module=addresses.module,
        anchor_bloc=addresses.bloc,
        field=addresses.form_field,
        bloc_title=addresses.bloc_title,
        certification_record=addresses.certification_record,
        repertoires=REPERTOIRES,
        anchor_change=addresses.change,
        sans_marques=NO_MARKS,
        change_summary=compare_output.summary,
        change_list=compare_output.list_heading,
        competences_named=compare_output.competences_named,
    )
    env.tests["detailed"] = lambda item: isinstance(item, ItemDetaille)
    env.tests["with_criteria"] = lambda item: isinstance(item, SavoirFaire)
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


def bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds, as Python keeps .pyc files: ours, and the theme's (plugin.on_env).

    Compiling the templates is a large part of a `mkdocs build`; Jinja
    checks each cached entry against its template's source and its own and Python's versions.
    The cache lives in the user's cache folder (XDG_CACHE_HOME, else ~/.cache); CQP_CACHE=0 turns it off.
    A cached file is code that runs during the build: the cache is used only in folders that the
    current user alone owns and can write (see private_folder).
    """
    directory = cache_folder("jinja")
    return _QuietBytecodeCache(str(directory)) if directory else None


def cache_folder(name: str) -> Path | None:
    """A folder of the build's cache (XDG_CACHE_HOME, else ~/.cache, then guide-cqp/<name>), or None when
    CQP_CACHE=0 turns the cache off or the folder is not the current user's alone (see private_folder)."""
    if os.environ.get("CQP_CACHE", "").strip() == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return private_folder(Path(base) / "guide-cqp" / name)


def private_folder(directory: Path) -> Path | None:
    """``directory`` and its parent made if missing (mode 0700), or None unless both are the current user's alone.

    A folder another user owns or can write may hold planted files; a symbolic link may lead anywhere.
    """
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # no owners to check (Windows): no cache
        return None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (directory.parent, directory):
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != getuid() or info.st_mode & 0o022:
                return None
        if directory.lstat().st_mode & 0o077:
            return None
    except OSError:
        return None
    return directory


class Views:
    """The views of a référentiel, from the package's templates or a site's overrides of them."""

    def __init__(self, overrides: Path | None = None) -> None:
        self.env = environment(overrides.resolve() if overrides and overrides.is_dir() else None)

    def render(self, template: str, referentiel: Referentiel, **context: Any) -> str:
        md = lambda value: markdown_filter(value, referentiel)  # noqa: E731 (a filter bound to this référentiel)
        label = lambda value: text_filter(referentiel.libelle(value))  # noqa: E731
        return self.env.get_template(template).render(
            ref=referentiel,
            labels=referentiel.livret,
            md=md,
            label=label,
            version=version_label(referentiel),
            **context,
        )

    def overview(
        self, referentiel: Referentiel, links: Links, marques: MarquesHeures = NO_MARKS, avant: Referentiel | None = None
    ) -> str:
        """The CQP's overview; with its previous version (``avant``), a link to what changed and the hours marked."""
        return self.render("overview.md.j2", referentiel, links=links, marques=marques, avant=avant)

    def changes(self, referentiel: Referentiel, comparaison: Comparaison, marques: MarquesHeures, links: Links) -> str:
        """The page « Ce qui change dans la version … »."""
        return self.render("changements.md.j2", referentiel, c=comparaison, marques=marques, links=links)

    def competence(self, referentiel: Referentiel, competence: BaseCompetence, links: Links) -> str:
        return self.render("competence.md.j2", referentiel, c=competence, links=links)

    def livret(self, referentiel: Referentiel, links: Links | None, *, for_pdf: bool = False) -> str:
        return self.render("livret.html.j2", referentiel, links=links, for_pdf=for_pdf)

    def livret_document(self, referentiel: Referentiel, css: str) -> str:
        """The standalone HTML document that WeasyPrint turns into the PDF."""
        return self.render("livret_document.html.j2", referentiel, css=Markup(css), links=None, for_pdf=True)

    def errors(self, problemes: Any, fichier: str) -> str:
        """The page shown instead of every page while `mkdocs serve` has an invalid référentiel."""
        return self.env.get_template("erreurs.html.j2").render(problemes=problemes, fichier=fichier)

    def site_fragment(self, name: str, **context: Any) -> str:
        """A small view about the site's CQPs rather than one référentiel (catalogue, list of CQPs)."""
        return self.env.get_template(f"fragments/{name}.html.j2").render(**context)

    def fragment(self, name: str, referentiel: Referentiel, **context: Any) -> str:
        """A small view for hand-written pages (macros): competence list, hours table, activities…"""
        return self.render(f"fragments/{name}.html.j2", referentiel, **context)


def version_label(referentiel: Referentiel) -> str:
    """« version 2009-05 du 7 mai 2009 (Document de travail) », shown on every page."""
    version = referentiel.version
    return french.version_label(version.numero, version.date, version.statut)
