"""What changed between two versions of a référentiel (guide_cqp.compare): the comparison and its matching rules.

tests/data/versions/format1 and format2 each hold a référentiel and, in archives/, its previous version,
written with known differences of every kind. The differences expected below are listed by hand from how
those files were written (their header comments say the same), not from what the code finds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from support import DATA, NO_HOURS_REFERENTIEL, OMI_REFERENTIEL, OTHER_REFERENTIEL, SEED_REFERENTIEL

from guide_cqp.compare import (
    TITLE_CLOSENESS,
    Comparaison,
    apparier,
    closeness,
    comparer,
    marques_heures,
)
from guide_cqp.compare_output import summary
from guide_cqp.export import export_json
from guide_cqp.migrate import migrate
from guide_cqp.validate import load_referentiel, parse_referentiel

VERSIONS = DATA / "versions"
FORMAT1_NEW = VERSIONS / "format1" / "referentiel.yaml"
FORMAT1_OLD = VERSIONS / "format1" / "archives" / "vad-2019-03.yaml"
FORMAT2_NEW = VERSIONS / "format2" / "referentiel.yaml"
FORMAT2_OLD = VERSIONS / "format2" / "archives" / "maint-2020-09.yaml"
EVERY_REFERENTIEL = [
    SEED_REFERENTIEL,
    OTHER_REFERENTIEL,
    OMI_REFERENTIEL,
    NO_HOURS_REFERENTIEL,
    DATA / "squelette-format1.yaml",
    FORMAT1_NEW,
    FORMAT1_OLD,
    FORMAT2_NEW,
    FORMAT2_OLD,
]
FORMAT_1_FILES = [p for p in EVERY_REFERENTIEL if load_referentiel(p).format == 1]


def plain(text: str | None) -> str | None:
    """French spacing (non-breaking spaces) folded to plain spaces, to write expectations legibly."""
    return None if text is None else text.replace("\u00a0", " ").replace("\u202f", " ")


def element(change: Any) -> dict[str, Any]:
    digest: dict[str, Any] = {
        "intitule": change.intitule,
        "valeurs": {v.quoi: (plain(v.avant), plain(v.apres)) for v in change.valeurs},
        "listes": {
            liste.quoi: ({plain(t) for t in liste.ajoutes}, {plain(t) for t in liste.retires}) for liste in change.listes
        },
    }
    if hasattr(change, "modules"):
        digest["modules"] = {(m.etat, m.numero_avant, m.numero_apres): element(m) for m in change.modules}
    if getattr(change, "competences", ()):
        digest["competences"] = change.competences
    return digest


def digest(c: Comparaison) -> dict[str, Any]:
    """The comparison as plain data: values by name, lists as sets, elements by (state, old number, new number)."""

    def values(found: tuple) -> dict[str, tuple[str | None, str | None]]:
        return {v.quoi: (plain(v.avant), plain(v.apres)) for v in found}

    return {
        "version": values(c.version),
        "cqp": values(c.cqp),
        "listes": {liste.quoi: (set(liste.ajoutes), set(liste.retires)) for liste in c.listes},
        "certification": values(c.certification),
        "blocs": {(b.etat, b.numero_avant, b.numero_apres): element(b) for b in c.blocs},
        "competences": {(x.etat, x.numero_avant, x.numero_apres): element(x) for x in c.competences},
        "livret": values(c.livret),
    }


def changed(intitule: str, valeurs: dict | None = None, listes: dict | None = None, **more: Any) -> dict[str, Any]:
    return {"intitule": intitule, "valeurs": valeurs or {}, "listes": listes or {}, **more}


# --- the two pairs of versions ----------------------------------------------------------------------

FORMAT_1_EXPECTED = {
    "version": {
        "numéro de version": ("2019-03", "2021-09"),
        "date de version": ("15 mars 2019", "1er septembre 2021"),
        "statut de la version": ("Document de travail", None),
    },
    "cqp": {
        "intitulé": ("Vente à distance en commerce de gros", "Vente à distance en commerces de gros"),
        "instance": ("CPNEFP des commerces de gros", None),
        "présentation": (
            "Le CQP reconnaît les compétences des vendeurs à distance.",
            "Le CQP reconnaît les compétences des vendeurs à distance, au téléphone et en ligne.",
        ),
        # 7-21 + 7-14 | 14-28 + 3,5-7 + 7 | 7-14 | 7-14   →   7-14 + 7-14 + 7 | 14-21 | 7-14 | 7-21
        "volume horaire du parcours": ("52,5 à 105 h", "49 à 91 h"),
    },
    "listes": {},
    "certification": {},
    "blocs": {},
    "competences": {
        ("modifie", "1", "1"): changed(
            "Prendre une commande par téléphone",
            {"volume horaire": ("14 à 35 h", "21 à 35 h")},
            {
                "savoir-faire": ({"Proposer les offres adaptées aux besoins du client"}, {"Proposer les promotions du moment"}),
                "activités en entreprise": ({"Écoute d'appels enregistrés"}, set()),
                "critères d'évaluation": ({"La commande est juste › prix"}, set()),
            },
            modules={
                ("modifie", "1.1", "1.1"): changed(
                    "La vente par téléphone",
                    {"intitulé court": ("Vente par téléphone", "Vente au téléphone"), "heures": ("7 à 21 h", "7 à 14 h")},
                    {
                        "objectifs": (set(), {"Conclure un appel"}),
                        "éléments de contenu": ({"La prise de contact › ciblage de l'interlocuteur"}, set()),
                    },
                ),
                ("modifie", "1.2", "1.2"): changed(
                    "Les règles de la communication téléphonique",
                    {
                        "intitulé": ("La communication téléphonique", "Les règles de la communication téléphonique"),
                        "note": (None, "Module commun avec le CQP de télévente"),
                    },
                ),
                ("renumerote", "2.3", "1.3"): changed("Les techniques de rebond commercial", {"compétence": ("2", "1")}),
            },
        ),
        ("modifie", "2", "2"): changed(
            "Découvrir les besoins et argumenter",
            {
                "intitulé": ("Découvrir les besoins du client", "Découvrir les besoins et argumenter"),
                "volume horaire": ("24,5 à 42 h", "14 à 21 h"),
            },
            modules={
                ("modifie", "2.1", "2.1"): changed("L'entretien de découverte", {"heures": ("14 à 28 h", "14 à 21 h")}),
                ("retire", "2.2", None): changed("La typologie des clients"),
            },
        ),
        ("ajoute", None, "3"): changed(
            "Préparer les tournées de livraison",
            {"volume horaire": (None, "7 à 14 h")},
            modules={("ajoute", None, "3.1"): changed("La planification des tournées", {"heures": (None, "7 à 14 h")})},
        ),
        ("renumerote", "3", "4"): changed(
            "Traiter les réclamations des clients",
            {"volume horaire": ("7 à 14 h (plage commune à ses modules)", "7 à 21 h (plage commune à ses modules)")},
            modules={
                ("renumerote", "3.1", "4.1"): changed(
                    "Les techniques de traitement des réclamations",
                    {
                        "intitulé": (
                            "Les techniques de traitement des réclamation",
                            "Les techniques de traitement des réclamations",
                        )
                    },
                ),
                ("renumerote", "3.2", "4.2"): changed("Le suivi des litiges"),
            },
        ),
        ("retire", "4", None): changed(
            "Assurer le suivi administratif des ventes",
            modules={("retire", "4.1", None): changed("Les outils de gestion commerciale")},
        ),
    },
    "livret": {"titre du livret": ("Livret de suivi", "Livret de suivi de la formation")},
}

FORMAT_2_EXPECTED = {
    "version": {
        "numéro de version": ("2020-09", "2023-09"),
        "date de version": ("10 septembre 2020", "1er septembre 2023"),
        "statut de la version": (None, "Référentiel en vigueur"),
    },
    "cqp": {
        "public": (
            "Salariés des entreprises industrielles.",
            "Salariés et demandeurs d'emploi des entreprises industrielles.",
        ),
        # C1 14-35 + 1.2 optional (0-21), C3 21-49 | C1 14-28 + 14-21, C2 35-70
        "volume horaire du parcours": (
            "35 à 105 h (hors compétences C2 et C4, durée non indiquée)",
            "63 à 119 h (hors compétences C5, C3 et C6, durée non indiquée)",
        ),
    },
    "listes": {
        "prérequis": ({"Notions d'électricité"}, set()),
        "voies d'accès": (set(), {"Validation des acquis de l'expérience (VAE)"}),
    },
    "certification": {
        "numéro de fiche": ("RNCP12345", "RNCP23456"),
        "niveau de qualification": ("3", "4"),
        "certificateur": (None, "UIMM"),
        "période d'enregistrement": (
            "du 10 septembre 2020 au 10 septembre 2025",
            "du 1er septembre 2023 au 1er septembre 2028",
        ),
    },
    "blocs": {
        ("modifie", "BC01", "BC01"): changed(
            "Maintenance corrective des équipements",
            {
                "intitulé": ("Maintenance corrective", "Maintenance corrective des équipements"),
                "volume horaire": ("14 à 56 h (hors compétence C2, durée non indiquée)", "63 à 119 h"),
                "durée de l'épreuve « Mise en situation professionnelle »": ("4 h", "5 h"),
                "jury": ("Jury paritaire", None),
            },
            {
                "activités du bloc": ({"Remise en service de l'équipement"}, set()),
                "modalités d'évaluation": ({"Questionnaire technique"}, {"Entretien avec le jury"}),
            },
        ),
        ("ajoute", None, "BC02"): changed("Sécurité au poste de travail", competences=("C5",)),
        ("renumerote", "BC02", "BC03"): changed(
            "Maintenance préventive", {"volume horaire": ("21 à 49 h", None)}
        ),
        ("retire", "BC03", None): changed("Amélioration continue", competences=("C4",)),
    },
    "competences": {
        ("modifie", "C1", "C1"): changed(
            "Diagnostiquer une panne",
            {"volume horaire": ("14 à 56 h", "28 à 49 h")},
            {
                "critères d'évaluation": (
                    {"Formuler des hypothèses de panne › Les hypothèses sont classées de la plus probable à la moins probable"},
                    set(),
                )
            },
            modules={
                ("modifie", "1.1", "1.1"): changed("Méthodes de diagnostic", {"heures": ("14 à 35 h", "14 à 28 h")}),
                ("modifie", "1.2", "1.2"): changed("Habilitation électrique", {"module facultatif": ("oui", "non")}),
            },
        ),
        ("modifie", "C2", "C2"): changed(
            "Remplacer un composant",
            {"volume horaire": (None, "35 à 70 h")},
            {"modalités d'évaluation": ({"Contrôle par le tuteur"}, set())},
            modules={("modifie", "2.1", "2.1"): changed("Démontage et remontage", {"heures": (None, "35 à 70 h")})},
        ),
        ("modifie", "C3", "C3"): changed(
            "Réaliser une gamme de maintenance préventive", {"volume horaire": ("21 à 49 h", None)}, modules={}
        ),
        ("ajoute", None, "C5"): changed("Appliquer les règles de sécurité", modules={}),
        ("renumerote", "C4", "C6"): changed(
            "Proposer des améliorations",
            {"bloc": ("BC03 · Amélioration continue", "BC03 · Maintenance préventive")},
            modules={},
        ),
    },
    "livret": {},
}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [(FORMAT1_OLD, FORMAT1_NEW, FORMAT_1_EXPECTED), (FORMAT2_OLD, FORMAT2_NEW, FORMAT_2_EXPECTED)],
    ids=["format1", "format2"],
)
def test_two_versions_differ_by_what_was_written_in_them(old: Path, new: Path, expected: dict[str, Any]) -> None:
    found = comparer(load_referentiel(old), load_referentiel(new))
    assert not found.identiques
    result = digest(found)
    for section in expected:  # one section at a time: a failure shows where
        assert result[section] == expected[section], section


@pytest.mark.parametrize("path", EVERY_REFERENTIEL, ids=lambda p: p.name)
def test_a_version_compared_with_itself_has_no_difference(path: Path) -> None:
    ref = load_referentiel(path)
    assert comparer(ref, ref).identiques
    assert not marques_heures(ref, ref).visibles


@pytest.mark.parametrize("path", FORMAT_1_FILES, ids=lambda p: p.name)
def test_a_format_1_file_and_its_migration_differ_only_by_the_bloc_that_wraps_them(path: Path) -> None:
    before = load_referentiel(path)
    after = parse_referentiel(migrate(path.read_text(encoding="utf-8")), path.name)
    result = digest(comparer(before, after))
    numbers = tuple(str(c.numero) for c in before.competences_triees())
    assert result["cqp"] == {"format du fichier": ("1 (compétences sans blocs)", "2 (blocs de compétences)")}
    assert list(result["blocs"]) == [("ajoute", None, "BC01")]
    assert result["blocs"][("ajoute", None, "BC01")]["competences"] == numbers
    assert {k: v for k, v in result.items() if k not in ("cqp", "blocs")} == {
        "version": {}, "listes": {}, "certification": {}, "competences": {}, "livret": {}
    }


@pytest.mark.parametrize(("old", "new"), [(FORMAT1_OLD, FORMAT1_NEW), (FORMAT2_OLD, FORMAT2_NEW)], ids=["format1", "format2"])
def test_comparing_the_other_way_swaps_added_and_removed(old: Path, new: Path) -> None:
    forward = comparer(load_referentiel(old), load_referentiel(new))
    backward = comparer(load_referentiel(new), load_referentiel(old))
    swap = {"ajoute": "retire", "retire": "ajoute"}

    def states(c: Comparaison) -> set[tuple[str, str, str | None, str | None]]:
        return {(type(e).__name__, e.etat, e.numero_avant, e.numero_apres) for e in (*c.blocs, *c.competences, *c.modules())}

    assert {(k, swap.get(s, s), b, a) for k, s, a, b in states(forward)} == states(backward)
    values = {v.quoi: (v.apres, v.avant) for v in forward.version + forward.cqp + forward.certification}
    assert values == {v.quoi: (v.avant, v.apres) for v in backward.version + backward.cqp + backward.certification}


# --- matching rules ----------------------------------------------------------------------------------


def element_of(numero: str, intitule: str) -> SimpleNamespace:
    return SimpleNamespace(numero=numero, intitule=intitule)


def pairs_of(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> set[tuple[str | None, str | None, bool]]:
    found = apparier(
        [element_of(*e) for e in before], [element_of(*e) for e in after], lambda e: e.numero, lambda e: e.intitule
    )
    return {(p.avant and p.avant.numero, p.apres and p.apres.numero, p.renumerote) for p in found}


def test_two_swapped_elements_are_two_renumberings_not_two_rewrites() -> None:
    before = [("2", "Vendre par téléphone"), ("3", "Gérer les réclamations")]
    after = [("2", "Gérer les réclamations"), ("3", "Vendre par téléphone")]
    assert pairs_of(before, after) == {("2", "3", True), ("3", "2", True)}


def test_the_same_number_with_a_different_title_is_the_same_element_retitled() -> None:
    assert pairs_of([("1", "Vendre")], [("1", "Acheter des marchandises")]) == {("1", "1", False)}


def test_an_element_renumbered_with_a_typo_fixed_is_found_by_its_close_title() -> None:
    before = [("3", "Traiter les réclamation des clients"), ("4", "Suivre les ventes")]
    after = [("4", "Traiter les réclamations des clients"), ("5", "Préparer les tournées")]
    assert pairs_of(before, after) == {("3", "4", True), (None, "5", False), ("4", None, False)}


def test_an_unmatched_number_and_a_distant_title_are_removed_and_added() -> None:
    assert pairs_of([("6", "Accueillir le client")], [("7", "Préparer les tournées")]) == {
        ("6", None, False),
        (None, "7", False),
    }


def test_of_several_close_titles_the_closest_pair_is_taken_first() -> None:
    before = [("1", "Gérer les stocks du magasin")]
    after = [("8", "Gérer le stock du magasin"), ("9", "Gérer les stocks du magasin")]
    assert pairs_of(before, after) == {("1", "9", True), (None, "8", False)}


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("Gérer les stocks", "Gérer le stock", True),  # an article and a plural: 0,93
        ("Traiter les réclamation", "Traiter les réclamations", True),  # a typo fixed
        ("Prendre une commande", "PRENDRE UNE COMMANDE !", True),  # case and punctuation do not count
        ("Élaborer un devis", "Elaborer un devis", True),  # nor accents
        ("Vendre", "Acheter", False),
        ("Module A", "Module B", False),  # short titles differ by more than one character in twenty
        ("La communication téléphonique", "Les règles de la communication téléphonique", False),
        ("Maintenance corrective", "Maintenance préventive", False),
    ],
)
def test_titles_are_close_when_about_one_character_in_twenty_differs(a: str, b: str, close: bool) -> None:
    assert (closeness(a, b) >= TITLE_CLOSENESS) is close


def test_list_items_are_compared_as_texts_whatever_their_order_and_french_spacing() -> None:
    ref = load_referentiel(SEED_REFERENTIEL)
    data = ref.model_dump(mode="python", exclude_none=True)
    first = data["competences"][0]
    first["savoir_faire"] = list(reversed(first["savoir_faire"]))
    first["activites_entreprise"] = [
        text.replace(" :", "\u00a0:") if isinstance(text, str) else text for text in first["activites_entreprise"]
    ]
    assert any("\u00a0:" in t for t in first["activites_entreprise"] if isinstance(t, str))
    assert comparer(ref, type(ref).model_validate(data)).identiques


def test_a_sub_item_added_under_a_known_item_is_named_with_its_parent() -> None:
    ref = load_referentiel(OTHER_REFERENTIEL)
    data = ref.model_dump(mode="python", exclude_none=True)
    module = data["competences"][0]["modules"][0]
    detailed = next(item for item in module["contenu"] if isinstance(item, dict))
    detailed["details"].append("Quais de chargement")
    (change,) = comparer(ref, type(ref).model_validate(data)).competences
    (module_change,) = change.modules
    assert [(liste.quoi, liste.ajoutes, liste.retires) for liste in module_change.listes] == [
        ("éléments de contenu", (f"{detailed['texte']} › Quais de chargement",), ())
    ]


# --- marks of the hours table ---------------------------------------------------------------------------


def test_the_hours_table_marks_know_the_previous_value_of_each_row() -> None:
    marks = marques_heures(load_referentiel(FORMAT1_OLD), load_referentiel(FORMAT1_NEW))
    new = load_referentiel(FORMAT1_NEW)
    module = {m.numero: m for c in new.competences for m in c.modules}
    assert marks.visibles and marks.version == "2019-03 du 15 mars 2019"
    # 1.1: 7 à 21 h → 7 à 14 h: the « À » cell says what it was, the « De » cell did not change.
    assert marks.module("1.1").note_min(module["1.1"].heures) is None
    assert plain(marks.module("1.1").note_max(module["1.1"].heures)) == "avant : 21 h"
    assert marks.module("1.3").note_min(module["1.3"].heures) is None  # renumbered from 2.3, same hours
    assert marks.module("3.1").nouveau and marks.competence(3).nouveau
    competence = {c.numero: c for c in new.competences}
    assert plain(marks.competence(4).note_max(competence[4].total_heures)) == "avant : 14 h"  # the old 3
    assert plain(marks.total.note_min(new.total_heures)) == "avant : 52,5 h"
    assert plain(marks.total.note_max(new.total_heures)) == "avant : 105 h"


def test_hours_that_appear_or_disappear_are_marked_in_format_2() -> None:
    marks = marques_heures(load_referentiel(FORMAT2_OLD), load_referentiel(FORMAT2_NEW))
    new = load_referentiel(FORMAT2_NEW)
    module = {m.numero: m for c in new.competences for m in c.modules}
    assert plain(marks.module("2.1").note_min(module["2.1"].heures)) == "avant : non indiquée"
    assert plain(marks.competence("C3").note_sans_heures()) == "avant : 21 à 49 h"
    assert plain(marks.bloc("BC03").note_sans_heures()) == "avant : 21 à 49 h"  # the old BC02, renumbered
    assert marks.bloc("BC02").nouveau and marks.competence("C5").nouveau
    assert marks.competence("C6").note_sans_heures() is None  # no hours before, none now


# --- the JSON export reads back as the same référentiel ---------------------------------------------------


@pytest.mark.parametrize("path", EVERY_REFERENTIEL, ids=lambda p: p.name)
def test_a_json_export_loads_back_as_an_equal_referentiel(path: Path, tmp_path: Path) -> None:
    ref = load_referentiel(path)
    exported = tmp_path / "referentiel.json"
    exported.write_text(export_json(ref), encoding="utf-8")
    again = load_referentiel(exported)
    assert again == ref
    assert export_json(again) == export_json(ref)
    assert comparer(ref, again).identiques


def test_a_json_export_of_unusual_texts_loads_back_as_an_equal_referentiel() -> None:
    ref = load_referentiel(OMI_REFERENTIEL)
    unusual = "«\u00a0x\u00a0» « : » # pas un commentaire, \\n pas une fin de ligne, \"guillemets\", 'apostrophes', {{ x }}, 𝄞 ☃, – — … œ"
    data = ref.model_dump(mode="python", exclude_none=True)
    data["cqp"]["intitule"] = unusual
    data["presentation"] = f"Ligne 1\n\n\tretrait\n- liste\n{unusual}"
    data["version"]["numero"] = "1.10"  # a number-like text stays a text
    data["blocs"][0]["competences"][0]["modules"][0]["heures"] = {"min": "0.25", "max": "99999.99"}
    odd = type(ref).model_validate(data)
    assert parse_referentiel(export_json(odd), "export.json") == odd


def test_the_comparison_is_plain_data() -> None:
    """Frozen dataclasses of texts and tuples: JSON as it is, the same for the same input."""
    found = comparer(load_referentiel(FORMAT2_OLD), load_referentiel(FORMAT2_NEW))
    assert dataclasses.is_dataclass(found)
    assert found.as_dict() == comparer(load_referentiel(FORMAT2_OLD), load_referentiel(FORMAT2_NEW)).as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.blocs = ()  # type: ignore[misc]


def test_the_summary_counts_each_kind_of_change() -> None:
    """From how the format 1 pair was written: competences 3 added, 4 removed, 3 → 4, 1 and 2 changed; modules 3.1
    added, 2.2 and 4.1 removed, 2.3 → 1.3, 3.1 → 4.1 and 3.2 → 4.2, 1.1, 1.2 and 2.1 changed."""
    found = summary(comparer(load_referentiel(FORMAT1_OLD), load_referentiel(FORMAT1_NEW)))
    assert [plain(phrase) for phrase in found] == [
        "Compétences : 1 ajoutée, 1 retirée, 1 renumérotée, 2 modifiées",
        "Modules : 1 ajouté, 2 retirés, 3 renumérotés, 3 modifiés",
    ]


@pytest.mark.parametrize("introduction", ["La prise de contact :", "La prise de contact\u00a0:", "La prise de contact"])
def test_a_sub_item_is_named_under_its_parent_without_the_parent_s_colon(introduction: str) -> None:
    """« La prise de contact › accroche », not « La prise de contact : › accroche »."""
    from guide_cqp.compare import SUB_ITEM, item_texts
    from guide_cqp.model import ItemDetaille

    items = ["Les appels", ItemDetaille(texte=introduction, details=["accroche", ItemDetaille(texte="ciblage :", details=["x"])])]
    parent = "La prise de contact"
    assert item_texts(items) == [
        "Les appels",
        introduction,
        f"{parent}{SUB_ITEM}accroche",
        f"{parent}{SUB_ITEM}ciblage :",
        f"{parent}{SUB_ITEM}ciblage{SUB_ITEM}x",
    ]
