"""The MkDocs plugin ``guide-cqp``: the only glue between MkDocs and the generator.

mkdocs.yml lists it with its options::

    plugins:
      - search
      - guide-cqp:
          referentiel: referentiel.yaml   # overridden by $CQP_REFERENTIEL
          pdf: true                       # overridden by $CQP_PDF; default: built by `mkdocs build`, not by `serve`
      - macros:
          modules: [guide_cqp.macros]

It validates the référentiels before anything is written, adds their pages (guide_cqp.pages) in memory,
renders those pages itself (they never go through mkdocs-macros' template engine), builds the PDF, and turns
the links of our raw HTML (written relative to each page's ``.md`` source, guide_cqp.addresses) into URLs.
What a page shows is decided by the views (render), what a référentiel is by the model; addresses by
guide_cqp.addresses. Its state lives on the instance, which MkDocs keeps across `mkdocs serve` rebuilds.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import addresses, french, render, search, settings, theme
from .catalogue import Catalogue, load_catalogue
from .errors import ReferentielInvalide
from .export import export_json
from .macros import Macros
from .model import Referentiel
from .pages import GeneratedPage, generated_pages

log = logging.getLogger("mkdocs.plugins.guide_cqp")

ASSETS = Path(__file__).parent / "assets"
# Stylesheets, in order: the référentiel's pages and livret, then the palette/contrast/focus fixes of the theme.
CSS_URIS = {"assets/guide-cqp/cqp.css": "cqp.css", "assets/guide-cqp/theme.css": "theme.css"}
# Scripts: the livret page keeps what is typed (does nothing on other pages).
JS_URIS = {"assets/guide-cqp/livret.js": "livret.js"}
# Scripts of a site of several CQPs: the catalogue's filter (macro catalogue()).
SITE_SCRIPTS = {"assets/guide-cqp/catalogue.js": "catalogue.js"}
OVERRIDES = Path(__file__).parent / "overrides"
_RAW_LINK = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"]*)"')


class GuideCqpConfig(base.Config):
    """The plugin's options in mkdocs.yml."""

    referentiel = c.Type(str, default=settings.DEFAULT_REFERENTIEL)
    pdf = c.Optional(c.Type(bool))
    gabarits = c.Type(str, default=settings.TEMPLATES_FOLDER)


class GuideCqpPlugin(BasePlugin[GuideCqpConfig]):
    """Pages, navigation, PDF and links of the guide of one or several CQPs."""

    def __init__(self) -> None:
        self.command = "build"
        self.catalogue: Catalogue | None = None
        self.problems: ReferentielInvalide | None = None  # under `serve`, shown on every page instead of aborting
        self.views = render.Views()
        self.pages: dict[str, GeneratedPage] = {}
        self.last_pages: list[GeneratedPage] = []  # of the last valid référentiel: under `serve`, they show the errors
        self.source: settings.Source | None = None
        self.macros: Macros | None = None  # what guide_cqp.macros.define_env registers (None while invalid)
        self.current_page = "index.md"  # the source of the page being rendered, for the macros' links

    # --- events ---------------------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Also makes MkDocs keep this instance across `mkdocs serve` rebuilds."""
        self.command = command

    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Validate the référentiels first: a bad file stops the build before anything is written."""
        _quiet_macros_chatter()
        folder = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.source = settings.referentiel_source(self.config.referentiel, folder)
        self.views = render.Views(settings.templates_folder(self.config.gabarits, folder))
        self.catalogue, self.problems, self.macros = None, None, None
        try:
            self.catalogue = load_catalogue(self.source.path)
            self.macros = Macros(self.catalogue, page=lambda: self.current_page, views=self.views)
            for avertissement in self.catalogue.avertissements:  # INFO: a strict build must still publish
                log.info(f"Avertissement\u00a0: {avertissement}")
        except ReferentielInvalide as exc:
            if self.command != "serve":
                for line in exc.rapport().splitlines():
                    log.error(line)
                raise Abort("Construction interrompue\u00a0: corrigez le référentiel (voir ci-dessus).") from None
            self.problems = exc
            _tell_serve_errors(exc)
            config.extra["cqp_erreurs"] = self.views.errors(exc, str(self.source.path))
        _add_theme_overrides(config)
        # Under `serve`: the référentiel, wherever it is, and this package (templates, styles) for its developers.
        config.watch += [str(self.source.path), str(Path(__file__).parent)]
        if self.catalogue is not None:  # and the previous versions they compare with
            config.watch += [str(path) for path in self.catalogue.fichiers_precedents.values()]
        for css_uri in CSS_URIS:
            if css_uri not in config.extra_css:
                config.extra_css.append(css_uri)
        for js_uri in JS_URIS:
            if js_uri not in map(str, config.extra_javascript):
                config.extra_javascript.append(js_uri)
        if self.catalogue is None:
            config.nav = _without_marker(config.nav)
            return config
        single = self.catalogue.single
        with_changes = set(self.catalogue.precedentes)  # codes of the CQPs that name their previous version
        if single is not None:
            config.extra["cqp_version"] = version_banner(single)
            section = addresses.nav_section(single, _nav_title, single.cqp.code in with_changes)
        else:  # each CQP's pages name their own (_render_own_pages); the shared pages, the site's count
            config.extra["cqp_catalogue"] = {"nombre": len(self.catalogue)}
            section = addresses.catalogue_nav(self.catalogue, _nav_title, with_changes)
            for script in SITE_SCRIPTS:
                if script not in map(str, config.extra_javascript):
                    config.extra_javascript.append(script)
        title = addresses.NAV_TITLE if single is not None else addresses.NAV_TITLE_CATALOGUE
        config.nav = addresses.place_section(config.nav, section, _nav_title(title))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add the référentiels' pages (and the PDF) in memory: nothing is written into docs/."""
        several = self.catalogue is not None and self.catalogue.single is None
        for uri, name in {**CSS_URIS, **JS_URIS, **(SITE_SCRIPTS if several else {})}.items():
            files.append(File.generated(config, uri, abs_src_path=str(ASSETS / name)))
        search.add_accent_folding(files, config)
        self.pages = {}
        if self.catalogue is None or self.macros is None:
            for page in self.last_pages:  # the reader's page stays at its address, with the errors
                if files.get_file_from_path(page.src_uri) is None:
                    files.append(File.generated(config, page.src_uri, content=""))
            return files
        taken = {f.dest_uri: f for f in files}
        for page in generated_pages(self.catalogue):
            generated = File.generated(config, page.src_uri, content=page.source)
            written = taken.get(generated.dest_uri)
            if written is not None and _same_page(written, page):
                files.remove(written)  # left by `cqp generer`: the same macro call, now ours to render
            elif written is not None:
                log.error(
                    f"Le code du CQP « {page.code} » produirait la page {generated.url}, déjà occupée par "
                    f"docs/{written.src_uri}\u00a0: choisissez un autre code (cqp.code dans le référentiel)."
                )
                raise Abort("Construction interrompue\u00a0: conflit entre le code du CQP et une page existante.")
            files.append(generated)
            self.pages[page.src_uri] = page
        self.last_pages = list(self.pages.values())
        for ref in self.catalogue:
            _add_export(files, config, ref)
        if settings.pdf_wanted(self.config.pdf, self.command):
            self.macros.pdf_built = self._add_pdfs(files, config)
        return files

    def _add_pdfs(self, files: Files, config: MkDocsConfig) -> bool:
        from .pdf import PdfIndisponible, build_pdf  # WeasyPrint is slow to import: only when needed

        assert self.catalogue is not None
        try:
            for ref in self.catalogue:
                files.append(File.generated(config, addresses.pdf(ref.cqp.code), content=build_pdf(ref, self.views)))
        except PdfIndisponible as exc:
            log.error(str(exc))
            raise Abort("Construction interrompue\u00a0: le livret PDF n'a pas pu être créé.") from None
        return True

    @event_priority(100)
    def _render_own_pages(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Our pages' content, rendered here; mkdocs-macros is told to leave them (and, on errors, every page) alone."""
        self.current_page = page.file.src_uri
        if self.problems is not None:
            page.meta["render_macros"] = False
            return self.views.errors(self.problems, str(self.source.path) if self.source else "")
        generated = self.pages.get(page.file.src_uri)
        if generated is None or self.macros is None:
            return markdown
        page.meta["render_macros"] = False
        ref = self.macros.referentiel(generated.macro, generated.code)
        if self.catalogue is not None and self.catalogue.single is None:
            page.meta["cqp_version"] = version_banner(ref)  # the banner names this page's CQP (overrides/main.html)
            page.meta["tags"] = [f"CQP {ref.cqp.intitule}"]  # each search result says which CQP it is about
        return getattr(self.macros, generated.macro)(*generated.args, cqp=generated.code)

    @event_priority(-100)
    def _links_to_urls(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Links of raw HTML point to Markdown sources and files (guide_cqp.addresses): make them URLs.

        MkDocs does this for Markdown links only; after mkdocs-macros, the raw HTML of the views and
        of the authors' macros is still in the page's text.
        """
        return _RAW_LINK.sub(lambda m: _url_of(m, page, files), markdown)

    on_page_markdown = CombinedEvent(_render_own_pages, _links_to_urls)

    def on_page_content(self, content: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """The table of contents keeps the headings' French spaces (see keep_french_spaces)."""
        keep_french_spaces(page.toc)
        return content

    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """After Material's search has written its index: the CQP tags of the pages are shown, not searched."""
        if self.catalogue is not None and self.catalogue.single is None and search.search_enabled(config):
            search.show_tags_without_searching_them(Path(config.site_dir))

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """The theme's templates compiled once and kept between builds, as ours are (render.bytecode_cache)."""
        if env.bytecode_cache is None:
            env.bytecode_cache = render.bytecode_cache()
        return env

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Material's own markup made valid and named for screen readers (guide_cqp/theme.py)."""
        return theme.fix_material_markup(output)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        """The same fixes for the pages rendered from a theme template alone (404.html)."""
        return theme.fix_material_markup(output_content) if template_name.endswith(".html") else output_content


def keep_french_spaces(toc: Any) -> None:
    """Python-Markdown's toc joins a heading's words with plain spaces (str.split also splits at U+00A0 and
    U+202F): the table of contents, on the side or in a phone's menu, could break « entreprise / ? ». Each
    title (HTML text, entities included) gets its non-breaking spaces back, from french.typography."""
    for item in toc or ():
        item.title = html.escape(french.typography(html.unescape(item.title)), quote=False)
        keep_french_spaces(item.children)


def version_banner(ref: Referentiel) -> dict[str, str]:
    """What the banner of a CQP's pages says (overrides/main.html): the CQP and its référentiel's version."""
    return {"intitule": ref.cqp.intitule, "libelle": render.version_label(ref), "numero": ref.version.numero}


def _add_export(files: Files, config: MkDocsConfig, ref: Referentiel) -> None:
    """<code>/referentiel.json, the bytes of `cqp exporter --format json`: anyone can compare published versions.

    A file of the docs folder at that place is the one `cqp generer` wrote: replaced when it is the same, a
    conflict otherwise (as for the pages).
    """
    content = export_json(ref)
    uri = addresses.export(ref.cqp.code)
    written = files.get_file_from_path(uri)
    if written is not None:
        try:
            same = written.content_string == content
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            log.error(
                f"docs/{uri} n'est pas l'export du référentiel « {ref.cqp.code} », que la construction publie "
                "à cette adresse : supprimez ce fichier (ou relancez « cqp generer »)."
            )
            raise Abort("Construction interrompue : un fichier de docs/ occupe l'adresse de l'export JSON.")
        files.remove(written)
    files.append(File.generated(config, uri, content=content))


def _same_page(file: File, page: GeneratedPage) -> bool:
    """A docs file that `cqp generer` wrote for this very page."""
    try:
        return file.src_uri == page.src_uri and file.content_string == page.source
    except (OSError, UnicodeDecodeError):
        return False


def _url_of(match: re.Match[str], page: Page, files: Files) -> str:
    """One raw-HTML link, as a URL when it names a file of the site relative to the page's source."""
    url = match.group("url")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return match.group(0)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), parts.path))
    file = files.get_file_from_path(target)
    if file is None:
        if parts.path.endswith(".md"):
            log.warning(f"Page {page.file.src_uri}\u00a0: lien vers « {url} », une page qui n'existe pas.")
        return match.group(0)
    new = file.url_relative_to(page.file) + (f"#{parts.fragment}" if parts.fragment else "")
    return f'{match.group("attr")}="{new}"'


def _nav_title(text: str) -> str:
    """Escape a nav title: HTML for the theme, and braces because mkdocs-macros renders page titles."""
    return str(render.text_filter(text)).replace("{", "&#123;").replace("}", "&#125;")


def _without_marker(nav: list[Any] | None) -> list[Any] | None:
    """The nav without the référentiel's place, while there are no référentiel pages (serve with errors)."""
    if nav is None:
        return None
    return [
        item
        for item in nav
        if item != addresses.NAV_MARKER and not (isinstance(item, dict) and list(item.values()) == [addresses.NAV_MARKER])
    ]


def _add_theme_overrides(config: MkDocsConfig) -> None:
    """Our template overrides, below the site's own custom_dir and above Material's templates."""
    ours = str(OVERRIDES)
    dirs = config.theme.dirs
    if ours not in dirs:
        material = next((i for i, d in enumerate(dirs) if Path(d).parts[-2:] == ("material", "templates")), 0)
        dirs.insert(material, ours)


def _tell_serve_errors(problems: ReferentielInvalide) -> None:
    """The French report in the terminal, outside MkDocs' warning count: under `serve`, with a strict
    configuration, a counted error would stop the build, and the browser would wait for nothing."""
    for line in problems.rapport().splitlines():
        print(f"ERREUR  -  {line}", file=sys.stderr)
    print("ERREUR  -  Le site affiche ces erreurs sur chaque page jusqu'à la correction du fichier.", file=sys.stderr)


def _quiet_macros_chatter() -> None:
    """mkdocs-macros reports at INFO level what it loaded; the staff read only what concerns them (-v shows it)."""
    if logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)
