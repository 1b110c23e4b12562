"""MkDocs glue: the hook adds the référentiel's pages; the macros (``site_macros``) call the renderers.

No business logic here: what a page shows is decided by ``render``, what a
référentiel is by ``model``. This module only knows MkDocs: file names, URLs,
navigation, configuration and when to build the PDF. It also holds what the
macros share with the hooks (the référentiel cache, page URIs, the build state),
so ``site_macros`` imports from here and this module never imports it.

mkdocs.yml wires it through ``hooks: [macros/hooks.py]`` (pages, nav, PDF); the
macros plugin's ``module_name: macros/main`` loads ``site_macros.define_env``.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import render, search, theme
from .errors import ReferentielInvalide
from .model import Referentiel
from .validate import load_referentiel

log = logging.getLogger("mkdocs.plugins.guide_cqp")

ASSETS = Path(__file__).parent / "assets"
# Stylesheets, in order: the référentiel's pages and livret, then the palette/contrast/focus fixes of the theme.
CSS_URIS = {"assets/guide-cqp/cqp.css": "cqp.css", "assets/guide-cqp/theme.css": "theme.css"}
NAV_MARKER = "referentiel"  # nav entry « - Référentiel: referentiel » marks where the pages go
NAV_FLAT_MAX = 20  # up to this many competences the nav lists them all; beyond, in groups (_competence_entries)


@dataclass
class _State:
    """What one build learns once and every page reuses."""

    command: str = "build"
    cache: dict[Path, tuple[tuple[int, int], Referentiel]] = field(default_factory=dict)
    files: Files | None = None
    pdf_built: bool = False


_state = _State()


# --- where things are -------------------------------------------------------------------


def referentiel_path(config: MkDocsConfig) -> Path:
    """extra.referentiel of mkdocs.yml (itself ``!ENV [CQP_REFERENTIEL, …]``), relative to mkdocs.yml."""
    value = config.extra.get("referentiel") or "referentiel.yaml"
    base = Path(config.config_file_path or ".").parent
    return (base / str(value)).resolve()


def current_referentiel(config: MkDocsConfig) -> Referentiel:
    """The validated référentiel, read again only when the file changed (serve rebuilds)."""
    path = referentiel_path(config)
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (0, 0)
    cached = _state.cache.get(path)
    if cached and cached[0] == key:
        return cached[1]
    referentiel = load_referentiel(path)
    _state.cache[path] = (key, referentiel)
    return referentiel


def overview_uri(ref: Referentiel) -> str:
    return f"{ref.cqp.code}/index.md"


def competence_uri(ref: Referentiel, numero: int) -> str:
    return f"{ref.cqp.code}/competence-{numero}.md"


def livret_uri(ref: Referentiel) -> str:
    return f"{ref.cqp.code}/livret.md"


def pdf_uri(ref: Referentiel) -> str:
    return f"{ref.cqp.code}/livret-{ref.cqp.code}.pdf"


def pdf_wanted() -> bool:
    """CQP_PDF=1 forces the PDF, CQP_PDF=0 skips it; by default only `mkdocs build` makes it."""
    value = os.environ.get("CQP_PDF", "").strip()
    if value in ("0", "1"):
        return value == "1"
    return _state.command != "serve"


# --- hooks -----------------------------------------------------------------------------


def on_startup(command: str, dirty: bool) -> None:
    _state.command = command


@event_priority(100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Validate the référentiel first: a bad file stops the build before anything is written."""
    ref = _referentiel_or_abort(config)
    _add_theme_overrides(config)
    config.watch.append(str(referentiel_path(config)))
    for css_uri in CSS_URIS:
        if css_uri not in config.extra_css:
            config.extra_css.append(css_uri)
    config.extra["cqp_version"] = {
        "intitule": ref.cqp.intitule,
        "libelle": render.version_label(ref),
        "numero": ref.version.numero,
    }
    config.nav = _nav_with_referentiel(config.nav, ref)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the référentiel's pages (and the PDF) in memory: nothing is written into docs/."""
    ref = _referentiel_or_abort(config)
    taken = {f.dest_uri: f.src_uri for f in files}
    for uri, content in _page_sources(ref).items():
        generated = File.generated(config, uri, content=content)
        if generated.dest_uri in taken:
            log.error(
                f"Le code du CQP « {ref.cqp.code} » produirait la page {generated.url}, déjà occupée par "
                f"docs/{taken[generated.dest_uri]}\u00a0: choisissez un autre code (cqp.code dans le référentiel)."
            )
            raise Abort("Construction interrompue\u00a0: conflit entre le code du CQP et une page existante.")
        files.append(generated)
    for css_uri, name in CSS_URIS.items():
        files.append(File.generated(config, css_uri, abs_src_path=str(ASSETS / name)))
    search.add_accent_folding(files, config)
    _state.pdf_built = pdf_wanted()
    if _state.pdf_built:
        from .pdf import PdfIndisponible, build_pdf  # WeasyPrint is slow to import: only when needed

        try:
            files.append(File.generated(config, pdf_uri(ref), content=build_pdf(ref)))
        except PdfIndisponible as exc:
            log.error(str(exc))
            raise Abort("Construction interrompue\u00a0: le livret PDF n'a pas pu être créé.") from None
    _state.files = files
    return files


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Material's own markup made valid and named for screen readers (guide_cqp/theme.py)."""
    return theme.fix_material_markup(output)


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """The same fixes for the pages rendered from a theme template alone (404.html)."""
    return theme.fix_material_markup(output_content) if template_name.endswith(".html") else output_content


def _add_theme_overrides(config: MkDocsConfig) -> None:
    """Our template overrides, below the site's own custom_dir and above Material's templates."""
    ours = str(Path(__file__).parent / "overrides")
    dirs = config.theme.dirs
    if ours not in dirs:
        material = next((i for i, d in enumerate(dirs) if Path(d).parts[-2:] == ("material", "templates")), 0)
        dirs.insert(material, ours)


def _referentiel_or_abort(config: MkDocsConfig) -> Referentiel:
    try:
        return current_referentiel(config)
    except ReferentielInvalide as exc:
        for line in exc.rapport().splitlines():
            log.error(line)
        raise Abort("Construction interrompue\u00a0: corrigez le référentiel (voir ci-dessus).") from None


def _page_sources(ref: Referentiel) -> dict[str, str]:
    """Each generated page is only a macro call: YAML text never enters a page's source."""
    sources = {overview_uri(ref): "{{ cqp_page_apercu() }}\n"}
    for c in ref.competences_triees():
        sources[competence_uri(ref, c.numero)] = f"{{{{ cqp_page_competence({c.numero}) }}}}\n"
    sources[livret_uri(ref)] = "---\nhide:\n  - toc\n---\n{{ cqp_page_livret() }}\n"
    return sources


def _nav_with_referentiel(nav: list[Any] | None, ref: Referentiel) -> list[Any] | None:
    """Put the référentiel's section where the nav says « referentiel » (or after the first entry).

    Titles are HTML-escaped: the theme inserts nav titles without escaping.
    """
    if nav is None:
        return None
    section = [{_e("Vue d'ensemble"): overview_uri(ref)}, *_competence_entries(ref)]
    section.append({_e(ref.libelle(ref.livret.titre)): livret_uri(ref)})
    entry = {_e("Le référentiel"): section}
    new_nav: list[Any] = []
    placed = False
    for item in nav:
        if isinstance(item, dict) and list(item.values()) == [NAV_MARKER]:
            new_nav.append({next(iter(item)): section})
            placed = True
        elif item == NAV_MARKER:
            new_nav.append(entry)
            placed = True
        else:
            new_nav.append(item)
    if not placed:
        new_nav.insert(min(1, len(new_nav)), entry)
    return new_nav


def _competence_entries(ref: Referentiel) -> list[dict[str, Any]]:
    """One nav entry per competence; past NAV_FLAT_MAX competences, groups of ten, twenty… (about √n).

    Material writes a top-level section's whole list into every page. With navigation.prune a
    closed group costs one link, so a branch-sized référentiel keeps small pages and a build time
    that grows with the number of pages, not with its square.
    """
    competences = ref.competences_triees()
    entries = [{_e(f"{c.numero}. {c.intitule}"): competence_uri(ref, c.numero)} for c in competences]
    if len(entries) <= NAV_FLAT_MAX:
        return entries
    size = max(10, int(round(math.sqrt(len(entries)), -1)))  # as many groups as entries in one: fewest links per page
    groups: list[dict[str, Any]] = []
    for start in range(0, len(entries), size):
        first, last = competences[start], competences[min(start + size, len(entries)) - 1]
        title = f"Compétences {first.numero} à {last.numero}" if last is not first else f"Compétence {first.numero}"
        groups.append({_e(title): entries[start : start + size]})
    return groups


def _e(text: str) -> str:
    """Escape a nav title: HTML for the theme, and braces because mkdocs-macros renders page titles."""
    return str(render.text_filter(text)).replace("{", "&#123;").replace("}", "&#125;")
