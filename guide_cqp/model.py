"""The référentiel of a CQP: the one source of truth for its schema, defaults and hour totals.

The loader hands over text for every scalar; the types below turn it into
numbers and dates. Each field's ``description`` is French: it feeds the JSON
Schema offered to editors and the « Rédiger le référentiel » page.

Two formats are accepted, told apart by the file's ``format`` key (referentiel_model):
format 1, the competences of the 2009 livrets, every module with its hours; format 2, the
CQPs registered since the 2018 reform: blocs de compétences, the certification's identity,
evaluation, and training whose hours may be unknown. Both give the views the same attributes
(Referentiel); hour totals are Volume objects, added in one place (somme).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    Tag,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from . import french, links, texts

# --- limits -----------------------------------------------------------------------------------
# What one référentiel may hold. Each bound is far above what a CQP needs and keeps the build, PDF
# included, within seconds whatever the shape of the text (README, « Performances »; benchmarks/).
# « Rédiger le référentiel » lists them for the staff.
MAX_TITLE = 300  # characters of a title, a heading or a label (one line)
MAX_TEXT = 2_000  # characters of a text of a list (savoir-faire, content, activity…) or of a note
MAX_NUMERO = 20  # characters of a module or version number
MAX_CODE = 40  # characters of the CQP's code, which names the pages' folder and the PDF file
MAX_MARKDOWN = 10_000  # characters of a Markdown text (presentation, livret texts)
MAX_MARKDOWN_LINES = 200  # lines of a Markdown text
MAX_MARKDOWN_PREFIX = 80  # columns of indentation and list or quote markers before a line's text
MAX_MARKUP_PER_PARAGRAPH = 100  # signs * _ ` [ < in a paragraph (or list element) of a Markdown text
MAX_MARKUP = 500  # the same signs in a whole Markdown text
MAX_COMPETENCES = 40
MAX_COMPETENCE_NUMBER = 999
MAX_MODULES = 30  # modules of one competence
MAX_ITEMS = 100  # texts of one list (savoir-faire, objectives, content, activities, criteria, sub-list)
MAX_ITEM_DEPTH = 5  # levels of sub-lists (details) under a list's element
MAX_ALL_MODULES = 150  # modules of the whole référentiel
MAX_ALL_ITEMS = 1_500  # texts of every list of the référentiel, sub-lists included

_SPACES = re.compile(r"[ \t\r\n]+")


def _clean_text(value: Any) -> Any:
    """Normalise a one-line text: NFC, inner whitespace folded, ends stripped (NBSP included)."""
    if isinstance(value, str):
        return _SPACES.sub(" ", unicodedata.normalize("NFC", texts.check_characters(value))).strip()
    return value


def _clean_markdown(value: Any) -> Any:
    """Markdown keeps its line breaks; only NFC, line ends and outer blank lines change."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", texts.check_characters(value)).replace("\r\n", "\n")
        return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return value


_MARKDOWN_PREFIX = re.compile(r"^(?:[ \t>*+-]|\d+[.)])*")
_BLOCK_START = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)]|#{1,6})(?:[ \t]|$)")
_QUOTE_MARKS = re.compile(r"^(?:[ \t]*>)+")
_MARKUP = re.compile(r"[*_`\[<]")
MARKUP_SIGNS = "« * », « _ », « ` », « [ » et « < »"


def markdown_within_limits(value: str) -> str:
    """Refuse the shapes that make Markdown or the PDF slow, or crash, long before a person would write them.

    Python-Markdown recurses once per nested list (a deep enough nesting is a RecursionError); its
    block parser takes a time quadratic in the lines of a block (20 000 setext headings « a\\n=\\n »:
    two minutes), its inline patterns a time quadratic in the « [ » and the « ` » of a paragraph;
    WeasyPrint lays out a paragraph in a time quadratic in its inline elements (emphasis, code, links:
    2 500 « *a » took 30 s); and every line can become a paragraph of the PDF. So the lines, the depth
    of lists and quotes, and the signs that make inline elements (per paragraph and in all) are bounded.
    """
    lines = value.split("\n")
    if len(lines) > MAX_MARKDOWN_LINES:
        raise PydanticCustomError(
            "markdown_lignes",
            "texte trop long\u00a0: {lignes} lignes, au plus {max}",
            {"lignes": french.integer(len(lines)), "max": french.integer(MAX_MARKDOWN_LINES)},
        )
    for number, line in enumerate(lines, start=1):
        prefix = _MARKDOWN_PREFIX.match(line.expandtabs(4))
        if prefix and len(prefix.group()) > MAX_MARKDOWN_PREFIX:
            raise PydanticCustomError(
                "markdown_imbrication",
                "ligne {ligne} du texte\u00a0: listes ou citations imbriquées trop profondément "
                "(plus de {max} caractères de retrait ou de puces)",
                {"ligne": number, "max": MAX_MARKDOWN_PREFIX},
            )
    total = 0
    for first_line, paragraph in _paragraphs(lines):
        signs = len(_MARKUP.findall(paragraph))
        total += signs
        if signs > MAX_MARKUP_PER_PARAGRAPH:
            raise PydanticCustomError(
                "markdown_signes",
                "ligne {ligne} du texte\u00a0: plus de {max} signes de mise en forme ({signes}) dans un même "
                "paragraphe ou élément de liste\u00a0; un lien s'écrit [texte](https://…), le gras **ainsi**",
                {"ligne": first_line, "max": MAX_MARKUP_PER_PARAGRAPH, "signes": MARKUP_SIGNS},
            )
    if total > MAX_MARKUP:
        raise PydanticCustomError(
            "markdown_signes",
            "plus de {max} signes de mise en forme ({signes}) dans le texte\u00a0: gardez le gras, les liens et "
            "le code pour l'essentiel",
            {"max": french.integer(MAX_MARKUP), "signes": MARKUP_SIGNS},
        )
    return value


def _paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """(first line, text) of each paragraph or list element: what Markdown and the PDF lay out as one run of text."""
    runs: list[tuple[int, list[str]]] = []
    after_blank = True
    for number, line in enumerate(lines, start=1):
        content = _QUOTE_MARKS.sub("", line)  # the lines of a quote make one paragraph, as elsewhere
        if not content.strip():
            after_blank = True
            continue
        if after_blank or _BLOCK_START.match(content):
            runs.append((number, []))
        runs[-1][1].append(line)
        after_blank = False
    return [(first, "\n".join(run)) for first, run in runs]


def _decimal_comma(value: Any) -> Any:
    """French writers type 3,5: accept it as 3.5."""
    if isinstance(value, str):
        return value.strip().replace(",", ".", 1)
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise PydanticCustomError("nombre_fini", "nombre attendu (par exemple 7 ou 3,5)")
    return abs(value) if value.is_zero() else value  # "-0" is 0, not « -0 h »


def _parse_int(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
        return int(value)
    if isinstance(value, str):
        raise PydanticCustomError("entier", "nombre entier attendu (par exemple 1, 2, 3)")
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise PydanticCustomError("date_format", "date attendue au format AAAA-MM-JJ (par exemple 2009-05-07)")
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "date_invalide", "cette date n'existe pas (mois de 01 à 12, jour valide pour le mois)"
            ) from None
    return value


IDENTIFIER = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,28}[A-Za-z0-9])?"  # C1, A1.2, 1a, BC01, RNCP35612BC01
_IDENTIFIER = re.compile(IDENTIFIER)
CERTIFICATION_NUMBER = r"(RNCP|RS) ?([0-9]{1,7})"
_CERTIFICATION_NUMBER = re.compile(CERTIFICATION_NUMBER)
TRUE_WORDS = ("true", "oui", "yes")
FALSE_WORDS = ("false", "non", "no")


# --- how an editor sees these types (the JSON Schema of guide_cqp.schema) ---------------------------
# The loader keeps every scalar as text; an editor that checks the YAML file against the schema sees
# what a YAML reader sees: ``7`` is a number, ``"3,5"`` a text, ``true`` a boolean. Each type below
# carries its view (EditorView), so that the schema never flags what the build accepts.

SCALAR = ["string", "number", "boolean"]
MARKDOWN_MEDIA_TYPE = "text/markdown"
IDENTIFIER_PATTERN = rf"^\s*{IDENTIFIER}\s*$"
NUMERO_PATTERN = rf"^\s*(?!0+\s*$){IDENTIFIER}\s*$"  # « 0 » is no competence number
CERTIFICATION_PATTERN = rf"^\s*{CERTIFICATION_NUMBER}\s*$"


def _any_case(words: tuple[str, ...]) -> str:
    """A pattern for these words in any case (draft 7's patterns have no case-insensitive flag)."""
    return "|".join("".join(f"[{c.lower()}{c.upper()}]" for c in word) for word in words)


BOOLEAN_PATTERN = rf"^\s*(?:{_any_case(TRUE_WORDS + FALSE_WORDS)})\s*$"


@dataclass(frozen=True)
class EditorView:
    """A type's JSON Schema as an editor should check the YAML file (pydantic's json-schema hook).

    ``view`` receives the schema pydantic generates for the validated value (with its lengths and
    bounds) and returns the one that accepts what the loader accepts.
    """

    view: Callable[[dict[str, Any]], dict[str, Any]]

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return self.view(handler(core_schema))


def _scalar_text(generated: dict[str, Any]) -> dict[str, Any]:
    """Any scalar; stripped before its length is checked, so a blank text is as empty as no text."""
    return {"type": SCALAR, **{k: v for k, v in generated.items() if k != "type"}, "pattern": generated.get("pattern", r"\S")}


def _integer_as_written(generated: dict[str, Any]) -> dict[str, Any]:
    """A number, or its digits as text (« 03 »), within the same bounds."""
    minimum, maximum = generated.get("minimum", 0), generated.get("maximum")
    pattern = r"^\s*0*[1-9][0-9]*\s*$" if minimum >= 1 else r"^\s*[0-9]+\s*$"
    integer: dict[str, Any] = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        integer["maximum"] = maximum
        if maximum < 10:
            pattern = rf"^\s*0*[{minimum}-{maximum}]\s*$"
    return {"anyOf": [integer, {"type": "string", "pattern": pattern}]}


def _fixed(schema: dict[str, Any]) -> EditorView:
    return EditorView(lambda generated: schema)


TEXT_VIEW = EditorView(_scalar_text)
MARKDOWN_VIEW = EditorView(
    lambda generated: {
        "type": SCALAR,
        "contentMediaType": MARKDOWN_MEDIA_TYPE,
        **{k: v for k, v in generated.items() if k == "maxLength"},
    }
)
HOURS_VIEW = _fixed(
    {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 99999.99},
            {"type": "string", "pattern": r"^\s*(?:[0-9]{1,5}(?:[.,][0-9]{0,2})?|[.,][0-9]{1,2})\s*$"},
        ]
    }
)
INTEGER_VIEW = EditorView(_integer_as_written)
# An editor reads « BC01 » as text, but « 12 » or « 1.2 » as numbers: the build reads them as text.
IDENTIFIER_VIEW = _fixed({"type": ["string", "number"], "pattern": IDENTIFIER_PATTERN, "exclusiveMinimum": 0})
NUMERO_VIEW = _fixed({"type": ["string", "number"], "pattern": NUMERO_PATTERN, "exclusiveMinimum": 0})
CERTIFICATION_VIEW = _fixed({"type": "string", "pattern": CERTIFICATION_PATTERN})
BOOLEAN_VIEW = _fixed({"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": BOOLEAN_PATTERN}]})
DATE_VIEW = _fixed({"type": "string", "format": "date", "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"})


def _parse_identifier(value: Any) -> Any:
    """A bloc's code: letters, digits, « . », « - », « _ », as written (it names the bloc and its address)."""
    if isinstance(value, str):
        text = value.strip()
        if not _IDENTIFIER.fullmatch(text):
            raise PydanticCustomError(
                "identifiant",
                "code attendu\u00a0: lettres sans accent, chiffres, « . », « - » ou « _ », sans espace, "
                "au plus 30 caractères (par exemple BC01)",
            )
        return text
    return value


def _parse_numero(value: Any) -> Any:
    """A format 2 competence number: an integer as in format 1 (« 3 »), or an identifier kept as written (« C1 »).

    « 01 » stays the text « 01 »: it is shown as written, and only « 1 » is the integer 1.
    """
    if isinstance(value, bool):
        return value  # refused by the type below
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return value
    if re.fullmatch(r"[1-9][0-9]*", text):
        return int(text)
    if _IDENTIFIER.fullmatch(text) and not re.fullmatch(r"0+", text):
        return text
    raise PydanticCustomError(
        "numero_competence",
        "numéro de compétence attendu\u00a0: un nombre entier à partir de 1, ou un identifiant fait de lettres "
        "sans accent, de chiffres, « . », « - » ou « _ », sans espace (par exemple 3, C1, A1.2 ou 1a)",
    )


def _parse_bool(value: Any) -> Any:
    """« facultatif: true »: the loader keeps the text; French writers may also type « oui » or « non »."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise PydanticCustomError("oui_non", "valeur attendue\u00a0: true ou false (oui ou non)")
    return value


def _parse_certification_number(value: Any) -> Any:
    """« RNCP35612 », « RS5432 » (« RNCP 35612 » is accepted and written without the space)."""
    if isinstance(value, str):
        found = _CERTIFICATION_NUMBER.fullmatch(value.strip())
        if not found:
            raise PydanticCustomError(
                "numero_certification",
                "numéro attendu\u00a0: RNCP suivi de chiffres (par exemple RNCP35612) "
                "ou RS suivi de chiffres (par exemple RS5432)",
            )
        return found.group(1) + found.group(2)
    return value


def _at_most(maximum: int) -> BeforeValidator:
    """A bound on the text as written: the schema's maxLength, which editors check, says the same."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > maximum:
            raise PydanticCustomError(
                "texte_trop_long",
                "texte trop long ({n}\u00a0caractères)\u00a0: au plus {max}\u00a0caractères",
                {"n": french.integer(len(value)), "max": french.integer(maximum)},
            )
        return value

    return BeforeValidator(check)


def _one_line_text(maximum: int, check: Callable[[str], str]) -> Any:
    """A text of the model: cleaned, at most ``maximum`` characters as written, then ``check``ed (guide_cqp.texts)."""
    return Annotated[
        str,
        BeforeValidator(_clean_text),
        _at_most(maximum),
        Field(min_length=1, max_length=maximum),
        AfterValidator(check),
        TEXT_VIEW,
    ]


# Texts, by use. Each one refuses what cannot be seen (guide_cqp.texts) and what is too long (before
# validators run last first: the length is checked on the text as written); a new field of the model
# gets the same checks by using one of these types.
Titre = _one_line_text(MAX_TITLE, texts.check_visible)
Text = _one_line_text(MAX_TEXT, texts.check_visible)
Numero = _one_line_text(MAX_NUMERO, texts.check_no_invisible)
Markdown = Annotated[
    str,
    BeforeValidator(_clean_markdown),
    _at_most(MAX_MARKDOWN),
    Field(max_length=MAX_MARKDOWN),
    AfterValidator(markdown_within_limits),
    AfterValidator(texts.check_visible),
    AfterValidator(links.check_links),
    MARKDOWN_VIEW,
]

PRECEDENTE_SUFFIXES = (".yaml", ".yml", ".json")


def _relative_file(value: str) -> str:
    """version.precedente: a file of the repository named from the référentiel's folder, the same on every machine.

    Where it leads (inside the project or not, present or not) is checked when the file is read
    (guide_cqp.versions); here, only what the text alone shows: « / » as separator, no absolute path.
    """
    if "\\" in value:
        raise PydanticCustomError(
            "chemin_barre",
            "chemin attendu avec des « / », pas des « \\ » (par exemple archives/rcad-2009-05.yaml)",
        )
    if value.startswith("/") or re.match(r"[A-Za-z]:", value) or value.startswith("~"):
        raise PydanticCustomError(
            "chemin_absolu",
            "chemin absolu\u00a0: écrivez le chemin du fichier à partir du dossier de ce référentiel "
            "(par exemple archives/rcad-2009-05.yaml), le même sur toutes les machines",
        )
    if not value.lower().endswith(PRECEDENTE_SUFFIXES) or value.endswith("/"):
        raise PydanticCustomError(
            "chemin_suffixe",
            "fichier .yaml attendu (un référentiel archivé, par exemple archives/rcad-2009-05.yaml) "
            "ou .json (un export de « cqp exporter --format json »)",
        )
    return value


FichierPrecedent = Annotated[Text, AfterValidator(_relative_file)]
HourAmount = Annotated[  # a number of hours (Heures is a range of two)
    Decimal,
    BeforeValidator(_decimal_comma),
    AfterValidator(_finite),
    Field(ge=0, max_digits=7, decimal_places=2),
    HOURS_VIEW,
]
WholeNumber = Annotated[int, BeforeValidator(_parse_int), INTEGER_VIEW]
Niveau = Annotated[int, Field(ge=1, le=8), BeforeValidator(_parse_int), INTEGER_VIEW]  # cadre national des certifications
Date = Annotated[dt.date, BeforeValidator(_parse_date), DATE_VIEW]
Identifiant = Annotated[str, BeforeValidator(_parse_identifier), IDENTIFIER_VIEW]
NumeroCompetence = Annotated[int | str, BeforeValidator(_parse_numero), NUMERO_VIEW]
Booleen = Annotated[bool, BeforeValidator(_parse_bool), BOOLEAN_VIEW]
NumeroCertification = Annotated[str, BeforeValidator(_parse_certification_number), CERTIFICATION_VIEW]


def numero_key(numero: int | str) -> tuple[Any, ...]:
    """Natural order of competence numbers: 2 before 10, « C2 » before « C10 », « A1.2 » before « A1.10 »."""
    parts = re.findall(r"[0-9]+|[^0-9]+", str(numero).casefold())
    return (*((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts), str(numero))


class _Strict(BaseModel):
    """Unknown keys are refused: a typo must not silently drop a field."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Heures(_Strict):
    """A recommended range of training hours, from a simple upgrade to a full course."""

    min: HourAmount = Field(description="Volume horaire minimum (mise à niveau), en heures. Exemple : 7 ou 3,5.")
    max: HourAmount = Field(description="Volume horaire maximum (parcours complet), en heures. Exemple : 21.")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Heures:
        if self.min > self.max:
            raise PydanticCustomError(
                "min_max",
                "le minimum ({min} h) dépasse le maximum ({max} h)",
                {"min": french.number(self.min), "max": french.number(self.max)},
            )
        return self


Partie = tuple[str, str]  # (« module » or « compétence », its number as written): a part whose hours are unknown


@dataclass(frozen=True)
class Volume:
    """A total of hours, and the parts it leaves out because the référentiel gives them no hours.

    Every total of the guide (module, competence, bloc, whole CQP) is a Volume, or None when no hours
    at all are known there: views then show nothing about hours. ``hors`` is empty for a complete total;
    otherwise the views and exports say in words which parts are not counted.
    """

    min: Decimal
    max: Decimal
    hors: tuple[Partie, ...] = ()

    @property
    def partiel(self) -> bool:
        return bool(self.hors)


def somme(parties: Iterable[tuple[Partie, Volume | None]]) -> Volume | None:
    """The one place hours are added: known parts summed, unknown ones named in ``hors``; None if none is known."""
    known = False
    low = high = Decimal(0)
    hors: list[Partie] = []
    for partie, volume in parties:
        if volume is None:
            hors.append(partie)
            continue
        known = True
        low, high = low + volume.min, high + volume.max
        hors.extend(volume.hors)
    return Volume(low, high, tuple(hors)) if known else None


class ItemDetaille(_Strict):
    """A list item with a sub-list."""

    texte: Text = Field(description="Texte de l'élément.")
    details: list[Item] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Sous-liste : des textes ou d'autres éléments {texte, details}."
    )


def _item_kind(value: Any) -> str:
    return "detail" if isinstance(value, (dict, BaseModel)) else "texte"


Item = Annotated[
    Annotated[Text, Tag("texte")] | Annotated[ItemDetaille, Tag("detail")],
    Discriminator(_item_kind),
]
ItemDetaille.model_rebuild()


class SavoirFaire(_Strict):
    """A savoir-faire with the criteria that assess it (format 2)."""

    texte: Text = Field(description="Ce que le candidat doit savoir faire.")
    criteres: list[Item] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Les critères d'évaluation propres à ce savoir-faire (au moins un)."
    )


SavoirFaireItem = Annotated[
    Annotated[Text, Tag("texte")] | Annotated[SavoirFaire, Tag("detail")],
    Discriminator(_item_kind),
]


# --- modules ------------------------------------------------------------------------------------


class BaseModule(_Strict):
    """A training module of a competence, as format 1 has it; format 2 relaxes it (Module2)."""

    numero: Numero = Field(description='Numéro du module, entre guillemets : "1.1". Unique dans le fichier.')
    intitule: Titre = Field(description="Intitulé complet du module.")
    intitule_court: Titre | None = Field(None, description="Intitulé court, pour les tableaux (facultatif).")
    objectifs: list[Text] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Objectifs de formation du module (facultatif)."
    )
    heures: Heures | None = Field(
        None,
        description="Volume horaire préconisé {min, max}. Obligatoire, sauf si la compétence porte une plage commune à tous ses modules.",
    )
    contenu: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Contenu indicatif de la formation (facultatif)."
    )
    note: Text | None = Field(None, description="Remarque sur le module (facultatif).")

    @property
    def libelle_tableau(self) -> str:
        return self.intitule_court or self.intitule

    @property
    def part_du_total(self) -> Volume | None:
        """What the module adds to its competence's total: an optional module counts in the maximum only."""
        if self.heures is None:
            return None
        return Volume(Decimal(0) if self.facultatif else self.heures.min, self.heures.max)  # type: ignore[attr-defined]


class Module(BaseModule):
    """A training module of a competence (format 1)."""

    @property
    def facultatif(self) -> bool:
        return False


class Module2(BaseModule):
    """A training module of a competence (format 2): hours optional, possibly optional itself."""

    heures: Heures | None = Field(
        None,
        description="Volume horaire préconisé {min, max} (facultatif). Sans heures, les totaux le signalent "
        "(« durée non indiquée »).",
    )
    facultatif: Booleen = Field(
        False,
        description="true pour un module facultatif : signalé comme tel, il compte dans le volume maximum, "
        "pas dans le minimum.",
    )


# --- evaluation (format 2) ----------------------------------------------------------------------


class Modalite(_Strict):
    """One way of assessing a bloc or a competence."""

    intitule: Titre = Field(
        description="Nom de l'épreuve : mise en situation professionnelle, entretien avec le jury, dossier…"
    )
    duree: Titre | None = Field(None, description="Durée de l'épreuve, en texte libre : « 5 h », « 30 min » (facultatif).")
    description: Markdown | None = Field(None, description="Déroulement de l'épreuve (Markdown, facultatif).")


class Evaluation(_Strict):
    """How a bloc or a competence is assessed (référentiel d'évaluation)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})  # at least one key (validated below)

    modalites: list[Modalite] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Les épreuves, dans l'ordre (facultatif)."
    )
    seuil: Text | None = Field(None, description="Seuil de réussite, en texte libre : « 14/20 », « tous les critères » (facultatif).")
    jury: Text | None = Field(None, description="Qui évalue : composition du jury ou des évaluateurs (facultatif).")

    @model_validator(mode="after")
    def _not_empty(self) -> Evaluation:
        if not (self.modalites or self.seuil or self.jury):
            raise PydanticCustomError(
                "evaluation_vide",
                "évaluation sans contenu\u00a0: indiquez ses modalites, son seuil ou son jury, ou retirez la clé",
            )
        return self


# --- competences --------------------------------------------------------------------------------


class BaseCompetence(_Strict):
    """A competence as format 1 has it; format 2 (Competence2) changes its number, savoir-faire, modules and hours."""

    HEURES_OBLIGATOIRES: ClassVar[bool] = True  # format 1: every module has hours, or the competence a shared range

    numero: WholeNumber = Field(
        ge=1, le=MAX_COMPETENCE_NUMBER, description="Numéro de la compétence : un entier à partir de 1, unique."
    )
    intitule: Titre = Field(description="Intitulé de la compétence.")
    savoir_faire: list[Text] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Ce que le candidat doit savoir faire (au moins un)."
    )
    heures: Heures | None = Field(
        None,
        description="Plage d'heures commune à tous les modules de la compétence (facultatif ; les modules n'ont alors pas d'heures).",
    )
    modules: list[Module] = Field(min_length=1, max_length=MAX_MODULES, description="Modules de formation (au moins un).")
    activites_entreprise: list[Item] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Activités à proposer au candidat en entreprise (au moins une)."
    )
    criteres_evaluation: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Critères d'évaluation (facultatif)."
    )

    @model_validator(mode="after")
    def _hours_on_one_level(self) -> BaseCompetence:
        modules: list[BaseModule] = list(self.modules)
        with_hours = [i for i, m in enumerate(modules) if m.heures is not None]
        if self.heures is not None and with_hours:
            first = with_hours[0]
            raise PydanticCustomError(
                "heures_deux_niveaux",
                "heures indiquées à la fois sur la compétence et sur le(s) module(s) {modules}\u00a0: "
                "gardez soit une plage commune sur la compétence, soit des heures sur chaque module",
                {
                    "modules": french.list_and(modules[i].numero for i in with_hours),
                    "chemin": ("modules", first, "heures"),
                },
            )
        without = [i for i, m in enumerate(modules) if m.heures is None]
        if self.HEURES_OBLIGATOIRES and self.heures is None and without:
            raise PydanticCustomError(
                "heures_absentes",
                "pas d'heures pour le(s) module(s) {modules}\u00a0: indiquez heures: {{min: …, max: …}} "
                "sur chaque module, ou une plage commune sur la compétence",
                {"modules": french.list_and(modules[i].numero for i in without), "chemin": ("modules", without[0])},
            )
        return self

    @property
    def plage_commune(self) -> bool:
        return self.heures is not None

    @property
    def total_heures(self) -> Volume | None:
        """The competence's range: its shared range, or the sum of its modules' (None: no hours known)."""
        if self.heures is not None:
            return Volume(self.heures.min, self.heures.max)
        return somme((("module", m.numero), m.part_du_total) for m in self.modules)

    @property
    def savoir_faire_textes(self) -> list[str]:
        """The texts of the savoir-faire, without their criteria."""
        return [item if isinstance(item, str) else item.texte for item in self.savoir_faire]

    @property
    def savoir_faire_criteres(self) -> list[SavoirFaire]:
        """The savoir-faire that carry criteria of their own (format 2)."""
        return [item for item in self.savoir_faire if isinstance(item, SavoirFaire)]

    @property
    def a_des_criteres(self) -> bool:
        """Criteria of its own or of its savoir-faire: the competence page has a « criteres » part."""
        return bool(self.criteres_evaluation or self.savoir_faire_criteres)


class Competence(BaseCompetence):
    """A competence (domaine de compétence) of the CQP (format 1)."""

    @property
    def evaluation(self) -> Evaluation | None:
        return None


class Competence2(BaseCompetence):
    """A competence of a bloc (format 2): text numbers, optional modules and hours, its own evaluation."""

    HEURES_OBLIGATOIRES: ClassVar[bool] = False

    numero: NumeroCompetence = Field(
        description="Numéro de la compétence, unique dans le fichier : un entier (3) ou un identifiant "
        "(C1, A1.2, 1a), affiché tel qu'écrit."
    )
    savoir_faire: list[SavoirFaireItem] = Field(  # type: ignore[assignment]
        min_length=1,
        max_length=MAX_ITEMS,
        description="Ce que le candidat doit savoir faire (au moins un) : des textes, ou des éléments "
        "{texte, criteres} qui portent leurs propres critères d'évaluation.",
    )
    heures: Heures | None = Field(
        None,
        description="Plage d'heures de la compétence (facultatif) : commune à tous ses modules, ou seule quand "
        "elle n'a pas de modules. Ses modules n'ont alors pas d'heures.",
    )
    modules: list[Module2] = Field(  # type: ignore[assignment]
        default_factory=list,
        max_length=MAX_MODULES,
        description="Modules de formation (facultatif : la formation peut être laissée à l'organisme de formation).",
    )
    evaluation: Evaluation | None = Field(
        None, description="Modalités d'évaluation propres à la compétence, en plus de celles de son bloc (facultatif)."
    )


# --- the certification (format 2) ---------------------------------------------------------------


class Enregistrement(_Strict):
    """The registration period of the certification in its répertoire."""

    debut: Date = Field(description="Date d'enregistrement, au format AAAA-MM-JJ.")
    fin: Date = Field(description="Date de fin d'enregistrement (échéance), au format AAAA-MM-JJ.")

    @model_validator(mode="after")
    def _in_order(self) -> Enregistrement:
        if self.debut > self.fin:
            raise PydanticCustomError(
                "dates_inversees",
                "la fin de l'enregistrement ({fin}) précède son début ({debut})",
                {"fin": french.date(self.fin), "debut": french.date(self.debut), "chemin": ("fin",)},
            )
        return self


Repertoire = Literal["RNCP", "RS", "aucun"]
REPERTOIRES: dict[str, str] = {
    "RNCP": "Répertoire national des certifications professionnelles (RNCP)",
    "RS": "Répertoire spécifique (RS)",
}


class Certification(_Strict):
    """The official identity of the CQP: répertoire, number, level, certifier, registration."""

    repertoire: Repertoire | None = Field(
        None,
        description="Répertoire de France Compétences où le CQP est enregistré : RNCP, RS (Répertoire spécifique) "
        "ou aucun.",
    )
    numero: NumeroCertification | None = Field(
        None,
        description="Numéro de la fiche : RNCP suivi de chiffres (RNCP35612) ou RS suivi de chiffres (RS5432), "
        "selon le répertoire. Le guide renvoie à la fiche publique de France Compétences.",
    )
    niveau: Niveau | None = Field(
        None,
        description="Niveau de qualification, de 1 à 8 (cadre national des certifications professionnelles) ; "
        "seulement pour une certification du RNCP.",
    )
    certificateur: Titre | None = Field(None, description="L'organisme certificateur (facultatif).")
    reference: Titre | None = Field(
        None, description="La référence de la branche, en texte libre, par exemple MQ 89 04 59 0021 (facultatif)."
    )
    enregistrement: Enregistrement | None = Field(
        None, description="Période d'enregistrement {debut, fin}, dates au format AAAA-MM-JJ (facultatif)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Certification:
        number_repertoire = _CERTIFICATION_NUMBER.fullmatch(self.numero).group(1) if self.numero else None
        if self.numero and self.repertoire == "aucun":
            raise PydanticCustomError(
                "numero_sans_repertoire",
                "numéro {numero} alors que le répertoire est « aucun »\u00a0: retirez le numéro ou indiquez "
                "repertoire: {attendu}",
                {"numero": self.numero, "attendu": number_repertoire, "chemin": ("numero",)},
            )
        if self.numero and self.repertoire and number_repertoire != self.repertoire:
            raise PydanticCustomError(
                "numero_repertoire",
                "le numéro {numero} est celui d'une fiche {attendu}, pas {repertoire}\u00a0: "
                "corrigez le numéro ou le répertoire",
                {
                    "numero": self.numero,
                    "attendu": number_repertoire,
                    "repertoire": self.repertoire,
                    "chemin": ("numero",),
                },
            )
        if self.niveau is not None and self.registre != "RNCP":
            raise PydanticCustomError(
                "niveau_hors_rncp",
                "un niveau (1 à 8) ne s'indique que pour une certification enregistrée au RNCP\u00a0: "
                "indiquez repertoire: RNCP et son numéro, ou retirez le niveau",
                {"chemin": ("niveau",)},
            )
        return self

    @property
    def registre(self) -> str | None:
        """« RNCP » or « RS »: the répertoire, or the one its number names; None when registered nowhere known."""
        if self.repertoire in ("RNCP", "RS"):
            return self.repertoire
        if self.numero and self.repertoire is None:
            return _CERTIFICATION_NUMBER.fullmatch(self.numero).group(1)
        return None

    @property
    def chiffres(self) -> str | None:
        """The digits of the number, which the public record's address ends with."""
        return _CERTIFICATION_NUMBER.fullmatch(self.numero).group(2) if self.numero else None


class Cqp(_Strict):
    """Identity of the certificate."""

    code: Annotated[str, BeforeValidator(_clean_text), _at_most(MAX_CODE), TEXT_VIEW] = Field(
        pattern=r"^[a-z0-9-]+$",
        max_length=MAX_CODE,
        description="Code court du CQP, utilisé dans les adresses des pages : minuscules, chiffres et tirets (ex. rcad).",
    )
    intitule: Titre = Field(description="Intitulé officiel du CQP.")
    branche: Titre | None = Field(None, description="Branche professionnelle (facultatif).")
    instance: Titre | None = Field(
        None, description="Instance qui publie le référentiel, par exemple la CPNEFP (facultatif)."
    )


class Cqp2(Cqp):
    """Identity of the certificate, with its official registration and who it is for (format 2)."""

    certification: Certification | None = Field(
        None, description="Identité officielle : répertoire, numéro, niveau, certificateur, enregistrement (facultatif)."
    )
    public: Markdown | None = Field(None, description="À qui s'adresse le CQP (Markdown, facultatif).")
    prerequis: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Prérequis pour entrer en formation (facultatif)."
    )
    acces: list[Item] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Voies d'accès : contrat de professionnalisation, VAE, période de reconversion… (facultatif).",
    )


class Version(_Strict):
    """Which edition of the référentiel this is: tutors must know which one they follow."""

    numero: Numero = Field(
        description='Numéro de version, entre guillemets : "2009-05". Nomme aussi la version en ligne.'
    )
    date: Date = Field(description="Date de la version, au format AAAA-MM-JJ.")
    statut: Titre | None = Field(
        None, description="Statut du document, par exemple « Document de travail » (facultatif)."
    )
    precedente: FichierPrecedent | None = Field(
        None,
        description="La version précédente du référentiel, gardée dans le dépôt (la commande « cqp archiver » "
        "l'y copie) : chemin du fichier, relatif au dossier de ce référentiel, par exemple "
        "archives/rcad-2009-05.yaml (facultatif). Le site publie alors la page « Ce qui change dans la "
        "version … » et signale les heures qui ont changé.",
    )


class FicheLabels(_Strict):
    """Wording of the « De la formation à l'entreprise » grid."""

    titre: Titre = Field("De la formation à l'entreprise…", description="Titre de la grille.")
    en_formation: Titre = Field("En formation", description="En-tête de la colonne « formation ».")
    en_entreprise: Titre = Field("En entreprise", description="En-tête de la colonne « entreprise ».")
    points_cles: Titre = Field("Points clés du programme de formation", description="Zone du formateur.")
    activites_realisees: Titre = Field("Activités réalisées en entreprise", description="Zone du tuteur.")
    commentaires_formateur: Titre = Field("Commentaires du formateur", description="Commentaires du formateur.")
    commentaires_tuteur: Titre = Field("Commentaires du tuteur", description="Commentaires du tuteur.")
    points_positifs: Titre = Field("Points positifs", description="Première partie des commentaires du tuteur.")
    a_approfondir: Titre = Field("À approfondir", description="Seconde partie des commentaires du tuteur.")


class Livret(_Strict):
    """Wording of the blank livret and of the headings; every default is the 2009 livret's.

    In texts, {intitule} stands for the CQP title and {instance} for the publishing body.
    """

    titre_certificat: Titre = Field(
        "Certificat de Qualification Professionnelle", description="Surtitre de la couverture."
    )
    titre: Titre = Field("Livret de suivi de la formation", description="Titre du livret.")
    champs_couverture: list[Titre] = Field(
        default_factory=lambda: [
            "Nom et prénom du candidat",
            "Organisme en charge de la formation",
            "Nom et prénom du « référent formation »",
            "Nom et prénom du tuteur",
            "Fonction du tuteur",
            "Cachet de l'entreprise et signature",
        ],
        min_length=1,
        max_length=MAX_ITEMS,
        description="Champs à remplir sur la couverture.",
    )
    objet: Markdown = Field(
        "Ce document est destiné à **suivre le parcours de formation** d'un candidat au CQP « {intitule} », en intégrant :\n\n"
        "- les temps de formation, en centre de formation ou au sein de l'entreprise (formation interne),\n"
        "- les temps de tutorat mis en œuvre en entreprise.\n\n"
        "L'objectif principal de cet outil est de **permettre au(x) formateur(s)** intervenant dans le parcours de formation "
        "du candidat et au **tuteur en entreprise** de **coordonner leurs interventions**.\n\n"
        "Cet outil doit également permettre aux tuteurs en entreprise **d'accompagner le plus efficacement possible** "
        "les candidats lorsqu'aucune formation n'est prévue pour un ou plusieurs domaines de compétences.\n\n"
        "Dans ce cas, le **contenu indicatif des formations** par domaine de compétence et les critères d'évaluation "
        "devront guider les remises à niveau au poste de travail et la préparation de l'évaluation finale.\n\n"
        "Un ensemble de conseils méthodologiques sont proposés aux tuteurs dans le « guide tuteur CQP » mis à disposition "
        "des tuteurs par la branche.",
        description="Texte de présentation du livret (Markdown).",
    )
    parcours_titre: Titre = Field(
        "1 - Parcours individualisé du candidat : fiche de synthèse", description="Titre de la fiche de synthèse."
    )
    parcours_texte: Markdown = Field(
        "Ce parcours est déterminé en entreprise à l'issue d'un entretien de repérage des compétences mené avec le candidat. "
        "Il est ensuite transmis à l'organisme de formation externe ou au service de formation interne pour lui permettre "
        "d'organiser la mise en œuvre de la formation du candidat et il est communiqué au tuteur afin de permettre au "
        "candidat de mettre en pratique les compétences requises pour l'accès au CQP.",
        description="Texte de la fiche de synthèse (Markdown).",
    )
    colonne_domaines: Titre = Field("Domaines", description="Fiche de synthèse : colonne des compétences.")
    colonne_modules: Titre = Field(
        "Modules de formation à suivre", description="Fiche de synthèse : colonne des modules."
    )
    colonne_organisme: Titre = Field(
        "Organisme de formation retenu", description="Fiche de synthèse : colonne de l'organisme."
    )
    colonne_dates: Titre = Field("Dates prévisionnelles", description="Fiche de synthèse : colonne des dates.")
    colonne_heures: Titre = Field("Nombre d'heures prévisionnel*", description="Fiche de synthèse : colonne des heures.")
    renvoi_heures: Titre = Field(
        "(*) sur la base des volumes horaires indiqués par la {instance} – cf. page suivante",
        description="Renvoi sous la fiche de synthèse.",
    )
    preconise_titre: Titre = Field(
        "Parcours de formation préconisé par la {instance}", description="Titre du tableau des volumes horaires."
    )
    note_heures: Markdown = Field(
        "**Attention\u00a0:** les volumes horaires indiqués sont à moduler en fonction des profils et des besoins de candidats. "
        "Ils intègrent en effet différentes possibilités, d'une simple mise à niveau (volume horaire minimum) à un parcours "
        "complet (volume horaire maximum).",
        description="Note sous le tableau des volumes horaires (Markdown).",
    )
    colonne_domaine: Titre = Field("Pour ce domaine", description="Tableau des heures : colonne des compétences.")
    colonne_formation: Titre = Field(
        "Formation interne ou externe", description="Tableau des heures : colonne des modules."
    )
    colonne_volumes: Titre = Field("Volumes horaires préconisés", description="Tableau des heures : colonne des heures.")
    question: Titre = Field(
        "Quelles sont les compétences à acquérir et quel est le contenu de la formation à proposer aux candidats ?",
        description="Question en tête de chaque compétence.",
    )
    savoir_faire: Titre = Field("Ce que le candidat doit savoir faire", description="Rubrique des savoir-faire.")
    contenu: Titre = Field("Contenu de la formation à délivrer", description="Rubrique du contenu de formation.")
    objectifs: Titre = Field("Objectifs et modules de formation", description="Sous-rubrique des objectifs et modules.")
    activites: Titre = Field(
        "Quelles activités proposer au candidat en entreprise ?", description="Rubrique des activités."
    )
    criteres: Titre = Field("Critères d'évaluation", description="Rubrique des critères d'évaluation.")
    fiche: FicheLabels = Field(default_factory=FicheLabels, description="Grille « De la formation à l'entreprise ».")



class Bloc(_Strict):
    """A bloc de compétences (format 2): its activities, its evaluation and its competences."""

    code: Identifiant = Field(
        description="Code du bloc, unique dans le fichier : lettres, chiffres, « . », « - » ou « _ » (BC01)."
    )
    intitule: Titre = Field(description="Intitulé du bloc de compétences.")
    activites: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Les activités du bloc (référentiel d'activités, facultatif)."
    )
    evaluation: Evaluation | None = Field(
        None, description="Comment le bloc est évalué : modalités, seuil de réussite, jury (facultatif)."
    )
    competences: list[Competence2] = Field(
        min_length=1, max_length=MAX_COMPETENCES, description="Les compétences du bloc (au moins une)."
    )

    def competences_triees(self) -> list[Competence2]:
        return sorted(self.competences, key=lambda c: numero_key(c.numero))

    @property
    def total_heures(self) -> Volume | None:
        return somme((("compétence", str(c.numero)), c.total_heures) for c in self.competences_triees())


class Referentiel(_Strict):
    """A whole référentiel, in any format: what the branch publishes for one CQP.

    Referentiel1 (competences at the top) and Referentiel2 (blocs de compétences) share these keys and
    give the views the same attributes: competences (all, in the file's order), competences_triees(),
    blocs (none in format 1), par_bloc(), total_heures, libelle().
    """

    format: int = Field(description="Version du format de ce fichier.")
    cqp: Cqp = Field(description="Identité du CQP.")
    version: Version = Field(
        description="Version du référentiel : numéro, date et statut, affichés sur chaque page et sur le livret."
    )
    presentation: Markdown | None = Field(
        None, description="Présentation du CQP en tête de la vue d'ensemble (Markdown)."
    )
    livret: Livret = Field(
        default_factory=Livret, description="Libellés du livret et des pages ; chaque clé a une valeur par défaut."
    )

    @model_validator(mode="before")
    @classmethod
    def _format_as_number(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("format"), str) and data["format"].strip() in ("1", "2"):
            return {**data, "format": int(data["format"].strip())}
        return data

    def competences_triees(self) -> list[Any]:
        """The competences in the order the guide shows them: by number, bloc after bloc."""
        return [c for _, competences in self.par_bloc() for c in competences]

    def par_bloc(self) -> list[tuple[Bloc | None, list[Any]]]:
        """The competences grouped by bloc, each group by number; format 1 has one group, without a bloc."""
        return [(bloc, bloc.competences_triees()) for bloc in self.blocs]

    def bloc_de(self, competence: Any) -> Bloc | None:
        return next((bloc for bloc in self.blocs if any(c is competence for c in bloc.competences)), None)

    def competence(self, numero: object) -> Any:
        for competence in self.competences:
            if competence.numero == numero:
                return competence
        raise KeyError(numero)

    @property
    def total_heures(self) -> Volume | None:
        """The whole CQP's range, summed over competences (None: no hours known anywhere)."""
        return somme((("compétence", str(c.numero)), c.total_heures) for c in self.competences_triees())

    def modules_facultatifs(self) -> list[BaseModule]:
        return [m for c in self.competences for m in c.modules if m.facultatif]

    def evaluations_de(self, competence: Any) -> list[tuple[Bloc | None, Evaluation]]:
        """How a competence is assessed: its bloc's evaluation, then its own (format 2; none in format 1)."""
        bloc = self.bloc_de(competence)
        found: list[tuple[Bloc | None, Evaluation]] = []
        if bloc is not None and bloc.evaluation is not None:
            found.append((bloc, bloc.evaluation))
        if competence.evaluation is not None:
            found.append((None, competence.evaluation))
        return found

    @property
    def heures_detaillees(self) -> bool:
        """Some competence or module has hours: the hours table has something to show."""
        return any(c.total_heures is not None for c in self.competences)

    @property
    def certification(self) -> Certification | None:
        return None

    @property
    def public(self) -> str | None:
        return None

    @property
    def prerequis(self) -> list[Any]:
        return []

    @property
    def acces(self) -> list[Any]:
        return []

    @property
    def evaluations(self) -> bool:
        """The référentiel says how some bloc or competence is assessed."""
        return any(b.evaluation for b in self.blocs) or any(c.evaluation for c in self.competences)

    def libelle(self, text: str, insert: Callable[[str], str] = str) -> str:
        """Fill the {intitule} and {instance} placeholders of a livret text.

        ``insert`` turns each value into what the text is made of: in a Markdown text, the title must stay
        literal text (guide_cqp.render escapes it), or its brackets would become a link there.
        """
        instance = self.cqp.instance or "branche"
        return text.replace("{intitule}", insert(self.cqp.intitule)).replace("{instance}", insert(instance))

    @model_validator(mode="after")
    def _within_limits(self) -> Referentiel:
        """Bounds on the whole, in any format: each list is bounded on its own; their sums and depth here.

        The référentiel is walked as data (guide_cqp.model's own classes), so that a field added later
        is counted without being named here.
        """
        counts = {"competences": 0, "modules": 0, "textes": 0}
        for path, value, depth in _walk(self):
            if isinstance(value, BaseCompetence):
                counts["competences"] += 1
                if counts["competences"] > MAX_COMPETENCES:
                    raise _too_many("competences", MAX_COMPETENCES, "compétences", path)
            elif isinstance(value, BaseModule):
                counts["modules"] += 1
                if counts["modules"] > MAX_ALL_MODULES:
                    raise _too_many("modules", MAX_ALL_MODULES, "modules", path)
            elif depth >= 0:  # a text of a list, or an element {texte, details}
                counts["textes"] += 1
                if depth > MAX_ITEM_DEPTH:
                    raise PydanticCustomError(
                        "sous_listes_profondes",
                        "sous-listes trop profondes\u00a0: au plus {max} niveaux de « details » sous un élément",
                        {"max": MAX_ITEM_DEPTH, "chemin": path},
                    )
                if counts["textes"] > MAX_ALL_ITEMS:
                    raise _too_many(
                        "textes",
                        MAX_ALL_ITEMS,
                        "textes dans les listes du référentiel (savoir-faire, objectifs, contenus, activités, "
                        "critères et sous-listes)",
                        path,
                    )
        return self

    @model_validator(mode="after")
    def _markdown_with_placeholders(self) -> Referentiel:
        """{intitule} and {instance} are replaced before Markdown reads a text: what it reads stays within the
        length of a Markdown text. (The inserted values are literal text there, see libelle.)"""
        for path, value in _markdown_values(self):
            length = len(self.libelle(value))
            if length > MAX_MARKDOWN:
                raise PydanticCustomError(
                    "markdown_long",
                    "une fois {intitule} et {instance} remplacés par l'intitulé du CQP et l'instance, texte trop "
                    "long\u00a0: {n}\u00a0caractères, au plus {max}\u00a0caractères",
                    {
                        "intitule": "{intitule}",
                        "instance": "{instance}",
                        "n": french.integer(length),
                        "max": french.integer(MAX_MARKDOWN),
                        "chemin": path,
                    },
                )
        return self


class Referentiel1(Referentiel):
    """A référentiel in format 1: the competences at the top, every module with its hours."""

    format: Literal[1] = Field(description="Version du format de ce fichier : 1 (format d'origine, sans blocs).")
    cqp: Cqp = Field(description="Identité du CQP : code, intitulé, branche et instance.")
    competences: list[Competence] = Field(  # type: ignore[assignment]
        min_length=1, max_length=MAX_COMPETENCES, description="Les compétences du CQP (au moins une)."
    )

    @model_validator(mode="after")
    def _unique_numbers(self) -> Referentiel1:
        seen: dict[object, int] = {}
        for i, competence in enumerate(self.competences):
            if competence.numero in seen:
                raise PydanticCustomError(
                    "doublon_competence",
                    "numéro de compétence {numero} en double",
                    {
                        "numero": competence.numero,
                        "chemin": ("competences", i, "numero"),
                        "premier": ("competences", seen[competence.numero], "numero"),
                    },
                )
            seen[competence.numero] = i
        modules: dict[str, tuple[int, int]] = {}
        for i, competence in enumerate(self.competences):
            for j, module in enumerate(competence.modules):
                if module.numero in modules:
                    a, b = modules[module.numero]
                    raise PydanticCustomError(
                        "doublon_module",
                        "numéro de module « {numero} » en double",
                        {
                            "numero": module.numero,
                            "chemin": ("competences", i, "modules", j, "numero"),
                            "premier": ("competences", a, "modules", b, "numero"),
                        },
                    )
                modules[module.numero] = (i, j)
        return self

    @property
    def blocs(self) -> list[Bloc]:
        """Format 1 has no blocs: its competences form one group, shown without a bloc."""
        return []

    def par_bloc(self) -> list[tuple[Bloc | None, list[Any]]]:
        return [(None, sorted(self.competences, key=lambda c: c.numero))]


class Referentiel2(Referentiel):
    """A référentiel in format 2: blocs de compétences, the certification's identity, evaluation, optional hours."""

    format: Literal[2] = Field(description="Version du format de ce fichier : 2 (blocs de compétences).")
    cqp: Cqp2 = Field(
        description="Identité du CQP : code, intitulé, branche, instance, certification, public, prérequis, voies d'accès."
    )
    duree: Heures | None = Field(
        None,
        description="Durée totale de la formation {min, max}, quand le référentiel ne donne qu'un total "
        "(alors ni les compétences ni les modules n'ont d'heures). Exemple : {min: 70, max: 210}.",
    )
    blocs: list[Bloc] = Field(  # type: ignore[assignment]
        min_length=1,
        max_length=MAX_COMPETENCES,
        description="Les blocs de compétences du CQP (au moins un), dans l'ordre du référentiel.",
    )

    @model_validator(mode="after")
    def _unique_codes_and_numbers(self) -> Referentiel2:
        codes: dict[str, int] = {}
        numeros: dict[str, tuple[int, int]] = {}
        modules: dict[str, tuple[int, int, int]] = {}
        for i, bloc in enumerate(self.blocs):
            if bloc.code.casefold() in codes:
                raise PydanticCustomError(
                    "doublon_bloc",
                    "code de bloc « {code} » en double",
                    {"code": bloc.code, "chemin": ("blocs", i, "code"), "premier": ("blocs", codes[bloc.code.casefold()], "code")},
                )
            codes[bloc.code.casefold()] = i
            for j, competence in enumerate(bloc.competences):
                key = str(competence.numero).casefold()
                if key in numeros:
                    a, b = numeros[key]
                    raise PydanticCustomError(
                        "doublon_competence",
                        "numéro de compétence « {numero} » en double",
                        {
                            "numero": competence.numero,
                            "chemin": ("blocs", i, "competences", j, "numero"),
                            "premier": ("blocs", a, "competences", b, "numero"),
                        },
                    )
                numeros[key] = (i, j)
                for k, module in enumerate(competence.modules):
                    if module.numero in modules:
                        a, b, c = modules[module.numero]
                        raise PydanticCustomError(
                            "doublon_module",
                            "numéro de module « {numero} » en double",
                            {
                                "numero": module.numero,
                                "chemin": ("blocs", i, "competences", j, "modules", k, "numero"),
                                "premier": ("blocs", a, "competences", b, "modules", c, "numero"),
                            },
                        )
                    modules[module.numero] = (i, j, k)
        return self

    @model_validator(mode="after")
    def _total_or_details(self) -> Referentiel2:
        if self.duree is None:
            return self
        for competence in self.competences:
            if competence.heures is not None:
                where = f"la compétence {competence.numero}"
                break
            with_hours = [m for m in competence.modules if m.heures is not None]
            if with_hours:
                where = f"le module {with_hours[0].numero}"
                break
        else:
            return self
        raise PydanticCustomError(
            "duree_et_heures",
            "durée totale indiquée alors que {ou} a ses propres heures\u00a0: gardez soit la durée totale (duree), "
            "soit les heures des compétences et des modules",
            {"ou": where, "chemin": ("duree",)},
        )

    @property
    def competences(self) -> list[Competence2]:
        """Every competence, bloc after bloc, in the file's order."""
        return [c for bloc in self.blocs for c in bloc.competences]

    @property
    def total_heures(self) -> Volume | None:
        if self.duree is not None:
            return Volume(self.duree.min, self.duree.max)
        return super().total_heures

    @property
    def certification(self) -> Certification | None:
        return self.cqp.certification

    @property
    def public(self) -> str | None:
        return self.cqp.public

    @property
    def prerequis(self) -> list[Any]:
        return self.cqp.prerequis

    @property
    def acces(self) -> list[Any]:
        return self.cqp.acces


FORMATS: dict[int, type[Referentiel]] = {1: Referentiel1, 2: Referentiel2}


def referentiel_model(data: Any) -> type[Referentiel]:
    """The model a file's data is validated with, by its ``format`` (a file with blocs and no format: format 2)."""
    written = data.get("format") if isinstance(data, dict) else None
    if isinstance(written, str) and written.strip() == "2":
        return Referentiel2
    if written is None and isinstance(data, dict) and "blocs" in data:
        return Referentiel2
    return Referentiel1


def _too_many(what: str, maximum: int, words: str, path: tuple[str | int, ...]) -> PydanticCustomError:
    return PydanticCustomError(
        f"trop_de_{what}",
        "plus de {max} {words}\u00a0: un référentiel en compte au plus {max}",
        {"max": french.integer(maximum), "words": words, "chemin": path},
    )


def _walk(root: BaseModel) -> Iterator[tuple[tuple[str | int, ...], Any, int]]:
    """(path, value, depth) of every model and every text of a list under ``root``, without recursion.

    ``depth`` is -1 for models that are not elements of a text list (a competence, a module…); for a
    text of a list or an element {texte, details}, the levels of sub-lists above it (0 at the top).
    """
    stack: list[tuple[tuple[str | int, ...], Any, int]] = [((), root, -1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, BaseModel):
            yield path, value, depth
            if isinstance(value, Livret):  # labels, not content: their lists (the cover's fields) are not texts
                continue
            for name in type(value).model_fields:
                child = getattr(value, name)
                if isinstance(child, list):
                    texts = any(isinstance(item, str) for item in child) or any(
                        isinstance(item, (ItemDetaille, SavoirFaire)) for item in child
                    )
                    below = (depth + 1 if depth >= 0 else 0) if isinstance(value, (ItemDetaille, SavoirFaire)) else 0
                    for index, item in enumerate(child):
                        stack.append(((*path, name, index), item, below if texts else -1))
                elif isinstance(child, BaseModel):
                    stack.append(((*path, name), child, -1))
        elif isinstance(value, str) and depth >= 0:
            yield path, value, depth


def _markdown_values(root: BaseModel) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, text) of every Markdown text under ``root``, defaults included."""
    for path, value, _ in _walk(root):
        for name in _markdown_fields(type(value)) if isinstance(value, BaseModel) else ():
            text = getattr(value, name)
            if text:
                yield (*path, name), text


@cache
def _markdown_fields(model: type[BaseModel]) -> list[str]:
    """The fields of a model that hold Markdown text."""

    def holds_markdown(annotation: Any) -> bool:
        if any(getattr(m, "func", None) is _clean_markdown for m in getattr(annotation, "__metadata__", ())):
            return True
        return any(holds_markdown(arg) for arg in getattr(annotation, "__args__", ()) or ())

    return [name for name, info in model.model_fields.items() if holds_markdown(info.rebuild_annotation())]
