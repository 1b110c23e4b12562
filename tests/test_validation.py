"""The référentiel is validated by the model, and every problem is told in French with its place."""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal

import pytest

from guide_cqp.errors import ReferentielInvalide
from guide_cqp.french import number as fr_number
from guide_cqp.model import MAX_COMPETENCES
from guide_cqp.validate import parse_referentiel

VALID = textwrap.dedent(
    """\
    format: 1
    cqp:
      code: test
      intitule: Un CQP
    version:
      numero: "1"
      date: 2020-01-31
    competences:
      - numero: 1
        intitule: Première
        savoir_faire:
          - Savoir
        modules:
          - numero: "1.1"
            intitule: Module un
            heures: {min: 7, max: 21}
          - numero: "1.2"
            intitule: Module deux
            heures: {min: 3.5, max: 14}
        activites_entreprise:
          - Activité
      - numero: 2
        intitule: Seconde
        savoir_faire:
          - Savoir encore
        heures: {min: 7, max: 14}
        modules:
          - numero: "2.1"
            intitule: Module trois
        activites_entreprise:
          - Activité deux
    """
)


def problems(text: str) -> list[str]:
    """The messages of a refused référentiel, as the user reads them."""
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(text, "essai.yaml")
    return [str(p) for p in caught.value.problemes]


def only(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def where(message: str) -> str:
    """The place a message names, between « — » and its first « : » (« compétence 1, champ intitule… »)."""
    assert " — " in message, message
    return message.split(" — ", 1)[1].split("\u00a0: ", 1)[0]


def names_field(message: str, technical: str) -> bool:
    """The message names the field: « champ cqp.code », or the author's numbering then « (competences[0]…) »."""
    place = where(message)
    return place == f"champ {technical}" or place.endswith(f" ({technical})")


def test_a_valid_file_gives_a_typed_model() -> None:
    ref = parse_referentiel(VALID)
    assert ref.cqp.code == "test"
    assert ref.version.date.isoformat() == "2020-01-31"
    assert [c.numero for c in ref.competences] == [1, 2]
    assert ref.competences[0].modules[1].heures.min == Decimal("3.5")


def test_hour_totals_sum_modules_or_take_the_shared_range() -> None:
    ref = parse_referentiel(VALID)
    first, second = ref.competences
    assert (first.total_heures.min, first.total_heures.max) == (Decimal("10.5"), Decimal("35"))
    assert (second.total_heures.min, second.total_heures.max) == (Decimal(7), Decimal(14))
    assert (ref.total_heures.min, ref.total_heures.max) == (Decimal("17.5"), Decimal("49"))


def test_numbers_are_written_the_french_way() -> None:
    assert fr_number(Decimal("3.5")) == "3,5"
    assert fr_number(Decimal("7.00")) == "7"
    assert fr_number(Decimal("24.25")) == "24,25"
    assert fr_number(Decimal("100")) == "100"


def test_an_unquoted_module_number_keeps_its_written_form() -> None:
    ref = parse_referentiel(VALID.replace('numero: "1.1"', "numero: 1.10"))
    assert ref.competences[0].modules[0].numero == "1.10"


def test_texts_stay_texts_even_when_yaml_would_read_a_boolean() -> None:
    ref = parse_referentiel(VALID.replace("intitule: Première", "intitule: non"))
    assert ref.competences[0].intitule == "non"


def test_a_decimal_comma_is_accepted_for_hours() -> None:
    ref = parse_referentiel(VALID.replace("{min: 3.5, max: 14}", "\n          min: 3,5\n          max: 14"))
    assert ref.competences[0].modules[1].heures.min == Decimal("3.5")


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (("  intitule: Un CQP\n", ""), 3, "cqp.intitule", "obligatoire"),
        (("  intitule: Un CQP", "  intitule:"), 4, "cqp.intitule", "vide"),
        (("  intitule: Un CQP", '  intitule: ""'), 4, "cqp.intitule", "vide"),
        (("  - numero: 1\n", "  - numero: un\n"), 9, "competences[0].numero", "entier"),
        (
            ("    savoir_faire:\n      - Savoir\n", "    savoir_faire: Savoir\n"),
            11,
            "competences[0].savoir_faire",
            "liste",
        ),
        (("    savoir_faire:\n      - Savoir\n", "    savoir_faire: []\n"), 11, "competences[0].savoir_faire", "vide"),
        (("{min: 7, max: 21}", "{min: sept, max: 21}"), 16, "competences[0].modules[0].heures.min", "nombre"),
        (("  code: test", "  code: Test CQP"), 3, "cqp.code", "minuscules"),
        (("format: 1", "format: 3"), 1, "format", "format: 1"),
        (("  date: 2020-01-31", "  date: 2020-13-45"), 7, "version.date", "n'existe pas"),
        (("  date: 2020-01-31", "  date: 31/01/2020"), 7, "version.date", "AAAA-MM-JJ"),
        (("{min: 7, max: 21}", "{min: 21, max: 7}"), 16, "competences[0].modules[0].heures", "dépasse le maximum"),
        (
            ("{min: 7, max: 21}", "{min: -7, max: 21}"),
            16,
            "competences[0].modules[0].heures.min",
            "supérieur ou égal à 0",
        ),
    ],
)
def test_each_error_names_its_line_and_field(change: tuple[str, str], line: int, field: str, words: str) -> None:
    old, new = change
    assert old in VALID
    message = only(VALID.replace(old, new, 1))
    assert f"essai.yaml, ligne {line}" in message
    assert names_field(message, field), message
    assert words in message


def test_unknown_keys_are_refused_with_a_suggestion() -> None:
    message = only(
        VALID.replace(
            "    savoir_faire:\n      - Savoir\n", "    savoir_faire:\n      - Savoir\n    activité_entreprise: [x]\n"
        )
    )
    assert "ligne 13" in message
    assert "clé inconnue «\u00a0activité_entreprise\u00a0»" in message
    assert re.search("vouliez-vous dire «\u00a0activites_entreprise\u00a0»[\u00a0\u202f][?]", message), message


def test_duplicate_keys_are_refused_instead_of_keeping_the_last() -> None:
    message = only(VALID.replace("  intitule: Un CQP\n", "  intitule: Un CQP\n  intitule: Autre\n"))
    assert "ligne 5" in message and names_field(message, "cqp.intitule") and "en double" in message and "ligne 4" in message


def line_in(text: str, wanted: str) -> int:
    """The line (1-based) of ``text`` that is exactly ``wanted``."""
    return text.split("\n").index(wanted) + 1


def test_duplicate_competence_and_module_numbers_are_refused_saying_where_the_first_is() -> None:
    text = VALID.replace("  - numero: 2\n", "  - numero: 1\n")
    message = only(text)
    assert names_field(message, "competences[1].numero") and "en double" in message
    assert f"déjà donné ligne {line_in(text, '  - numero: 1')}, compétence 1)" in message, message
    text = VALID.replace('numero: "2.1"', 'numero: "1.1"')
    message = only(text)
    assert names_field(message, "competences[1].modules[0].numero") and "1.1" in message
    first = next(n for n, line in enumerate(text.split("\n"), start=1) if 'numero: "1.1"' in line)
    assert f"déjà donné ligne {first}, compétence 1, module 1.1)" in message, message


def test_hours_must_be_on_exactly_one_level() -> None:
    both = VALID.replace(
        "        intitule: Module trois\n", "        intitule: Module trois\n        heures: {min: 1, max: 2}\n"
    )
    message = only(both)
    assert names_field(message, "competences[1].modules[0].heures") and "à la fois" in message
    neither = VALID.replace("        heures: {min: 3.5, max: 14}\n", "")
    message = only(neither)
    assert names_field(message, "competences[0].modules[1]") and "pas d'heures" in message and "1.2" in message


def test_every_error_is_reported_not_only_the_first() -> None:
    text = VALID.replace("  code: test", "  code: X Y").replace("  date: 2020-01-31", "  date: 2020-02-30")
    text = text.replace("{min: 7, max: 21}", "{min: 8, max: 2}")
    found = problems(text)
    assert len(found) == 3
    assert [m.split(",")[1].strip() for m in found] == ["ligne 3", "ligne 7", "ligne 16"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "vide"),
        ("# seulement un commentaire\n", "vide"),
        ("- une liste\n", "pas par une liste"),
        ("format: 1\ncqp:\n\tcode: x\n", "tabulation"),
        ("format: 1\ncqp:\n  code: 'x\n  intitule: y\n", "guillemet"),
        ("format: 1\ncqp:\n  code: x\n   intitule: y\n", "syntaxe YAML"),
        ("a: 1\n---\nb: 2\n", "plusieurs documents"),
        ("a: !!python/object:os.system x\n", "étiquette"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "imbrication"),
    ],
)
def test_broken_yaml_gets_a_french_message(text: str, words: str) -> None:
    message = only(text)
    assert message.startswith("essai.yaml")
    assert words in message


def test_alias_bombs_are_stopped_before_they_expand() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    message = only("\n".join(lines) + "\n")
    assert "alias" in message and "ligne" in message


def test_a_file_broken_everywhere_lists_the_first_problems_and_counts_the_rest() -> None:
    broken = '{numero: x, intitule: "", savoir_faire: ["", ""], modules: [{x: 1}], activites_entreprise: [""], heures: {min: a, max: b}, criteres_evaluation: x, z: 1}'
    lines = ["format: 1", "competences:"] + [f"  - {broken}" for _ in range(MAX_COMPETENCES)]  # 12 problems each
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel("\n".join(lines) + "\n", "essai.yaml")
    report = caught.value.rapport().splitlines()
    assert len(caught.value.problemes) > 400
    assert len(report) == 1 + 200 + 1
    assert f"… et {len(caught.value.problemes) - 200} autres erreurs" in report[-1]
