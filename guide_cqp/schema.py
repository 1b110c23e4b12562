"""The JSON Schema of a référentiel, generated from the pydantic model, and its reference for staff.

The model (guide_cqp.model) stays the one source of truth: this module only says how its types
look to an editor that reads the YAML file. That editor sees what a YAML reader sees, not what our
loader keeps (every scalar as text): ``7`` is a number, ``"3,5"`` a text, ``2009-05-07`` a text in
YAML 1.2 editors. So every « text » of the model accepts any scalar, hours accept a number or a
decimal written with a comma, and so on: the schema never flags what the build accepts.

The schema is written for draft 7, the draft editors support best (a description next to a
``$ref`` is wrapped in ``allOf``, since draft 7 ignores the siblings of ``$ref``). It describes both
formats: its root sends a file whose ``format`` is 2 to the format 2 block (if/then/else, which
editors follow key by key), any other file to the format 1 block.

Examples come from the skeleton référentiel that ``cqp nouveau`` creates (a valid file, checked by
the tests); the livret's labels show their defaults instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from . import french, model
from .addresses import slug as _slug

SKELETON = Path(__file__).parent / "skeleton"
SKELETON_REFERENTIEL = SKELETON / "referentiel.yaml"
SCHEMA_FILE = "schema/referentiel.schema.json"  # relative to the référentiel, as its `$schema` line says
DRAFT = "http://json-schema.org/draft-07/schema#"

# Every scalar of the YAML file is read as text by the build; the types' views say how an editor sees them.
SCALAR = model.SCALAR
_MARKDOWN = model.MARKDOWN_MEDIA_TYPE
UNKNOWN_TYPE = "valeur (voir l'exemple)"  # a type the labels below do not know yet: the tests ask for words
_PYDANTIC_ONLY = ("ge", "gt", "le", "lt", "max_digits", "decimal_places")
IDENTIFIER_PATTERN, NUMERO_PATTERN, CERTIFICATION_PATTERN = (
    model.IDENTIFIER_PATTERN,
    model.NUMERO_PATTERN,
    model.CERTIFICATION_PATTERN,
)
FORMAT_2 = {"properties": {"format": {"enum": [2, "2"]}}, "required": ["format"]}

# French title and description of each block of keys (the model's docstrings are for developers).
BLOCS: dict[str, tuple[str, str]] = {
    "Referentiel": (
        "Référentiel d'un CQP",
        "Le fichier référentiel d'un CQP (referentiel.yaml) : ce que la branche publie dans le guide tuteur. "
        "Sa clé format dit comment il est écrit : format 2 (blocs de compétences) ou format 1 (le format d'origine).",
    ),
    "Referentiel2": (
        "Le fichier",
        "Les clés écrites au début des lignes, sans retrait, dans un référentiel au format 2 : celui des CQP "
        "organisés en blocs de compétences, avec l'identité de leur certification et leur évaluation.",
    ),
    "Referentiel1": (
        "Le fichier au format 1",
        "Les clés écrites au début des lignes, sans retrait, dans un référentiel au format 1 : les compétences "
        "directement à la racine, chaque module avec ses heures. Ce format reste accepté ; la commande "
        "« cqp migrer » réécrit un tel fichier au format 2.",
    ),
    "Cqp2": (
        "Le CQP",
        "Identité du certificat de qualification professionnelle : code, intitulé, branche, instance, "
        "certification, public visé, prérequis et voies d'accès.",
    ),
    "Cqp": ("Le CQP (format 1)", "Identité du certificat de qualification professionnelle, au format 1."),
    "Certification": (
        "La certification",
        "L'identité officielle du CQP : le répertoire de France Compétences où il est enregistré, le numéro de "
        "sa fiche, son niveau, son certificateur, la référence de la branche et la période d'enregistrement.",
    ),
    "Enregistrement": ("La période d'enregistrement", "Les dates de début et de fin de l'enregistrement du CQP."),
    "Version": (
        "La version",
        "L'édition du référentiel : chaque version publiée reste consultable en ligne.",
    ),
    "Bloc": (
        "Un bloc de compétences",
        "Un ensemble de compétences évaluées et validées ensemble, avec ses activités et son évaluation.",
    ),
    "Evaluation": (
        "Une évaluation",
        "Comment un bloc ou une compétence est évalué : les épreuves, le seuil de réussite, le jury.",
    ),
    "Modalite": ("Une épreuve", "Une modalité d'évaluation : mise en situation professionnelle, entretien, dossier…"),
    "Competence2": (
        "Une compétence",
        "Une compétence d'un bloc, avec ce que le candidat doit savoir faire et, s'il y en a, ses modules de formation.",
    ),
    "Competence": ("Une compétence (format 1)", "Un domaine de compétence du CQP, avec ses modules de formation."),
    "SavoirFaire": (
        "Un savoir-faire avec ses critères",
        "Dans la liste savoir_faire, un savoir-faire qui porte ses propres critères d'évaluation.",
    ),
    "Module2": ("Un module de formation", "Un module de formation d'une compétence."),
    "Module": ("Un module de formation (format 1)", "Un module de formation d'une compétence, au format 1."),
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
    """pydantic's generator; the model's types carry their own view (model.EditorView), this says the rest."""

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


ROOTS = {2: "Referentiel2", 1: "Referentiel1"}  # the block of each format, the current one first


@cache
def referentiel_schema() -> dict[str, Any]:
    """The JSON Schema of referentiel.yaml, ready to be written as schema/referentiel.schema.json."""
    _, generated = models_json_schema(
        [(model.FORMATS[n], "validation") for n in ROOTS], schema_generator=_EditorSchema, ref_template="#/$defs/{model}"
    )
    titre, description = BLOCS["Referentiel"]
    root: dict[str, Any] = {
        "title": titre,
        "description": description,
        "type": "object",
        "required": ["format"],
        "if": FORMAT_2,
        "then": {"$ref": f"#/$defs/{ROOTS[2]}"},
        "else": {"$ref": f"#/$defs/{ROOTS[1]}"},
        "$defs": generated["$defs"],
    }
    for name, definition in root["$defs"].items():
        definition["title"], definition["description"] = BLOCS[name]
    _add_examples(root, _skeleton_data())
    root = _draft7(root)
    definitions = root.pop("$defs")
    return {"$schema": DRAFT, **root, "$defs": definitions}


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
        elif key in ("default", "examples", "enum", "const", "required", "if"):
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
        rest = [alt for alt in node["anyOf"] if alt.get("type") != "null"]
        if len(rest) > 1 and all("$ref" not in alt and alt.get("type") != "array" for alt in rest):
            return [{"anyOf": rest}]  # one optional value written in several ways (a number, or its text)
        return [found for alt in rest for found in _alternatives(alt)]
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
    text = SKELETON_REFERENTIEL.read_text(encoding="utf-8")
    return _dates_as_text(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # noqa: S506 (safe)


def _dates_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _add_examples(schema: dict[str, Any], data: Any) -> None:
    """Give each key its first value in the skeleton (format 2) as `examples` (lists: their first two items).

    A format 1 block takes the example of the same key in its format 2 counterpart when that value
    suits it too; a key that can hold a few values only shows the first one.
    """
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

    walk(ROOTS[2], schema["$defs"][ROOTS[2]], data)
    definitions = schema["$defs"]
    for name, counterpart in _FORMAT_2_COUNTERPARTS.items():
        for key, prop in definitions[name].get("properties", {}).items():
            source = definitions[counterpart].get("properties", {}).get(key, {})
            examples = [_suited(prop, e) for e in source.get("examples", [])]
            examples = [e for e in examples if e is not None]
            if "examples" not in prop and examples and _shows_example(schema, prop):
                prop["examples"] = examples
    for definition in definitions.values():
        for prop in definition.get("properties", {}).values():
            if "examples" not in prop and "enum" in prop:
                prop["examples"] = [prop["enum"][0]]


_FORMAT_2_COUNTERPARTS = {"Referentiel1": "Referentiel2", "Cqp": "Cqp2", "Competence": "Competence2", "Module": "Module2"}


def _suited(node: dict[str, Any], value: Any) -> Any:
    """The value if the key accepts it; of a list, the items it accepts (None: nothing suits)."""
    if isinstance(value, list) and "items" in node:
        value = [item for item in value if _suits(node["items"], item)]
        return value or None
    return value if _suits(node, value) else None


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _suits(node: dict[str, Any], value: Any) -> bool:
    """The value is one the key accepts (a format 1 number is an integer, where format 2 also takes « C1 »).

    Enough of JSON Schema for the examples of the skeleton: alternatives, types, enums, patterns, bounds.
    """
    if "anyOf" in node or "oneOf" in node:
        return any(_suits(alt, value) for alt in node.get("anyOf", node.get("oneOf", [])))
    if "enum" in node:
        return value in node["enum"]
    kinds = node.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        accepted = tuple(t for kind in kinds for t in _JSON_TYPES[kind])
        if not isinstance(value, accepted) or (isinstance(value, bool) and "boolean" not in kinds):
            return False
    if isinstance(value, str) and "pattern" in node and not re.search(node["pattern"], value):
        return False
    if isinstance(value, list) and "items" in node and not all(_suits(node["items"], item) for item in value):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < node.get("minimum", value) or value > node.get("maximum", value):
            return False
        if "exclusiveMinimum" in node and value <= node["exclusiveMinimum"]:
            return False
    return True


# --- the reference page (« Rédiger le référentiel ») -------------------------------------------


@dataclass(frozen=True)
class Cle:
    """One key of a block, as the reference page shows it."""

    nom: str
    chemin: str
    ancre: str  # the id of its entry on the reference page
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
    format: int = 2  # 1: a block only format 1 files have, documented after the others


def reference(schema: dict[str, Any] | None = None) -> list[Bloc]:
    """Every block of the schema with its keys, in the order a writer meets them (required blocks first):
    the blocks of format 2, then those only format 1 files have."""
    schema = schema or referentiel_schema()
    order: list[tuple[str, dict[str, Any], int]] = []
    chemins: dict[str, list[str]] = {}
    formats: dict[str, int] = {}

    def visit(name: str, definition: dict[str, Any], chemin: str, inside: tuple[str, ...], format_: int) -> None:
        if name in inside:  # an element's own sub-list: documented by the element's section
            return
        if name in chemins:
            if format_ == formats[name]:  # format 1 places are not listed for a block format 2 has too
                chemins[name].append(chemin)
            return
        chemins[name] = [chemin] if chemin else []
        formats[name] = format_
        order.append((name, definition, format_))
        props = definition.get("properties", {})
        required = set(definition.get("required", []))
        for key in sorted(props, key=lambda k: k not in required):  # stable: model order within each group
            prefix = f"{chemin}.{key}" if chemin else key
            for alt in _alternatives(props[key]):
                if "$ref" in alt:
                    visit(*_definition(schema, alt["$ref"]), prefix, (*inside, name), format_)
                for item in _item_alternatives(alt):
                    if "$ref" in item:
                        visit(*_definition(schema, item["$ref"]), f"{prefix}[]", (*inside, name), format_)

    for format_, root in ROOTS.items():
        visit(root, schema["$defs"][root], "", (), format_)
    return [_bloc(schema, name, definition, chemins[name], format_) for name, definition, format_ in order]


REFERENCES_KEPT = 4  # entries of the reference's cache: as many versions of the code used in turn


def cached_reference(folder: Path | None) -> list[Bloc]:
    """reference(), kept in ``folder`` (None: none kept) between builds.

    Generating the schema and writing its YAML excerpts costs more than all the other hand-written pages of
    a build. The entry is named by a digest of everything the reference is made from (this package's code and
    skeleton, pydantic's and PyYAML's versions): any change makes a new one. The few most recent are kept (the
    cache serves every checkout of the user), older ones are removed.
    """
    if folder is None:
        return reference()
    entry = folder / f"reference-{_reference_digest()}.json"
    try:
        return _blocs_from_json(json.loads(entry.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):  # missing or damaged: made again
        pass
    blocs = reference()
    with contextlib.suppress(OSError):
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps([asdict(b) for b in blocs], ensure_ascii=False), encoding="utf-8")
        partial.replace(entry)
        kept = sorted(folder.glob("reference-*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in kept[REFERENCES_KEPT:]:
            old.unlink(missing_ok=True)
    return blocs


@cache
def _reference_digest() -> str:
    import pydantic

    digest = hashlib.sha256(f"{pydantic.VERSION} {yaml.__version__} {sys.version}".encode())
    package = Path(__file__).parent
    for path in sorted([*package.glob("*.py"), *SKELETON.rglob("*")]):
        if path.is_file():
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def _blocs_from_json(data: list[dict[str, Any]]) -> list[Bloc]:
    return [Bloc(**{**bloc, "cles": [Cle(**cle) for cle in bloc["cles"]]}) for bloc in data]


def _item_alternatives(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("type") == "array":
        items = node["items"]
        yield from items.get("oneOf", items.get("anyOf", [items]))


def anchor(name: str) -> str:
    return f"bloc-{name.lower()}"


def _bloc(schema: dict[str, Any], name: str, definition: dict[str, Any], chemins: list[str], format_: int) -> Bloc:
    required = set(definition.get("required", []))
    cles = []
    for key, prop in definition.get("properties", {}).items():
        child = _block_of(schema, prop)
        chemin = f"{chemins[0]}.{key}" if chemins else key
        cles.append(
            Cle(
                nom=key,
                chemin=chemin,
                # Both formats have keys at the root and in cqp: format 1's entries get ids of their own.
                ancre=f"cle-{'format-1-' if format_ == 1 else ''}{_slug(chemin)}",
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
        format=format_,
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
        return ("textes (Markdown" if plural else "texte (Markdown") + _at_most(node, ", ", plural) + ")"
    if node.get("format") == "date":
        return "dates (AAAA-MM-JJ)" if plural else "date (AAAA-MM-JJ)"
    if node.get("type") == SCALAR:
        limit = _at_most(node, "", plural)
        return ("textes" if plural else "texte") + (f" ({limit})" if limit else "")
    if node.get("type") == "array":
        items = node["items"]
        alternatives = items.get("oneOf", [items])
        label = "liste de " + " ou de ".join(_label(schema, alt, plural=True) for alt in alternatives)
        return label + (f"\u00a0; {french.integer(node['maxItems'])} éléments au plus" if "maxItems" in node else "")
    if node.get("pattern") == NUMERO_PATTERN:
        return "numéros ou identifiants" if plural else "numéro ou identifiant (3, C1, A1.2)"
    if node.get("pattern") == IDENTIFIER_PATTERN:
        return "codes" if plural else "code (lettres, chiffres, « . », « - », « _ »)"
    if node.get("pattern") == CERTIFICATION_PATTERN:
        return "numéros de fiche" if plural else "numéro de fiche (RNCP… ou RS…)"
    kinds = {alt.get("type") for alt in node.get("anyOf", [])}
    if kinds == {"boolean", "string"}:
        return "oui ou non (true ou false)"
    if kinds == {"integer", "string"}:
        integer = next(alt for alt in node["anyOf"] if alt.get("type") == "integer")
        bounds = f" (de {integer['minimum']} à {french.integer(integer['maximum'])})" if "maximum" in integer else ""
        return ("nombres entiers" if plural else "nombre entier") + bounds
    if kinds == {"number", "string"}:
        return "nombres d'heures" if plural else "nombre d'heures (7 ou 3,5)"
    return UNKNOWN_TYPE


def _at_most(node: dict[str, Any], prefix: str, plural: bool) -> str:
    """« 300 caractères au plus » from a text's maxLength (« … chacun » for the items of a list)."""
    if "maxLength" not in node:
        return ""
    return f"{prefix}{french.integer(node['maxLength'])} caractères au plus{' chacun' if plural else ''}"


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
