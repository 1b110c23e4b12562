"""The référentiel of a CQP: the one source of truth for its schema, defaults and hour totals.

The loader hands over text for every scalar; the types below turn it into
numbers and dates. Each field's ``description`` is French: it feeds the JSON
Schema offered to editors and the « Rédiger le référentiel » page.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import french

_SPACES = re.compile(r"[ \t\r\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    """Refuse invisible control characters ("\\x02" in double quotes): they break Markdown and the PDF."""
    found = _CONTROL.search(value)
    if found:
        raise PydanticCustomError(
            "caractere_controle",
            "caractère de contrôle invisible (U+{code}) dans le texte\u00a0: supprimez-le",
            {"code": f"{ord(found.group()):04X}"},
        )
    return value


def _clean_text(value: Any) -> Any:
    """Normalise a one-line text: NFC, inner whitespace folded, ends stripped (NBSP included)."""
    if isinstance(value, str):
        return _SPACES.sub(" ", unicodedata.normalize("NFC", _no_control(value))).strip()
    return value


def _clean_markdown(value: Any) -> Any:
    """Markdown keeps its line breaks; only NFC, line ends and outer blank lines change."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", _no_control(value)).replace("\r\n", "\n")
        return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return value


_MARKDOWN_PREFIX = re.compile(r"^(?:[ \t>*+-]|\d+[.)])*")
MAX_MARKDOWN_PREFIX = 80  # columns of indentation and list or quote markers before a line's text
MAX_BRACKETS_PER_PARAGRAPH = 100


def _markdown_within_limits(value: str) -> str:
    """Refuse the shapes that make Markdown slow or crash, long before a person would write them.

    Python-Markdown recurses once per nested list (a deep enough nesting is a RecursionError)
    and takes a time quadratic in the « [ » of a paragraph (40 000 of them: minutes).
    """
    for number, line in enumerate(value.split("\n"), start=1):
        prefix = _MARKDOWN_PREFIX.match(line.expandtabs(4))
        if prefix and len(prefix.group()) > MAX_MARKDOWN_PREFIX:
            raise PydanticCustomError(
                "markdown_imbrication",
                "ligne {ligne} du texte\u00a0: listes ou citations imbriquées trop profondément "
                "(plus de {max} caractères de retrait ou de puces)",
                {"ligne": number, "max": MAX_MARKDOWN_PREFIX},
            )
    for paragraph in re.split(r"\n[ \t]*\n", value):
        if paragraph.count("[") > MAX_BRACKETS_PER_PARAGRAPH:
            raise PydanticCustomError(
                "markdown_crochets",
                "plus de {max} crochets « [ » dans un même paragraphe\u00a0: un lien s'écrit [texte](adresse)",
                {"max": MAX_BRACKETS_PER_PARAGRAPH},
            )
    return value


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


Text = Annotated[str, BeforeValidator(_clean_text), Field(min_length=1)]
Markdown = Annotated[str, BeforeValidator(_clean_markdown), AfterValidator(_markdown_within_limits)]
Hours = Annotated[
    Decimal, BeforeValidator(_decimal_comma), AfterValidator(_finite), Field(ge=0, max_digits=7, decimal_places=2)
]
Entier = Annotated[int, BeforeValidator(_parse_int)]
Date = Annotated[dt.date, BeforeValidator(_parse_date)]


class _Strict(BaseModel):
    """Unknown keys are refused: a typo must not silently drop a field."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Heures(_Strict):
    """A recommended range of training hours, from a simple upgrade to a full course."""

    min: Hours = Field(description="Volume horaire minimum (mise à niveau), en heures. Exemple : 7 ou 3,5.")
    max: Hours = Field(description="Volume horaire maximum (parcours complet), en heures. Exemple : 21.")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Heures:
        if self.min > self.max:
            raise PydanticCustomError(
                "min_max",
                "le minimum ({min} h) dépasse le maximum ({max} h)",
                {"min": french.number(self.min), "max": french.number(self.max)},
            )
        return self

    def __add__(self, other: Heures) -> Heures:
        return Heures.model_construct(min=self.min + other.min, max=self.max + other.max)


class ItemDetaille(_Strict):
    """A list item with a sub-list."""

    texte: Text = Field(description="Texte de l'élément.")
    details: list[Item] = Field(
        min_length=1, description="Sous-liste : des textes ou d'autres éléments {texte, details}."
    )


def _item_kind(value: Any) -> str:
    return "detail" if isinstance(value, (dict, ItemDetaille)) else "texte"


Item = Annotated[
    Annotated[Text, Tag("texte")] | Annotated[ItemDetaille, Tag("detail")],
    Discriminator(_item_kind),
]
ItemDetaille.model_rebuild()


class Module(_Strict):
    """A training module of a competence."""

    numero: Text = Field(description='Numéro du module, entre guillemets : "1.1". Unique dans le fichier.')
    intitule: Text = Field(description="Intitulé complet du module.")
    intitule_court: Text | None = Field(None, description="Intitulé court, pour les tableaux (facultatif).")
    objectifs: list[Text] = Field(default_factory=list, description="Objectifs de formation du module (facultatif).")
    heures: Heures | None = Field(
        None,
        description="Volume horaire préconisé {min, max}. Obligatoire, sauf si la compétence porte une plage commune à tous ses modules.",
    )
    contenu: list[Item] = Field(default_factory=list, description="Contenu indicatif de la formation (facultatif).")
    note: Text | None = Field(None, description="Remarque sur le module (facultatif).")

    @property
    def libelle_tableau(self) -> str:
        return self.intitule_court or self.intitule


class Competence(_Strict):
    """A competence (domaine de compétence) of the CQP."""

    numero: Entier = Field(ge=1, description="Numéro de la compétence : un entier à partir de 1, unique.")
    intitule: Text = Field(description="Intitulé de la compétence.")
    savoir_faire: list[Text] = Field(min_length=1, description="Ce que le candidat doit savoir faire (au moins un).")
    heures: Heures | None = Field(
        None,
        description="Plage d'heures commune à tous les modules de la compétence (facultatif ; les modules n'ont alors pas d'heures).",
    )
    modules: list[Module] = Field(min_length=1, description="Modules de formation (au moins un).")
    activites_entreprise: list[Item] = Field(
        min_length=1, description="Activités à proposer au candidat en entreprise (au moins une)."
    )
    criteres_evaluation: list[Item] = Field(default_factory=list, description="Critères d'évaluation (facultatif).")

    @model_validator(mode="after")
    def _hours_on_one_level(self) -> Competence:
        with_hours = [i for i, m in enumerate(self.modules) if m.heures is not None]
        if self.heures is not None and with_hours:
            first = with_hours[0]
            raise PydanticCustomError(
                "heures_deux_niveaux",
                "heures indiquées à la fois sur la compétence et sur le(s) module(s) {modules}\u00a0: "
                "gardez soit une plage commune sur la compétence, soit des heures sur chaque module",
                {
                    "modules": french.list_and(self.modules[i].numero for i in with_hours),
                    "chemin": ("modules", first, "heures"),
                },
            )
        without = [i for i, m in enumerate(self.modules) if m.heures is None]
        if self.heures is None and without:
            raise PydanticCustomError(
                "heures_absentes",
                "pas d'heures pour le(s) module(s) {modules}\u00a0: indiquez heures: {{min: …, max: …}} "
                "sur chaque module, ou une plage commune sur la compétence",
                {"modules": french.list_and(self.modules[i].numero for i in without), "chemin": ("modules", without[0])},
            )
        return self

    @property
    def plage_commune(self) -> bool:
        return self.heures is not None

    @property
    def total_heures(self) -> Heures:
        """The competence's range: its shared range, or the sum of its modules'."""
        if self.heures is not None:
            return self.heures
        total = Heures.model_construct(min=Decimal(0), max=Decimal(0))
        for module in self.modules:
            assert module.heures is not None  # guaranteed by _hours_on_one_level
            total = total + module.heures
        return total


class Cqp(_Strict):
    """Identity of the certificate."""

    code: Annotated[str, BeforeValidator(_clean_text)] = Field(
        pattern=r"^[a-z0-9-]+$",
        description="Code court du CQP, utilisé dans les adresses des pages : minuscules, chiffres et tirets (ex. rcad).",
    )
    intitule: Text = Field(description="Intitulé officiel du CQP.")
    branche: Text | None = Field(None, description="Branche professionnelle (facultatif).")
    instance: Text | None = Field(
        None, description="Instance qui publie le référentiel, par exemple la CPNEFP (facultatif)."
    )


class Version(_Strict):
    """Which edition of the référentiel this is: tutors must know which one they follow."""

    numero: Text = Field(
        description='Numéro de version, entre guillemets : "2009-05". Nomme aussi la version en ligne.'
    )
    date: Date = Field(description="Date de la version, au format AAAA-MM-JJ.")
    statut: Text | None = Field(
        None, description="Statut du document, par exemple « Document de travail » (facultatif)."
    )


class FicheLabels(_Strict):
    """Wording of the « De la formation à l'entreprise » grid."""

    titre: Text = Field("De la formation à l'entreprise…", description="Titre de la grille.")
    en_formation: Text = Field("En formation", description="En-tête de la colonne « formation ».")
    en_entreprise: Text = Field("En entreprise", description="En-tête de la colonne « entreprise ».")
    points_cles: Text = Field("Points clés du programme de formation", description="Zone du formateur.")
    activites_realisees: Text = Field("Activités réalisées en entreprise", description="Zone du tuteur.")
    commentaires_formateur: Text = Field("Commentaires du formateur", description="Commentaires du formateur.")
    commentaires_tuteur: Text = Field("Commentaires du tuteur", description="Commentaires du tuteur.")
    points_positifs: Text = Field("Points positifs", description="Première partie des commentaires du tuteur.")
    a_approfondir: Text = Field("À approfondir", description="Seconde partie des commentaires du tuteur.")


class Livret(_Strict):
    """Wording of the blank livret and of the headings; every default is the 2009 livret's.

    In texts, {intitule} stands for the CQP title and {instance} for the publishing body.
    """

    titre_certificat: Text = Field(
        "Certificat de Qualification Professionnelle", description="Surtitre de la couverture."
    )
    titre: Text = Field("Livret de suivi de la formation", description="Titre du livret.")
    champs_couverture: list[Text] = Field(
        default_factory=lambda: [
            "Nom et prénom du candidat",
            "Organisme en charge de la formation",
            "Nom et prénom du « référent formation »",
            "Nom et prénom du tuteur",
            "Fonction du tuteur",
            "Cachet de l'entreprise et signature",
        ],
        min_length=1,
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
    parcours_titre: Text = Field(
        "1 - Parcours individualisé du candidat : fiche de synthèse", description="Titre de la fiche de synthèse."
    )
    parcours_texte: Markdown = Field(
        "Ce parcours est déterminé en entreprise à l'issue d'un entretien de repérage des compétences mené avec le candidat. "
        "Il est ensuite transmis à l'organisme de formation externe ou au service de formation interne pour lui permettre "
        "d'organiser la mise en œuvre de la formation du candidat et il est communiqué au tuteur afin de permettre au "
        "candidat de mettre en pratique les compétences requises pour l'accès au CQP.",
        description="Texte de la fiche de synthèse (Markdown).",
    )
    colonne_domaines: Text = Field("Domaines", description="Fiche de synthèse : colonne des compétences.")
    colonne_modules: Text = Field(
        "Modules de formation à suivre", description="Fiche de synthèse : colonne des modules."
    )
    colonne_organisme: Text = Field(
        "Organisme de formation retenu", description="Fiche de synthèse : colonne de l'organisme."
    )
    colonne_dates: Text = Field("Dates prévisionnelles", description="Fiche de synthèse : colonne des dates.")
    colonne_heures: Text = Field("Nombre d'heures prévisionnel*", description="Fiche de synthèse : colonne des heures.")
    renvoi_heures: Text = Field(
        "(*) sur la base des volumes horaires indiqués par la {instance} – cf. page suivante",
        description="Renvoi sous la fiche de synthèse.",
    )
    preconise_titre: Text = Field(
        "Parcours de formation préconisé par la {instance}", description="Titre du tableau des volumes horaires."
    )
    note_heures: Markdown = Field(
        "**Attention\u00a0:** les volumes horaires indiqués sont à moduler en fonction des profils et des besoins de candidats. "
        "Ils intègrent en effet différentes possibilités, d'une simple mise à niveau (volume horaire minimum) à un parcours "
        "complet (volume horaire maximum).",
        description="Note sous le tableau des volumes horaires (Markdown).",
    )
    colonne_domaine: Text = Field("Pour ce domaine", description="Tableau des heures : colonne des compétences.")
    colonne_formation: Text = Field(
        "Formation interne ou externe", description="Tableau des heures : colonne des modules."
    )
    colonne_volumes: Text = Field("Volumes horaires préconisés", description="Tableau des heures : colonne des heures.")
    question: Text = Field(
        "Quelles sont les compétences à acquérir et quel est le contenu de la formation à proposer aux candidats ?",
        description="Question en tête de chaque compétence.",
    )
    savoir_faire: Text = Field("Ce que le candidat doit savoir faire", description="Rubrique des savoir-faire.")
    contenu: Text = Field("Contenu de la formation à délivrer", description="Rubrique du contenu de formation.")
    objectifs: Text = Field("Objectifs et modules de formation", description="Sous-rubrique des objectifs et modules.")
    activites: Text = Field(
        "Quelles activités proposer au candidat en entreprise ?", description="Rubrique des activités."
    )
    criteres: Text = Field("Critères d'évaluation", description="Rubrique des critères d'évaluation.")
    fiche: FicheLabels = Field(default_factory=FicheLabels, description="Grille « De la formation à l'entreprise ».")


class Referentiel(_Strict):
    """A whole référentiel: what the branch publishes for one CQP."""

    format: Literal[1] = Field(description="Version du format de ce fichier : toujours 1.")
    cqp: Cqp = Field(description="Identité du CQP : code, intitulé, branche et instance.")
    version: Version = Field(
        description="Version du référentiel : numéro, date et statut, affichés sur chaque page et sur le livret."
    )
    presentation: Markdown | None = Field(
        None, description="Présentation du CQP en tête de la vue d'ensemble (Markdown)."
    )
    livret: Livret = Field(
        default_factory=Livret, description="Libellés du livret et des pages ; chaque clé a une valeur par défaut."
    )
    competences: list[Competence] = Field(min_length=1, description="Les compétences du CQP (au moins une).")

    @model_validator(mode="before")
    @classmethod
    def _format_as_number(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("format") == "1":
            return {**data, "format": 1}
        return data

    @model_validator(mode="after")
    def _unique_numbers(self) -> Referentiel:
        seen: dict[object, int] = {}
        for i, competence in enumerate(self.competences):
            if competence.numero in seen:
                raise PydanticCustomError(
                    "doublon_competence",
                    "numéro de compétence {numero} en double (déjà utilisé par competences[{autre}])",
                    {
                        "numero": competence.numero,
                        "autre": seen[competence.numero],
                        "chemin": ("competences", i, "numero"),
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
                        "numéro de module « {numero} » en double (déjà utilisé par competences[{a}].modules[{b}])",
                        {"numero": module.numero, "a": a, "b": b, "chemin": ("competences", i, "modules", j, "numero")},
                    )
                modules[module.numero] = (i, j)
        return self

    @property
    def total_heures(self) -> Heures:
        """The whole CQP's range, summed over competences: the one place totals are computed."""
        total = Heures.model_construct(min=Decimal(0), max=Decimal(0))
        for competence in self.competences:
            total = total + competence.total_heures
        return total

    def competence(self, numero: int) -> Competence:
        for competence in self.competences:
            if competence.numero == numero:
                return competence
        raise KeyError(numero)

    def competences_triees(self) -> list[Competence]:
        return sorted(self.competences, key=lambda c: c.numero)

    def libelle(self, text: str) -> str:
        """Fill the {intitule} and {instance} placeholders of a livret text."""
        return text.replace("{intitule}", self.cqp.intitule).replace("{instance}", self.cqp.instance or "branche")
