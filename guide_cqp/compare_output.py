"""`cqp comparer`'s three outputs of a Comparaison (guide_cqp.compare): text for the terminal, Markdown, JSON.

Text and Markdown come from one tree of French sentences (``outline``): sections, then one node per element
that changed with its values and lists below it; the two renderers only lay the tree out. The site's page
« Ce qui change dans la version … » is a template of its own (templates/changements.md.j2), with links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import french
from .compare import BlocChange, Changement, Comparaison, CompetenceChange, Edition, Liste, ModuleChange, Valeur

ARROW = "→"
STATES = {  # (masculine, feminine)
    "ajoute": ("ajouté", "ajoutée"),
    "retire": ("retiré", "retirée"),
    "renumerote": ("renuméroté", "renumérotée"),
    "modifie": ("modifié", "modifiée"),
}
FORMAT_NAME = "guide-cqp-comparaison"


@dataclass
class Noeud:
    texte: str
    enfants: list[Noeud] = field(default_factory=list)


def state_word(etat: str, feminin: bool, count: int = 1) -> str:
    word = STATES[etat][1 if feminin else 0]
    return word + ("s" if count > 1 else "")


def shown(value: str | None, absent: str, texte: bool) -> str:
    """A value as the sentences show it: a text between « », an absent one by its word."""
    if value is None:
        return absent
    return f"«\u00a0{value}\u00a0»" if texte else value


def value_sentence(v: Valeur, added: bool = False) -> str:
    """« heures : 7 à 21 h → 7 à 14 h »; within an added element, only its value (« heures : 7 h »)."""
    after = shown(v.apres, v.absent, v.texte)
    if added:
        return f"{v.quoi}\u00a0: {after}"
    return f"{v.quoi}\u00a0: {shown(v.avant, v.absent, v.texte)} {ARROW} {after}"


def list_heading(liste: Liste, etat: str, count: int) -> str:
    """« savoir-faire ajoutés », « activité en entreprise retirée »."""
    noun = liste.quoi if count > 1 else liste.singulier
    return f"{noun} {state_word(etat, liste.feminin, count)}"


def numbers(avant: str | None, apres: str | None, etat: str) -> str:
    """« 3 », or « 3 → 4 » for a renumbered element."""
    if etat == "renumerote" and avant != apres:
        return f"{avant} {ARROW} {apres}"
    return str(apres if apres is not None else avant)


def element_title(kind: str, change: Changement, feminin: bool) -> str:
    """« Compétence 3 → 4 · Gérer les stocks (renumérotée) »; a changed element without a state word."""
    title = f"{kind} {numbers(change.numero_avant, change.numero_apres, change.etat)} · {change.intitule}"
    return title if change.etat == "modifie" else f"{title} ({state_word(change.etat, feminin)})"


def _details(change: Changement) -> list[Noeud]:
    added = change.etat == "ajoute"
    nodes = [Noeud(value_sentence(v, added)) for v in change.valeurs]
    for liste in change.listes:
        for etat, items in (("ajoute", liste.ajoutes), ("retire", liste.retires)):
            if items:
                nodes.append(Noeud(list_heading(liste, etat, len(items)), [Noeud(f"«\u00a0{t}\u00a0»") for t in items]))
    return nodes


def _module(m: ModuleChange) -> Noeud:
    return Noeud(element_title("Module", m, feminin=False), _details(m))


def _competence(c: CompetenceChange) -> Noeud:
    return Noeud(element_title("Compétence", c, feminin=True), _details(c) + [_module(m) for m in c.modules])


def _bloc(b: BlocChange) -> Noeud:
    nodes = _details(b)
    if b.competences and b.etat == "ajoute":
        nodes.insert(0, Noeud(f"regroupe {competences_named(b.competences)}"))
    elif b.competences:
        nodes.insert(0, Noeud(f"regroupait {competences_named(b.competences)}"))
    return Noeud(element_title("Bloc", b, feminin=False), nodes)


def competences_named(numeros: tuple[str, ...]) -> str:
    word = "la compétence" if len(numeros) == 1 else "les compétences"
    return f"{word} {french.list_and(numeros)}"


KINDS = (  # plural, feminine
    ("Blocs", False),
    ("Compétences", True),
    ("Modules", False),
)


def summary(c: Comparaison) -> list[str]:
    """« Compétences : 1 ajoutée, 2 modifiées », one phrase per kind of element that changed."""
    phrases = []
    for (kind, feminin), changes in zip(KINDS, (c.blocs, c.competences, c.modules()), strict=True):
        counts = [(etat, sum(1 for x in changes if x.etat == etat)) for etat in STATES]
        parts = [f"{n}\u00a0{state_word(etat, feminin, n)}" for etat, n in counts if n]
        if parts:
            phrases.append(f"{kind}\u00a0: {', '.join(parts)}")
    return phrases


def outline(c: Comparaison) -> list[Noeud]:
    """The comparison as sections of sentences, in the order a reader wants them."""
    sections: list[Noeud] = []

    def section(title: str, nodes: list[Noeud]) -> None:
        if nodes:
            sections.append(Noeud(title, nodes))

    section("Version", [Noeud(value_sentence(v)) for v in c.version])
    cqp = _details(Changement("modifie", None, None, "", c.cqp, c.listes))
    section("Le CQP", cqp)
    section("La certification", [Noeud(value_sentence(v)) for v in c.certification])
    section("Blocs de compétences", [_bloc(b) for b in c.blocs])
    section("Compétences", [_competence(x) for x in c.competences])
    section("Libellés du livret", [Noeud(value_sentence(v)) for v in c.livret])
    return sections


def heading(c: Comparaison, ancien: str, nouveau: str) -> tuple[str, list[str]]:
    title = f"Ce qui change dans le référentiel du CQP «\u00a0{c.apres.intitule}\u00a0» ({c.apres.code})"
    sides = [f"ancien\u00a0: {ancien} — {_edition(c.avant)}", f"nouveau\u00a0: {nouveau} — {_edition(c.apres)}"]
    return title, sides


def _edition(e: Edition) -> str:
    return f"version {e.titre} (format {e.format})"


SAME = "Aucune différence\u00a0: les deux versions disent la même chose."


# --- text for the terminal, Markdown -----------------------------------------------------------------

_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~!])")


def md_escape(text: str) -> str:
    """A text shown as written by any Markdown reader (GitHub, MkDocs): its signs escaped."""
    return _MD_SPECIALS.sub(r"\\\1", text)


@dataclass(frozen=True)
class Layout:
    """How the tree of sentences is written: the terminal's indented text, or Markdown's headings and lists."""

    title: str  # format of the first line
    side: str  # of the lines naming the two files
    summary: str  # the « En bref » line
    item: str  # of a summary phrase
    section: str  # of a section's title
    first_depth: int  # indentation of a section's first level
    escape: Callable[[str], str] = lambda text: text
    spaced: bool = False  # a blank line after each title (Markdown)


TEXT = Layout("{}", "  {}", "En bref\u00a0:", "  {}", "{}", 1)
MARKDOWN = Layout("# {}", "- {}", "**En bref**\u00a0:", "- {}", "## {}", 0, md_escape, spaced=True)


def lay_out(c: Comparaison, ancien: str, nouveau: str, layout: Layout) -> str:
    blank = [""] if layout.spaced else []
    title, sides = heading(c, ancien, nouveau)
    lines = [layout.title.format(layout.escape(french.typography(title))), *blank, *(layout.side.format(layout.escape(s)) for s in sides), ""]
    if c.identiques:
        return "\n".join([*lines, SAME]) + "\n"
    if summary(c):
        phrases = (layout.item.format(layout.escape(french.typography(phrase))) for phrase in summary(c))
        lines += [layout.summary, *blank, *phrases, ""]
    for section in outline(c):
        lines += [layout.section.format(layout.escape(section.texte)), *blank]
        lines += _list_lines(section.enfants, layout.first_depth, layout.escape)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _list_lines(nodes: list[Noeud], depth: int, escape: Callable[[str], str]) -> list[str]:
    lines = []
    for node in nodes:
        lines.append("  " * depth + "- " + escape(french.typography(node.texte)))
        lines += _list_lines(node.enfants, depth + 1, escape)
    return lines


def texte(c: Comparaison, ancien: str, nouveau: str) -> str:
    return lay_out(c, ancien, nouveau, TEXT)


def markdown(c: Comparaison, ancien: str, nouveau: str) -> str:
    return lay_out(c, ancien, nouveau, MARKDOWN)


# --- JSON ---------------------------------------------------------------------------------------------


def as_json(c: Comparaison, ancien: str, nouveau: str) -> str:
    """The whole comparison, for programs: the Comparaison's fields, each side with its file."""
    data: dict[str, Any] = c.as_dict()
    document = {
        "format": FORMAT_NAME,
        "ancien": {"fichier": ancien, **data.pop("avant")},
        "nouveau": {"fichier": nouveau, **data.pop("apres")},
        "identiques": c.identiques,
        **data,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"texte": texte, "markdown": markdown, "json": as_json}
