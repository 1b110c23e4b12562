"""The référentiels one site publishes: one file today's sites name, or a folder with the CQPs of a branch.

The site (plugin), the authors' macros and the ``cqp`` command all start from a Catalogue, so that
a site of one CQP and a site of several follow the same paths.

A folder of référentiels: each ``*.yaml`` (or ``*.yml``) file directly in it is one CQP, listed in the
natural order of the file names (« cqp-2 » before « cqp-10 », case and accents aside). Hidden files
(« .brouillon.yaml ») and sub-folders (« archives/ », older versions kept for comparison) are left out,
and so are other files (a README). Every file is validated and the problems of all of them are reported
together; two files may not give the same ``cqp.code`` (it names the folder of the CQP's pages).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Probleme, ReferentielInvalide, display_name
from .load import Source, load_document
from .model import Referentiel
from .validate import check_referentiel
from .versions import previous_version

REFERENTIEL_SUFFIXES = (".yaml", ".yml")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Catalogue:
    """The validated référentiels of a site, in the order they are listed, and the files they come from."""

    referentiels: tuple[Referentiel, ...]
    fichiers: tuple[Path, ...] = field(default=(), compare=False)
    avertissements: tuple[Probleme, ...] = field(default=(), compare=False)  # publishes with a flaw: logged
    # By code: the previous version a référentiel declares (version.precedente), validated with it.
    precedentes: Mapping[str, Referentiel] = field(default_factory=dict, compare=False, hash=False)
    fichiers_precedents: Mapping[str, Path] = field(default_factory=dict, compare=False, hash=False)

    def __iter__(self) -> Iterator[Referentiel]:
        return iter(self.referentiels)

    def __len__(self) -> int:
        return len(self.referentiels)

    @property
    def codes(self) -> list[str]:
        return [ref.cqp.code for ref in self.referentiels]

    def get(self, code: str) -> Referentiel | None:
        return next((ref for ref in self.referentiels if ref.cqp.code == code), None)

    def precedente(self, code: str) -> Referentiel | None:
        return self.precedentes.get(code)

    @property
    def single(self) -> Referentiel | None:
        """The référentiel of a site of one CQP (None on a site of several)."""
        return self.referentiels[0] if len(self.referentiels) == 1 else None


def load_catalogue(path: Path, source: Source = Source.CONFIGURATION) -> Catalogue:
    """The catalogue named by the site's setting: a référentiel file, or a folder of them.

    ``source`` says where the path came from, for the message of a missing file. The warnings of every
    référentiel (validate.check_referentiel) come with it: the build logs them, `cqp valider` prints them.
    """
    if _is_folder(path):
        return load_folder(path)
    referentiel, avertissements = check_referentiel(path, source)
    return _catalogue([(path, referentiel)], avertissements)


def _catalogue(
    loaded: list[tuple[Path, Referentiel]], avertissements: list[Probleme], problemes: list[Probleme] | None = None
) -> Catalogue:
    """The catalogue of valid référentiels with the previous versions they declare (read and validated here).

    ``problemes``: those already found in other files of a folder, told with these in one report.
    """
    problemes = list(problemes or ())
    precedentes: dict[str, Referentiel] = {}
    fichiers_precedents: dict[str, Path] = {}
    for path, ref in loaded:
        try:
            found = previous_version(ref, path)
        except ReferentielInvalide as exc:
            problemes += exc.problemes
        else:
            if found is not None:
                precedentes[ref.cqp.code], fichiers_precedents[ref.cqp.code] = found
    if problemes:
        raise ReferentielInvalide(problemes)
    return Catalogue(
        tuple(ref for _, ref in loaded),
        tuple(path for path, _ in loaded),
        tuple(avertissements),
        precedentes,
        fichiers_precedents,
    )


def _is_folder(path: Path) -> bool:
    """A folder of référentiels; anything else (missing, unreadable…) is read as a file, which says why not."""
    try:
        return path.is_dir()
    except OSError:
        return False


def referentiel_files(folder: Path) -> list[Path]:
    """The référentiel files of a folder, in natural order of their names (see the module's docstring)."""
    try:
        found = [
            p
            for p in folder.iterdir()
            if not p.name.startswith(".") and p.suffix.lower() in REFERENTIEL_SUFFIXES and p.is_file()
        ]
    except OSError as exc:
        raise ReferentielInvalide(
            [Probleme(display_name(folder), None, None, (), f"dossier illisible ({exc.strerror})")]
        ) from None
    return sorted(found, key=lambda p: (_natural_key(p.name), p.name))


def load_folder(folder: Path) -> Catalogue:
    """Every référentiel of the folder, validated; every problem of every file reported at once."""
    files = referentiel_files(folder)
    if not files:
        message = (
            "ce dossier ne contient aucun référentiel (fichier .yaml)\u00a0; les fichiers cachés "
            "et les sous-dossiers ne sont pas lus"
        )
        raise ReferentielInvalide([Probleme(display_name(folder), None, None, (), message)])
    loaded: list[tuple[Path, Referentiel]] = []
    problemes: list[Probleme] = []
    avertissements: list[Probleme] = []
    for path in files:
        try:
            referentiel, warned = check_referentiel(path)
        except ReferentielInvalide as exc:
            problemes += exc.problemes
        else:
            loaded.append((path, referentiel))
            avertissements += warned
    problemes += duplicate_codes(loaded)
    order = {display_name(path): i for i, path in enumerate(files)}
    problemes.sort(key=lambda p: order.get(p.fichier, len(order)))  # reported file by file, in the folder's order
    try:
        return _catalogue(loaded, avertissements, problemes)
    except ReferentielInvalide as exc:
        lus = len(files) if len(exc.fichiers) <= len(files) else None  # archived versions are read too
        raise ReferentielInvalide(exc.problemes, fichiers_lus=lus) from None


def duplicate_codes(loaded: list[tuple[Path, Referentiel]]) -> list[Probleme]:
    """A code already given by an earlier file: the later file's ``cqp.code`` is the problem, naming both files."""
    first: dict[str, Path] = {}
    problemes: list[Probleme] = []
    for path, ref in loaded:
        code = ref.cqp.code
        if code not in first:
            first[code] = path
            continue
        fichier = display_name(path)
        mark = load_document(path).position(("cqp", "code"))  # read again only in this rare case
        ligne, colonne = mark if mark else (None, None)
        message = (
            f"le code « {code} » est déjà celui de {display_name(first[code])}\u00a0: chaque CQP du site "
            "doit avoir son propre code, qui nomme le dossier de ses pages"
        )
        problemes.append(Probleme(fichier, ligne, colonne, ("cqp", "code"), message))
    return problemes


def _natural_key(name: str) -> list[tuple[int, int | str]]:
    """« CQP-10.yaml » after « cqp-2.yaml »: numbers by value, letters without case or accents."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return [(0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part]


@dataclass(frozen=True)
class Resume:
    """What the catalogue says of one CQP, whatever the format of its référentiel."""

    ref: Referentiel
    certification: str | None  # « RNCP12345 », when the référentiel gives its certification (format 2)
    niveau: str | None  # « 3 », the level in the national framework, when given
    competences: int
    heures: Any  # the whole course's recommended range (min, max), None when the référentiel gives no hours


def resume(ref: Referentiel) -> Resume:
    """One CQP's line of the catalogue; the certification fields exist from format 2 on."""
    certification = getattr(ref.cqp, "certification", None)
    numero = getattr(certification, "numero", None)
    niveau = getattr(certification, "niveau", None)
    return Resume(
        ref=ref,
        certification=str(numero) if numero else None,
        niveau=str(niveau) if niveau is not None else None,
        competences=len(ref.competences),
        heures=ref.total_heures,
    )
