"""Problems found in a référentiel, told in French to the staff who edit it.

Every problem names the file, the line and column, and the place the way the author numbers
things (« compétence 2, module 2.1, champ heures »), followed by the technical path
(``competences[1].modules[0].heures``) when the two differ, so that someone working in GitHub's
web editor can go straight to the faulty line.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import french

FieldPath = tuple[str | int, ...]
MAX_LISTED = 200  # a file broken everywhere must not flood the staff's screen


@dataclass(frozen=True)
class Probleme:
    """One problem of a référentiel (lines and columns are 1-based).

    ``lieu`` says where it is as the author numbers things; without it, positions in lists
    are counted from 1 (« 2e module »).
    """

    fichier: str
    ligne: int | None
    colonne: int | None
    chemin: FieldPath
    message: str
    lieu: str | None = None

    def __str__(self) -> str:
        position = self.fichier
        if self.ligne is not None:
            position += f", ligne {self.ligne}"
            if self.colonne is not None:
                position += f", colonne {self.colonne}"
        return f"{position}{self.where()}\u00a0: {french.typography(self.message)}"

    def where(self) -> str:
        """« — compétence 1, module 1.2, champ heures (competences[0].modules[1].heures) », or nothing."""
        if not self.chemin:
            return ""
        lieu = self.lieu or describe_path(self.chemin)
        technical = format_path(self.chemin)
        if any(isinstance(part, int) for part in self.chemin):
            return f" — {lieu} ({technical})"
        return f" — {lieu}"


def format_path(chemin: FieldPath) -> str:
    """Render a path as ``competences[2].modules[0].heures`` (positions from 0, as tools count)."""
    text = ""
    for part in chemin:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# Lists whose elements carry a number written by the author: (word, feminine, key of the number).
_NUMBERED = {
    "blocs": ("bloc", False, "code"),
    "competences": ("compétence", True, "numero"),
    "modules": ("module", False, "numero"),
}
# Lists of texts or items, counted from 1: (word, feminine).
_COUNTED = {
    "savoir_faire": ("savoir-faire", False),
    "objectifs": ("objectif", False),
    "contenu": ("élément du contenu", False),
    "activites_entreprise": ("activité", True),
    "criteres_evaluation": ("critère", False),
    "details": ("sous-élément", False),
    "champs_couverture": ("champ de la couverture", False),
    "criteres": ("critère", False),
    "activites": ("activité", True),
    "modalites": ("épreuve", True),
    "prerequis": ("prérequis", False),
    "acces": ("voie d'accès", True),
}
MAX_NUMBER_SHOWN = 20  # a « numero » longer than this is not a number the author will recognise


def ordinal(position: int, feminine: bool) -> str:
    """1 → « 1er » / « 1re », 2 → « 2e »."""
    if position == 1:
        return "1re" if feminine else "1er"
    return f"{position}e"


def describe_path(chemin: FieldPath, data: Any = None) -> str:
    """Where a path points, as the author numbers things: « compétence 1, module 1.2, champ heures ».

    The numbers written in the file (``data``, the YAML as read) name competences and modules;
    without them, or for lists of texts, positions are counted from 1 (« 3e activité »).
    """
    parts: list[str] = []
    names: list[str] = []  # named keys not yet placed (« livret », « heures »)
    node = data
    i = 0
    while i < len(chemin):
        part = chemin[i]
        following = chemin[i + 1] if i + 1 < len(chemin) else None
        if isinstance(part, str) and isinstance(following, int) and part in {**_NUMBERED, **_COUNTED}:
            if names:
                parts.append(".".join(names))
                names = []
            element = _child(_child(node, part), following)
            parts.append(_element_label(part, following, element))
            node = element
            i += 2
            continue
        names.append(str(part) if isinstance(part, str) else f"[{part + 1}]")
        node = _child(node, part)
        i += 1
    if names:
        parts.append("champ " + ".".join(names))
    return ", ".join(parts)


def _element_label(liste: str, index: int, element: Any) -> str:
    if liste in _NUMBERED:
        word, feminine, key = _NUMBERED[liste]
        numero = element.get(key) if isinstance(element, dict) else None
        if isinstance(numero, (str, int)) and not isinstance(numero, bool):
            shown = " ".join(str(numero).split())
            if shown and len(shown) <= MAX_NUMBER_SHOWN and shown.isprintable():
                return f"{word} {shown}"
        return f"{ordinal(index + 1, feminine)} {word}"
    word, feminine = _COUNTED[liste]
    return f"{ordinal(index + 1, feminine)} {word}"


def _child(node: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and 0 <= part < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


class ReferentielInvalide(Exception):
    """Raised with every problem found, never only the first; those of several files are told file by file."""

    def __init__(self, problemes: list[Probleme], *, fichiers_lus: int | None = None) -> None:
        order = {fichier: i for i, fichier in enumerate(dict.fromkeys(p.fichier for p in problemes))}
        self.problemes = sorted(problemes, key=lambda p: (order[p.fichier], p.ligne or 0, p.colonne or 0))
        self.fichiers_lus = fichiers_lus  # how many files were read (a folder of référentiels), for the report
        super().__init__(self.rapport())

    @property
    def fichiers(self) -> list[str]:
        """The files that have problems, in the order they were read."""
        return list(dict.fromkeys(p.fichier for p in self.problemes))

    def rapport(self) -> str:
        fichiers = self.fichiers
        if len(fichiers) <= 1:
            fichier = fichiers[0] if fichiers else "référentiel"
            return "\n".join(_file_report(f"Le référentiel {fichier}", self.problemes, "\u00a0; rien n'a été publié."))
        n = len(self.problemes)
        sur = f" sur {self.fichiers_lus}" if self.fichiers_lus else ""
        lignes = [f"{len(fichiers)} référentiels{sur} contiennent des erreurs ({n} au total)\u00a0; rien n'a été publié."]
        for fichier in fichiers:
            lignes += _file_report(f"Le référentiel {fichier}", [p for p in self.problemes if p.fichier == fichier], "\u00a0:")
        return "\n".join(lignes)


def _file_report(sujet: str, problemes: list[Probleme], fin: str) -> list[str]:
    """One file's problems: a title line, then one line each (at most MAX_LISTED)."""
    n = len(problemes)
    lignes = [f"{sujet} contient {n} erreur{'s' if n > 1 else ''}{fin}"] + [f"  - {p}" for p in problemes[:MAX_LISTED]]
    if n > MAX_LISTED:
        lignes.append(f"  … et {n - MAX_LISTED} autres erreurs, sans doute de même cause\u00a0: corrigez les premières.")
    return lignes


def display_name(path: Path) -> str:
    """A short file name for messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # another drive, a symlink loop
        return str(path)


_OS_REASONS = {
    errno.ENOENT: "dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "permission refusée",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "disque plein",
    errno.EROFS: "disque en lecture seule",
    errno.ENAMETOOLONG: "chemin trop long",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.ENXIO: "périphérique absent",
    errno.ELOOP: "liens symboliques en boucle",
}


def os_reason(exc: OSError) -> str:
    """The system's reason for a failed read or write, in French when it is a common one (the system gives it in English)."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
