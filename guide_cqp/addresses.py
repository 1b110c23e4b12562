"""Where every generated page, file and anchor of a guide lives: the one place addresses are computed.

Page addresses are paths of Markdown sources relative to the docs folder (``rcad/competence-1.md``), and
links between pages are written relative to the source of the page that holds them
(``../rcad/livret.md#competence-1``): MkDocs turns such links into URLs (guide_cqp/plugin.py does it for
the raw HTML of our views), and Zensical resolves every link from the page's ``.md`` source. Nothing
here knows MkDocs.
"""

from __future__ import annotations

import math
import posixpath
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

# Sections of a competence page; hand-written pages link to them (lien_competence(…, section=…)).
# « evaluation » (how the competence is assessed) exists in format 2 only.
SECTIONS = ("savoir-faire", "contenu", "activites", "criteres", "evaluation", "fiche")
# Parts of the livret page that hand-written pages link to (lien_livret("parcours")).
LIVRET_PARTS = ("couverture", "parcours", "preconise")
# Anchors of the overview page.
OVERVIEW_COMPETENCES = "competences"
OVERVIEW_HOURS = "parcours-preconise"
OVERVIEW_CERTIFICATION = "certification"  # format 2: the certification's identity
OVERVIEW_PUBLIC = "public"  # format 2: who the CQP is for, prerequisites, access routes
# The home page; on a site of several CQPs it holds their catalogue (macro catalogue()), at this anchor.
HOME = "index.md"
CATALOGUE = "catalogue"
NAV_MARKER = "referentiel"  # the nav entry « - referentiel » (or « - Titre: referentiel ») marks where the pages go
NAV_TITLE = "Le référentiel"  # the section's title when the marker gives none: one CQP…
NAV_TITLE_CATALOGUE = "Les CQP"  # … or several
NAV_FLAT_MAX = 20  # up to this many competences the nav lists them all; beyond, in groups (competence_entries)

_NOT_WORD = re.compile(r"[\W_]+")


def slug(value: object) -> str:
    """The part of an address or anchor that a number or code gives: « 1.1 » → « 1-1 », « C2 » → « c2 ».

    Accents are dropped (« é » → « e »); other letters stay as they are (« α »), so that two
    different numbers rarely meet; when they do (« 1.1 » and « 1-1 »), validation says so
    (guide_cqp.publishable).
    """
    text = unicodedata.normalize("NFKD", str(value).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_WORD.sub("-", text).strip("-") or "x"


# --- pages and files of one CQP (paths relative to the docs folder) ---------------------------


def overview(code: str) -> str:
    return f"{code}/index.md"


def competence(code: str, numero: object) -> str:
    return f"{code}/competence-{slug(numero)}.md"


def livret(code: str) -> str:
    return f"{code}/livret.md"


def pdf(code: str) -> str:
    return f"{code}/livret-{code}.pdf"


def changes(code: str) -> str:
    """« Ce qui change dans la version … »: what changed since the previous version (version.precedente)."""
    return f"{code}/changements.md"


def export(code: str) -> str:
    """The référentiel as JSON (`cqp exporter --format json`), published so that versions can be compared."""
    return f"{code}/referentiel.json"


def changes_title(ref: Any) -> str:
    return f"Ce qui change dans la version {ref.version.numero}"


# --- anchors ---------------------------------------------------------------------------------


def competence_sheet(numero: object) -> str:
    """The sheet of a competence in the livret page and the PDF."""
    return f"competence-{slug(numero)}"


def module(numero: object) -> str:
    """A module's heading on its competence page."""
    return f"module-{slug(numero)}"


def bloc(code: object) -> str:
    """A bloc de compétences on the overview page, and its part of the livret (format 2)."""
    return f"bloc-{slug(code)}"


def change(kind: str, numero_avant: object, numero_apres: object) -> str:
    """An element of the change page: « competence-4 », or « competence-4-retiree » for one that is gone."""
    if numero_apres is not None:
        return f"{kind}-{slug(numero_apres)}"
    return f"{kind}-{slug(numero_avant)}-retire"


def form_field(numero: object, name: str) -> str:
    """A fillable field of a competence in the livret and the PDF: « c1_dates », « cc1_dates » for « C1 ».

    Format 1's names (c<numero>_…, documented in guide_cqp.pdf) are kept: the slug of 3 is « 3 ».
    """
    return f"c{slug(numero)}_{name}"


# --- public records outside the guide (links, never fetched) -------------------------------------

FRANCE_COMPETENCES = "https://www.francecompetences.fr/recherche/{repertoire}/{chiffres}/"


def certification_record(registre: str, chiffres: str) -> str:
    """The public record of a certification on France Compétences' site: …/recherche/rncp/35612/."""
    return FRANCE_COMPETENCES.format(repertoire=registre.lower(), chiffres=chiffres)


def relative(source: str, target: str) -> str:
    """The link from the page whose source is ``source`` to ``target`` (both relative to the docs folder)."""
    folder = posixpath.dirname(source)
    return posixpath.relpath(target, folder or ".")


def catalogue(page: str) -> str:
    """The link from ``page`` to the catalogue of the site's CQPs."""
    return f"{relative(page, HOME)}#{CATALOGUE}"


@dataclass(frozen=True)
class Links:
    """Links from one page (``page``: its source path) to the pages and files of one CQP."""

    page: str
    code: str
    pdf_built: bool = True

    def to(self, target: str, anchor: str | None = None) -> str:
        href = relative(self.page, target)
        return f"{href}#{anchor}" if anchor else href

    @property
    def overview(self) -> str:
        return self.to(overview(self.code))

    def overview_part(self, anchor: str) -> str:
        return self.to(overview(self.code), anchor)

    @property
    def livret(self) -> str:
        return self.to(livret(self.code))

    @property
    def pdf(self) -> str | None:
        return self.to(pdf(self.code)) if self.pdf_built else None

    def competence(self, numero: object, section: str | None = None) -> str:
        return self.to(competence(self.code, numero), section)

    def sheet(self, numero: object) -> str:
        """The competence's sheet in the livret page."""
        return self.to(livret(self.code), competence_sheet(numero))

    def bloc(self, code: object) -> str:
        """A bloc on the overview page (format 2)."""
        return self.to(overview(self.code), bloc(code))

    def module(self, competence_numero: object, module_numero: object) -> str:
        """A module's heading on its competence's page."""
        return self.to(competence(self.code, competence_numero), module(module_numero))

    @property
    def changes(self) -> str:
        return self.to(changes(self.code))

    def livret_part(self, part: str) -> str:
        return self.to(livret(self.code), part)


# --- navigation ------------------------------------------------------------------------------

NavEntry = dict[str, Any]  # {title: source path} or {title: [entries]}, as in mkdocs.yml


def nav_section(ref: Any, title: Callable[[str], str] = str, with_changes: bool = False) -> list[NavEntry]:
    """The référentiel's entries: overview, competences (grouped when many), livret, and what changed since
    the previous version when the référentiel declares one (``with_changes``).

    ``title`` turns a text into a nav title (the site escapes it for the theme).
    """
    code = ref.cqp.code
    entries = [
        {title("Vue d'ensemble"): overview(code)},
        *competence_entries(ref, title),
        {title(ref.libelle(ref.livret.titre)): livret(code)},
    ]
    if with_changes:
        entries.append({title(changes_title(ref)): changes(code)})
    return entries


def catalogue_nav(
    refs: Iterable[Any], title: Callable[[str], str] = str, with_changes: Collection[str] = ()
) -> list[NavEntry]:
    """One section per CQP, titled by its intitulé, opening on its overview (Material's navigation.indexes).

    With navigation.prune, a CQP's section costs one link on the pages of the other CQPs: the nav of a
    site of 20 CQPs writes about twenty links more than a site of one into each page, not 20 sections.
    ``with_changes``: the codes of the CQPs whose section lists what changed since their previous version.
    """
    return [{title(ref.cqp.intitule): nav_section(ref, title, ref.cqp.code in with_changes)} for ref in refs]


def competence_entries(ref: Any, title: Callable[[str], str] = str) -> list[NavEntry]:
    """One nav entry per competence, in a group per bloc de compétences (format 2).

    Format 1 has no blocs: its competences are listed at the section's level, as before.
    """
    groups = ref.par_bloc()
    if len(groups) == 1 and groups[0][0] is None:
        return _competence_group(ref.cqp.code, groups[0][1], title)
    return [
        {title(bloc_title(b)): _competence_group(ref.cqp.code, competences, title)} for b, competences in groups
    ]


def bloc_title(b: Any) -> str:
    """« BC01 · Maintenance corrective »: a bloc in the navigation and in headings."""
    return f"{b.code} · {b.intitule}"


def competence_title(c: Any) -> str:
    """« 2. Vendre » for a number, « C1 · Diagnostiquer » for an identifier (« A1.2. » would read badly)."""
    return f"{c.numero}. {c.intitule}" if isinstance(c.numero, int) else f"{c.numero} · {c.intitule}"


def _competence_group(code: str, competences: list[Any], title: Callable[[str], str]) -> list[NavEntry]:
    """One nav entry per competence; past NAV_FLAT_MAX competences, groups of ten, twenty… (about √n).

    Material writes a top-level section's whole list into every page. With navigation.prune a
    closed group costs one link, so a branch-sized référentiel keeps small pages and a build time
    that grows with the number of pages, not with its square.
    """
    entries = [{title(competence_title(c)): competence(code, c.numero)} for c in competences]
    if len(entries) <= NAV_FLAT_MAX:
        return entries
    size = max(10, int(round(math.sqrt(len(entries)), -1)))  # as many groups as entries in one: fewest links
    groups: list[NavEntry] = []
    for start in range(0, len(entries), size):
        first, last = competences[start], competences[min(start + size, len(entries)) - 1]
        name = f"Compétences {first.numero} à {last.numero}" if last is not first else f"Compétence {first.numero}"
        groups.append({title(name): entries[start : start + size]})
    return groups


def place_section(nav: list[Any] | None, section: list[NavEntry], title: str) -> list[Any] | None:
    """Put the référentiel's section where the nav says « referentiel » (or after the first entry)."""
    if nav is None:
        return None
    placed = False
    new_nav: list[Any] = []
    for item in nav:
        if isinstance(item, dict) and list(item.values()) == [NAV_MARKER]:
            new_nav.append({next(iter(item)): section})
            placed = True
        elif item == NAV_MARKER:
            new_nav.append({title: section})
            placed = True
        else:
            new_nav.append(item)
    if not placed:
        new_nav.insert(min(1, len(new_nav)), {title: section})
    return new_nav
