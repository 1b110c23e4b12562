"""`cqp migrer`: rewrite a format 1 référentiel as format 2, keeping its comments, quotes and layout.

Format 2 puts the competences in blocs de compétences. A format 1 file says nothing of its blocs:
its competences go into one bloc, with a YAML comment asking the author to rename it (or split it).
Everything else stays as written, comments included: the file is read and written back with
ruamel.yaml's round trip, which keeps comments, quotes, flow mappings ({min: 7, max: 21}) and
block texts (|). Only the indentation is made regular (two spaces per level, list items indented
under their key, as the référentiel of the project is written).

The result is checked before it is handed back: it validates, and gives the same competences,
modules, hours, texts and labels as the original.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import CommentToken

from .model import Referentiel
from .validate import parse_referentiel

BLOC_CODE = "BC01"
BLOC_INTITULE = "Compétences du CQP"
BLOC_COMMENT = (
    "Bloc créé par « cqp migrer » : renommez-le (code et intitulé du bloc de votre certification),\n"
    "ou répartissez les compétences en plusieurs blocs. Voir « Rédiger le référentiel »."
)
# Where list items and keys of the moved competences start once they are in the bloc:
# « blocs: » at 0, « - code: » at 2, « competences: » at 4, « - numero: » at 6.
COMPETENCE_DASH_COLUMN = 6


class MigrationImpossible(ValueError):
    """The file cannot be migrated; the message says why, in French."""


def migrate(text: str, fichier: str = "referentiel.yaml") -> str:
    """The format 2 text of a valid format 1 référentiel (ReferentielInvalide if it is not valid)."""
    before = parse_referentiel(text, fichier)
    if before.format != 1:
        raise MigrationImpossible(f"{fichier} est déjà au format {before.format}\u00a0: rien à migrer.")
    yaml = _round_trip()
    try:
        data = yaml.load(text)
    except YAMLError as exc:  # our loader read it: only a construct ruamel.yaml alone refuses
        raise MigrationImpossible(f"{fichier} ne peut pas être relu pour la migration ({exc}).") from None
    _to_format_2(data)
    out = io.StringIO()
    yaml.dump(data, out)
    migrated = out.getvalue()
    after = parse_referentiel(migrated, fichier)
    if essentials(after) != essentials(before):
        raise MigrationImpossible(
            f"la migration de {fichier} changerait son contenu\u00a0: rien n'a été écrit. "
            "Signalez ce fichier aux développeurs du guide."
        )
    return migrated


def _round_trip() -> YAML:
    yaml = YAML()  # round trip: comments, quotes and styles are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # long texts stay on their line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _to_format_2(data: CommentedMap) -> None:
    """format: 2, and the top-level competences wrapped in one bloc, at the same place in the file."""
    competences: CommentedSeq = data["competences"]
    _shift_comments(competences, COMPETENCE_DASH_COLUMN - _dash_column(competences))
    bloc = CommentedMap()
    bloc["code"] = BLOC_CODE
    bloc["intitule"] = BLOC_INTITULE
    bloc["competences"] = competences
    # The comment under « competences: », before its first item, now opens the bloc's list.
    moved = data.ca.items.pop("competences", None)
    if moved is not None:
        bloc.ca.items["competences"] = moved
    blocs = CommentedSeq([bloc])
    blocs.yaml_set_comment_before_after_key(0, before=BLOC_COMMENT, indent=2)
    position = list(data).index("competences")
    del data["competences"]
    data.insert(position, "blocs", blocs)
    data["format"] = 2


def _dash_column(competences: CommentedSeq) -> int:
    """The column of the list's dashes in the original file (its first item's column, minus « - »)."""
    try:
        _, column = competences.lc.item(0)
    except (AttributeError, IndexError, KeyError, TypeError):
        return 2
    return max(column - 2, 0)


def _shift_comments(node: Any, by: int) -> None:
    """Move the comments inside the competences as far right as the competences themselves.

    ruamel.yaml keeps a comment that starts its token at the token's column, and the lines of a
    multi-line token with the spaces they were written with.
    """
    if by <= 0:
        return
    for token in _comment_tokens(node):
        if token.value.startswith("#"):
            token.column = (token.column or 0) + by
        else:
            token.value = re.sub(r"(?m)^([ \t]*)#", lambda m: " " * by + m.group(1) + "#", token.value)


def _comment_tokens(node: Any) -> list[CommentToken]:
    found: list[CommentToken] = []

    def collect(value: Any) -> None:
        if isinstance(value, CommentToken):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    stack = [node]
    while stack:
        current = stack.pop()
        comments = getattr(current, "ca", None)
        if comments is not None:
            collect(comments.comment)
            for value in comments.items.values():
                collect(value)
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def essentials(ref: Referentiel) -> dict[str, Any]:
    """What a reader sees of a référentiel in both formats: texts, labels, competences, modules and hours."""
    return {
        "cqp": ref.cqp.model_dump(include={"code", "intitule", "branche", "instance"}),
        "version": ref.version.model_dump(),
        "presentation": ref.presentation,
        "livret": ref.livret.model_dump(),
        "competences": [
            c.model_dump(exclude={"evaluation": True, "modules": {"__all__": {"facultatif"}}})
            for c in ref.competences_triees()
        ],
        "heures": [c.total_heures for c in ref.competences_triees()],
        "total": ref.total_heures,
    }
