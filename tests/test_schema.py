"""The JSON Schema offered to editors: generated from the model, in French, and in step with the build.

Files are read the way an editor reads them (yaml.safe_load: 7 is a number, "3,5" a text) with
dates as the text they are written as. Each case feeds the same YAML text to the build
(parse_referentiel) and to the schema: the schema must never flag what the build accepts, and must
refuse what the issue lists (type errors, unknown keys, missing keys, bad codes, empty lists).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from support import DATA, OTHER_REFERENTIEL, ROOT, SEED_REFERENTIEL, Build

from guide_cqp import french, model, render, schema
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.validate import load_referentiel, parse_referentiel

COMMITTED = ROOT / "schema" / "referentiel.schema.json"
VALID_FILES = {
    "seed": SEED_REFERENTIEL,
    "autre": OTHER_REFERENTIEL,
    "skeleton": schema.SKELETON_REFERENTIEL,
    "squelette format 1": DATA / "squelette-format1.yaml",
    "omi format 2": DATA / "omi-format2.yaml",
    "sans heures format 2": DATA / "sans-heures-format2.yaml",
}
SCHEMA_LINE = "# yaml-language-server: $schema="


def as_editor_sees(text: str) -> Any:
    """YAML as an editor's YAML reader types it; dates back to the text they were written as."""

    def dates(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dates(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dates(v) for v in value]
        return value.isoformat() if isinstance(value, dt.date) else value

    return dates(yaml.safe_load(text))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(committed, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def schema_errors(validator: jsonschema.Draft7Validator, text: str) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(as_editor_sees(text))]


def properties(node: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every key of the schema, with its place: the root's and each block's."""
    for key, prop in node.get("properties", {}).items():
        yield f"{where}.{key}" if where else key, prop
    for name, definition in node.get("$defs", {}).items():
        yield from properties(definition, name)


# --- one source of truth -------------------------------------------------------------------------


def test_the_committed_schema_is_the_one_the_model_generates() -> None:
    """Compared as JSON data: the order in which a pydantic release writes the keys does not matter."""
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == json.loads(schema.schema_json()), (
        "schema/referentiel.schema.json est périmé : régénérez-le avec « cqp schema -o schema/referentiel.schema.json »"
    )


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    generated = schema.referentiel_schema()
    assert generated["$schema"] == schema.DRAFT
    jsonschema.Draft7Validator.check_schema(generated)


@pytest.mark.parametrize("path", [SEED_REFERENTIEL, schema.SKELETON_REFERENTIEL], ids=["seed", "skeleton"])
def test_the_referentiel_names_its_schema_on_its_first_line(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(SCHEMA_LINE)
    assert first.removeprefix(SCHEMA_LINE) == schema.SCHEMA_FILE
    if path == SEED_REFERENTIEL:
        assert (path.parent / schema.SCHEMA_FILE).resolve() == COMMITTED.resolve()


def test_every_key_says_in_french_what_it_is_and_shows_a_value() -> None:
    generated = schema.referentiel_schema()
    english = {inspect_doc.strip() for inspect_doc in _model_docstrings()}
    keys = list(properties(generated))
    assert len(keys) > 40
    for where, prop in keys:
        description = prop.get("description", "")
        assert len(description) > 5, f"{where} n'a pas de description"
        assert description not in english
        assert re.search(r"[a-zàâçéèêëîïôûù]", description), where
        holds_block = schema._block_of(generated, prop) is not None
        assert "examples" in prop or "default" in prop or holds_block, f"{where} n'a ni exemple ni valeur par défaut"
    for name, definition in [("Referentiel", generated), *generated["$defs"].items()]:
        assert (definition["title"], definition["description"]) == schema.BLOCS[name]


def _model_docstrings() -> list[str]:
    return [
        cls.__doc__ or ""
        for cls in vars(model).values()
        if isinstance(cls, type) and issubclass(cls, model.BaseModel) and cls.__module__ == model.__name__
    ]


def test_the_examples_are_values_the_build_accepts(validator: jsonschema.Draft7Validator) -> None:
    """Each example, alone in its key's schema, validates: the page and the editor never show a wrong value."""
    generated = schema.referentiel_schema()
    for where, prop in properties(generated):
        for example in prop.get("examples", []):
            sub = {**prop, "$defs": generated["$defs"]}
            assert not list(jsonschema.Draft7Validator(sub).iter_errors(example)), where


# --- accepts what the build accepts ----------------------------------------------------------------


@pytest.mark.parametrize("path", VALID_FILES.values(), ids=VALID_FILES.keys())
def test_the_schema_accepts_every_valid_referentiel(path: Path, validator: jsonschema.Draft7Validator) -> None:
    load_referentiel(path)
    assert schema_errors(validator, path.read_text(encoding="utf-8")) == []


# The cases start from the skeleton of `cqp nouveau` (format 2) and from the same référentiel in format 1.
BASES = {"format 2": schema.SKELETON_REFERENTIEL, "format 1": DATA / "squelette-format1.yaml"}


def _base(name: str) -> dict[str, Any]:
    return as_editor_sees(BASES[name].read_text(encoding="utf-8"))


def _competences(data: dict[str, Any]) -> list[Any]:
    return data["blocs"][0]["competences"] if "blocs" in data else data["competences"]


def _module(data: dict[str, Any]) -> dict[str, Any]:
    return _competences(data)[0]["modules"][0]


def _certification(data: dict[str, Any]) -> dict[str, Any]:
    return data["cqp"]["certification"]


Change = Callable[[dict[str, Any]], None]

ACCEPTED: dict[str, Change] = {
    "heures avec une virgule": lambda d: _module(d).__setitem__("heures", {"min": "3,5", "max": "7,25"}),
    "heures en texte": lambda d: _module(d).__setitem__("heures", {"min": "3.5", "max": "7"}),
    "numéro de compétence entre guillemets": lambda d: _competences(d)[1].__setitem__("numero", "12"),
    "format entre guillemets": lambda d: d.__setitem__("format", str(d["format"])),
    "numéro de module sans guillemets": lambda d: _module(d).__setitem__("numero", 1.1),
    "intitulé en chiffres": lambda d: _competences(d)[0].__setitem__("intitule", 2024),
    "clé facultative vide": lambda d: _module(d).__setitem__("note", None),
    "livret partiel": lambda d: d.__setitem__("livret", {"titre": "Livret", "fiche": {"titre": "Grille"}}),
}
ACCEPTED_FORMAT_2: dict[str, Change] = {
    "numéro de compétence identifiant": lambda d: _competences(d)[0].__setitem__("numero", "A1.2"),
    "numéro de compétence à zéro initial": lambda d: _competences(d)[0].__setitem__("numero", "01"),
    "numéro de compétence décimal": lambda d: _competences(d)[0].__setitem__("numero", 1.5),
    "code de bloc en chiffres": lambda d: d["blocs"][0].__setitem__("code", 12),
    "module facultatif en français": lambda d: _module(d).__setitem__("facultatif", "oui"),
    "module facultatif en majuscules": lambda d: _module(d).__setitem__("facultatif", "False"),
    "module sans heures": lambda d: _module(d).__setitem__("heures", None),
    "liste de modules vide": lambda d: _competences(d)[0].__setitem__("modules", []),
    "compétence sans modules": lambda d: _competences(d)[0].pop("modules"),
    "niveau entre guillemets": lambda d: _certification(d).__setitem__("niveau", "3"),
    "numéro RNCP avec une espace": lambda d: _certification(d).__setitem__("numero", "RNCP 35612"),
    "répertoire spécifique": lambda d: _certification(d).update(repertoire="RS", numero="RS5432", niveau=None),
    "aucun répertoire": lambda d: _certification(d).update(repertoire="aucun", numero=None, niveau=None),
    "épreuve réduite à son intitulé": lambda d: d["blocs"][0]["evaluation"].__setitem__(
        "modalites", [{"intitule": "Entretien"}]
    ),
}


def _case(base: str, cases: dict[str, Change]) -> list[Any]:
    return [pytest.param(base, change, id=f"{base} : {name}") for name, change in cases.items()]


@pytest.mark.parametrize(
    ("base", "change"),
    [*_case("format 2", ACCEPTED), *_case("format 1", ACCEPTED), *_case("format 2", ACCEPTED_FORMAT_2)],
)
def test_the_schema_accepts_the_forms_the_build_accepts(
    base: str, change: Change, validator: jsonschema.Draft7Validator
) -> None:
    data = _base(base)
    change(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    parse_referentiel(text)
    assert schema_errors(validator, text) == []


# --- refuses what the issue lists ----------------------------------------------------------------


def _drop(container: dict[str, Any], key: str) -> None:
    del container[key]


REFUSED: dict[str, Change] = {
    # type errors
    "heures en mots": lambda d: _module(d).__setitem__("heures", {"min": "sept", "max": 14}),
    "heures négatives": lambda d: _module(d).__setitem__("heures", {"min": -3, "max": 14}),
    "heures en une ligne de texte": lambda d: _module(d).__setitem__("heures", "7 à 14 h"),
    "compétence en texte": lambda d: _competences(d).__setitem__(0, "Vendre"),
    "savoir-faire en bloc": lambda d: _competences(d)[0].__setitem__("savoir_faire", {"saluer": "oui"}),
    "numéro de compétence zéro": lambda d: _competences(d)[0].__setitem__("numero", 0),
    "date à la française": lambda d: d["version"].__setitem__("date", "15/01/2025"),
    "version en texte": lambda d: d.__setitem__("version", "2025-01"),
    "intitulé en liste": lambda d: d["cqp"].__setitem__("intitule", ["CQP", "stocks"]),
    "intitulé blanc": lambda d: d["cqp"].__setitem__("intitule", "   "),
    "format 3": lambda d: d.__setitem__("format", 3),
    # unknown keys
    "clé inconnue à la racine": lambda d: d.__setitem__("presentaton", "Texte"),
    "clé inconnue dans un module": lambda d: _module(d).__setitem__("objectif", ["Vendre"]),
    "clé inconnue dans les heures": lambda d: _module(d).__setitem__("heures", {"min": 1, "max": 2, "mx": 3}),
    "clé inconnue dans le livret": lambda d: d.__setitem__("livret", {"titres": "Livret"}),
    "clé inconnue dans un élément détaillé": lambda d: _module(d)["contenu"][1].__setitem__("detials", ["x"]),
    # missing required keys
    "sans intitulé de CQP": lambda d: _drop(d["cqp"], "intitule"),
    "sans date de version": lambda d: _drop(d["version"], "date"),
    "module sans intitulé": lambda d: _drop(_module(d), "intitule"),
    "élément détaillé sans sous-liste": lambda d: _drop(_module(d)["contenu"][1], "details"),
    # invalid codes
    "code en majuscules": lambda d: d["cqp"].__setitem__("code", "Essai CQP"),
    "code accentué": lambda d: d["cqp"].__setitem__("code", "éssai"),
    "code avec une barre": lambda d: d["cqp"].__setitem__("code", "essai/2"),
    # empty lists where an item is required
    "savoir-faire vide": lambda d: _competences(d)[0].__setitem__("savoir_faire", []),
    "activités vides": lambda d: _competences(d)[0].__setitem__("activites_entreprise", []),
    "sous-liste vide": lambda d: _module(d)["contenu"][1].__setitem__("details", []),
    "champs de couverture vides": lambda d: d.__setitem__("livret", {"champs_couverture": []}),
}
REFUSED_FORMAT_1: dict[str, Change] = {
    "numéro de compétence en mots": lambda d: d["competences"][0].__setitem__("numero", "un"),
    "sans compétences": lambda d: _drop(d, "competences"),
    "liste de modules vide": lambda d: d["competences"][0].__setitem__("modules", []),
    "liste de compétences vide": lambda d: d.__setitem__("competences", []),
    "blocs au format 1": lambda d: d.__setitem__("blocs", [{"code": "BC01", "intitule": "Bloc"}]),
    "module facultatif au format 1": lambda d: _module(d).__setitem__("facultatif", True),
}
REFUSED_FORMAT_2: dict[str, Change] = {
    "numéro de compétence avec une espace": lambda d: _competences(d)[0].__setitem__("numero", "C 1"),
    "numéro de compétence accentué": lambda d: _competences(d)[0].__setitem__("numero", "É1"),
    "code de bloc avec une espace": lambda d: d["blocs"][0].__setitem__("code", "BC 01"),
    "sans blocs": lambda d: _drop(d, "blocs"),
    "liste de blocs vide": lambda d: d.__setitem__("blocs", []),
    "bloc sans compétences": lambda d: _drop(d["blocs"][0], "competences"),
    "compétences à la racine": lambda d: d.__setitem__("competences", d["blocs"][0]["competences"]),
    "module facultatif en mots": lambda d: _module(d).__setitem__("facultatif", "peut-être"),
    "savoir-faire sans critères": lambda d: _competences(d)[0]["savoir_faire"].append({"texte": "Compter"}),
    "niveau 9": lambda d: _certification(d).__setitem__("niveau", 9),
    "niveau en texte": lambda d: _certification(d).__setitem__("niveau", "trois"),
    "numéro de fiche sans répertoire": lambda d: _certification(d).__setitem__("numero", "35612"),
    "répertoire en minuscules": lambda d: _certification(d).__setitem__("repertoire", "rncp"),
    "enregistrement sans fin": lambda d: _drop(_certification(d)["enregistrement"], "fin"),
    "évaluation vide": lambda d: d["blocs"][0].__setitem__("evaluation", {}),
    "épreuve sans intitulé": lambda d: d["blocs"][0]["evaluation"]["modalites"][0].pop("intitule"),
    "clé inconnue dans un bloc": lambda d: d["blocs"][0].__setitem__("activite", ["x"]),
    "clé inconnue dans la certification": lambda d: _certification(d).__setitem__("niveaux", 3),
}


@pytest.mark.parametrize(
    ("base", "change"),
    [
        *_case("format 2", REFUSED),
        *_case("format 1", REFUSED),
        *_case("format 1", REFUSED_FORMAT_1),
        *_case("format 2", REFUSED_FORMAT_2),
    ],
)
def test_the_schema_refuses_what_the_build_refuses(
    base: str, change: Change, validator: jsonschema.Draft7Validator
) -> None:
    data = copy.deepcopy(_base(base))
    change(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(ReferentielInvalide):
        parse_referentiel(text)
    assert schema_errors(validator, text) != []


# --- the « Rédiger le référentiel » page --------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_the_reference_page_documents_every_key_of_the_schema(other_site: Build) -> None:
    page = other_site.html("rediger-le-referentiel/")
    article = page.select_one("article")
    blocs = schema.reference()
    toc = {a["href"] for a in page.select(".md-sidebar--secondary a")}
    names = set(schema.referentiel_schema()["$defs"])
    assert {b.nom for b in blocs} == names, "every block of the schema has its section"
    assert len({cle.ancre for bloc in blocs for cle in bloc.cles}) == sum(len(bloc.cles) for bloc in blocs)
    for bloc in blocs:
        heading = article.find(id=bloc.ancre)
        assert heading is not None and heading.name == "h3", bloc.ancre
        assert f"#{bloc.ancre}" in toc
        for cle in bloc.cles:
            entry = article.find(id=cle.ancre)
            assert entry is not None, cle.chemin
            text = _words(entry.get_text(" "))
            assert _words(french.typography(cle.description)) in text
            assert _words(cle.type) in text
            assert ("obligatoire" if cle.obligatoire else "facultatif") in text
            shown = cle.exemple or cle.defaut
            if shown:
                assert _words(shown) in _words(entry.select_one("pre").get_text()), cle.chemin
            if cle.bloc:
                assert entry.select_one(f'a[href="#{cle.bloc}"]') is not None


def test_the_reference_page_shows_the_publishing_steps(other_site: Build) -> None:
    text = other_site.text("rediger-le-referentiel/")
    for words in ("pull request", "vérification automatique", "Merge pull request", "sélecteur de version"):
        assert words in text


def test_every_key_type_is_put_in_words() -> None:
    for bloc in schema.reference():
        for cle in bloc.cles:
            assert cle.type and schema.UNKNOWN_TYPE not in cle.type, cle.chemin


def test_the_reference_escapes_what_it_quotes() -> None:
    """Descriptions and examples are text: markup in them shows as written, it never runs."""
    ref = load_referentiel(schema.SKELETON_REFERENTIEL)
    hostile = "<script>alert(1)</script> & <b>gras</b>"
    bloc = schema.Bloc(
        nom="Essai",
        ancre="bloc-essai",
        titre="Titre <i>piégé</i> ## {#x}",
        chemins=["essai"],
        description=hostile,
        cles=[
            schema.Cle(
                nom="cle",
                chemin="essai.cle",
                ancre="cle-essai-cle",
                type="texte",
                obligatoire=True,
                description=hostile,
                exemple="cle: </code></pre><script>alert(2)</script>",
                defaut=None,
                bloc=None,
            )
        ],
    )
    html = render.Views().fragment("reference_format", ref, blocs=[bloc])
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("b") is None and soup.find("i") is None
    assert "<script>alert(1)</script>" in soup.get_text()
    assert "</code></pre><script>alert(2)</script>" in soup.select_one("pre").get_text()


def test_the_reference_kept_between_builds_is_the_reference_itself(tmp_path: Path) -> None:
    """Kept in the build's cache, read back, made again when the kept copy is damaged or of another version."""
    expected = schema.reference()
    folder = tmp_path / "reference"
    folder.mkdir()
    others = [folder / f"reference-older-{n}.json" for n in range(schema.REFERENCES_KEPT + 2)]
    for age, other in enumerate(others):  # other versions of the code, the first one the most recent
        other.write_text("[]", encoding="utf-8")
        os.utime(other, (1_000_000 - age, 1_000_000 - age))
    assert schema.cached_reference(folder) == expected
    kept = sorted(folder.glob("reference-*.json"))
    assert len(kept) == schema.REFERENCES_KEPT  # this version's, and the most recent of the others
    assert set(kept) == {*others[: schema.REFERENCES_KEPT - 1], *set(kept) - set(others)}
    kept = [path for path in kept if path not in others]
    assert schema.cached_reference(folder) == expected  # read back
    for damage in ("", "{", '[{"nom": 1}]', "[1]"):
        kept[0].write_text(damage, encoding="utf-8")
        assert schema.cached_reference(folder) == expected, damage
    assert json.loads(kept[0].read_text(encoding="utf-8"))  # written again, whole
    assert schema.cached_reference(None) == expected  # no cache (CQP_CACHE=0): made in place
    assert schema.cached_reference(tmp_path / "missing") == expected  # a folder that cannot be written: the same
