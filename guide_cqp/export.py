"""The JSON export of a référentiel: the model's dump, which the same model reads back.

`cqp exporter --format json` writes it, every build publishes it as ``<code>/referentiel.json`` (so that
anyone can compare two published versions with `cqp comparer`), and `cqp comparer` reads it: JSON is YAML
to the loader, which keeps every scalar as text and every position for messages, and the model validates it
as it validates a YAML file. Loading an export gives back an equal Referentiel.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from .model import Referentiel


def export_json(ref: Referentiel) -> str:
    """The whole référentiel, defaults filled in: dates as AAAA-MM-JJ, hours as numbers."""
    # No U+2028 or U+2029, which YAML would read as line breaks: the model refuses them (guide_cqp.texts).
    text = json.dumps(ref.model_dump(mode="python", exclude_none=True), ensure_ascii=False, indent=2, default=_json_value)
    return text + "\n"


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"valeur non exportable en JSON : {value!r}")
