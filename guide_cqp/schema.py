"""The JSON Schema of a référentiel, generated from the pydantic model, and its reference for staff.

The model (guide_cqp.model) stays the one source of truth: this module only says how its types
look to an editor that reads the YAML file. That editor sees what a YAML reader sees, not what our
loader keeps (every scalar as text): ``7`` is a number, ``"3,5"`` a text, ``2009-05-07`` a text in
YAML 1.2 editors. So every « text » of the model accepts any scalar, hours accept a number or a
decimal written with a comma, and so on: the schema never flags what the build accepts.

The schema is written for draft 7, the draft editors support best (a description next to a
``$ref`` is wrapped in ``allOf``, since draft 7 ignores the siblings of ``$ref``).

Examples come from the skeleton référentiel that ``cqp nouveau`` creates (a valid file, checked by
the tests); the livret's labels show their defaults instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from . import model

SKELETON = Path(__file__).parent / "skeleton"
SKELETON_REFERENTIEL = SKELETON / "referentiel.yaml"
SCHEMA_FILE = "schema/referentiel.schema.json"  # relative to the référentiel, as its `$schema` line says
DRAFT = "http://json-schema.org/draft-07/schema#"

# Every scalar of the YAML file is read as text by the build; an editor may see a number or true/false.
SCALAR = ["string", "number", "boolean"]
_MARKDOWN = "text/markdown"
UNKNOWN_TYPE = "valeur (voir l'exemple)"  # a type the labels below do not know yet: the tests ask for words
_PYDANTIC_ONLY = ("ge", "gt", "le", "lt", "max_digits", "decimal_places")

# French title and description of each block of keys (the model's docstrings are for developers).
BLOCS: dict[str, tuple[str, str]] = {
    "Referentiel": (
        "Référentiel d'un CQP",
        "Le fichier référentiel d'un CQP (referentiel.yaml) : ce que la branche publie dans le guide tuteur.",
    ),
    "Cqp": ("Le CQP", "Identité du certificat de qualification professionnelle."),
    "Version": (
        "La version",
        "L'édition du référentiel : chaque version publiée reste consultable en ligne.",
    ),
    "Competence": ("Une compétence", "Un domaine de compétence du CQP, avec ses modules de formation."),
    "Module": ("Un module de formation", "Un module de formation d'une compétence."),
    "Heures": (
        "Une plage d'heures",
        "Le volume horaire préconisé, d'une simple mise à niveau (minimum) à un parcours complet (maximum).",
    ),
    "ItemDetaille": (
        "Un élément avec sous-liste",
        "Dans une liste (contenu, activités, critères), un élément qui a lui-même une sous-liste.",
    ),
    "Livret": (
        "Les libellés du livret",
        "Les textes fixes du livret et des pages. Chaque clé a une valeur par défaut, celle du livret de 2009 : "
        "n'écrivez que celles à changer. Dans ces textes, {intitule} est remplacé par l'intitulé du CQP "
        "et {instance} par l'instance qui publie le référentiel.",
    ),
    "FicheLabels": (
        "La grille « De la formation à l'entreprise »",
        "Les libellés de la grille que le formateur et le tuteur remplissent pour chaque compétence.",
    ),
}


class _EditorSchema(GenerateJsonSchema):
    """pydantic's generator, with the model's own types described as an editor sees the YAML."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"]["function"]
        if function is model._clean_text:
            inner = self.generate_inner(schema["schema"])
            # Text is stripped before its length is checked: a blank text is as empty as no text.
            return {
                "type": SCALAR,
                **{k: v for k, v in inner.items() if k != "type"},
                "pattern": inner.get("pattern", r"\S"),
            }
        if function is model._clean_markdown:
            return {"type": SCALAR, "contentMediaType": _MARKDOWN}
        if function is model._decimal_comma:
            return {
                "anyOf": [
                    {"type": "number", "minimum": 0, "maximum": 99999.99},
                    {"type": "string", "pattern": r"^\s*(?:[0-9]{1,5}(?:[.,][0-9]{0,2})?|[.,][0-9]{1,2})\s*$"},
                ]
            }
        if function is model._parse_int:
            minimum = schema["schema"].get("ge", 0)
            pattern = r"^\s*0*[1-9][0-9]*\s*$" if minimum >= 1 else r"^\s*[0-9]+\s*$"
            return {"anyOf": [{"type": "integer", "minimum": minimum}, {"type": "string", "pattern": pattern}]}
        if function is model._parse_date:
            return {"type": "string", "format": "date", "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"}
        return super().function_before_schema(schema)

    def literal_schema(self, schema: core_schema.LiteralSchema) -> JsonSchemaValue:
        """`format: 1` or `format: "1"`: the loader reads both as the text « 1 »."""
        values: list[Any] = []
        for value in schema["expected"]:
            values += [value, str(value)] if isinstance(value, int) and not isinstance(value, bool) else [value]
        return {"enum": values}

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        """A list made by a factory (the cover's fields) is a default worth showing; a whole block is not."""
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            value = factory()  # type: ignore[call-arg]
            if isinstance(value, list):
                return value
        return super().get_default_value(schema)

    def field_title_should_be_set(self, schema: Any) -> bool:
        """Titles like « Intitule Court » say nothing the key does not: editors show the description."""
        return False


@cache
def referentiel_schema() -> dict[str, Any]:
    """The JSON Schema of referentiel.yaml, ready to be written as schema/referentiel.schema.json."""
    generated = model.Referentiel.model_json_schema(schema_generator=_EditorSchema)
    for name, definition in [("Referentiel", generated), *generated.get("$defs", {}).items()]:
        titre, description = BLOCS[name]
        definition["title"] = titre
        definition["description"] = description
    _add_examples(generated, _skeleton_data())
    generated = _draft7(generated)
    definitions = generated.pop("$defs")
    return {"$schema": DRAFT, **generated, "$defs": definitions}


def schema_json() -> str:
    """The schema as the committed file holds it (stable key order, UTF-8, final newline)."""
    return json.dumps(referentiel_schema(), ensure_ascii=False, indent=2) + "\n"


def _draft7(node: Any) -> Any:
    """Drop pydantic's own keywords and wrap `$ref` that has siblings in `allOf` (draft 7 ignores them)."""
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _PYDANTIC_ONLY:
            continue
        if key in ("properties", "$defs"):
            result[key] = {name: _draft7(sub) for name, sub in value.items()}
        elif key in ("default", "examples", "enum", "const", "required"):
            result[key] = value
        else:
            result[key] = _draft7(value)
    if "$ref" in result and len(result) > 1:
        result = {"allOf": [{"$ref": result.pop("$ref")}], **result}
    return result


# --- walking the schema ------------------------------------------------------------------


def _definition(schema: dict[str, Any], ref: str) -> tuple[str, dict[str, Any]]:
    name = ref.rsplit("/", 1)[-1]
    return name, schema["$defs"][name]


def _alternatives(node: dict[str, Any]) -> list[dict[str, Any]]:
    """What a key may hold: a `$ref` out of its `allOf` wrapper, an optional key without its null."""
    if "allOf" in node and len(node["allOf"]) == 1:
        return _alternatives(node["allOf"][0])
    if "anyOf" in node and any(alt.get("type") == "null" for alt in node["anyOf"]):
        return [found for alt in node["anyOf"] if alt.get("type") != "null" for found in _alternatives(alt)]
    return [node]


def _block_of(schema: dict[str, Any], node: dict[str, Any]) -> str | None:
    """The name of the block (a $defs entry) a key holds, directly or as the items of its list."""
    for alt in _alternatives(node):
        if "$ref" in alt:
            return _definition(schema, alt["$ref"])[0]
        if alt.get("type") == "array":
            items = _alternatives(alt["items"])
            refs = [i for i in items if "$ref" in i]
            if len(items) == 1 and refs:
                return _definition(schema, refs[0]["$ref"])[0]
    return None


def _compound_value(definition: dict[str, Any]) -> bool:
    """A block of required single values (a plage d'heures): written as one value, `{min: 7, max: 21}`."""
    props = definition.get("properties", {})
    return set(definition.get("required", [])) == set(props) and all(_single_value(p) for p in props.values())


def _single_value(node: dict[str, Any]) -> bool:
    return not any(alt.get("type") in ("array", "object") or "$ref" in alt for alt in _alternatives(node))


def _shows_example(schema: dict[str, Any], node: dict[str, Any]) -> bool:
    """Blocks (cqp, competences, livret…) are documented key by key in their own section, not by one example."""
    name = _block_of(schema, node)
    return name is None or _compound_value(schema["$defs"][name])


# --- examples from the skeleton référentiel -----------------------------------------------


def _skeleton_data() -> Any:
    """The skeleton as an editor reads it: YAML types, dates as the text they are written as."""
    return _dates_as_text(yaml.safe_load(SKELETON_REFERENTIEL.read_text(encoding="utf-8")))


def _dates_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _add_examples(schema: dict[str, Any], data: Any) -> None:
    """Give each key its first value in the skeleton as `examples` (lists: their first two items)."""
    seen: set[tuple[str, str]] = set()

    def walk(name: str, definition: dict[str, Any], value: Any) -> None:
        if not isinstance(value, dict):
            return
        for key, sub in value.items():
            prop = definition.get("properties", {}).get(key)
            if prop is None:
                continue
            if (name, key) not in seen and _shows_example(schema, prop):
                seen.add((name, key))
                prop["examples"] = [sub[:2] if isinstance(sub, list) else sub]
            visit(prop, sub)

    def visit(node: dict[str, Any], value: Any) -> None:
        for alt in _alternatives(node):
            if "$ref" in alt and isinstance(value, dict):
                walk(*_definition(schema, alt["$ref"]), value)
            elif alt.get("type") == "array" and isinstance(value, list):
                for item in value:
                    visit(alt["items"], item)
            elif "oneOf" in alt or "anyOf" in alt:
                for sub in alt.get("oneOf", alt.get("anyOf", [])):
                    if "$ref" in sub and isinstance(value, dict):
                        walk(*_definition(schema, sub["$ref"]), value)

    walk("Referentiel", schema, data)


# --- the reference page (« Rédiger le référentiel ») -------------------------------------------


@dataclass(frozen=True)
class Cle:
    """One key of a block, as the reference page shows it."""

    nom: str
    chemin: str
    type: str
    obligatoire: bool
    description: str
    exemple: str | None  # a YAML excerpt: `key: value`
    defaut: str | None  # the default value, as a YAML excerpt
    bloc: str | None  # anchor of the section that documents the block this key holds


@dataclass(frozen=True)
class Bloc:
    """A block of keys (the file itself, cqp, version, a competence, a module…)."""

    nom: str
    ancre: str
    titre: str
    chemins: list[str]  # where the block appears in the file (empty for the file itself)
    description: str
    cles: list[Cle]


def reference(schema: dict[str, Any] | None = None) -> list[Bloc]:
    """Every block of the schema with its keys, in the order a writer meets them (required blocks first)."""
    schema = schema or referentiel_schema()
    order: list[tuple[str, dict[str, Any]]] = []
    chemins: dict[str, list[str]] = {}

    def visit(name: str, definition: dict[str, Any], chemin: str, inside: tuple[str, ...]) -> None:
        if name in inside:  # an element's own sub-list: documented by the element's section
            return
        if name in chemins:
            chemins[name].append(chemin)
            return
        chemins[name] = [chemin] if chemin else []
        order.append((name, definition))
        props = definition.get("properties", {})
        required = set(definition.get("required", []))
        for key in sorted(props, key=lambda k: k not in required):  # stable: model order within each group
            prefix = f"{chemin}.{key}" if chemin else key
            for alt in _alternatives(props[key]):
                if "$ref" in alt:
                    visit(*_definition(schema, alt["$ref"]), prefix, (*inside, name))
                for item in _item_alternatives(alt):
                    if "$ref" in item:
                        visit(*_definition(schema, item["$ref"]), f"{prefix}[]", (*inside, name))

    visit("Referentiel", schema, "", ())
    return [_bloc(schema, name, definition, chemins[name]) for name, definition in order]


def _item_alternatives(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("type") == "array":
        items = node["items"]
        yield from items.get("oneOf", items.get("anyOf", [items]))


def anchor(name: str) -> str:
    return f"bloc-{name.lower()}"


def _bloc(schema: dict[str, Any], name: str, definition: dict[str, Any], chemins: list[str]) -> Bloc:
    required = set(definition.get("required", []))
    cles = []
    for key, prop in definition.get("properties", {}).items():
        child = _block_of(schema, prop)
        cles.append(
            Cle(
                nom=key,
                chemin=f"{chemins[0]}.{key}" if chemins else key,
                type=type_label(schema, prop),
                obligatoire=key in required,
                description=prop.get("description", ""),
                exemple=yaml_excerpt(key, prop["examples"][0], prop) if "examples" in prop else None,
                defaut=yaml_excerpt(key, prop["default"], prop) if prop.get("default") is not None else None,
                bloc=anchor(child) if child else None,
            )
        )
    return Bloc(
        nom=name,
        ancre=anchor(name),
        titre=definition.get("title", name),
        chemins=chemins,
        description=definition.get("description", ""),
        cles=cles,
    )


def type_label(schema: dict[str, Any], node: dict[str, Any]) -> str:
    """The kind of value a key holds, in words: « texte », « liste de textes », « nombre d'heures »…"""
    labels = [_label(schema, alt) for alt in _alternatives(node)]
    return " ou ".join(dict.fromkeys(labels))


def _label(schema: dict[str, Any], node: dict[str, Any], plural: bool = False) -> str:
    if "$ref" in node:
        name, definition = _definition(schema, node["$ref"])
        return f"{'blocs' if plural else 'bloc'} « {definition.get('title', name)} »"
    if "enum" in node:
        return "la valeur " + " ou ".join(dict.fromkeys(str(v) for v in node["enum"]))
    if node.get("contentMediaType") == _MARKDOWN:
        return "textes (Markdown)" if plural else "texte (Markdown)"
    if node.get("format") == "date":
        return "dates (AAAA-MM-JJ)" if plural else "date (AAAA-MM-JJ)"
    if node.get("type") == SCALAR:
        return "textes" if plural else "texte"
    if node.get("type") == "array":
        items = node["items"]
        alternatives = items.get("oneOf", [items])
        return "liste de " + " ou de ".join(_label(schema, alt, plural=True) for alt in alternatives)
    kinds = {alt.get("type") for alt in node.get("anyOf", [])}
    if kinds == {"integer", "string"}:
        return "nombres entiers" if plural else "nombre entier"
    if kinds == {"number", "string"}:
        return "nombres d'heures" if plural else "nombre d'heures (7 ou 3,5)"
    return UNKNOWN_TYPE


class _ExcerptDumper(yaml.SafeDumper):
    """YAML as the seed référentiel is written: list items indented under their key, texts as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_NEEDS_NO_ESCAPE = re.compile(r'^[^\\"\u00a0\u202f]*$')


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Quotes as the rules of the page say: double quotes, for "1.1" as for "Le réapprovisionnement :"."""
    style: str | None = None
    if "\n" in value:
        style = "|"
    elif value.isprintable() and _NEEDS_NO_ESCAPE.match(value):
        plain = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True)
        if plain.startswith(("'", '"')) or re.fullmatch(r"[0-9][0-9.,/ -]*", value):
            style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ExcerptDumper.add_representer(str, _represent_str)


def yaml_excerpt(key: str, value: Any, node: dict[str, Any] | None = None) -> str:
    """`key: value` as it would be written in referentiel.yaml."""
    if node is not None and any(alt.get("format") == "date" for alt in _alternatives(node)) and isinstance(value, str):
        value = dt.date.fromisoformat(value.strip())
    flow = isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values())
    text = yaml.dump(
        {key: value},
        Dumper=_ExcerptDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None if flow else False,
        width=100,
    )
    return text.rstrip("\n")
