"""MkDocs glue: the hook adds the référentiel's pages, the macros call the renderers.

No business logic here: what a page shows is decided by ``render``, what a
référentiel is by ``model``. This module only knows MkDocs: file names, URLs,
navigation, configuration and when to build the PDF.

mkdocs.yml wires it twice: ``hooks: [macros/hooks.py]`` (pages, nav, PDF) and
the macros plugin's ``module_name: macros/main`` (``define_env``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import render
from .errors import ReferentielInvalide
from .model import Referentiel
from .validate import load_referentiel

log = logging.getLogger("mkdocs.plugins.guide_cqp")

ASSETS = Path(__file__).parent / "assets"
CSS_URI = "assets/guide-cqp/cqp.css"
NAV_MARKER = "referentiel"  # nav entry « - Référentiel: referentiel » marks where the pages go


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
    config.watch.append(str(referentiel_path(config)))
    if CSS_URI not in config.extra_css:
        config.extra_css.append(CSS_URI)
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
    for uri, content in _page_sources(ref).items():
        files.append(File.generated(config, uri, content=content))
    files.append(File.generated(config, CSS_URI, abs_src_path=str(ASSETS / "cqp.css")))
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
    section = [{_e("Vue d'ensemble"): overview_uri(ref)}]
    for c in ref.competences_triees():
        section.append({_e(f"{c.numero}. {c.intitule}"): competence_uri(ref, c.numero)})
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


def _e(text: str) -> str:
    return str(render.text_filter(text))


# --- macros ------------------------------------------------------------------------------


def define_env(env: Any) -> None:
    """Macros for generated pages and for hand-written pages of the guide."""

    def ref() -> Referentiel:
        return current_referentiel(env.conf)

    def links() -> render.Links:
        page: Page = env.page
        files = _state.files
        r = ref()

        def url(uri: str) -> str:
            target = files.get_file_from_path(uri) if files else None
            if target is None:
                raise ValueError(f"page introuvable : {uri}")
            return target.url_relative_to(page.file)

        return render.Links(
            overview=url(overview_uri(r)),
            competence=lambda n: url(competence_uri(r, n)),
            livret=url(livret_uri(r)),
            pdf=url(pdf_uri(r)) if _state.pdf_built else None,
        )

    def competence(numero: Any) -> Any:
        r = ref()
        try:
            return r.competence(int(numero))
        except (KeyError, ValueError, TypeError):
            numeros = ", ".join(str(c.numero) for c in r.competences_triees())
            raise ValueError(
                f"compétence « {numero} » inconnue dans {env.page.file.src_uri} (compétences : {numeros})"
            ) from None

    @env.macro
    def cqp_page_apercu() -> str:
        return render.render_overview(ref(), links())

    @env.macro
    def cqp_page_competence(numero: int) -> str:
        return render.render_competence(ref(), competence(numero), links())

    @env.macro
    def cqp_page_livret() -> str:
        return render.render_livret(ref(), links())
