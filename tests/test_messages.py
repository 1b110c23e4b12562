"""Errors a non-developer understands: the commonest YAML slips get one message, on the right line,
and every place is said the way the author numbers things.
"""

from __future__ import annotations

import re
import textwrap

import pytest
from support import DATA

from guide_cqp.errors import Probleme, ReferentielInvalide, describe_path, format_path
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
      - numero: 3
        intitule: Première
        savoir_faire:
          - Savoir
        modules:
          - numero: "3.1"
            intitule: Module un
            heures: {min: 7, max: 21}
            contenu:
              - Contenu simple
              - texte: Contenu détaillé
                details:
                  - Détail un
          - numero: "3.2"
            intitule: Module deux
            heures: {min: 3.5, max: 14}
        activites_entreprise:
          - Activité
        criteres_evaluation:
          - Critère
    """
)


def refused(text: str) -> list[Probleme]:
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(text, "essai.yaml")
    return caught.value.problemes


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_valid_file_is_valid() -> None:
    assert parse_referentiel(VALID).competences[0].modules[1].numero == "3.2"


# --- a text with « : » left without quotes -------------------------------------------------------------

COLON_TEXT = "Analyse des résultats : points forts"


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        ("      - Savoir\n", f"      - {COLON_TEXT}\n", ("competences", 0, "savoir_faire", 0)),
        ("      - Activité\n", f"      - {COLON_TEXT}\n", ("competences", 0, "activites_entreprise", 0)),
        ("      - Critère\n", f"      - {COLON_TEXT}\n", ("competences", 0, "criteres_evaluation", 0)),
        ("          - Contenu simple\n", f"          - {COLON_TEXT}\n", ("competences", 0, "modules", 0, "contenu", 0)),
        (
            "              - Détail un\n",
            f"              - {COLON_TEXT}\n",
            ("competences", 0, "modules", 0, "contenu", 1, "details", 0),
        ),
        ("      - Activité\n", "      - attention: bien lire la fiche\n", ("competences", 0, "activites_entreprise", 0)),
        ("      - Savoir\n", "      - Accueil :\n", ("competences", 0, "savoir_faire", 0)),
        ("    intitule: Première\n", f"    intitule:\n      {COLON_TEXT}\n", ("competences", 0, "intitule")),
        ("  intitule: Un CQP\n", f"  intitule:\n    {COLON_TEXT}\n", ("cqp", "intitule")),
    ],
    ids=["savoir-faire", "activite", "critere", "contenu", "sous-element", "un-mot", "deux-points-final", "valeur", "cqp"],
)
def test_a_text_with_a_colon_gets_one_message_on_its_own_line(old: str, new: str, place: tuple) -> None:
    text = VALID.replace(old, new, 1)
    assert text != VALID
    problemes = refused(text)
    assert len(problemes) == 1, "\n".join(map(str, problemes))
    (probleme,) = problemes
    written = new.strip().removeprefix("- ").removeprefix("intitule:").strip()
    key = re.split(r"\s*:", written.lstrip("["), maxsplit=1)[0]
    assert probleme.chemin == place
    assert probleme.ligne == line_of(text, key) and probleme.colonne is not None
    assert "contient « : »" in probleme.message and "guillemets" in probleme.message
    assert "champ obligatoire manquant" not in str(probleme) and "clé inconnue" not in str(probleme)
    suggestion = re.search(r'"(.*)"$', probleme.message)
    assert suggestion is not None and key in suggestion.group(1)


def test_the_suggested_quoting_is_itself_valid() -> None:
    text = VALID.replace("      - Activité\n", f"      - {COLON_TEXT}\n")
    (probleme,) = refused(text)
    quoted = re.search(r'(".*")$', probleme.message).group(1)
    fixed = parse_referentiel(text.replace(f"- {COLON_TEXT}", f"- {quoted}"), "essai.yaml")
    assert fixed.competences[0].activites_entreprise[0] == COLON_TEXT


def test_a_mapping_of_real_keys_keeps_its_own_messages() -> None:
    """{texte, details} where only a text goes, or a typo in « details », are not the colon slip."""
    item = "      - texte: Un savoir\n        details: [a]\n"
    (probleme,) = refused(VALID.replace("      - Savoir\n", item))
    assert "texte attendu" in probleme.message
    typo = "      - texte: Une activité\n        detials: [a]\n"
    messages = [p.message for p in refused(VALID.replace("      - Activité\n", typo))]
    assert any("vouliez-vous dire « details »" in m for m in messages), messages
    assert not any("contient « : »" in m for m in messages)


def test_a_colon_in_a_value_on_its_line_is_a_yaml_error_with_the_same_advice() -> None:
    problemes = refused(VALID.replace("    intitule: Première\n", f"    intitule: {COLON_TEXT}\n"))
    assert len(problemes) == 1
    assert problemes[0].ligne == line_of(VALID, "intitule: Première")
    assert "entre guillemets" in problemes[0].message and "« : »" in problemes[0].message


@pytest.mark.parametrize(
    ("written", "place", "read_as"),
    [
        ("      - [En option]\n", ("competences", 0, "savoir_faire", 0), "une liste"),
        ("      - {Facultatif}\n", ("competences", 0, "savoir_faire", 0), "un bloc de clés"),
        ("    intitule: [Nouveau]\n", ("competences", 0, "intitule"), "une liste"),
    ],
)
def test_a_text_in_brackets_is_told_to_be_quoted(written: str, place: tuple, read_as: str) -> None:
    old = "      - Savoir\n" if written.startswith("      -") else "    intitule: Première\n"
    text = VALID.replace(old, written)
    problemes = refused(text)
    assert [p.chemin for p in problemes] == [place], "\n".join(map(str, problemes))
    assert problemes[0].ligne == line_of(text, written.strip())
    assert "entre guillemets" in problemes[0].message and read_as in problemes[0].message


@pytest.mark.parametrize("written", ["      - [En option] Vendre\n", "      - {Facultatif} Vendre\n", "    intitule: [Nouveau] Vendre\n"])
def test_text_after_a_closing_bracket_is_told_to_be_quoted(written: str) -> None:
    old = "      - Savoir\n" if written.startswith("      -") else "    intitule: Première\n"
    text = VALID.replace(old, written)
    (probleme,) = refused(text)
    assert probleme.ligne == line_of(text, written.strip())
    assert "entre guillemets doubles" in probleme.message and f"« {written.split('- ')[-1].split(': ')[-1][0]} »" in probleme.message


# --- stray quotes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        ('numero: "3.2"', 'numero: 3.2"', ("competences", 0, "modules", 1, "numero")),
        ("    intitule: Première", "    intitule: L'accueil\"", ("competences", 0, "intitule")),
        ("    intitule: Première", "    intitule: L'accueil'", ("competences", 0, "intitule")),
        ("      - Savoir\n", "      - Savoir vendre\"\n", ("competences", 0, "savoir_faire", 0)),
        ("{min: 7, max: 21}", '{min: 7", max: 21}', ("competences", 0, "modules", 0, "heures", "min")),
        ("  intitule: Un CQP", '  intitule: Un "grand" CQP"', ("cqp", "intitule")),
    ],
    ids=["numero", "guillemet-double", "apostrophe", "liste", "heures", "impair"],
)
def test_a_stray_quote_at_the_end_of_a_text_is_refused(old: str, new: str, place: tuple) -> None:
    text = VALID.replace(old, new, 1)
    problemes = refused(text)
    assert len(problemes) == 1, "\n".join(map(str, problemes))
    assert problemes[0].chemin == place
    assert problemes[0].ligne == line_of(text, new.strip().split("\n")[0])
    assert "isolé à la fin du texte" in problemes[0].message


@pytest.mark.parametrize(
    "intitule",
    ["Le module \"Vente\"", "L'accueil du client", "« Vendre » et 'servir'", "\"L'accueil\"", "'L''accueil'"],
)
def test_balanced_quotes_and_apostrophes_are_kept(intitule: str) -> None:
    ref = parse_referentiel(VALID.replace("intitule: Première", f"intitule: {intitule}"))
    assert ref.competences[0].intitule in (intitule, "L'accueil")


@pytest.mark.parametrize(
    "value", ["\"L'accueil\" des clients", "'L'accueil des clients'", "\"1.2\" bis"], ids=["double", "simple", "numero"]
)
def test_text_after_a_closing_quote_is_explained(value: str) -> None:
    text = VALID.replace("    intitule: Première", f"    intitule: {value}")
    (probleme,) = refused(text)
    assert probleme.ligne == line_of(text, value)
    assert "du texte suit le guillemet fermant" in probleme.message


# --- places as the author numbers them -------------------------------------------------------------------


def test_places_use_the_numbers_written_in_the_file() -> None:
    text = VALID.replace("{min: 3.5, max: 14}", "{min: 30, max: 14}")
    (probleme,) = refused(text)
    assert probleme.chemin == ("competences", 0, "modules", 1, "heures")
    assert " — compétence 3, module 3.2, champ heures (competences[0].modules[1].heures)\u00a0: " in str(probleme)


@pytest.mark.parametrize(
    ("chemin", "expected"),
    [
        (("cqp", "code"), "champ cqp.code"),
        (("competences", 0, "numero"), "compétence 3, champ numero"),
        (("competences", 0, "savoir_faire", 0), "compétence 3, 1er savoir-faire"),
        (("competences", 0, "activites_entreprise", 0), "compétence 3, 1re activité"),
        (("competences", 0, "modules", 0, "contenu", 1, "details", 0), "compétence 3, module 3.1, 2e élément du contenu, 1er sous-élément"),
        (("competences", 0, "modules", 1), "compétence 3, module 3.2"),
        (("competences", 4, "intitule"), "5e compétence, champ intitule"),
        (("livret", "champs_couverture", 2), "livret, 3e champ de la couverture"),
        (("livret", "fiche", "titre"), "champ livret.fiche.titre"),
    ],
)
def test_describe_path_counts_from_one_and_uses_written_numbers(chemin: tuple, expected: str) -> None:
    import yaml

    data = yaml.safe_load(VALID)
    assert describe_path(chemin, data) == expected


@pytest.mark.parametrize(
    ("chemin", "expected"),
    [
        (("blocs", 1, "code"), "bloc {b1}, champ code"),
        (("blocs", 0, "competences", 1, "modules", 0, "heures"), "bloc {b0}, compétence {c01}, module {m010}, champ heures"),
        (("blocs", 0, "evaluation", "modalites", 1, "intitule"), "bloc {b0}, evaluation, 2e épreuve, champ intitule"),
        (("blocs", 1, "activites", 0), "bloc {b1}, 1re activité"),
        (("blocs", 0, "competences", 0, "savoir_faire", 0, "criteres", 1), "bloc {b0}, compétence {c00}, 1er savoir-faire, 2e critère"),
        (("cqp", "prerequis", 1), "cqp, 2e prérequis"),
        (("cqp", "acces", 0), "cqp, 1re voie d'accès"),
    ],
)
def test_places_in_a_format_2_file_name_blocs_by_their_code(chemin: tuple, expected: str) -> None:
    """« bloc BC02, compétence C5 », as the author wrote them, never « blocs.[2] »."""
    import yaml

    data = yaml.safe_load((DATA / "omi-format2.yaml").read_text(encoding="utf-8"))
    blocs = data["blocs"]
    numbers = {
        "b0": blocs[0]["code"],
        "b1": blocs[1]["code"],
        "c00": blocs[0]["competences"][0]["numero"],
        "c01": blocs[0]["competences"][1]["numero"],
        "m010": blocs[0]["competences"][1]["modules"][0]["numero"],
    }
    assert describe_path(chemin, data) == expected.format(**numbers)


def test_a_bloc_without_a_readable_code_is_counted() -> None:
    assert describe_path(("blocs", 2, "intitule"), {"blocs": [{}, {}, {"code": ["BC03"]}]}) == "3e bloc, champ intitule"
    assert describe_path(("blocs", 0, "code"), None) == "1er bloc, champ code"


def test_a_number_missing_or_unreadable_falls_back_to_the_position() -> None:
    text = VALID.replace('  - numero: "3.2"\n', '  - numero: ""\n').replace("          - numero", "          - numero", 1)
    problemes = refused(text.replace('numero: ""', "numero:"))
    assert any(" — compétence 3, 2e module, champ numero (competences[0].modules[1].numero)" in str(p) for p in problemes)


def test_every_message_names_its_place_in_words_then_in_brackets() -> None:
    text = VALID.replace("  code: test", "  code: X Y").replace("- Savoir\n", "- \n").replace("{min: 7,", "{min: x,")
    for probleme in refused(text):
        shown = str(probleme)
        assert shown.startswith(f"essai.yaml, ligne {probleme.ligne}")
        if any(isinstance(part, int) for part in probleme.chemin):
            assert f"({format_path(probleme.chemin)})\u00a0: " in shown
        else:
            assert f" — champ {format_path(probleme.chemin)}\u00a0: " in shown
