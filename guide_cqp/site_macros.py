"""The mkdocs-macros half of the MkDocs glue: the generated pages' macros and the page authors' macros.

Kept apart from ``site`` (paths, build state, hooks) so each file reads on its own: the hooks decide which
pages exist, these macros fill them by calling the renderers. This module imports from ``site`` (référentiel
cache, page URIs, build state), never the other way round: no import cycle, and the hooks load without it.

mkdocs.yml wires it through the macros plugin's ``module_name: macros/main`` (``define_env``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn

from markupsafe import Markup
from mkdocs.structure.pages import Page

from . import render
from .model import Competence, Referentiel, _list_fr
from .site import _state, competence_uri, current_referentiel, livret_uri, log, overview_uri, pdf_uri

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

    _define_author_macros(env, ref, links)

    # « Rédiger le référentiel » (docs/rediger-le-referentiel.md): every key, from the JSON Schema.
    @env.macro
    def reference_referentiel() -> str:
        """Toutes les clés du référentiel (sens, type, exemple), tirées du schéma JSON ; seule sur sa ligne."""
        from .schema import reference

        return "\n\n" + render.render_fragment("reference_format", ref(), blocs=reference()).strip() + "\n\n"


# --- macros for page authors (documented in docs/macros.md) -------------------------------

_INFOS_CQP = ("intitule", "code", "branche", "instance", "version", "date", "statut", "libelle_version")
_SECTIONS_COMPETENCE = ("savoir-faire", "contenu", "activites", "criteres", "fiche")
_PARTIES_LIVRET = ("couverture", "parcours", "preconise")


_INLINE_SPECIALS = re.compile(r"[\\`*_{}\[\]<>&|~^!#]|:(?=\w)")
_LINE_MARKER = re.compile(r"^(\s*)([-+>=]|\d+[.)](?=\s|$))")


def _inline_text(value: Any) -> Markup:
    """A YAML text safe inside a Markdown paragraph or heading, yet plain in the HTML where it can be.

    HTML signs and the Markdown signs that act inside a line (emphasis, links, code, attributes, emoji)
    become character references; a list or quote marker only at the start, so « 2009-05 » stays as is.
    """
    text = render.french_typography(str(value))
    marker = _LINE_MARKER.match(text)
    head = ""
    if marker:
        sign = marker.group(2)
        head = marker.group(1) + sign[:-1] + f"&#{ord(sign[-1])};"
        text = text[marker.end() :]
    return Markup(head + _INLINE_SPECIALS.sub(lambda m: f"&#{ord(m.group()[0])};", text))


class MacroInvalide(ValueError):
    """A hand-written page called a macro with a wrong argument: the message names the page and what is valid."""


def _clean_macro_errors() -> None:
    """mkdocs-macros prints any exception with its traceback; ours are for page authors: the message is enough.

    With ``on_error_fail: true`` the plugin then stops the build (exit code 100).
    """
    try:
        from mkdocs_macros.errors import format_error
    except ImportError:  # older mkdocs-macros: the message still shows, after a traceback
        return

    def report(error: MacroInvalide, markdown: str, page: Page) -> str:
        log.error(str(error))  # at error level: still shown by `mkdocs build -q`
        return f"Construction interrompue\u00a0: erreur de macro dans la page {page.file.src_uri} (voir ci-dessus)."

    format_error.register(MacroInvalide, report)


def _define_author_macros(env: Any, ref: Callable[[], Referentiel], links: Callable[[], render.Links]) -> None:
    """French macros that quote the référentiel in any Markdown page, so a new YAML version updates the page.

    Inline macros (texts, links) are safe inside a Markdown paragraph; block macros (lists, tables) go
    on a line of their own.
    """
    _clean_macro_errors()

    def fail(call: str, problem: str, valid: list[str], what: str = "Valeurs possibles") -> NoReturn:
        raise MacroInvalide(f"Page {env.page.file.src_uri}\u00a0: {call} — {problem}. {what}\u00a0: {_list_fr(valid)}.")

    def one(call: str, numero: Any) -> Competence:
        """The competence ``numero`` (a whole number, or its text) of the référentiel."""
        r = ref()
        numeros = [str(c.numero) for c in r.competences_triees()]
        text = str(numero).strip()
        if not isinstance(numero, bool) and text.isdigit() and int(text) in {c.numero for c in r.competences}:
            return r.competence(int(text))
        problem = f"il n'y a pas de compétence « {numero} » dans le référentiel « {r.cqp.code} »"
        fail(call, problem, numeros, "Numéros de compétence valides")

    def some(call: str, numero: Any) -> list[Competence]:
        """One competence, or all of them when no number is given."""
        return ref().competences_triees() if numero is None else [one(call, numero)]

    def choice(call: str, value: Any, valid: tuple[str, ...]) -> str:
        if value not in valid:
            fail(call, f"« {value} » n'est pas reconnu", [f"« {v} »" for v in valid])
        return str(value)

    def inline(name: str, **context: Any) -> str:
        return render.render_fragment(name, ref(), **context).strip()

    def block(name: str, **context: Any) -> str:
        """Blank lines around: Markdown then takes the HTML as a block, even right after a paragraph."""
        return "\n\n" + render.render_fragment(name, ref(), links=links(), **context).strip() + "\n\n"

    def link(href: str, texte: str, classe: str, telecharger: bool = False) -> str:
        return inline("lien", href=href, texte=_inline_text(texte), classe=classe, telecharger=telecharger)

    @env.macro
    def cqp(info: str = "intitule") -> str:
        """Une information sur le CQP, en texte : intitule, code, branche, instance, version, date, statut, libelle_version."""
        r = ref()
        choice(f"cqp({info!r})", info, _INFOS_CQP)
        values = {
            "intitule": r.cqp.intitule,
            "code": r.cqp.code,
            "branche": r.cqp.branche or "",
            "instance": r.cqp.instance or "",
            "version": r.version.numero,
            "date": render.french_date(r.version.date),
            "statut": r.version.statut or "",
            "libelle_version": render.version_label(r),
        }
        return inline("texte", valeur=_inline_text(values[info]))

    @env.macro
    def nombre_competences() -> str:
        """Le nombre de compétences du CQP."""
        return inline("texte", valeur=_inline_text(len(ref().competences)))

    @env.macro
    def heures(numero: Any = None) -> str:
        """Le volume horaire préconisé d'une compétence (« 7 à 35 h »), ou du parcours complet sans numéro."""
        total = ref().total_heures if numero is None else one(f"heures({numero!r})", numero).total_heures
        return inline("texte", valeur=_inline_text(render.hours(total)))

    @env.macro
    def lien_competence(numero: Any, texte: str | None = None, section: str | None = None) -> str:
        """Un lien vers la page d'une compétence, ou vers une de ses sections."""
        c = one(f"lien_competence({numero!r})", numero)
        href = links().competence(c.numero)
        if section is not None:
            choice(f"lien_competence({numero!r}, section={section!r})", section, _SECTIONS_COMPETENCE)
            if section != "criteres" or c.criteres_evaluation:
                href += f"#{section}"
        return link(href, texte or f"Compétence {c.numero} · {c.intitule}", "cqp-lien-competence")

    @env.macro
    def lien_referentiel(texte: str | None = None) -> str:
        """Un lien vers la vue d'ensemble du référentiel."""
        return link(links().overview, texte or "Vue d'ensemble du référentiel", "cqp-lien-referentiel")

    @env.macro
    def lien_livret(partie: Any = None, texte: str | None = None) -> str:
        """Un lien vers le livret de suivi, vers une de ses parties ou vers la fiche d'une compétence."""
        r = ref()
        href = links().livret
        default = r.libelle(r.livret.titre)
        if isinstance(partie, int) and not isinstance(partie, bool):
            c = one(f"lien_livret({partie!r})", partie)
            href, default = f"{href}#competence-{c.numero}", f"fiche de la compétence {c.numero} du livret"
        elif partie is not None:
            choice(f"lien_livret({partie!r})", partie, (*_PARTIES_LIVRET, "un numéro de compétence"))
            href += f"#{partie}"
            default = {
                "couverture": "couverture du livret",
                "parcours": "fiche de synthèse du parcours individualisé",
                "preconise": r.libelle(r.livret.preconise_titre),
            }[partie]
        return link(href, texte or default, "cqp-lien-livret")

    @env.macro
    def lien_pdf(texte: str | None = None) -> str:
        """Un lien de téléchargement du livret PDF ; rien quand le PDF n'est pas construit (mkdocs serve)."""
        pdf = links().pdf
        return link(pdf, texte or "Télécharger le livret (PDF)", "cqp-lien-pdf", telecharger=True) if pdf else ""

    @env.macro
    def liste_competences(heures: bool = True, vers: str = "page") -> str:
        """Les compétences, en liste de liens vers leurs pages (vers="page") ou leurs fiches du livret (vers="livret")."""
        choice(f"liste_competences(vers={vers!r})", vers, ("page", "livret"))
        return block("liste_competences", heures=heures, vers_livret=vers == "livret")

    @env.macro
    def tableau_heures() -> str:
        """Le tableau des volumes horaires préconisés, module par module, avec sa note."""
        return block("tableau_heures")

    def part(call: str, numero: Any, rubrique: str, anchor: str) -> str:
        competences = some(call, numero)
        return block("rubrique", rubrique=rubrique, competences=competences, ancre=f"#{anchor}")

    @env.macro
    def savoir_faire(numero: Any = None) -> str:
        """Ce que le candidat doit savoir faire : une compétence, ou chacune dans un bloc dépliable."""
        return part(f"savoir_faire({numero!r})", numero, "savoir_faire", "savoir-faire")

    @env.macro
    def activites(numero: Any = None) -> str:
        """Les activités à proposer en entreprise : une compétence, ou chacune dans un bloc dépliable."""
        return part(f"activites({numero!r})", numero, "activites", "activites")

    @env.macro
    def criteres(numero: Any = None) -> str:
        """Les critères d'évaluation (ou un renvoi aux savoir-faire quand il n'y en a pas)."""
        return part(f"criteres({numero!r})", numero, "criteres", "criteres")

    @env.macro
    def contenu_formation(numero: Any = None) -> str:
        """Le contenu indicatif de la formation, module par module."""
        return part(f"contenu_formation({numero!r})", numero, "contenu", "contenu")
