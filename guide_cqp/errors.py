"""Problems found in a référentiel, told in French to the staff who edit it.

Every problem names the file, the line and column, and the field path the way
an editor sees it (``competences[2].modules[0].heures.min``), so that someone
working in GitHub's web editor can go straight to the faulty line.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

Path_ = tuple[str | int, ...]
MAX_LISTED = 200  # a file broken everywhere must not flood the staff's screen


@dataclass(frozen=True)
class Probleme:
    """One problem of a référentiel (lines and columns are 1-based)."""

    fichier: str
    ligne: int | None
    colonne: int | None
    chemin: Path_
    message: str

    def __str__(self) -> str:
        position = self.fichier
        if self.ligne is not None:
            position += f", ligne {self.ligne}"
            if self.colonne is not None:
                position += f", colonne {self.colonne}"
        champ = f" — champ « {format_path(self.chemin)} »" if self.chemin else ""
        return f"{position}{champ}\u00a0: {self.message}"


def format_path(chemin: Path_) -> str:
    """Render a path as ``competences[2].modules[0].heures``."""
    text = ""
    for part in chemin:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


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
    except ValueError:
        return str(path)


_OS_REASONS = {
    errno.ENOENT: "dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "permission refusée",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "disque plein",
    errno.EROFS: "disque en lecture seule",
}


def os_reason(exc: OSError) -> str:
    """The system's reason for a failed read or write, in French when it is a common one (the system gives it in English)."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
