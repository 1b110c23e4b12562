"""The guide's macros: the generated pages' views and the French macros that quote the référentiel in any page.

``Macros`` is a plain class: each macro is a method that takes numbers and texts and returns Markdown or HTML,
and needs no MkDocs object, so the methods are tested directly and run under any engine that reads
mkdocs-macros' ``define_env`` (MkDocs, Zensical). ``define_env`` below registers them with mkdocs-macros
(mkdocs.yml: ``macros: modules: [guide_cqp.macros]``). Inline macros (texts, links) are safe inside a Markdown
paragraph; block macros (lists, tables) go on a line of their own.

Every link is written relative to the Markdown source of the page that calls the macro (guide_cqp.addresses).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from markupsafe import Markup

from . import addresses, french
from .addresses import Links
from .catalogue import Catalogue, load_catalogue, resume
from .compare import NO_MARKS, MarquesHeures, comparer, marques_heures
from .model import BaseCompetence, Referentiel
from .render import Views, cache_folder, version_label

# Pages of each CQP that liste_cqp(vers=…) links to; None leaves a CQP out (no hours table, no PDF built).
CQP_TARGETS: dict[str, Callable[[Referentiel, Links], str | None]] = {
    "apercu": lambda ref, links: links.overview,
    "competences": lambda ref, links: links.overview_part(addresses.OVERVIEW_COMPETENCES),
    "heures": lambda ref, links: links.overview_part(addresses.OVERVIEW_HOURS) if ref.total_heures is not None else None,
    "livret": lambda ref, links: links.livret,
    "parcours": lambda ref, links: links.livret_part("parcours"),
    "pdf": lambda ref, links: links.pdf,
}
INFOS_CQP = ("intitule", "code", "branche", "instance", "version", "date", "statut", "libelle_version")
COMPETENCE_PARTS = {
    "savoir_faire": "savoir-faire",
    "activites": "activites",
    "criteres": "criteres",
    "contenu": "contenu",
}  # rubrique → the section of the competence page it comes from

_INLINE_SPECIALS = re.compile(r"[\\`*_{}\[\]<>&|~^!#]|:(?=\w)")
_LINE_MARKER = re.compile(r"^(\s*)([-+>=]|\d+[.)](?=\s|$))")


def inline_text(value: Any) -> Markup:
    """A YAML text safe inside a Markdown paragraph or heading, yet plain in the HTML where it can be.

    HTML signs and the Markdown signs that act inside a line (emphasis, links, code, attributes, emoji)
    become character references; a list or quote marker only at the start, so « 2009-05 » stays as is.
    """
    text = french.typography(str(value))
    marker = _LINE_MARKER.match(text)
    head = ""
    if marker:
        sign = marker.group(2)
        head = marker.group(1) + sign[:-1] + f"&#{ord(sign[-1])};"
        text = text[marker.end() :]
    return Markup(head + _INLINE_SPECIALS.sub(lambda m: f"&#{ord(m.group()[0])};", text))


class MacroInvalide(ValueError):
    """A page called a macro wrongly: the message names the page, the call as written, and what is valid."""

    def __init__(self, page: str, call: str, detail: str) -> None:
        self.page, self.call, self.detail = page, call, detail
        super().__init__(f"Page {page}\u00a0: {call} — {detail}")


def written(name: str, *args: Any, **kwargs: Any) -> str:
    """The call as the page's author wrote it: « lien_competence(99, section='activites') »."""
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items() if v is not None]
    return f"{name}({', '.join(shown)})"


class Macros:
    """Every macro of the guide, for the référentiels of one site, from the page being rendered."""

    # Macros for hand-written pages, documented on docs/macros.md.
    AUTHOR_MACROS = (
        "cqp",
        "nombre_competences",
        "heures",
        "lien_competence",
        "lien_referentiel",
        "lien_livret",
        "lien_pdf",
        "liste_competences",
        "tableau_heures",
        "savoir_faire",
        "contenu_formation",
        "activites",
        "criteres",
        "nombre_cqp",
        "codes_cqp",
        "catalogue",
        "lien_catalogue",
        "liste_cqp",
        "evaluation",
    )
    # A macro whose method has another name (the attribute ``catalogue`` holds the site's référentiels).
    METHODS = {"catalogue": "cqp_catalogue"}
    # Macros that the generated pages (guide_cqp.pages) and « Rédiger le référentiel » call.
    PAGE_MACROS = (
        "cqp_page_apercu",
        "cqp_page_competence",
        "cqp_page_livret",
        "cqp_page_changements",
        "reference_referentiel",
    )

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        page: Callable[[], str] = lambda: "index.md",
        pdf_built: bool = False,
        views: Views | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.page = page  # the source path of the page being rendered, asked at each call
        self.pdf_built = pdf_built
        self.views = views or Views()

    # --- pieces shared by the macros ----------------------------------------------------------

    def fail(self, call: str, problem: str, valid: list[str], what: str = "Valeurs possibles") -> NoReturn:
        raise MacroInvalide(self.page(), call, f"{problem}. {what}\u00a0: {french.list_and(valid)}.")

    def referentiel(self, call: str, cqp: Any = None) -> Referentiel:
        """The CQP a macro is about: the one of the site, or the one ``cqp`` names on a site of several."""
        codes = [f"« {code} »" for code in self.catalogue.codes]
        if cqp is None:
            single = self.catalogue.single
            if single is None:
                problem = "ce site publie plusieurs CQP\u00a0: précisez lequel, par exemple cqp=\"code\""
                self.fail(call, problem, codes, "Codes des CQP")
            return single
        found = self.catalogue.get(str(cqp).strip())
        if found is None:
            self.fail(call, f"il n'y a pas de CQP « {cqp} » sur ce site", codes, "Codes des CQP")
        return found

    def competence(self, call: str, numero: Any, ref: Referentiel) -> BaseCompetence:
        """The competence ``numero`` (as written in the référentiel, or its text) of ``ref``."""
        if not isinstance(numero, bool) and numero is not None:
            wanted = addresses.slug(str(numero).strip())
            for c in ref.competences:
                if addresses.slug(c.numero) == wanted:
                    return c
        valid = [str(c.numero) for c in ref.competences_triees()]
        problem = f"il n'y a pas de compétence « {numero} » dans le référentiel « {ref.cqp.code} »"
        self.fail(call, problem, valid, "Numéros de compétence valides")

    def some(self, call: str, numero: Any, ref: Referentiel) -> list[BaseCompetence]:
        """One competence, or all of them when no number is given."""
        return ref.competences_triees() if numero is None else [self.competence(call, numero, ref)]

    def choice(self, call: str, value: Any, valid: tuple[str, ...]) -> str:
        if value not in valid:
            self.fail(call, f"« {value} » n'est pas reconnu", [f"« {v} »" for v in valid])
        return str(value)

    def links(self, ref: Referentiel) -> Links:
        return Links(page=self.page(), code=ref.cqp.code, pdf_built=self.pdf_built)

    def inline(self, name: str, ref: Referentiel, **context: Any) -> str:
        return self.views.fragment(name, ref, **context).strip()

    def block(self, name: str, ref: Referentiel, **context: Any) -> str:
        """Blank lines around: Markdown then takes the HTML as a block, even right after a paragraph."""
        return "\n\n" + self.views.fragment(name, ref, links=self.links(ref), **context).strip() + "\n\n"

    def marks(self, ref: Referentiel) -> MarquesHeures:
        """What the hours table marks: the values changed since the previous version, if the référentiel names one."""
        previous = self.catalogue.precedente(ref.cqp.code)
        return marques_heures(previous, ref) if previous is not None else NO_MARKS

    def link(self, ref: Referentiel, href: str, texte: Any, classe: str, telecharger: bool = False) -> str:
        context = {"href": href, "texte": inline_text(texte), "classe": classe, "telecharger": telecharger}
        return self.inline("lien", ref, **context)

    def text(self, ref: Referentiel, value: Any) -> str:
        return self.inline("texte", ref, valeur=inline_text(value))

    # --- the generated pages --------------------------------------------------------------------

    def cqp_page_apercu(self, cqp: Any = None) -> str:
        ref = self.referentiel(written("cqp_page_apercu", cqp=cqp), cqp)
        previous = self.catalogue.precedente(ref.cqp.code)
        return self.views.overview(ref, self.links(ref), self.marks(ref), previous)

    def cqp_page_changements(self, cqp: Any = None) -> str:
        call = written("cqp_page_changements", cqp=cqp)
        ref = self.referentiel(call, cqp)
        previous = self.catalogue.precedente(ref.cqp.code)
        if previous is None:
            self.fail(call, f"le référentiel « {ref.cqp.code} » ne déclare pas de version précédente", ["version.precedente"], "Clé à renseigner")
        return self.views.changes(ref, comparer(previous, ref), self.marks(ref), self.links(ref))

    def cqp_page_competence(self, numero: Any, cqp: Any = None) -> str:
        call = written("cqp_page_competence", numero, cqp=cqp)
        ref = self.referentiel(call, cqp)
        return self.views.competence(ref, self.competence(call, numero, ref), self.links(ref))

    def cqp_page_livret(self, cqp: Any = None) -> str:
        ref = self.referentiel(written("cqp_page_livret", cqp=cqp), cqp)
        return self.views.livret(ref, self.links(ref))

    def reference_referentiel(self) -> str:
        """Toutes les clés du référentiel (sens, type, exemple), tirées du schéma JSON ; seule sur sa ligne."""
        from .schema import cached_reference  # building the reference walks the whole schema: only on this page

        ref = self.catalogue.referentiels[0]
        blocs = cached_reference(cache_folder("reference"))
        return "\n\n" + self.views.fragment("reference_format", ref, blocs=blocs).strip() + "\n\n"

    # --- macros for page authors ------------------------------------------------------------------

    def cqp(self, info: str = "intitule", cqp: Any = None) -> str:
        """Une information sur le CQP, en texte : intitule, code, branche, instance, version, date, statut, libelle_version."""
        call = written("cqp", info, cqp=cqp)
        ref = self.referentiel(call, cqp)
        self.choice(call, info, INFOS_CQP)
        values = {
            "intitule": ref.cqp.intitule,
            "code": ref.cqp.code,
            "branche": ref.cqp.branche or "",
            "instance": ref.cqp.instance or "",
            "version": ref.version.numero,
            "date": french.date(ref.version.date),
            "statut": ref.version.statut or "",
            "libelle_version": version_label(ref),
        }
        return self.text(ref, values[info])

    def nombre_competences(self, cqp: Any = None) -> str:
        """Le nombre de compétences du CQP."""
        ref = self.referentiel(written("nombre_competences", cqp=cqp), cqp)
        return self.text(ref, len(ref.competences))

    def heures(self, numero: Any = None, cqp: Any = None) -> str:
        """Le volume horaire préconisé d'une compétence (« 7 à 35 h »), ou du parcours complet sans numéro ;
        rien quand le référentiel ne donne pas d'heures (une page l'écrit alors dans un {% if heures() %})."""
        call = written("heures", numero, cqp=cqp)
        ref = self.referentiel(call, cqp)
        total = ref.total_heures if numero is None else self.competence(call, numero, ref).total_heures
        return self.text(ref, french.hours(total)) if total is not None else ""

    def lien_competence(self, numero: Any, texte: str | None = None, section: str | None = None, cqp: Any = None) -> str:
        """Un lien vers la page d'une compétence, ou vers une de ses sections."""
        call = written("lien_competence", numero, texte=texte, section=section, cqp=cqp)
        ref = self.referentiel(call, cqp)
        c = self.competence(call, numero, ref)
        if section is not None:
            self.choice(call, section, addresses.SECTIONS)
            if section == "criteres" and not c.a_des_criteres:
                section = None  # no criteria: the page has no such section, the link goes to its top
            if section == "evaluation" and not (c.a_des_criteres or ref.evaluations_de(c)):
                section = None  # nothing said of its evaluation (always so in format 1): the page's top
        href = self.links(ref).competence(c.numero, section)
        return self.link(ref, href, texte or f"Compétence {c.numero} · {c.intitule}", "cqp-lien-competence")

    def lien_referentiel(self, texte: str | None = None, cqp: Any = None) -> str:
        """Un lien vers la vue d'ensemble du référentiel."""
        ref = self.referentiel(written("lien_referentiel", texte=texte, cqp=cqp), cqp)
        return self.link(ref, self.links(ref).overview, texte or "Vue d'ensemble du référentiel", "cqp-lien-referentiel")

    def lien_livret(self, partie: Any = None, texte: str | None = None, cqp: Any = None) -> str:
        """Un lien vers le livret de suivi, vers une de ses parties ou vers la fiche d'une compétence."""
        call = written("lien_livret", partie, texte=texte, cqp=cqp)
        ref = self.referentiel(call, cqp)
        links = self.links(ref)
        href, default = links.livret, ref.libelle(ref.livret.titre)
        numeros = {addresses.slug(c.numero) for c in ref.competences}
        if partie is not None and partie not in addresses.LIVRET_PARTS and addresses.slug(partie) in numeros:
            c = self.competence(call, partie, ref)
            href, default = links.sheet(c.numero), f"fiche de la compétence {c.numero} du livret"
        elif isinstance(partie, int) and not isinstance(partie, bool):
            self.competence(call, partie, ref)  # no such competence: says which numbers are valid
        elif partie is not None:
            self.choice(call, partie, (*addresses.LIVRET_PARTS, "un numéro de compétence"))
            href = links.livret_part(partie)
            if partie == "preconise" and ref.total_heures is None and not ref.presentation:
                href = links.livret  # the livret has no such part without hours nor presentation
            default = {
                "couverture": "couverture du livret",
                "parcours": "fiche de synthèse du parcours individualisé",
                "preconise": ref.libelle(ref.livret.preconise_titre),
            }[partie]
        return self.link(ref, href, texte or default, "cqp-lien-livret")

    def lien_pdf(self, texte: str | None = None, cqp: Any = None) -> str:
        """Un lien de téléchargement du livret PDF ; rien quand le PDF n'est pas construit (mkdocs serve)."""
        ref = self.referentiel(written("lien_pdf", texte=texte, cqp=cqp), cqp)
        pdf = self.links(ref).pdf
        return self.link(ref, pdf, texte or "Télécharger le livret (PDF)", "cqp-lien-pdf", telecharger=True) if pdf else ""

    def liste_competences(self, heures: bool = True, vers: str = "page", cqp: Any = None) -> str:
        """Les compétences, en liste de liens vers leurs pages (vers="page") ou leurs fiches du livret (vers="livret")."""
        call = written("liste_competences", vers=vers, cqp=cqp)
        ref = self.referentiel(call, cqp)
        self.choice(call, vers, ("page", "livret"))
        return self.block("liste_competences", ref, heures=heures, vers_livret=vers == "livret")

    def tableau_heures(self, cqp: Any = None) -> str:
        """Le tableau des volumes horaires préconisés, module par module, avec sa note ; quand le référentiel
        déclare sa version précédente, les valeurs qui ont changé y sont signalées (« avant : … »)."""
        ref = self.referentiel(written("tableau_heures", cqp=cqp), cqp)
        return self.block("tableau_heures", ref, marques=self.marks(ref))

    def part(self, name: str, numero: Any, cqp: Any) -> str:
        """One part (rubrique) of one competence, or of each competence in a foldable block."""
        call = written(name, numero, cqp=cqp)
        ref = self.referentiel(call, cqp)
        competences = self.some(call, numero, ref)
        rubrique = "contenu" if name == "contenu_formation" else name
        return self.block("rubrique", ref, rubrique=rubrique, competences=competences, ancre=COMPETENCE_PARTS[rubrique])

    def savoir_faire(self, numero: Any = None, cqp: Any = None) -> str:
        """Ce que le candidat doit savoir faire : une compétence, ou chacune dans un bloc dépliable."""
        return self.part("savoir_faire", numero, cqp)

    def activites(self, numero: Any = None, cqp: Any = None) -> str:
        """Les activités à proposer en entreprise : une compétence, ou chacune dans un bloc dépliable."""
        return self.part("activites", numero, cqp)

    def criteres(self, numero: Any = None, cqp: Any = None) -> str:
        """Les critères d'évaluation (ou un renvoi aux savoir-faire quand il n'y en a pas)."""
        return self.part("criteres", numero, cqp)

    def contenu_formation(self, numero: Any = None, cqp: Any = None) -> str:
        """Le contenu indicatif de la formation, module par module."""
        return self.part("contenu_formation", numero, cqp)

    def evaluation(self, bloc: Any = None, cqp: Any = None) -> str:
        """Les modalités d'évaluation (épreuves, seuil, jury) de chaque bloc, ou du bloc dont on donne le code ;
        rien quand le référentiel n'en donne pas (une page l'écrit alors dans un {% if evaluation() %})."""
        call = written("evaluation", bloc, cqp=cqp)
        ref = self.referentiel(call, cqp)
        groupes = ref.par_bloc()
        if bloc is not None:
            codes = {addresses.slug(b.code): b for b in ref.blocs}
            found = codes.get(addresses.slug(str(bloc).strip()))
            if found is None:
                problem = f"il n'y a pas de bloc « {bloc} » dans le référentiel « {ref.cqp.code} »"
                self.fail(call, problem, [f"« {b.code} »" for b in ref.blocs] or ["aucun (format 1)"], "Codes des blocs")
            groupes = [(b, competences) for b, competences in groupes if b is found]
        groupes = [
            (b, competences)
            for b, competences in groupes
            if b is not None and (b.evaluation or any(c.evaluation for c in competences))
        ]
        return self.block("evaluation", ref, groupes=groupes) if groupes else ""
    # --- the site's CQPs -------------------------------------------------------------------------

    def nombre_cqp(self) -> int:
        """Le nombre de CQP du site (1 sur un site d'un seul CQP), pour écrire « {% if nombre_cqp() > 1 %} »."""
        return len(self.catalogue)

    def codes_cqp(self) -> list[str]:
        """Les codes des CQP du site, dans l'ordre du catalogue, pour écrire « {% for code in codes_cqp() %} »."""
        return list(self.catalogue.codes)

    def cqp_catalogue(self) -> str:
        """Le catalogue des CQP du site (macro catalogue()) : intitulé, code, version, certification, compétences,
        volume de formation, avec un filtre à la saisie ; seule sur sa ligne."""
        cqps = [(resume(ref), self.links(ref)) for ref in self.catalogue]
        return "\n\n" + self.views.site_fragment("catalogue", cqps=cqps).strip() + "\n\n"

    def lien_catalogue(self, texte: str | None = None) -> str:
        """Un lien vers le catalogue des CQP, sur la page d'accueil ; sur un site d'un seul CQP, vers son référentiel."""
        single = self.catalogue.single
        href = addresses.catalogue(self.page()) if single is None else self.links(single).overview
        text = inline_text(texte or ("Catalogue des CQP" if single is None else "Vue d'ensemble du référentiel"))
        context = {"href": href, "texte": text, "classe": "cqp-lien-catalogue", "telecharger": False}
        return self.views.site_fragment("lien", **context).strip()

    def liste_cqp(self, vers: str = "apercu") -> str:
        """Les CQP du site, en liste de liens vers une de leurs pages : vers="apercu" (vue d'ensemble),
        "competences", "heures", "livret", "parcours" ou "pdf" ; seule sur sa ligne. Un CQP sans la page
        demandée (sans heures, PDF non construit) n'y est pas."""
        self.choice(written("liste_cqp", vers=vers), vers, tuple(CQP_TARGETS))
        targets = [(ref, CQP_TARGETS[vers](ref, self.links(ref))) for ref in self.catalogue]
        cqps = [(ref, href) for ref, href in targets if href]
        return "\n\n" + self.views.site_fragment("liste_cqp", cqps=cqps).strip() + "\n\n" if cqps else ""


# --- mkdocs-macros ------------------------------------------------------------------------------


def page_source(page: Any) -> str:
    """The Markdown source path of the page mkdocs-macros renders (MkDocs: page.file; others: what they give)."""
    file = getattr(page, "file", None)
    for value in (getattr(file, "src_uri", None), getattr(page, "src_uri", None), getattr(page, "src_path", None)):
        if value:
            return str(value).replace(os.sep, "/")
    url = str(getattr(page, "url", "") or "").strip("/")
    return f"{url}/index.md" if url else "index.md"


def define_env(env: Any) -> None:
    """Register the macros with mkdocs-macros (its ``modules:`` option names this module).

    Under MkDocs, the guide-cqp plugin has read the référentiels; elsewhere (Zensical, which runs no
    plugin), the macros read them from the same settings.
    """
    from .macro_errors import install_french_errors  # mkdocs-macros' own error report, made French

    install_french_errors()
    plugin = _guide_plugin(env.conf)
    if plugin is not None:
        macros = plugin.macros  # the plugin tells them the page being rendered
    else:
        macros = _standalone_macros(env.conf, lambda: page_source(getattr(env, "page", None)))
    if macros is not None:  # None: the référentiel is invalid, the plugin shows the errors instead of any page
        for name in (*Macros.PAGE_MACROS, *Macros.AUTHOR_MACROS):
            env.macro(getattr(macros, Macros.METHODS.get(name, name)), name)
    _site_macros(env)


SITE_MACROS = Path("macros") / "main.py"  # a site's own macros, optional, next to mkdocs.yml


def _site_macros(env: Any) -> None:
    """Let the site's ``macros/main.py`` add its own macros, when it has one (and has not named it itself)."""
    conf = env.conf
    config_file = conf.get("config_file_path") if hasattr(conf, "get") else None
    own = Path(str(config_file or "mkdocs.yml")).resolve().parent / SITE_MACROS
    options = getattr(env, "config", None)
    named = options.get("module_name") if hasattr(options, "get") else None
    if not own.is_file() or named in ("macros/main", "macros"):
        return
    spec = importlib.util.spec_from_file_location("guide_cqp_site_macros", own)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "define_env"):
        module.define_env(env)


def _guide_plugin(conf: Any) -> Any:
    plugins = getattr(conf, "plugins", None)
    if plugins is None or not hasattr(plugins, "get"):
        return None
    return plugins.get("guide-cqp")


def _standalone_macros(conf: Any, page: Callable[[], str]) -> Macros:
    """Macros for an engine without our plugin: settings read from mkdocs.yml's data as it gives them.

    The PDF counts as built when ``cqp generer --pdf`` wrote it into the docs folder.
    """
    from .settings import standalone_settings

    settings = standalone_settings(dict(conf))
    catalogue = load_catalogue(settings.referentiel)
    pdf_built = all((settings.docs / addresses.pdf(code)).is_file() for code in catalogue.codes)
    return Macros(catalogue, page=page, pdf_built=pdf_built, views=Views(settings.templates))
