"""Synthetic référentiels of any size, shaped like the seed, for the scale benchmark.

Each competence has the seed's proportions: ~6 savoir-faire, 2 modules with an objective,
hours and ~6 content lines (one with a sub-list), ~5 activities (one with a sub-list).
Texts are pseudo-random French words from a fixed vocabulary and a fixed random seed:
the same size always gives the same file, so two runs build the same site.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

_WORDS = [
    "client",
    "commande",
    "produit",
    "service",
    "entreprise",
    "vente",
    "offre",
    "relation",
    "téléphone",
    "entretien",
    "fiche",
    "outil",
    "information",
    "fournisseur",
    "livraison",
    "stock",
    "entrepôt",
    "réclamation",
    "litige",
    "délai",
    "prix",
    "remise",
    "marge",
    "catalogue",
    "documentation",
    "réglementation",
    "qualité",
    "sécurité",
    "hygiène",
    "traçabilité",
    "conservation",
    "tuteur",
    "candidat",
    "formation",
    "module",
    "activité",
    "organisation",
    "priorité",
    "planning",
    "suivi",
    "relance",
    "besoin",
    "objection",
    "argument",
    "proposition",
    "négociation",
    "conclusion",
    "découverte",
    "écoute",
    "reformulation",
    "questionnement",
    "typologie",
    "prospect",
    "portefeuille",
    "secteur",
    "équipe",
    "poste",
    "procédure",
    "contrôle",
    "inventaire",
    "préparation",
    "expédition",
    "transport",
    "facture",
    "règlement",
    "encours",
    "analyse",
    "résultat",
    "objectif",
    "indicateur",
    "tableau",
    "données",
    "base",
]
_VERBS = [
    "Identifier",
    "Analyser",
    "Préparer",
    "Organiser",
    "Vérifier",
    "Contrôler",
    "Présenter",
    "Argumenter",
    "Négocier",
    "Conclure",
    "Suivre",
    "Traiter",
    "Exploiter",
    "Mettre",
    "Adapter",
    "Conseiller",
    "Enregistrer",
    "Transmettre",
    "Planifier",
    "Évaluer",
]


def _sentence(rng: random.Random, words: int, verb: bool = False) -> str:
    head = [rng.choice(_VERBS)] if verb else []
    body = [rng.choice(_WORDS) for _ in range(words - len(head))]
    text = " ".join(head + body)
    return text[0].upper() + text[1:]


def _item_list(rng: random.Random, count: int, words: int, verb: bool) -> list[Any]:
    """A list of texts whose second item has a short sub-list, as in the seed."""
    items: list[Any] = [_sentence(rng, words, verb) for _ in range(count)]
    if count > 1:
        items[1] = {"texte": _sentence(rng, words // 2, verb) + " :", "details": [_sentence(rng, 8) for _ in range(2)]}
    return items


def competence(rng: random.Random, numero: int) -> dict[str, Any]:
    modules = []
    for j in (1, 2):
        low = rng.choice((3.5, 7, 14))
        modules.append(
            {
                "numero": f"{numero}.{j}",
                "intitule": _sentence(rng, 7),
                "objectifs": [_sentence(rng, 11, verb=True)],
                "heures": {"min": low, "max": low * rng.choice((1, 2, 3))},
                "contenu": _item_list(rng, rng.randint(5, 7), 9, verb=False),
            }
        )
    return {
        "numero": numero,
        "intitule": _sentence(rng, 8, verb=True),
        "savoir_faire": [_sentence(rng, 13, verb=True) for _ in range(rng.randint(5, 7))],
        "modules": modules,
        "activites_entreprise": _item_list(rng, rng.randint(4, 6), 16, verb=False),
    }


def referentiel(size: int, seed: int = 2009, code: str | None = None, intitule: str | None = None) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "format": 1,
        "cqp": {
            "code": code or f"synthetique-{size}",
            "intitule": intitule or f"Référentiel synthétique de {size} compétences",
            "branche": "Commerces de gros",
            "instance": "CPNEFP des commerces de gros",
        },
        "version": {"numero": "2025-01", "date": "2025-01-15", "statut": "Banc d'essai"},
        "presentation": " ".join(_sentence(rng, 14) + "." for _ in range(3)),
        "competences": [competence(rng, n) for n in range(1, size + 1)],
    }


def write_referentiel(path: Path, size: int) -> Path:
    """Write a valid référentiel of ``size`` competences to ``path``."""
    return _write(path, referentiel(size))


def write_catalogue(folder: Path, count: int, size: int) -> Path:
    """A folder of ``count`` référentiels of ``size`` competences each, as a branch keeps its CQPs."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        rng = random.Random(1000 + n)
        title = f"CQP synthétique {n} · {_sentence(rng, 5)}"
        _write(folder / f"cqp-{n:02d}.yaml", referentiel(size, seed=2009 + n, code=f"cqp-{n:02d}", intitule=title))
    return folder


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


if __name__ == "__main__":  # python benchmarks/synthetic.py 60 > /tmp/ref.yaml
    import sys

    sys.stdout.write(yaml.safe_dump(referentiel(int(sys.argv[1])), allow_unicode=True, sort_keys=False, width=1000))
