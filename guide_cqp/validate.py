"""From a file to a validated Referentiel, or to every problem told in French."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import fonts, french, publishable
from . import model as models
from .errors import FieldPath, Probleme, ReferentielInvalide, describe_path, display_name
from .load import Document, Source, parse_document, read_text
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


def load_referentiel(path: Path, source: Source = Source.CONFIGURATION) -> Referentiel:
    """Read, parse and validate a référentiel; raise ReferentielInvalide listing every problem.

    ``source`` says where the path came from, so that a missing file is explained where it is fixed.
    When the site's mkdocs.yml is next to the file (or in the working directory), the CQP's code is
    also checked against the pages of its docs folder.
    """
    return _read_and_validate(path, source)[0]


def check_referentiel(path: Path, source: Source = Source.CONFIGURATION) -> tuple[Referentiel, list[Probleme]]:
    """The valid référentiel and its warnings: what publishes, with a flaw the staff should know of.

    Today one kind: characters that no font of the livret PDF holds (guide_cqp.fonts), drawn there
    as empty boxes while the web pages show them. Raise ReferentielInvalide as load_referentiel does.
    """
    referentiel, text, fichier = _read_and_validate(path, source)
    return referentiel, warnings(referentiel, text, fichier)


def _read_and_validate(path: Path, source: Source) -> tuple[Referentiel, str, str]:
    fichier = display_name(path)
    text = read_text(path, fichier, source)
    pages = publishable.docs_pages(path)
    return _validated(text, fichier, None if pages is None else frozenset(pages.items())), text, fichier


def warnings(referentiel: Referentiel, text: str, fichier: str) -> list[Probleme]:
    """Warnings for a valid référentiel read from ``text`` (located in the file, as errors are)."""
    found = [(chemin, missing) for chemin, value in _texts(referentiel) if (missing := fonts.undrawable(value))]
    if not found:
        return []
    doc = parse_document(text, fichier)
    return [doc.probleme(chemin, _undrawable_message(missing)) for chemin, missing in found]


def _undrawable_message(missing: list[str]) -> str:
    shown = french.list_and(f"« {ch} » (U+{ord(ch):04X})" for ch in missing[:8])
    if len(missing) > 8:
        shown += f" et {len(missing) - 8} autres"
    if len(missing) == 1:
        return (
            f"le livret PDF ne peut pas dessiner {shown}\u00a0: aucune police installée pour le PDF ne contient ce "
            "caractère, qui y apparaîtrait comme une case vide (le site web, lui, l'affiche). Remplacez-le, ou "
            "installez sur la machine qui construit le site une police qui le contient."
        )
    return (
        f"le livret PDF ne peut pas dessiner {shown}\u00a0: aucune police installée pour le PDF ne contient ces "
        "caractères, qui y apparaîtraient comme des cases vides (le site web, lui, les affiche). Remplacez-les, "
        "ou installez sur la machine qui construit le site une police qui les contient."
    )


def _texts(referentiel: Referentiel) -> list[tuple[FieldPath, str]]:
    """Every text of the référentiel with its path, defaults included."""
    found: list[tuple[FieldPath, str]] = []
    stack: list[tuple[FieldPath, Any]] = [((), referentiel.model_dump(mode="python"))]
    while stack:
        chemin, value = stack.pop()
        if isinstance(value, str):
            found.append((chemin, value))
        elif isinstance(value, dict):
            stack += [((*chemin, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            stack += [((*chemin, index), item) for index, item in enumerate(value)]
    return sorted(found, key=lambda pair: [str(part).zfill(6) for part in pair[0]])


def parse_referentiel(text: str, fichier: str = "referentiel.yaml") -> Referentiel:
    """Same as load_referentiel, from text already in memory (tests, CLI on stdin)."""
    return _validated(text, fichier, None)


@lru_cache(maxsize=32)
def _validated(text: str, fichier: str, pages: frozenset[tuple[str, str]] | None) -> Referentiel:
    """Kept by content: `mkdocs serve` rebuilds on every save, and an edit that keeps the file's size and
    time (coarse clocks of network shares, some editors) must still be seen. Referentiel is frozen.
    """
    return validate_document(parse_document(text, fichier), None if pages is None else dict(pages))


def validate_document(doc: Document, pages: Mapping[str, str] | Iterable[str] | None = None) -> Referentiel:
    """The référentiel if the model accepts it and the site can publish it, else every problem at once."""
    problemes = list(doc.problemes)
    try:
        referentiel = referentiel_model(doc.data).model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if isinstance(doc.data, dict) and "competences" in doc.data:  # a format 2 file with format 1's list:
            errors = [e for e in errors if not (e["type"] == "missing" and e["loc"] == ("blocs",))]  # one message
        found, errors = _colon_mistakes(doc, errors)
        already = {p.chemin for p in problemes + found}
        problemes += found
        for error in errors:
            probleme = translate(doc, error)
            if not any(probleme.chemin[: len(chemin)] == chemin for chemin in already):
                problemes.append(probleme)
        raise ReferentielInvalide(problemes) from None
    problemes += publishable.problems(doc, referentiel, pages)
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
        return Probleme(
            doc.fichier, ligne, colonne, chemin, "champ obligatoire manquant", describe_path(chemin, doc.data)
        )
    if kind in ("string_too_long", "too_long") and isinstance(error.get("input"), str):
        length = len(error["input"])
        return doc.probleme(chemin, _too_long("texte", length, "caractère", ctx.get("max_length")))
    if kind == "too_long":
        return doc.probleme(chemin, _too_long("liste", ctx.get("actual_length"), "élément", ctx.get("max_length")))
    opener = _opening_sign(doc, chemin) if kind == "string_type" else None
    if opener:
        read_as = "une liste" if opener == "[" else "un bloc de clés"
        return doc.probleme(
            chemin,
            f"texte attendu\u00a0: un texte qui commence par « {opener} » se met entre guillemets doubles, "
            f"sinon YAML y lit {read_as}",
        )
    template = _MESSAGES.get(kind)
    if template is None:
        message = error["msg"]  # our own PydanticCustomError messages are already French
    else:
        values = {k: v for k, v in ctx.items() if isinstance(v, (str, int, float))}
        if kind == "literal_error":  # pydantic lists the values in English: « 'RNCP', 'RS' or 'aucun' »; French quotes
            allowed = re.findall(r"'([^']*)'", str(values.get("expected", "")))
            values["expected"] = french.list_or(f"«\u00a0{value}\u00a0»" for value in allowed)
        message = template.format(**values)
    if error.get("input") is None and "chemin" not in ctx:
        message = f"champ vide\u00a0: {message}"
    if "premier" in ctx:  # a duplicate: where the first one is, as the author finds it
        message += _first_one(doc, _user_path(error["loc"]) + tuple(ctx["premier"]))
    return doc.probleme(chemin, message)


def _first_one(doc: Document, premier: FieldPath) -> str:
    """« (déjà donné ligne 12, compétence 3) »: the line and the place of the first use of a number or code."""
    mark = doc.position(premier)
    where = describe_path(premier[:-1], doc.data)  # the competence, module or bloc that has it
    return f" (déjà donné ligne {mark[0]}, {where})" if mark else f" (déjà donné\u00a0: {where})"


def _too_long(what: str, length: Any, unit: str, maximum: Any) -> str:
    """« texte trop long (2 400 caractères) : au plus 2 000 caractères »."""
    adjective = "trop long" if what == "texte" else "trop longue"
    count = f" ({french.plural(length, unit)})" if isinstance(length, int) else ""
    return f"{what} {adjective}{count}\u00a0: au plus {french.plural(maximum, unit)}"


# --- a text with « : » left without quotes --------------------------------------------------------

_KEY_LIKE = re.compile(r"[a-z][a-z0-9_]*")
_ITEM_KEYS = ("texte", "details", "criteres")  # the keys of a list element ({texte, details}, format 2 {texte, criteres})


def _colon_mistakes(doc: Document, errors: list[Any]) -> tuple[list[Probleme], list[Any]]:
    """`- Analyse des résultats : points forts` is read by YAML as a key and its value, where a text was
    expected. Recognise it (a mapping where a text goes, whose key reads like prose) and say it once,
    on the line of that key, instead of « texte attendu », « champ obligatoire manquant » and « clé
    inconnue » for the same mistake.
    """
    places: dict[FieldPath, str] = {}
    for error in errors:
        place = _text_place(error)
        if place is None or place in places:
            continue
        value = _data_at(doc.data, place)
        if isinstance(value, dict) and not _opening_sign(doc, place):  # {…} is a mapping on purpose, or a text to quote
            prose = [key for key in value if _reads_like_prose(str(key))]
            if prose:
                places[place] = str(prose[0])
    if not places:
        return [], errors
    found = [_colon_probleme(doc, place, key) for place, key in places.items()]
    remaining = [
        error for error in errors if not any(_user_path(error["loc"])[: len(place)] == place for place in places)
    ]
    return found, remaining


def _text_place(error: Any) -> FieldPath | None:
    """Where a text (or a list element: a text, or {texte, details}) was expected and something else found."""
    loc = tuple(error["loc"])
    if error["type"] == "string_type":
        return _user_path(loc)
    for index in range(len(loc) - 2, 0, -1):  # the innermost element read as {texte, details}
        if loc[index] == "detail" and isinstance(loc[index - 1], int):
            return _user_path(loc[:index])
    return None


def _reads_like_prose(key: str) -> bool:
    """« Analyse des résultats » or « attention » is text; « texte », « details » or « detials » are keys."""
    looks_like_a_key = key in _ITEM_KEYS or bool(difflib.get_close_matches(key, _ITEM_KEYS, cutoff=0.6))
    return not (_KEY_LIKE.fullmatch(key) and looks_like_a_key)


def _colon_probleme(doc: Document, place: FieldPath, key: str) -> Probleme:
    ligne, colonne = doc.key_marks.get(place + (key,)) or doc.position(place) or (None, None)
    written = _written_from(doc.text, ligne, colonne) or key
    quoted = '"' + written.replace("\\", "\\\\").replace('"', '\\"') + '"'
    message = (
        f"ce texte contient « : », que YAML lit comme une clé suivie de sa valeur\u00a0: mettez tout le texte "
        f"entre guillemets doubles, par exemple {quoted}"
    )
    return Probleme(doc.fichier, ligne, colonne, place, message, describe_path(place, doc.data))


def _written_from(text: str, ligne: int | None, colonne: int | None) -> str | None:
    """The rest of the line from a position, as written (without a trailing comment)."""
    if ligne is None or colonne is None:
        return None
    lines = text.splitlines()
    if ligne > len(lines):
        return None
    rest = lines[ligne - 1][colonne - 1 :]
    rest = re.split(r"\s#", rest, maxsplit=1)[0].strip()
    return rest if 0 < len(rest) <= 200 else None


def _opening_sign(doc: Document, chemin: FieldPath) -> str | None:
    """« [ » or « { » when a value is written in YAML's brackets or braces where a text was expected."""
    mark = doc.value_marks.get(chemin)
    if mark is None:
        return None
    lines = doc.text.splitlines()
    ligne, colonne = mark
    sign = lines[ligne - 1][colonne - 1 : colonne] if ligne <= len(lines) else ""
    return sign if sign in ("[", "{") else None


def _data_at(data: Any, chemin: FieldPath) -> Any:
    for part in chemin:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _user_path(loc: tuple[Any, ...]) -> FieldPath:
    """Drop pydantic's union tags ('texte', 'detail' of Item) from an error location."""
    path: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part in ("texte", "detail") and path and isinstance(path[-1], int):
            continue
        if isinstance(part, str) and part.startswith("function-"):
            continue
        path.append(part)
    return tuple(path)


def _suggestion(doc: Document, chemin: FieldPath) -> str:
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


def _other_format(doc: Document, chemin: FieldPath) -> str:
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


def _fields_at(chemin: FieldPath, root: type[BaseModel] = models.Referentiel1) -> list[str]:
    """The keys allowed in the mapping at `chemin`, by walking the model's annotations."""
    model = _model_at(chemin, root)
    return list(model.model_fields) if model else []


def _model_at(chemin: FieldPath, root: type[BaseModel]) -> type[BaseModel] | None:
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
