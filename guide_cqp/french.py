"""French formatting, in one place: numbers, hours, lists, dates, version labels and typography.

Tutors read « 3,5 h », « 7 à 21 h », « 7 mai 2009 », « 1.1, 1.2 et 1.3 »; the pages, the livret, the PDF,
the CLI and the error messages all format through these functions, so a rule changes once.
Nothing here knows the model: values with ``min``/``max`` are duck-typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

NBSP = "\u00a0"  # before « : », inside « », between a number and its unit
NNBSP = "\u202f"  # narrow no-break space, before « ; ! ? »

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_HIGH_PUNCT = re.compile(r"(?<=[^\s;!?])[ \u00a0\u202f]*([;!?]+)(?=\s|$)")
_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]+:(?=\s|$)")
_CLOSE_QUOTE = re.compile(r"(?<=\S)[ \u00a0\u202f]*»")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*(?=\S)")
# A number typed with its unit of time, « 5 h », « 30 min », « 3,5 heures »: one word for the line breaks.
_NUMBER_UNIT = re.compile(r"(?<=\d)[ \u202f]+(?=(?:h|min|heures?|minutes?)(?![\w']))")
_TYPOGRAPHY_SIGNS = re.compile(r"[;:!?«»]|\d[ \u202f]")  # each rule above needs one of these


class Range(Protocol):
    """A range of hours (model.Heures, or a total computed from it)."""

    min: Decimal
    max: Decimal


def number(value: Decimal | int | float) -> str:
    """3.5 → « 3,5 », 7.0 → « 7 »: French decimal comma, no trailing zeros."""
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{parsed.normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def integer(value: int) -> str:
    """10000 → « 10 000 »: thousands apart, by a narrow no-break space."""
    return f"{value:,}".replace(",", NNBSP)


def hour(value: Decimal | int | float) -> str:
    """« 3,5 h »: a number of hours, never split from its unit."""
    return f"{number(value)}{NBSP}h"


def hours(value: Range) -> str:
    """« 7 à 21 h », or « 7 h » when the range is a single value; a total that leaves parts out says which.

    A total's parts without hours come as ``hors`` (model.Volume): « 7 à 21 h (hors module 2.3, durée non
    indiquée) ».
    """
    text = hour(value.min) if value.min == value.max else f"{number(value.min)} à {number(value.max)}{NBSP}h"
    left_out = getattr(value, "hors", ())
    return f"{text} ({hours_left_out(left_out)})" if left_out else text


MAX_NAMED = 3  # parts named one by one in « hors … »; past that, counted


def hours_left_out(parts: Iterable[tuple[str, str]]) -> str:
    """« hors module 2.3, durée non indiquée », « hors compétence C4 et modules 1.2 et 1.3, durée non indiquée »,
    « hors 5 modules et 2 compétences, durée non indiquée »: what a total does not count, and why.

    ``parts`` are (kind, number) pairs, kind « module » or « compétence », in the order they are met.
    """
    parts = list(parts)
    kinds = list(dict.fromkeys(kind for kind, _ in parts))
    if len(parts) > MAX_NAMED:
        counted = [plural(sum(1 for k, _ in parts if k == kind), kind) for kind in kinds]
        return f"hors {list_and(counted)}, durée non indiquée"
    named = []
    for kind in kinds:
        numbers = [numero for k, numero in parts if k == kind]
        word = kind if len(numbers) == 1 else kind + "s"
        named.append(f"{word} {list_and(numbers)}")
    return f"hors {list_and(named)}, durée non indiquée"


def list_and(items: Iterable[Any]) -> str:
    """« 1.1 », « 1.1 et 1.2 », « 1.1, 1.2 et 1.3 »."""
    return _joined(items, "et")


def list_or(items: Iterable[Any]) -> str:
    """« RNCP », « RNCP ou RS », « RNCP, RS ou aucun »: the values one may choose from."""
    return _joined(items, "ou")


def _joined(items: Iterable[Any], last: str) -> str:
    values = [str(v) for v in items]
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {last} " + values[-1]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 compétence », « 6 compétences » (French: 0 and 1 are singular)."""
    word = singular if count <= 1 else (plural_form or singular + "s")
    return f"{integer(count)}{NBSP}{word}"


def date(value: dt.date) -> str:
    """« 1er mai 2009 », « 7 mai 2009 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def version_label(numero: str, when: dt.date, statut: str | None = None) -> str:
    """« version 2009-05 du 7 mai 2009 (Document de travail) », shown on every page."""
    label = f"version {numero} du {date(when)}"
    return f"{label} ({statut})" if statut else label


def version_title(numero: str, when: dt.date) -> str:
    """What mike's version selector shows: « 2009-05 du 7 mai 2009 »."""
    return f"{numero} du {date(when)}"


def typography(text: str) -> str:
    """Non-breaking spaces where French typography wants them: « x », a :, a ; ? !, « 5 h »

    Staff type ordinary spaces (or none before ; ? !); a line must not break there.
    Most texts have none of these signs: one search spares them the four substitutions.
    """
    if not _TYPOGRAPHY_SIGNS.search(text):
        return text
    text = _NUMBER_UNIT.sub(NBSP, text)
    text = _HIGH_PUNCT.sub(lambda m: NNBSP + m.group(1), text)
    text = _COLON.sub(NBSP + ":", text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    return _OPEN_QUOTE.sub("«" + NBSP, text)
