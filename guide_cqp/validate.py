"""From a file to a validated Referentiel, or to every problem told in French."""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import model as models
from .errors import Path_, Probleme, ReferentielInvalide, display_name
from .load import Document, parse_document, read_text
from .model import Referentiel, referentiel_model

_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "string_type": "texte attendu",
    "string_too_short": "ne doit pas être vide",
    "string_pattern_mismatch": "seuls les minuscules non accentuées, les chiffres et le tiret sont permis (ex. rcad)",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "decimal_type": "nombre attendu (par exemple 7 ou 3,5)",
    "decimal_parsing": "nombre attendu (par exemple 7 ou 3,5)",
    "finite_number": "nombre attendu (par exemple 7 ou 3,5)",
    "decimal_max_digits": "nombre trop grand",
    "decimal_max_places": "au plus deux décimales",
    "decimal_whole_digits": "nombre trop grand",
    "list_type": "liste attendue (des lignes commençant par « - »)",
    "too_short": "liste vide\u00a0: au moins un élément est attendu",
    "model_type": "bloc de clés attendu (clé: valeur sur les lignes suivantes)",
    "model_attributes_type": "bloc de clés attendu (clé: valeur sur les lignes suivantes)",
    "dict_type": "bloc de clés attendu (clé: valeur sur les lignes suivantes)",
    "literal_error": "valeur non prise en charge\u00a0: attendu {expected}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "bool_type": "valeur attendue\u00a0: true ou false (oui ou non)",
    "int_from_float": "nombre entier attendu",
    "date_type": "date attendue au format AAAA-MM-JJ",
}


def load_referentiel(path: Path) -> Referentiel:
    """Read, parse and validate a référentiel; raise ReferentielInvalide listing every problem."""
    fichier = display_name(path)
    return parse_referentiel(read_text(path, fichier), fichier)


@lru_cache(maxsize=32)
def parse_referentiel(text: str, fichier: str = "referentiel.yaml") -> Referentiel:
    """Same as load_referentiel, from text already in memory (tests, CLI on stdin).

    Kept by content: `mkdocs serve` rebuilds on every save, and an edit that keeps the file's size and
    time (coarse clocks of network shares, some editors) must still be seen. Referentiel is frozen.
    """
    return validate_document(parse_document(text, fichier))


def validate_document(doc: Document) -> Referentiel:
    problemes = list(doc.problemes)
    try:
        referentiel = referentiel_model(doc.data).model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if isinstance(doc.data, dict) and "competences" in doc.data:  # a format 2 file with format 1's list:
            errors = [e for e in errors if not (e["type"] == "missing" and e["loc"] == ("blocs",))]  # one message
        problemes += [translate(doc, error) for error in errors]
        raise ReferentielInvalide(problemes) from None
    if problemes:
        raise ReferentielInvalide(problemes)
    return referentiel


def translate(doc: Document, error: Any) -> Probleme:
    """One pydantic error as a French Probleme located in the file."""
    chemin = _user_path(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if "chemin" in ctx:
        chemin = chemin + tuple(ctx["chemin"])
    if kind == "extra_forbidden":
        key = str(chemin[-1])
        return doc.probleme(chemin, f"clé inconnue « {key} »{_other_format(doc, chemin) or _suggestion(doc, chemin)}", key=True)
    if kind == "format" or (kind == "literal_error" and chemin == ("format",)):
        return doc.probleme(
            chemin, "format de fichier non pris en charge\u00a0: écrivez « format: 1 » ou « format: 2 »"
        )
    if kind == "missing":
        ligne, colonne = doc.position(chemin[:-1]) or (None, None)
        return Probleme(doc.fichier, ligne, colonne, chemin, "champ obligatoire manquant")
    template = _MESSAGES.get(kind)
    if template is None:
        message = error["msg"]  # our own PydanticCustomError messages are already French
    else:
        values = {k: v for k, v in ctx.items() if isinstance(v, (str, int, float))}
        if kind == "literal_error":  # pydantic lists the values in English: « 'RNCP', 'RS' or 'aucun' »
            values["expected"] = str(values.get("expected", "")).replace("' or '", "' ou '")
        message = template.format(**values)
    if error.get("input") is None and "chemin" not in ctx:
        message = f"champ vide\u00a0: {message}"
    return doc.probleme(chemin, message)


def _user_path(loc: tuple[Any, ...]) -> Path_:
    """Drop pydantic's union tags ('texte', 'detail' of Item) from an error location."""
    path: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part in ("texte", "detail") and path and isinstance(path[-1], int):
            continue
        if isinstance(part, str) and part.startswith("function-"):
            continue
        path.append(part)
    return tuple(path)


def _suggestion(doc: Document, chemin: Path_) -> str:
    """« vouliez-vous dire … ? » from the keys the model accepts at this place."""
    fields = _fields_at(chemin[:-1], referentiel_model(doc.data))
    if not fields:
        return ""
    key = str(chemin[-1])
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    if not close:
        close = [
            f for f in fields if f.replace("_", "") == key.lower().replace("_", "").replace("é", "e").replace("è", "e")
        ]
    if close:
        return f"\u00a0: vouliez-vous dire « {close[0]} »\u00a0?"
    return f"\u00a0; clés possibles ici\u00a0: {', '.join(sorted(fields))}"


def _other_format(doc: Document, chemin: Path_) -> str:
    """A key of the other format: say which format it belongs to, rather than suggest a near key."""
    key = str(chemin[-1])
    root = referentiel_model(doc.data)
    if root is models.Referentiel1 and chemin == ("blocs",):
        return (
            "\u00a0: les blocs de compétences demandent le format 2. Écrivez « format: 2 » en tête du fichier "
            "(la commande « cqp migrer » convertit un fichier au format 1)"
        )
    if root is models.Referentiel2 and chemin == ("competences",):
        return (
            "\u00a0: au format 2, les compétences se rangent dans des blocs "
            "(blocs:, puis pour chaque bloc code:, intitule: et competences:)"
        )
    here = _model_at(chemin[:-1], root)
    counterpart = _FORMAT_2.get(here) if root is models.Referentiel1 else None
    if counterpart is not None and key in counterpart.model_fields:
        return "\u00a0: cette clé appartient au format 2. Écrivez « format: 2 » en tête du fichier (voir « cqp migrer »)"
    return ""


_FORMAT_2: dict[type[BaseModel] | None, type[BaseModel]] = {
    models.Referentiel1: models.Referentiel2,
    models.Cqp: models.Cqp2,
    models.Competence: models.Competence2,
    models.Module: models.Module2,
}


def _fields_at(chemin: Path_, root: type[BaseModel] = models.Referentiel1) -> list[str]:
    """The keys allowed in the mapping at `chemin`, by walking the model's annotations."""
    model = _model_at(chemin, root)
    return list(model.model_fields) if model else []


def _model_at(chemin: Path_, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model of the mapping at `chemin`, by walking the model's annotations from the file's root."""
    model: type[BaseModel] | None = root
    for part in chemin:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_of(field.annotation) if field else None
    if model is None and chemin and isinstance(chemin[-1], int):
        # Items of contenu / activites are the only nested mapping without a model at the path.
        model = models.ItemDetaille
    return model


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found:
            return found
    return None
