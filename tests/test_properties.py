"""Property-based tests: any référentiel the schema allows builds; any damaged file is refused cleanly.

Hypothesis writes référentiels (random counts, any Unicode text, decimal hours)
and damages a real one (lines deleted, duplicated, re-indented, characters
swapped, keys dropped). Validation-level properties run many examples; the
ones that run `mkdocs build` only a few, to keep the suite fast.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from support import OTHER_REFERENTIEL, build_in_process

from guide_cqp import addresses
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.model import Livret, Referentiel
from guide_cqp.render import markdown_filter
from guide_cqp.validate import parse_referentiel

# CQP_EXEMPLES=10 multiplies every example count, for a longer hunt than CI's.
SCALE = int(os.environ.get("CQP_EXEMPLES", "1"))
VALIDATION = settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BUILD = settings(
    max_examples=4 * SCALE,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # shrinking through builds takes minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# CPU seconds of this thread for reading and validating one damaged file: guards against runaway work (a
# parser gone quadratic), in CPU time so that a loaded machine cannot fail it. (Markdown's own time is bounded
# by the model's limits, whose growth tests/test_limits.py measures.)
MUTATION_CPU_LIMIT = 5.0

# --- generated référentiels --------------------------------------------------------------

# Any visible Unicode, not only Latin. Left out: what the model refuses by category (controls, format and
# direction characters, surrogates, private use, unassigned code points, line and paragraph separators),
# and the letters and marks that Unicode lists as « default ignorable » (DerivedCoreProperties.txt: Hangul
# fillers, variation selectors…), which draw nothing: a text made of them alone would be invisible.
_IGNORABLE = "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0" + "".join(
    chr(c) for c in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
)
_chars = st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp"), exclude_characters=_IGNORABLE)
texts = st.text(_chars, min_size=1, max_size=30).filter(lambda s: s.strip())
hours = st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False, allow_infinity=False)


def cleaned(text: str) -> str:
    """What the model keeps of a one-line text: NFC, inner line breaks and tabs as spaces, ends stripped."""
    return re.sub(r"[ \t\r\n]+", " ", unicodedata.normalize("NFC", text)).strip()


@st.composite
def hour_ranges(draw: st.DrawFn) -> dict[str, str]:
    low, high = sorted([draw(hours), draw(hours)])
    written = draw(st.sampled_from(["point", "virgule"]))
    as_text = (lambda d: str(d)) if written == "point" else (lambda d: str(d).replace(".", ","))
    return {"min": as_text(low), "max": as_text(high)}


@st.composite
def items(draw: st.DrawFn, depth: int = 0) -> Any:
    if depth < 2 and draw(st.integers(0, 4)) == 0:
        return {"texte": draw(texts), "details": draw(st.lists(items(depth + 1), min_size=1, max_size=2))}
    return draw(texts)


@st.composite
def referentiels(draw: st.DrawFn) -> dict[str, Any]:
    """A référentiel as a person would write it: every constraint of the schema respected."""
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True))
    module_counts = [draw(st.integers(1, 3)) for _ in numbers]
    module_numbers = draw(
        st.lists(
            st.one_of(st.from_regex(r"\A[0-9]{1,2}(\.[0-9]{1,2})?\Z"), texts.map(lambda t: t[:20])),
            min_size=sum(module_counts),
            max_size=sum(module_counts),
            unique_by=lambda numero: addresses.module(cleaned(numero)),  # one anchor per module
        )
    )
    competences = []
    for numero, count in zip(numbers, module_counts, strict=True):
        shared = draw(st.booleans())
        modules = []
        for _ in range(count):
            module: dict[str, Any] = {"numero": module_numbers.pop(), "intitule": draw(texts)}
            if draw(st.booleans()):
                module["intitule_court"] = draw(texts)
            module["objectifs"] = draw(st.lists(texts, max_size=2))
            if not shared:
                module["heures"] = draw(hour_ranges())
            module["contenu"] = draw(st.lists(items(), max_size=3))
            if draw(st.booleans()):
                module["note"] = draw(texts)
            modules.append(module)
        competence: dict[str, Any] = {
            "numero": str(numero),
            "intitule": draw(texts),
            "savoir_faire": draw(st.lists(texts, min_size=1, max_size=3)),
        }
        if shared:
            competence["heures"] = draw(hour_ranges())
        competence["modules"] = modules
        competence["activites_entreprise"] = draw(st.lists(items(), min_size=1, max_size=3))
        competence["criteres_evaluation"] = draw(st.lists(items(), max_size=2))
        competences.append(competence)
    cqp = {
        # « cqp-… »: never one of the names the site keeps for itself (assets, search…) or its pages'.
        "code": draw(st.from_regex(r"\Acqp-[a-z0-9-]{0,11}\Z")),
        "intitule": draw(texts),
        "instance": draw(texts),
    }
    version = {
        # A number with digits, as editions are numbered: its folder on the site is never a reserved name.
        "numero": f"{draw(st.integers(1, 9999))} {draw(texts)}"[:20],
        "date": draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))).isoformat(),
        "statut": draw(texts),
    }
    data = {"format": 1, "cqp": cqp, "version": version, "competences": competences}
    if draw(st.booleans()):
        # Prose without Markdown signs, paragraphs included: shown word for word.
        data["presentation"] = draw(st.text(st.sampled_from(list("aàbçeéz \n")), min_size=1, max_size=200))
    if draw(st.booleans()):
        data["livret"] = {"titre": draw(texts), "question": draw(texts), "fiche": {"titre": draw(texts)}}
    return data


class _Dumper(yaml.SafeDumper):
    """YAML as a careful person writes it: a text that ends with a quote goes between double quotes."""


_Dumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style='"' if value.rstrip().endswith(("'", '"')) else None
    ),
)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=60)


def all_texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in all_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in all_texts(v)]
    return []


@pytest.mark.lent  # hundreds of generated référentiels
@VALIDATION
@given(referentiels())
def test_any_referentiel_of_the_schema_validates_with_its_texts_and_totals(data: dict[str, Any]) -> None:
    ref = parse_referentiel(dump(data))
    assert ref.cqp.intitule == cleaned(data["cqp"]["intitule"])
    for written, competence in zip(data["competences"], ref.competences, strict=True):
        assert competence.numero == int(written["numero"])
        assert competence.intitule == cleaned(written["intitule"])
        assert competence.savoir_faire == [cleaned(t) for t in written["savoir_faire"]]
        assert [m.numero for m in competence.modules] == [cleaned(m["numero"]) for m in written["modules"]]
        ranges = [written["heures"]] if "heures" in written else [m["heures"] for m in written["modules"]]
        low = sum((Decimal(r["min"].replace(",", ".")) for r in ranges), Decimal(0))
        high = sum((Decimal(r["max"].replace(",", ".")) for r in ranges), Decimal(0))
        assert (competence.total_heures.min, competence.total_heures.max) == (low, high)


@pytest.mark.lent  # hundreds of generated référentiels
@VALIDATION
@given(referentiels(), st.characters(categories=["Cc"]).filter(lambda c: c not in "\t\n\r"), st.data())
def test_a_control_character_in_a_text_is_refused_at_its_field(
    data: dict[str, Any], control: str, choice: st.DataObject
) -> None:
    """Written as an escape in double quotes ("\\x02"), a control character would reach the pages."""
    i = choice.draw(st.integers(0, len(data["competences"]) - 1))
    intitule = data["competences"][i]["intitule"]
    at = choice.draw(st.integers(0, len(intitule)))
    data["competences"][i]["intitule"] = intitule[:at] + control + intitule[at:]
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(dump(data), "controle.yaml")
    (probleme,) = caught.value.problemes
    assert probleme.chemin == ("competences", i, "intitule") and probleme.ligne is not None
    assert f"U+{ord(control):04X}" in probleme.message


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of a référentiel: the places a value can be wrong."""
    found: list[tuple[Any, Any]] = []
    keys = value.keys() if isinstance(value, dict) else range(len(value)) if isinstance(value, list) else []
    for key in keys:
        found.append((value, key))
        found += _slots(value[key])
    return found


wrong_values = st.recursive(
    st.one_of(st.none(), texts, st.sampled_from(["nan", "-1", "1e9", "2020-13-45", "", "oui", "1.5", "-0"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["texte", "details", "min", "max", "numero", "intitule", "x"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)
ENGLISH = re.compile(r"\b(?:Input|should|must|Field|required|Value error|Extra inputs|valid|expected)\b")


@pytest.mark.lent  # hundreds of generated référentiels
@VALIDATION
@given(referentiels(), st.data())
def test_a_wrong_value_anywhere_is_refused_in_french_at_its_line(data: dict[str, Any], choice: st.DataObject) -> None:
    container, key = choice.draw(st.sampled_from(_slots(data)))
    if choice.draw(st.booleans()) and isinstance(container, dict):
        del container[key]
    else:
        container[key] = choice.draw(wrong_values)
    outcome = _parse(dump(data))
    if isinstance(outcome, ReferentielInvalide):
        for probleme in outcome.problemes:
            assert probleme.ligne is not None, str(probleme)
            assert not ENGLISH.search(probleme.message), str(probleme)


markdown_sources = st.text(st.sampled_from(list("ab1 \t\n>*_-+#[]()!<&;:`|=.\\")), max_size=1500)


@VALIDATION
@given(markdown_sources)
def test_a_markdown_field_is_refused_or_renders(source: str) -> None:
    """Python-Markdown can recurse or take quadratic time: the model refuses, by a bound, what it could not
    render (tests/test_limits.py checks that what is allowed renders in time proportional to its size)."""
    try:
        kept = Livret(objet=source).objet
    except ValidationError as exc:
        bounds = {"markdown_imbrication", "markdown_signes", "markdown_lignes", "lien_refuse", "texte_invisible"}
        assert {error["type"] for error in exc.errors()} <= bounds, exc.errors()
        return
    assert isinstance(markdown_filter(kept), str)


def _visible(path: Path) -> str:
    """A page's article text, spaces removed: typography may add or change spaces, never letters."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    return "".join(article.get_text().split())


def _squeezed(text: str) -> str:
    return "".join(cleaned(text).split())


@BUILD
@given(data=referentiels())
def test_any_referentiel_of_the_schema_builds_and_shows_every_text(data: dict[str, Any], tmp_path_factory) -> None:  # noqa: ANN001
    root = tmp_path_factory.mktemp("prop")
    source = root / "referentiel.yaml"
    source.write_text(dump(data), encoding="utf-8")
    build = build_in_process(source, root / "site")
    assert build.returncode == 0, build.output
    code = data["cqp"]["code"]
    overview = _visible(build.site / code / "index.html")
    assert _squeezed(data["cqp"]["intitule"]) in overview
    assert "".join(data.get("presentation", "").split()) in overview
    livret = _visible(build.site / code / "livret" / "index.html")
    for competence in data["competences"]:
        page = _visible(build.site / code / f"competence-{competence['numero']}" / "index.html")
        shown = {k: v for k, v in competence.items() if k not in ("numero", "heures", "modules")}
        shown["modules"] = [
            {k: v for k, v in m.items() if k not in ("heures", "intitule_court")} for m in competence["modules"]
        ]
        for text in all_texts(shown):
            assert _squeezed(text) in page, text
        for module in competence["modules"]:
            # The short title is for tables: the hours table of the overview.
            assert _squeezed(module.get("intitule_court", module["intitule"])) in overview
        assert _squeezed(competence["intitule"]) in overview and _squeezed(competence["intitule"]) in livret


# --- damaged référentiels ----------------------------------------------------------------

SOURCE_LINES = OTHER_REFERENTIEL.read_text(encoding="utf-8").splitlines(keepends=True)


@st.composite
def mutations(draw: st.DrawFn) -> str:
    """One to three edits a hurried person could make in the web editor."""
    lines = list(SOURCE_LINES)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["supprimer", "dupliquer", "indenter", "desindenter", "permuter", "cle", "taper"]))
        line = lines[i]
        if kind == "supprimer":
            del lines[i]
        elif kind == "dupliquer":
            lines.insert(i, line)
        elif kind == "indenter":
            lines[i] = " " * draw(st.integers(1, 4)) + line
        elif kind == "desindenter":
            lines[i] = line[min(draw(st.integers(1, 4)), len(line) - len(line.lstrip(" "))) :]
        elif kind == "permuter" and len(line) > 2:
            j = draw(st.integers(0, len(line) - 3))
            lines[i] = line[:j] + line[j + 1] + line[j] + line[j + 2 :]
        elif kind == "cle":
            # Drop a key and its whole block (the lines indented below it).
            indent = len(line) - len(line.lstrip(" "))
            end = i + 1
            while end < len(lines) and (
                not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent
            ):
                end += 1
            del lines[i:end]
        elif kind == "taper":
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(list(":-[]{}\"'#&*!|>%@`\t,?"))) + line[j:]
        if not lines:
            lines = ["\n"]
    return "".join(lines)


def _parse(text: str) -> Referentiel | ReferentielInvalide:
    try:
        return parse_referentiel(text, "abime.yaml")
    except ReferentielInvalide as exc:
        return exc


@pytest.mark.lent  # hundreds of generated référentiels
@settings(max_examples=400 * SCALE, deadline=None)
@given(mutations())
def test_a_damaged_file_is_accepted_or_refused_with_lines(text: str) -> None:
    start = time.thread_time()
    outcome = _parse(text)  # any other exception fails the test: that would be a traceback
    assert time.thread_time() - start < MUTATION_CPU_LIMIT
    if isinstance(outcome, ReferentielInvalide):
        assert outcome.problemes
        for probleme in outcome.problemes:
            assert probleme.ligne is not None and 1 <= probleme.ligne <= text.count("\n") + 1, str(probleme)
            assert str(probleme).startswith(f"abime.yaml, ligne {probleme.ligne}")


@BUILD
@given(text=mutations())
def test_a_damaged_file_builds_or_stops_the_build_cleanly(text: str, tmp_path_factory) -> None:  # noqa: ANN001
    root = tmp_path_factory.mktemp("abime")
    source = root / "abime.yaml"
    source.write_text(text, encoding="utf-8")
    outcome = _parse(text)
    build = build_in_process(source, root / "site")
    assert "Traceback" not in build.output, build.output
    if isinstance(outcome, ReferentielInvalide):
        assert build.returncode != 0
        first = outcome.problemes[0]
        assert f"abime.yaml, ligne {first.ligne}" in build.output, build.output
        assert not (root / "site").exists() or not any((root / "site").rglob("*.html"))
    else:
        assert build.returncode == 0, build.output
        assert (root / "site" / outcome.cqp.code / "index.html").exists()


@pytest.mark.parametrize("text", ["\ufeff", "format: 1\n" * 2, "\x85", "a: b\n\u2028c: d\n", "[" * 60])
def test_odd_inputs_are_refused_cleanly(text: str) -> None:
    outcome = _parse(text)
    assert isinstance(outcome, ReferentielInvalide)
