"""What changed between two versions of a référentiel: a pure function over two validated Referentiel objects.

``comparer(avant, apres)`` gives a Comparaison (typed, frozen, JSON-ready: every value is the text the guide
shows, « 7 à 21 h », « 7 mai 2009 »); ``marques_heures(avant, apres)`` gives what the hours table marks.
Both formats compare with each other: a format 1 file and its ``cqp migrer`` result differ only by the
file's format and the bloc that wraps the competences.

Matching. Blocs (by code), competences and modules (by number: both are unique in a file, modules across the
whole file) are paired in three rounds, each among what earlier rounds left unpaired:

1. same number and close titles: the same element;
2. close titles, different numbers: the same element, « renuméroté » (a module may also have moved to
   another competence, a competence to another bloc);
3. same number, titles apart: the same element, its title changed.

What is left is « ajouté » (only in the new version) or « retiré » (only in the old one). The title says what
an element is, its number only where it stands: two swapped competences are two renumberings, not two
rewrites. Titles are close when, compared without case, accents and punctuation, difflib's similarity ratio
is at least TITLE_CLOSENESS (0,9): about one character in twenty differs, as when a typo or an article is
fixed in the same edition that renumbers (« Gérer les stocks » / « Gérer le stock » is 0,93; « Vendre » /
« Acheter » is far below). In round 2 the closest pairs are taken first.

Lists (savoir-faire, activities, contents, criteria, objectives, prerequisites, access routes, modalities) are
compared as texts, their order aside: an item of a sub-list is the text « parent › item », so that a sub-item
added under a known item is reported as such. Texts are compared as the guide shows them (French spacing
applied), so a non-breaking space typed before « : » is no change.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from . import french
from .model import (
    REPERTOIRES,
    BaseCompetence,
    BaseModule,
    Bloc,
    Certification,
    Evaluation,
    FicheLabels,
    ItemDetaille,
    Livret,
    Referentiel,
    SavoirFaire,
    Volume,
    _clean_markdown,
    numero_key,
)

TITLE_CLOSENESS = 0.9
SUB_ITEM = " › "  # between an item and the item of its sub-list: « Les appareils de mesure › manomètre »
NO_HOURS = "durée non indiquée"

T = TypeVar("T")
Etat = Literal["ajoute", "retire", "renumerote", "modifie"]


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Valeur:
    """A value that changed, as the guide writes it before and after (None: the version does not give it)."""

    quoi: str
    avant: str | None
    apres: str | None
    absent: str = "non indiqué"  # what is shown for None
    texte: bool = False  # a text of the référentiel, shown between « »
    markdown: bool = False  # a Markdown text (presentation, public…): the site renders it


@dataclass(frozen=True)
class Liste:
    """The items of one list that only one of the versions has."""

    quoi: str  # plural noun: « savoir-faire », « activités en entreprise »
    singulier: str
    feminin: bool
    ajoutes: tuple[str, ...]
    retires: tuple[str, ...]


@dataclass(frozen=True)
class Changement:
    """A bloc, competence or module of either version that changed, with what changed in it."""

    etat: Etat
    numero_avant: str | None  # as written (a bloc's code); None when added
    numero_apres: str | None  # None when removed
    intitule: str  # the new title, or the old one of a removed element
    valeurs: tuple[Valeur, ...] = ()
    listes: tuple[Liste, ...] = ()

    @property
    def numero(self) -> str:
        return self.numero_apres if self.numero_apres is not None else str(self.numero_avant)


@dataclass(frozen=True)
class ModuleChange(Changement):
    competence: int | str | None = None  # the number of the competence that holds it now (its page's address)


@dataclass(frozen=True)
class CompetenceChange(Changement):
    lien: int | str | None = None  # its number in the new version, as the model has it (its page's address)
    modules: tuple[ModuleChange, ...] = ()


@dataclass(frozen=True)
class BlocChange(Changement):
    competences: tuple[str, ...] = ()  # an added bloc: the numbers of the competences it groups


@dataclass(frozen=True)
class Edition:
    """One side of the comparison."""

    code: str
    intitule: str
    numero: str
    date: str  # AAAA-MM-JJ
    titre: str  # « 2009-05 du 7 mai 2009 »
    format: int


@dataclass(frozen=True)
class Comparaison:
    """Everything that differs between two versions, section by section; nothing when they say the same."""

    avant: Edition
    apres: Edition
    version: tuple[Valeur, ...] = ()
    cqp: tuple[Valeur, ...] = ()
    listes: tuple[Liste, ...] = ()  # prerequisites, access routes
    certification: tuple[Valeur, ...] = ()
    blocs: tuple[BlocChange, ...] = ()
    competences: tuple[CompetenceChange, ...] = ()
    livret: tuple[Valeur, ...] = ()

    @property
    def identiques(self) -> bool:
        return not any(getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("avant", "apres"))

    def modules(self) -> list[ModuleChange]:
        return [m for c in self.competences for m in c.modules]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- matching ------------------------------------------------------------------------------------


def title_key(text: str) -> str:
    """A title without case, accents, punctuation or spacing differences."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(re.findall(r"\w+", "".join(ch for ch in text if not unicodedata.combining(ch))))


def closeness(a: str, b: str) -> float:
    """How close two titles are, from 0 to 1 (1: the same words)."""
    ka, kb = title_key(a), title_key(b)
    if ka == kb:
        return 1.0
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    if matcher.real_quick_ratio() < TITLE_CLOSENESS or matcher.quick_ratio() < TITLE_CLOSENESS:
        return 0.0  # an upper bound already too low: spare the full comparison
    return matcher.ratio()


@dataclass(frozen=True)
class Paire(Generic[T]):
    """An element of the old version and its counterpart in the new one (None: added, or removed)."""

    avant: T | None
    apres: T | None
    renumerote: bool = False


def apparier(avant: Sequence[T], apres: Sequence[T], numero: Callable[[T], str], titre: Callable[[T], str]) -> list[Paire[T]]:
    """Pair the elements of two versions (see the module's docstring); unpaired ones come last, removed first."""
    left, right = list(range(len(avant))), list(range(len(apres)))
    pairs: list[Paire[T]] = []

    def take(i: int, j: int, renumerote: bool) -> None:
        pairs.append(Paire(avant[i], apres[j], renumerote))
        left.remove(i)
        right.remove(j)

    def by_number(close: bool) -> None:
        for j in list(right):
            for i in left:
                if numero(avant[i]) == numero(apres[j]) and (
                    not close or closeness(titre(avant[i]), titre(apres[j])) >= TITLE_CLOSENESS
                ):
                    take(i, j, renumerote=False)
                    break

    by_number(close=True)
    scored = sorted(
        ((closeness(titre(avant[i]), titre(apres[j])), i, j) for i in left for j in right), key=lambda s: (-s[0], s[1], s[2])
    )
    for score, i, j in scored:
        if score < TITLE_CLOSENESS:
            break
        if i in left and j in right:
            take(i, j, renumerote=True)
    by_number(close=False)
    return pairs + [Paire(avant[i], None) for i in left] + [Paire(None, apres[j]) for j in right]


def _competence_number(c: BaseCompetence) -> str:
    return str(c.numero).casefold()


def _module_number(m: BaseModule) -> str:
    return m.numero.casefold()


def _bloc_code(b: Bloc) -> str:
    return b.code.casefold()


@dataclass(frozen=True)
class Appariement:
    """The blocs, competences and modules of two versions, paired."""

    blocs: list[Paire[Bloc]]
    competences: list[Paire[Any]]
    modules: list[Paire[Any]]


def appariement(avant: Referentiel, apres: Referentiel) -> Appariement:
    def modules(ref: Referentiel) -> list[BaseModule]:
        return [m for c in ref.competences_triees() for m in c.modules]

    title: Callable[[Any], str] = lambda element: element.intitule  # noqa: E731
    return Appariement(
        blocs=apparier(avant.blocs, apres.blocs, _bloc_code, title),
        competences=apparier(avant.competences_triees(), apres.competences_triees(), _competence_number, title),
        modules=apparier(modules(avant), modules(apres), _module_number, title),
    )


# --- how values are written ------------------------------------------------------------------------


def _hours(volume: Any) -> str | None:
    return french.hours(volume) if volume is not None else None


def _competence_hours(c: BaseCompetence) -> str | None:
    text = _hours(c.total_heures)
    return f"{text} (plage commune à ses modules)" if text and c.plage_commune and c.modules else text


def _module_hours(m: BaseModule, holder: BaseCompetence) -> str | None:
    if m.heures is not None:
        return french.hours(m.heures)
    return "comptées dans la plage commune de la compétence" if holder.plage_commune else None


def _total_hours(ref: Referentiel) -> str | None:
    text = _hours(ref.total_heures)
    return f"{text} (durée totale seule)" if text and getattr(ref, "duree", None) is not None else text


def item_texts(items: Iterable[Any], parents: tuple[str, ...] = ()) -> list[str]:
    """Every text of a list, each item of a sub-list as « parent › item »."""
    texts: list[str] = []
    for item in items:
        if isinstance(item, (ItemDetaille, SavoirFaire)):
            texts.append(SUB_ITEM.join((*parents, item.texte)))
            parent = item.texte.rstrip(" \u00a0\u202f:")  # « La prise de contact : » introduces its sub-list
            texts += item_texts(item.details if isinstance(item, ItemDetaille) else (), (*parents, parent or item.texte))
        else:
            texts.append(SUB_ITEM.join((*parents, str(item))))
    return texts


def _criteria(c: BaseCompetence) -> list[str]:
    """The competence's criteria, and those of each of its savoir-faire under the savoir-faire's text."""
    return item_texts(c.criteres_evaluation) + [
        text for sf in c.savoir_faire_criteres for text in item_texts(sf.criteres, (sf.texte,))
    ]


# --- what differs ----------------------------------------------------------------------------------

ListSpec = tuple[str, str, bool]  # plural, singular, feminine
SAVOIR_FAIRE: ListSpec = ("savoir-faire", "savoir-faire", False)
ACTIVITES: ListSpec = ("activités en entreprise", "activité en entreprise", True)
CRITERES: ListSpec = ("critères d'évaluation", "critère d'évaluation", False)
OBJECTIFS: ListSpec = ("objectifs", "objectif", False)
CONTENU: ListSpec = ("éléments de contenu", "élément de contenu", False)
ACTIVITES_BLOC: ListSpec = ("activités du bloc", "activité du bloc", True)
PREREQUIS: ListSpec = ("prérequis", "prérequis", False)
ACCES: ListSpec = ("voies d'accès", "voie d'accès", True)
MODALITES: ListSpec = ("modalités d'évaluation", "modalité d'évaluation", True)


def _same_text(a: str, b: str) -> bool:
    return french.typography(a) == french.typography(b)


class _Differences:
    """Collects the values and lists that differ for one element."""

    def __init__(self) -> None:
        self.valeurs: list[Valeur] = []
        self.listes: list[Liste] = []

    def value(
        self,
        quoi: str,
        avant: str | None,
        apres: str | None,
        absent: str = "non indiqué",
        texte: bool = False,
        markdown: bool = False,
    ) -> None:
        same = avant == apres or (avant is not None and apres is not None and _same_text(avant, apres))
        if not same:
            self.valeurs.append(Valeur(quoi, avant, apres, absent, texte or markdown, markdown))

    def items(self, spec: ListSpec, avant: Iterable[str], apres: Iterable[str]) -> None:
        before = Counter(french.typography(t) for t in avant)
        after = Counter(french.typography(t) for t in apres)
        ajoutes, retires = tuple((after - before).elements()), tuple((before - after).elements())
        if ajoutes or retires:
            self.listes.append(Liste(spec[0], spec[1], spec[2], ajoutes, retires))

    def evaluation(self, avant: Evaluation | None, apres: Evaluation | None) -> None:
        """Modalities by title (their duration and description compared), pass mark, jury."""
        old = {title_key(m.intitule): m for m in (avant.modalites if avant else [])}
        new = {title_key(m.intitule): m for m in (apres.modalites if apres else [])}
        self.items(MODALITES, (m.intitule for k, m in old.items() if k not in new), (m.intitule for k, m in new.items() if k not in old))
        for key in new.keys() & old.keys():
            a, b = old[key], new[key]
            self.value(f"durée de l'épreuve « {b.intitule} »", a.duree, b.duree, "non indiquée", texte=True)
            self.value(f"déroulement de l'épreuve « {b.intitule} »", a.description, b.description, "non décrit", markdown=True)
        self.value("seuil de réussite", avant and avant.seuil, apres and apres.seuil, texte=True)
        self.value("jury", avant and avant.jury, apres and apres.jury, texte=True)

    @property
    def any(self) -> bool:
        return bool(self.valeurs or self.listes)


def comparer(avant: Referentiel, apres: Referentiel) -> Comparaison:
    """What differs between version ``avant`` and version ``apres`` of a référentiel (see the module's docstring)."""
    pairs = appariement(avant, apres)
    cqp = _cqp(avant, apres)
    return Comparaison(
        avant=edition(avant),
        apres=edition(apres),
        version=_version(avant, apres),
        cqp=tuple(cqp.valeurs),
        listes=tuple(cqp.listes),
        certification=_certification(avant.certification, apres.certification),
        blocs=_blocs(pairs, avant, apres),
        competences=_competences(pairs, avant, apres),
        livret=_livret(avant.livret, apres.livret),
    )


def edition(ref: Referentiel) -> Edition:
    v = ref.version
    return Edition(ref.cqp.code, ref.cqp.intitule, v.numero, v.date.isoformat(), french.version_title(v.numero, v.date), ref.format)


def _version(avant: Referentiel, apres: Referentiel) -> tuple[Valeur, ...]:
    d = _Differences()
    d.value("numéro de version", avant.version.numero, apres.version.numero)
    d.value("date de version", french.date(avant.version.date), french.date(apres.version.date))
    d.value("statut de la version", avant.version.statut, apres.version.statut, "aucun", texte=True)
    return tuple(d.valeurs)


FORMATS = {1: "1 (compétences sans blocs)", 2: "2 (blocs de compétences)"}


def _cqp(avant: Referentiel, apres: Referentiel) -> _Differences:
    d = _Differences()
    d.value("format du fichier", FORMATS.get(avant.format, str(avant.format)), FORMATS.get(apres.format, str(apres.format)))
    for name, quoi, absent in (("code", "code", ""), ("intitule", "intitulé", ""), ("branche", "branche", "aucune"), ("instance", "instance", "aucune")):
        d.value(quoi, getattr(avant.cqp, name), getattr(apres.cqp, name), absent, texte=name != "code")
    d.value("présentation", avant.presentation, apres.presentation, "aucune", markdown=True)
    d.value("public", avant.public, apres.public, "non décrit", markdown=True)
    d.items(PREREQUIS, item_texts(avant.prerequis), item_texts(apres.prerequis))
    d.items(ACCES, item_texts(avant.acces), item_texts(apres.acces))
    d.value("volume horaire du parcours", _total_hours(avant), _total_hours(apres), NO_HOURS)
    return d


def _certification(avant: Certification | None, apres: Certification | None) -> tuple[Valeur, ...]:
    d = _Differences()

    def get(cert: Certification | None, name: str) -> Any:
        return getattr(cert, name) if cert is not None else None

    def repertoire(cert: Certification | None) -> str | None:
        value = get(cert, "repertoire")
        return None if value is None else REPERTOIRES.get(value, "aucun (ni RNCP ni RS)")

    def enregistrement(cert: Certification | None) -> str | None:
        period = get(cert, "enregistrement")
        return None if period is None else f"du {french.date(period.debut)} au {french.date(period.fin)}"

    d.value("répertoire", repertoire(avant), repertoire(apres))
    d.value("numéro de fiche", get(avant, "numero"), get(apres, "numero"), "aucun")
    niveau = (get(avant, "niveau"), get(apres, "niveau"))
    d.value("niveau de qualification", *(None if n is None else str(n) for n in niveau))
    d.value("certificateur", get(avant, "certificateur"), get(apres, "certificateur"), texte=True)
    d.value("référence de la branche", get(avant, "reference"), get(apres, "reference"), "aucune", texte=True)
    d.value("période d'enregistrement", enregistrement(avant), enregistrement(apres))
    return tuple(d.valeurs)


def _blocs(pairs: Appariement, avant: Referentiel, apres: Referentiel) -> tuple[BlocChange, ...]:
    found: list[BlocChange] = []
    for pair in pairs.blocs:
        a, b = pair.avant, pair.apres
        if a is None or b is None:
            bloc = a or b
            assert bloc is not None
            hours = _hours(bloc.total_heures)
            found.append(
                BlocChange(
                    "ajoute" if a is None else "retire",
                    None if a is None else a.code,
                    None if b is None else b.code,
                    bloc.intitule,
                    valeurs=(Valeur("volume horaire", None, hours, NO_HOURS),) if hours and b is not None else (),
                    competences=tuple(str(c.numero) for c in bloc.competences_triees()),
                )
            )
            continue
        d = _Differences()
        d.value("intitulé", a.intitule, b.intitule, texte=True)
        d.value("volume horaire", _hours(a.total_heures), _hours(b.total_heures), NO_HOURS)
        d.items(ACTIVITES_BLOC, item_texts(a.activites), item_texts(b.activites))
        d.evaluation(a.evaluation, b.evaluation)
        if d.any or pair.renumerote:
            etat: Etat = "renumerote" if pair.renumerote else "modifie"
            found.append(BlocChange(etat, a.code, b.code, b.intitule, tuple(d.valeurs), tuple(d.listes)))
    return tuple(sorted(found, key=lambda x: numero_key(x.numero)))


def _competences(pairs: Appariement, avant: Referentiel, apres: Referentiel) -> tuple[CompetenceChange, ...]:
    holder_before = {id(m): c for c in avant.competences for m in c.modules}
    holder_after = {id(m): c for c in apres.competences for m in c.modules}
    partner = {id(p.avant): p.apres for p in pairs.competences if p.avant is not None}
    bloc_partner = {id(p.avant): p.apres for p in pairs.blocs if p.avant is not None}
    # Each module change goes under the competence that holds it now, or that held it (removed modules).
    modules_of: dict[int, list[ModuleChange]] = {}
    for pair in pairs.modules:
        change = _module(pair, holder_before, holder_after, partner)
        if change is None:
            continue
        if pair.apres is not None:
            owner = holder_after[id(pair.apres)]
        else:
            old_holder = holder_before[id(pair.avant)]
            owner = partner.get(id(old_holder)) or old_holder
        modules_of.setdefault(id(owner), []).append(change)
    found: list[CompetenceChange] = []
    for pair in pairs.competences:
        a, b = pair.avant, pair.apres
        current = b if b is not None else a
        modules = tuple(sorted(modules_of.get(id(current), []), key=lambda m: numero_key(m.numero)))
        if a is None or b is None:
            hours = _competence_hours(current)
            valeurs = (Valeur("volume horaire", None, hours, NO_HOURS),) if hours and b is not None else ()
            etat: Etat = "ajoute" if a is None else "retire"
            found.append(_competence_change(etat, a, b, valeurs, (), modules))
            continue
        d = _Differences()
        d.value("intitulé", a.intitule, b.intitule, texte=True)
        if avant.blocs and apres.blocs:
            bloc_a, bloc_b = avant.bloc_de(a), apres.bloc_de(b)
            if bloc_partner.get(id(bloc_a)) is not bloc_b:  # a bloc only renumbered is said at the bloc's level
                d.value("bloc", _bloc_name(bloc_a), _bloc_name(bloc_b))
        d.value("volume horaire", _competence_hours(a), _competence_hours(b), NO_HOURS)
        d.items(SAVOIR_FAIRE, a.savoir_faire_textes, b.savoir_faire_textes)
        d.items(ACTIVITES, item_texts(a.activites_entreprise), item_texts(b.activites_entreprise))
        d.items(CRITERES, _criteria(a), _criteria(b))
        d.evaluation(a.evaluation, b.evaluation)
        if d.any or pair.renumerote or modules:
            etat = "renumerote" if pair.renumerote else "modifie"
            found.append(_competence_change(etat, a, b, tuple(d.valeurs), tuple(d.listes), modules))
    return tuple(sorted(found, key=lambda x: numero_key(x.numero)))


def _bloc_name(bloc: Bloc | None) -> str | None:
    return None if bloc is None else f"{bloc.code} · {bloc.intitule}"


def _competence_change(
    etat: Etat, a: Any, b: Any, valeurs: tuple[Valeur, ...], listes: tuple[Liste, ...], modules: tuple[ModuleChange, ...]
) -> CompetenceChange:
    return CompetenceChange(
        etat,
        None if a is None else str(a.numero),
        None if b is None else str(b.numero),
        (b or a).intitule,
        valeurs,
        listes,
        lien=None if b is None else b.numero,
        modules=modules,
    )


def _module(
    pair: Paire[Any], holder_before: Mapping[int, Any], holder_after: Mapping[int, Any], partner: Mapping[int, Any]
) -> ModuleChange | None:
    a, b = pair.avant, pair.apres
    holder = holder_after[id(b)] if b is not None else None
    link = holder.numero if holder is not None else None
    if a is None or b is None:
        m = a or b
        hours = _module_hours(m, holder_after[id(b)]) if b is not None else None
        valeurs = (Valeur("heures", None, hours, NO_HOURS),) if hours else ()
        if b is not None and b.facultatif:
            valeurs += (Valeur("module facultatif", None, "oui"),)
        etat: Etat = "ajoute" if a is None else "retire"
        return ModuleChange(etat, None if a is None else a.numero, None if b is None else b.numero, m.intitule, valeurs, competence=link)
    old_holder = holder_before[id(a)]
    d = _Differences()
    d.value("intitulé", a.intitule, b.intitule, texte=True)
    d.value("intitulé court", a.intitule_court, b.intitule_court, "aucun", texte=True)
    if partner.get(id(old_holder)) is not holder:  # moved; a competence only renumbered is said at its level
        d.value("compétence", str(old_holder.numero), str(holder.numero))
    d.value("heures", _module_hours(a, old_holder), _module_hours(b, holder), NO_HOURS)
    d.value("module facultatif", "oui" if a.facultatif else "non", "oui" if b.facultatif else "non")
    d.items(OBJECTIFS, a.objectifs, b.objectifs)
    d.items(CONTENU, item_texts(a.contenu), item_texts(b.contenu))
    d.value("note", a.note, b.note, "aucune", texte=True)
    if not d.any and not pair.renumerote:
        return None
    etat = "renumerote" if pair.renumerote else "modifie"
    return ModuleChange(etat, a.numero, b.numero, b.intitule, tuple(d.valeurs), tuple(d.listes), competence=link)


def _livret(avant: Livret, apres: Livret) -> tuple[Valeur, ...]:
    """The livret's wording, label by label, named by the model's description of each."""
    d = _Differences()

    def walk(a: Any, b: Any, model: type[Livret] | type[FicheLabels], prefix: str) -> None:
        for name, info in model.model_fields.items():
            va, vb = getattr(a, name), getattr(b, name)
            if isinstance(va, FicheLabels):
                walk(va, vb, FicheLabels, "grille « De la formation à l'entreprise », ")
                continue
            quoi = prefix + _label_name(info.description or name)
            if isinstance(va, list):
                d.value(quoi, " ; ".join(va), " ; ".join(vb), texte=True)
            else:
                d.value(quoi, va, vb, texte=True, markdown=any(getattr(m, "func", None) is _clean_markdown for m in info.metadata))

    walk(avant, apres, Livret, "")
    return tuple(d.valeurs)


def _label_name(description: str) -> str:
    text = re.sub(r"\s*\(Markdown\)", "", description).rstrip(" .")
    return text[:1].lower() + text[1:]


# --- marks of the hours table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Avant:
    """What a value of the hours table was in the previous version.

    ``nouveau``: the row did not exist; ``connu`` False: nothing comparable (a module whose hours were part
    of its competence's shared range).
    """

    volume: Volume | None = None
    nouveau: bool = False
    connu: bool = True

    def _compares(self) -> bool:
        return self.connu and not self.nouveau

    def note_min(self, now: Any) -> str | None:
        """What the « De » cell adds: « avant : 7 h », or None when it did not change."""
        return self._note(now, "min")

    def note_max(self, now: Any) -> str | None:
        return self._note(now, "max")

    def _note(self, now: Any, end: str) -> str | None:
        if not self._compares() or now is None:
            return None
        if self.volume is None:
            return "avant\u00a0: non indiquée"
        before: Decimal = getattr(self.volume, end)
        return None if before == getattr(now, end) else f"avant\u00a0: {french.hour(before)}"

    def note_sans_heures(self) -> str | None:
        """What a « durée non indiquée » cell adds when the previous version gave hours."""
        if not self._compares() or self.volume is None:
            return None
        return f"avant\u00a0: {french.hours(Volume(self.volume.min, self.volume.max))}"

    def note_range(self, now: Any) -> str | None:
        """What a range shown whole (« 70 à 210 h ») adds: « avant : 70 à 140 h », or None when it did not change."""
        if not self._compares() or not self.changed(now):
            return None
        return f"avant\u00a0: {french.hours(Volume(self.volume.min, self.volume.max))}" if self.volume else "avant\u00a0: non indiquée"

    def changed(self, now: Any) -> bool:
        notes = (self.note_min(now), self.note_max(now)) if now is not None else (self.note_sans_heures(),)
        return any(notes)


NEW = Avant(nouveau=True)
UNKNOWN = Avant(connu=False)


@dataclass(frozen=True)
class MarquesHeures:
    """The previous values of what the hours table shows, by the current numbers (see Avant)."""

    version: str  # « 2009-05 du 7 mai 2009 »
    modules: Mapping[str, Avant] = field(default_factory=dict)
    competences: Mapping[str, Avant] = field(default_factory=dict)
    blocs: Mapping[str, Avant] = field(default_factory=dict)
    total: Avant = UNKNOWN
    visibles: bool = False  # some cell of the table shows a mark (the table then has a legend)

    def module(self, numero: Any) -> Avant:
        return self.modules.get(str(numero), UNKNOWN)

    def competence(self, numero: Any) -> Avant:
        return self.competences.get(str(numero), UNKNOWN)

    def bloc(self, code: Any) -> Avant:
        return self.blocs.get(str(code), UNKNOWN)


NO_MARKS = MarquesHeures(version="")  # a table without a previous version: nothing marked


def marques_heures(avant: Referentiel, apres: Referentiel) -> MarquesHeures:
    """What the hours table of ``apres`` marks: each value that changed since ``avant``, each new row."""
    pairs = appariement(avant, apres)
    holder_before = {id(m): c for c in avant.competences for m in c.modules}
    modules: dict[str, Avant] = {}
    for pair in pairs.modules:
        if pair.apres is None:
            continue
        if pair.avant is None:
            modules[pair.apres.numero] = NEW
        elif holder_before[id(pair.avant)].plage_commune:
            modules[pair.apres.numero] = UNKNOWN
        else:
            modules[pair.apres.numero] = Avant(pair.avant.heures)
    competences = {
        str(p.apres.numero): NEW if p.avant is None else Avant(p.avant.total_heures)
        for p in pairs.competences
        if p.apres is not None
    }
    blocs = {
        p.apres.code: NEW if p.avant is None else Avant(p.avant.total_heures) for p in pairs.blocs if p.apres is not None
    }
    total = Avant(avant.total_heures)
    visibles = (
        any(a.nouveau for marks in (modules, competences, blocs) for a in marks.values())
        or any(modules[m.numero].changed(m.heures) for c in apres.competences if not c.plage_commune for m in c.modules)
        or any(competences[str(c.numero)].changed(c.total_heures) for c in apres.competences)
        or any(blocs[b.code].changed(b.total_heures) for b in apres.blocs)
        or total.changed(apres.total_heures)
    )
    return MarquesHeures(french.version_title(avant.version.numero, avant.version.date), modules, competences, blocs, total, visibles)
