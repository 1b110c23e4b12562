"""Time and memory bounded by the input: what would build slowly is refused up front, in French.

Python-Markdown's block parser is quadratic in the lines of a block, its inline patterns in the
« [ » and « ` » of a paragraph; WeasyPrint takes about a tenth of a second per page. The model
bounds every dimension that costs (guide_cqp.model, MAX_*); benchmarks/limits.py measures builds
at those bounds (README, « Performances »). Here: each bound refuses one more than it allows, with
a message that names the field and the bound; what is allowed is measured by the benchmark, not timed here.
"""

from __future__ import annotations

import copy
import html
import json
from collections.abc import Callable
from typing import Any

import limits
import pytest
from support import ROOT

from guide_cqp import french, model
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.validate import parse_referentiel

BASE: dict[str, Any] = {
    "format": 1,
    "cqp": {"code": "essai", "intitule": "CQP d'essai"},
    "version": {"numero": "2024-01", "date": "2024-01-15"},
    "competences": [
        {
            "numero": 1,
            "intitule": "Accueillir",
            "savoir_faire": ["Accueillir le client"],
            "modules": [{"numero": "1.1", "intitule": "L'accueil", "heures": {"min": 7, "max": 14}}],
            "activites_entreprise": ["Accueil au comptoir"],
        }
    ],
}


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=0)  # JSON is YAML, and quick to write


def outcome(data: dict[str, Any]) -> model.Referentiel | ReferentielInvalide:
    try:
        return parse_referentiel(dump(data), "limites.yaml")
    except ReferentielInvalide as exc:
        return exc


def competence(numero: int, modules: int = 1, items: int = 1) -> dict[str, Any]:
    return {
        "numero": numero,
        "intitule": f"Compétence {numero}",
        "savoir_faire": [f"Savoir {i}" for i in range(items)],
        "modules": [
            {"numero": f"{numero}.{j}", "intitule": "Module", "heures": {"min": 1, "max": 2}} for j in range(modules)
        ],
        "activites_entreprise": ["Activité"],
    }


def nested(depth: int) -> Any:
    item: Any = "feuille"
    for level in range(depth):
        item = {"texte": f"niveau {depth - level}", "details": [item]}
    return item


def _set(path: tuple[Any, ...], make: Callable[[int], Any]) -> Callable[[int], dict[str, Any]]:
    """A référentiel whose value at ``path`` is ``make(n)``."""

    def build(n: int) -> dict[str, Any]:
        data = copy.deepcopy(BASE)
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = make(n)
        return data

    return build


def _competences(make: Callable[[int], list[dict[str, Any]]]) -> Callable[[int], dict[str, Any]]:
    def build(n: int) -> dict[str, Any]:
        return {**copy.deepcopy(BASE), "competences": make(n)}

    return build


def _spread(total: int, per: int, make: Callable[[int, int], dict[str, Any]]) -> list[dict[str, Any]]:
    """``total`` things spread over competences of at most ``per`` each."""
    competences, numero = [], 1
    while total > 0:
        competences.append(make(numero, min(per, total)))
        total -= per
        numero += 1
    return competences


# (what, limit, référentiel with n of it, where the message points, words of the message)
BOUNDS = [
    ("titre", model.MAX_TITLE, _set(("cqp", "intitule"), lambda n: "T" * n), ("cqp", "intitule"), "caractères"),
    (
        "texte de liste",
        model.MAX_TEXT,
        _set(("competences", 0, "savoir_faire"), lambda n: ["s" * n]),
        ("competences", 0, "savoir_faire", 0),
        "caractères",
    ),
    (
        "numéro de module",
        model.MAX_NUMERO,
        _set(("competences", 0, "modules", 0, "numero"), lambda n: "1" * n),
        ("competences", 0, "modules", 0, "numero"),
        "caractères",
    ),
    ("code", model.MAX_CODE, _set(("cqp", "code"), lambda n: "c" * n), ("cqp", "code"), "caractères"),
    ("texte Markdown", model.MAX_MARKDOWN, _set(("presentation",), lambda n: "m" * n), ("presentation",), "caractères"),
    (
        "lignes Markdown",
        model.MAX_MARKDOWN_LINES,
        _set(("presentation",), lambda n: "\n".join(["ligne"] * n)),
        ("presentation",),
        "lignes",
    ),
    (
        "signes par paragraphe",
        model.MAX_MARKUP_PER_PARAGRAPH,
        _set(("livret",), lambda n: {"objet": "[a " * n}),
        ("livret", "objet"),
        "signes de mise en forme",
    ),
    (
        "signes par élément de liste",
        model.MAX_MARKUP_PER_PARAGRAPH,
        _set(("livret",), lambda n: {"note_heures": "- un\n- " + "`" * n + "\n- trois"}),
        ("livret", "note_heures"),
        "ligne 2 du texte",
    ),
    (
        "signes d'un texte",
        model.MAX_MARKUP,
        _set(("presentation",), lambda n: "\n\n".join(["*a" * (n // 10)] * 10) + "_" * (n % 10)),
        ("presentation",),
        "signes de mise en forme",
    ),
    (
        "retrait Markdown",
        model.MAX_MARKDOWN_PREFIX,
        _set(("presentation",), lambda n: " " * (n - 2) + "- a"),
        ("presentation",),
        "imbriquées",
    ),
    ("compétences", model.MAX_COMPETENCES, _competences(lambda n: [competence(i + 1) for i in range(n)]), ("competences",), "éléments"),
    (
        "numéro de compétence",
        model.MAX_COMPETENCE_NUMBER,
        _set(("competences", 0, "numero"), lambda n: n),
        ("competences", 0, "numero"),
        "inférieur ou égal",
    ),
    (
        "modules d'une compétence",
        model.MAX_MODULES,
        _competences(lambda n: [competence(1, modules=n)]),
        ("competences", 0, "modules"),
        "éléments",
    ),
    (
        "textes d'une liste",
        model.MAX_ITEMS,
        _competences(lambda n: [competence(1, items=n)]),
        ("competences", 0, "savoir_faire"),
        "éléments",
    ),
    (
        "niveaux de sous-listes",
        model.MAX_ITEM_DEPTH,
        _set(("competences", 0, "activites_entreprise"), lambda n: [nested(n)]),
        ("competences", 0, "activites_entreprise", 0) + ("details", 0) * (model.MAX_ITEM_DEPTH + 1),
        "sous-listes trop profondes",
    ),
    (
        "modules du référentiel",
        model.MAX_ALL_MODULES,
        _competences(lambda n: _spread(n, model.MAX_MODULES, lambda i, k: competence(i, modules=k))),
        None,
        f"plus de {french.integer(model.MAX_ALL_MODULES)} modules",
    ),
    (
        "textes du référentiel",
        model.MAX_ALL_ITEMS,
        _competences(lambda n: _spread(n, model.MAX_ITEMS + 1, lambda i, k: competence(i, items=k - 1))),
        None,
        f"plus de {french.integer(model.MAX_ALL_ITEMS)} textes",
    ),
]


@pytest.mark.parametrize(("what", "limit", "build", "place", "words"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_each_bound_allows_its_limit_and_refuses_one_more(
    what: str, limit: int, build: Callable[[int], dict[str, Any]], place: tuple | None, words: str
) -> None:
    at_limit = outcome(build(limit))
    assert isinstance(at_limit, model.Referentiel), str(at_limit)
    beyond = outcome(build(limit + 1))
    assert isinstance(beyond, ReferentielInvalide), what
    (probleme,) = beyond.problemes
    if place is not None:
        assert probleme.chemin == place, str(probleme)
    assert probleme.ligne is not None and words in probleme.message, str(probleme)
    assert french.integer(limit) in probleme.message, str(probleme)


# --- the examples: refused up front, whatever their size -------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "place"),
    [
        ("setext", lambda: _set(("presentation",), lambda n: "a\n=\n" * n)(20_000), ("presentation",)),
        ("filets", lambda: _set(("presentation",), lambda n: "* * *\n" * n)(20_000), ("presentation",)),
        ("etoiles", lambda: _set(("livret",), lambda n: {"objet": "*a" * n})(100_000), ("livret", "objet")),
        ("accents-graves", lambda: _set(("presentation",), lambda n: "``\\" * n)(3_000), ("presentation",)),
        ("titre-1-mo", lambda: _set(("cqp", "intitule"), lambda n: "Titre " * n)(170_000), ("cqp", "intitule")),
        ("10000-modules", lambda: _competences(lambda n: [competence(i + 1, modules=10) for i in range(n)])(1_000), ("competences",)),
        ("10000-modules-une-competence", lambda: _competences(lambda n: [competence(1, modules=n)])(10_000), ("competences", 0, "modules")),
    ],
)
def test_the_shapes_that_took_minutes_are_refused_with_their_field(name: str, make: Callable[[], dict], place: tuple) -> None:
    refused = outcome(make())
    assert isinstance(refused, ReferentielInvalide), name
    assert [p.chemin for p in refused.problemes] == [place], refused.rapport()


# --- what is allowed is what the benchmark measures (benchmarks/limits.py; times in the README) ----------


def test_the_benchmark_shapes_are_allowed_and_its_refused_shapes_refused() -> None:
    """benchmarks/limits.py measures builds at the limits: its référentiels must stay at, not past, them."""
    for name, (_, make) in limits.SHAPES.items():
        built = outcome(make(1.0))
        assert isinstance(built, model.Referentiel), f"{name}: {built}"
    for name, (_, make) in limits.REFUSED.items():
        assert isinstance(outcome(make(1.0)), ReferentielInvalide), name


# --- the limits, written for the staff --------------------------------------------------------------------

AUTHORS_PAGE = ROOT / "docs" / "rediger-le-referentiel.md"
# Each bound, by the start of its row in the table of « Rédiger le référentiel » (section #limites).
DOCUMENTED = {
    "MAX_TITLE": "Titre, intitulé ou libellé",
    "MAX_TEXT": "Texte d'une liste",
    "MAX_NUMERO": "Numéro de module ou de version",
    "MAX_CODE": "Code du CQP",
    "MAX_COMPETENCE_NUMBER": "Numéro de compétence",
    "MAX_MARKDOWN": "Texte Markdown (présentation",
    "MAX_MARKDOWN_LINES": "Lignes d'un texte Markdown",
    "MAX_MARKDOWN_PREFIX": "Retrait et puces",
    "MAX_MARKUP_PER_PARAGRAPH": "Signes de mise en forme (",
    "MAX_MARKUP": "Signes de mise en forme d'un texte Markdown entier",
    "MAX_COMPETENCES": "Compétences",
    "MAX_MODULES": "Modules d'une compétence",
    "MAX_ALL_MODULES": "Modules du référentiel",
    "MAX_ITEMS": "Textes d'une liste",
    "MAX_ITEM_DEPTH": "Niveaux de sous-listes",
    "MAX_ALL_ITEMS": "Textes de toutes les listes",
}


def _table_rows(markdown: str) -> dict[str, str]:
    rows = {}
    for line in markdown.splitlines():
        cells = [" ".join(html.unescape(c).split()) for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def test_every_limit_is_written_on_the_authors_page() -> None:
    from guide_cqp.load import MAX_BYTES

    assert set(DOCUMENTED) == {name for name in vars(model) if name.startswith("MAX_")}, "a new limit is documented"
    rows = _table_rows(AUTHORS_PAGE.read_text(encoding="utf-8"))
    for name, label in DOCUMENTED.items():
        (shown,) = [value for row, value in rows.items() if row.startswith(label)]
        number = " ".join(french.integer(getattr(model, name)).split())
        assert shown == number or shown.startswith(number + " "), (name, shown)
    (size,) = [value for row, value in rows.items() if row.startswith("Taille du fichier")]
    assert size == f"{MAX_BYTES // 2**20} Mo"
