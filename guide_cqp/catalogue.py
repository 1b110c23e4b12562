"""The référentiels one site publishes: one file today's sites name, or several CQPs of a branch.

The site (plugin), the authors' macros and ``cqp generer`` all start from a Catalogue, so that
a site of one CQP and a site of several follow the same paths.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .model import Referentiel
from .versions import load_with_previous


@dataclass(frozen=True)
class Catalogue:
    """The validated référentiels of a site, in the order they are listed."""

    referentiels: tuple[Referentiel, ...]
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


def load_catalogue(path: Path) -> Catalogue:
    """The catalogue named by the site's setting: a référentiel file (and the previous version it names)."""
    loaded = load_with_previous(path)
    code = loaded.ref.cqp.code
    if loaded.avant is None or loaded.fichier_avant is None:
        return Catalogue((loaded.ref,))
    return Catalogue((loaded.ref,), {code: loaded.avant}, {code: loaded.fichier_avant})
