"""The `cqp` command: check, describe, export a référentiel, or start a new guide site.

Everything a person reads here is French, argparse's own messages included: the branch's staff
run it, and so do pre-commit and the publishing workflow. A user's mistake (missing file, wrong
option, invalid référentiel) ends with a message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import errno
import io
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import addresses, french, publishable
from .catalogue import Catalogue, load_catalogue
from .errors import Probleme, ReferentielInvalide, display_name
from .errors import os_reason as _reason
from .export import export_json
from .load import Source, read_text
from .model import Referentiel
from .new_site import SiteImpossible, create_site
from .pages import write_pages
from .schema import SCHEMA_FILE, schema_json
from .settings import DEFAULT_REFERENTIEL, REFERENTIEL_VARIABLE, configured_referentiel
from .validate import load_referentiel

DEFAULT_FILE = DEFAULT_REFERENTIEL


class Echec(Exception):
    """A user error: its message is printed (with French typography), and the command exits with 1."""


def say(message: str, *, error: bool = False) -> None:
    """Print a message for the staff, with French typography (french.typography): the one way the commands speak.

    What a command produces as data (a version name, a list of files, an export) is printed as it is.
    """
    print(french.typography(message), file=sys.stderr if error else sys.stdout)


# --- argparse, in French -----------------------------------------------------------------------


def _invalid_choice(match: re.Match[str]) -> str:
    """« 'xml' n'est pas possible pour --format » without Python's quotes (repr before 3.12, plain after)."""
    option, value, choices = match.groups()
    listed = ", ".join(c.strip().strip("'\"") for c in choices.split(","))
    return f"« {value.strip(chr(39) + chr(34))} » n'est pas possible pour {option} (choix\u00a0: {listed})"


# argparse builds its messages in English; these patterns turn the ones a user can meet into French.
_ARGPARSE_MESSAGES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^the following arguments are required: (.*)$"), "argument obligatoire manquant\u00a0: \\1"),
    (re.compile(r"^unrecognized arguments: (.*)$"), "argument inconnu\u00a0: \\1"),
    (re.compile(r"^argument (.+?): invalid choice: (.+?) \(choose from (.*)\)$"), _invalid_choice),
    (re.compile(r"^argument (.+?): expected one argument$"), "\\1 attend une valeur"),
    (re.compile(r"^argument (.+?): expected at least one argument$"), "\\1 attend au moins une valeur"),
    (re.compile(r"^argument (.+?): expected at most one argument$"), "\\1 attend au plus une valeur"),
    (re.compile(r"^argument (.+?): ignored explicit argument (.*)$"), "\\1 ne prend pas de valeur (\\2)"),
    (re.compile(r"^ambiguous option: (.+?) could match (.*)$"), "option ambiguë « \\1 »\u00a0: \\2\u00a0?"),
    (re.compile(r"^argument (.+?): not allowed with argument (.+)$"), "\\1 ne se combine pas avec \\2"),
    (re.compile(r"^argument (.+?): (.*)$"), "\\1\u00a0: \\2"),
]


def _french(message: str) -> str:
    for pattern, replacement in _ARGPARSE_MESSAGES:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout with French typography: every description, epilog and help text goes through
    french.typography before it is wrapped, so a line never breaks before « : » or inside « »."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return super()._fill_text(french.typography(text), width, indent)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return super()._split_lines(french.typography(text), width)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Utilisation\u00a0: " if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        """« Options : », not argparse's « options: »: a capital and the space French puts before « : »."""
        super().start_section(f"{heading[:1].upper()}{heading[1:]}\u00a0" if heading else heading)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks French: usage, section titles, help option and errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--aide", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, french.typography(f"{self.prog}\u00a0: erreur\u00a0: {_french(message)}") + "\n")


def _default_file() -> str:
    """The référentiel the site builds: $CQP_REFERENTIEL, as for mkdocs, else what ./mkdocs.yml names
    (a file or a folder of référentiels), else referentiel.yaml."""
    return os.environ.get(REFERENTIEL_VARIABLE) or configured_referentiel(Path("mkdocs.yml")) or DEFAULT_FILE


def _source(fichier: str | None) -> tuple[Path, Source]:
    """The file to read and where its name came from: a missing file is explained where it is fixed."""
    if fichier:
        return Path(fichier), Source.LIGNE_DE_COMMANDE
    if os.environ.get(REFERENTIEL_VARIABLE):
        return Path(_default_file()), Source.VARIABLE
    configured = configured_referentiel(Path("mkdocs.yml"))
    if configured:
        return Path(configured), Source.CONFIGURATION
    return Path(DEFAULT_FILE), Source.DOSSIER_COURANT


def _load(fichier: str | None) -> Referentiel:
    return load_referentiel(*_source(fichier))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cqp",
        description="Outils du guide tuteur CQP : vérifier, décrire et exporter un référentiel, créer un nouveau site.",
        epilog="Aide d'une commande : cqp COMMANDE --aide",
    )
    commands = parser.add_subparsers(dest="commande", metavar="COMMANDE", title="commandes", required=True)
    fichier_aide = (
        "le référentiel (par défaut la variable CQP_REFERENTIEL, sinon celui que nomme mkdocs.yml, "
        f"sinon {DEFAULT_FILE})"
    )

    valider = commands.add_parser(
        "valider",
        help="vérifier un référentiel, avec les messages de la publication",
        description="Vérifie un ou plusieurs référentiels exactement comme la construction du site.\n"
        "Code de sortie : 0 si tout est valide, 1 sinon.",
    )
    valider.add_argument("fichiers", nargs="*", metavar="FICHIER", help=fichier_aide)

    version = commands.add_parser(
        "version",
        help="afficher le nom de la version en ligne (tiré de version.numero)",
        description="Affiche le nom sous lequel la version du référentiel est publiée (un dossier du site).",
    )
    version.add_argument("fichier", nargs="?", metavar="FICHIER", help=fichier_aide)
    version.add_argument("--titre", action="store_true", help="afficher le titre lisible (numéro et date)")

    schema = commands.add_parser(
        "schema",
        help="afficher le schéma JSON du référentiel",
        description=f"Affiche le schéma JSON du référentiel, à enregistrer dans {SCHEMA_FILE}.",
    )
    schema.add_argument("-o", "--sortie", metavar="SORTIE", help="écrire dans ce fichier plutôt qu'à l'écran")

    exporter = commands.add_parser(
        "exporter",
        help="exporter le référentiel en JSON ou le tableau des heures en CSV",
        description="json : tout le référentiel (dates AAAA-MM-JJ, heures en nombres).\n"
        "csv : le tableau des heures, une ligne par module, pour un tableur en français\n"
        "(UTF-8 avec BOM, séparateur « ; », virgule décimale).",
    )
    exporter.add_argument("--format", required=True, choices=("json", "csv"), help="json ou csv")
    exporter.add_argument("fichier", nargs="?", metavar="FICHIER", help=fichier_aide)
    exporter.add_argument("-o", "--sortie", metavar="SORTIE", help="écrire dans ce fichier plutôt qu'à l'écran")

    nouveau = commands.add_parser(
        "nouveau",
        help="créer le dépôt du guide d'un autre CQP, prêt à publier sur GitHub",
        description="Crée dans un dossier neuf le dépôt complet du guide d'un CQP : référentiel d'exemple à\n"
        "compléter, pages du guide du tuteur, mkdocs.yml, README pour la branche, workflow de\n"
        "vérification et de publication sur GitHub Pages, et requirements.txt qui fixe la version\n"
        "du générateur utilisée pour construire le site.",
    )
    nouveau.add_argument("dossier", metavar="DOSSIER", help="le dossier à créer (absent ou vide)")
    nouveau.add_argument(
        "--source",
        metavar="SOURCE",
        help="d'où installer le générateur : un paquet avec sa version (guide-cqp==0.1.0), une adresse git "
        "avec une version (git+https://github.com/ORGANISATION/guide-cqp@v0.1.0) ou un dossier ; "
        "par défaut, le paquet et la version de ce générateur",
    )

    migrer = commands.add_parser(
        "migrer",
        help="réécrire un référentiel du format 1 au format 2 (blocs de compétences)",
        description="Réécrit un référentiel au format 1 au format 2 : ses compétences sont rangées dans un\n"
        "bloc unique, à renommer ou à répartir en plusieurs blocs. Commentaires, guillemets et textes\n"
        "sont gardés ; les retraits sont rendus réguliers. Le résultat est vérifié avant d'être écrit.\n"
        "Sans option, il s'affiche à l'écran.",
    )
    migrer.add_argument("fichier", nargs="?", metavar="FICHIER", help=fichier_aide)
    destination = migrer.add_mutually_exclusive_group()
    destination.add_argument("-o", "--sortie", metavar="SORTIE", help="écrire le résultat dans ce fichier")
    destination.add_argument("--sur-place", action="store_true", help="remplacer FICHIER par le résultat")

    generer = commands.add_parser(
        "generer",
        help="écrire les pages du référentiel en fichiers Markdown (pour un moteur sans le greffon, Zensical)",
        description="Écrit dans DOSSIER (le dossier des pages du site, en général docs) les pages que le greffon\n"
        "guide-cqp crée en mémoire pendant `mkdocs build` : vue d'ensemble, une page par compétence,\n"
        "livret. Chaque page ne contient qu'un appel de macro : les macros du guide la remplissent.\n"
        "Utile pour construire le site avec un moteur qui n'exécute pas le greffon (Zensical).",
    )
    generer.add_argument("dossier", metavar="DOSSIER", help="le dossier des pages du site (par exemple docs)")
    generer.add_argument("fichier", nargs="?", metavar="FICHIER", help=fichier_aide)
    generer.add_argument("--pdf", action="store_true", help="créer aussi le livret PDF de chaque CQP")
    _add_version_commands(commands, fichier_aide)
    return parser


def _add_version_commands(commands: Any, fichier_aide: str) -> None:
    """`cqp comparer` and `cqp archiver`: what changed between two versions, and keeping the one replaced."""
    comparer = commands.add_parser(
        "comparer",
        help="dire ce qui change entre deux versions d'un référentiel",
        description="Compare deux versions d'un référentiel (fichiers YAML, formats 1 et 2, ou exports de\n"
        "« cqp exporter --format json », par exemple le referentiel.json d'un site publié) : blocs,\n"
        "compétences et modules ajoutés, retirés ou renumérotés, intitulés, heures (avant → après),\n"
        "savoir-faire, activités, contenus, critères et objectifs ajoutés ou retirés, certification,\n"
        "évaluation, version, libellés du livret. L'ordre des éléments d'une liste n'est pas comparé.\n"
        "\n"
        "Avec un seul fichier, la nouvelle version (ou aucun : le référentiel par défaut), le compare à\n"
        "la version précédente qu'il déclare (version.precedente).\n"
        "\n"
        "Code de sortie, comme diff : 0 si les deux versions disent la même chose, 1 si elles diffèrent,\n"
        "2 pour une erreur d'utilisation ou un fichier invalide (le rapport de validation s'affiche).",
    )
    comparer.add_argument("fichiers", nargs="*", metavar="ANCIEN NOUVEAU", help="l'ancienne et la nouvelle version")
    comparer.add_argument(
        "--format", choices=("texte", "markdown", "json"), default="texte", help="texte (par défaut), markdown ou json"
    )
    comparer.add_argument("-o", "--sortie", metavar="SORTIE", help="écrire dans ce fichier plutôt qu'à l'écran")

    archiver = commands.add_parser(
        "archiver",
        help="garder la version en cours dans archives/ avant d'en commencer une nouvelle",
        description="Copie le référentiel, octet pour octet, dans archives/<code>-<version>.yaml à côté de lui\n"
        "(jamais par-dessus un fichier existant), avant que la version suivante soit commencée. Ensuite :\n"
        "changez version.numero et version.date, et déclarez la version archivée (version.precedente) :\n"
        "le site publie alors la page « Ce qui change dans la version … ».",
    )
    archiver.add_argument("fichier", nargs="?", metavar="FICHIER", help=fichier_aide)
    archiver.add_argument("-o", "--sortie", metavar="ARCHIVE", help="le fichier de l'archive (par défaut archives/<code>-<version>.yaml)")
    archiver.add_argument(
        "--precedente",
        action="store_true",
        help="écrire aussi version.precedente dans FICHIER (le reste du fichier, commentaires compris, ne change pas)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cqp` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --aide (0) or a usage error (2), already printed
        return int(exc.code or 0)
    try:
        status = _COMMANDS[args.commande](args)
        _flush_stdout()
        return status
    except Echec as exc:
        say(f"cqp {args.commande}\u00a0: {exc}", error=True)
        return 1
    except ReferentielInvalide as exc:
        print(exc.rapport(), file=sys.stderr)
        return 1
    except OSError as exc:  # what the command wrote could not be written: a full disk, a reader gone
        if not _stdout_failed(exc):
            raise
        if not isinstance(exc, BrokenPipeError):  # `| head`: the reader chose to stop, nothing to say
            say(f"cqp {args.commande}\u00a0: impossible d'écrire sur la sortie standard ({_reason(exc)}).", error=True)
        return 1


# --- commands ------------------------------------------------------------------------------------


def _valider(args: argparse.Namespace) -> int:
    """Every file is checked, even after an invalid one: pre-commit passes them all at once.

    A folder is checked as the site reads it: each of its référentiels, and their codes all different.
    """
    status = 0
    for fichier in args.fichiers or [None]:
        path, source = _source(fichier)
        try:
            catalogue = load_catalogue(path, source)
        except ReferentielInvalide as exc:
            print(exc.rapport(), file=sys.stderr)
            status = 1
            continue
        for ref, read in zip(catalogue, catalogue.fichiers, strict=True):
            n = len(ref.competences)
            shown = str(path) if read == path else str(path / read.name)
            blocs = f" en {french.plural(len(ref.blocs), 'bloc')}" if ref.blocs else ""
            say(
                f"{shown}\u00a0: référentiel valide — CQP « {ref.cqp.intitule} », version {ref.version.numero}, "
                f"{n} compétence{'s' if n > 1 else ''}{blocs} (format {ref.format})."
            )
        if path.is_dir():
            say(f"{path}\u00a0: {french.plural(len(catalogue), 'référentiel valide', 'référentiels valides')}.")
        if catalogue.avertissements:
            say(warnings_report(list(catalogue.avertissements)), error=True)
    return status


def warnings_report(avertissements: list[Probleme]) -> str:
    """What `cqp valider` prints, and the build logs, for a valid référentiel with flaws."""
    n = len(avertissements)
    titre = f"Avertissement{'s' if n > 1 else ''} (le référentiel reste valide et sera publié)\u00a0:"
    return "\n".join([titre, *(f"  - {a}" for a in avertissements)])


def _version(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(*_source(args.fichier))
    ref = catalogue.single
    if ref is not None:
        print(version_title(ref) if args.titre else version_name(ref))
    else:
        print(catalogue_version_title(catalogue) if args.titre else catalogue_version_name(catalogue))
    return 0


def _schema(args: argparse.Namespace) -> int:
    _write(args.sortie, schema_json().encode("utf-8"))
    return 0


def _exporter(args: argparse.Namespace) -> int:
    ref = _load(args.fichier)
    data = export_json(ref).encode("utf-8") if args.format == "json" else export_csv(ref)
    _write(args.sortie, data)
    return 0


def _nouveau(args: argparse.Namespace) -> int:
    dossier = Path(args.dossier)
    try:
        created = create_site(dossier, args.source)
    except SiteImpossible as exc:
        raise Echec(str(exc)) from None
    say(f"Site créé dans «\u00a0{dossier}\u00a0»\u00a0:")
    for path in created:
        print(f"  {path}")
    say(
        "\nEnsuite\u00a0: remplacez les textes de referentiel.yaml par ceux de votre CQP. README.md explique\n"
        "comment voir le site sur votre ordinateur et le mettre en ligne avec GitHub."
    )
    return 0


def _migrer(args: argparse.Namespace) -> int:
    from .migrate import BLOC_CODE, BLOC_INTITULE, MigrationImpossible, migrate

    source, origin = _source(args.fichier)
    fichier = display_name(source)
    try:
        migrated = migrate(read_text(source, fichier, origin), fichier)
    except MigrationImpossible as exc:
        raise Echec(str(exc)) from None
    target = str(source) if args.sur_place else args.sortie
    _write(target, migrated.encode("utf-8"))
    done = f"{fichier} réécrit au format 2" + (f" dans {target}" if target not in (None, "-") else "")
    note = (
        f"{done}. Ses compétences sont rangées dans un seul bloc, « {BLOC_CODE} · {BLOC_INTITULE} »\u00a0: "
        "renommez-le (code et intitulé du bloc de votre certification) ou répartissez les compétences en "
        "plusieurs blocs, comme le dit le commentaire placé au-dessus. Les commentaires du fichier sont gardés."
    )
    say(note, error=target in (None, "-"))
    return 0


def _generer(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(*_source(args.fichier))
    docs = Path(args.dossier)
    try:
        written = write_pages(catalogue, docs)
        for ref in catalogue:  # the JSON export the build publishes next to the pages
            target = docs / addresses.export(ref.cqp.code)
            target.write_bytes(export_json(ref).encode("utf-8"))
            written.append(target)
        if args.pdf:
            from .pdf import PdfIndisponible, build_pdf

            try:
                for ref in catalogue:
                    target = docs / addresses.pdf(ref.cqp.code)
                    target.write_bytes(build_pdf(ref))
                    written.append(target)
            except PdfIndisponible as exc:
                raise Echec(str(exc)) from None
    except OSError as exc:
        raise Echec(f"impossible d'écrire dans « {docs} » ({_reason(exc)}).") from None
    say(f"{len(written)} fichiers écrits dans « {docs} »\u00a0:")
    for path in written:
        print(f"  {path.relative_to(docs).as_posix()}")
    return 0


# --- versions: comparer, archiver ---------------------------------------------------------------------

DIFFERENT, TROUBLE = 1, 2  # `cqp comparer`'s exit codes besides 0, as diff's


def _comparer(args: argparse.Namespace) -> int:
    """Exit 0 (same), 1 (different) or 2 (usage error, invalid file): a script tells the three apart."""
    from .compare import comparer
    from .compare_output import RENDERERS
    from .versions import previous_version

    try:
        if len(args.fichiers) > 2:
            raise Echec("donnez deux fichiers (ANCIEN NOUVEAU), un seul (comparé à sa version précédente) ou aucun.")
        if len(args.fichiers) == 2:
            ancien, nouveau = (Path(f) for f in args.fichiers)
            avant = load_referentiel(ancien, Source.LIGNE_DE_COMMANDE)
            apres = load_referentiel(nouveau, Source.LIGNE_DE_COMMANDE)
        else:
            nouveau, origin = _source(args.fichiers[0] if args.fichiers else None)
            apres = load_referentiel(nouveau, origin)
            found = previous_version(apres, nouveau)
            if found is None:
                raise Echec(
                    f"{display_name(nouveau)} ne déclare pas de version précédente (version.precedente)\u00a0: "
                    "donnez les deux fichiers, « cqp comparer ANCIEN NOUVEAU »."
                )
            avant, ancien = found
        comparison = comparer(avant, apres)
        shown = RENDERERS[args.format](comparison, display_name(ancien), display_name(nouveau))
        _write(args.sortie, shown.encode("utf-8"))
    except ReferentielInvalide as exc:
        print(exc.rapport(), file=sys.stderr)
        return TROUBLE
    except Echec as exc:
        say(f"cqp comparer : {exc}", error=True)
        return TROUBLE
    return 0 if comparison.identiques else DIFFERENT


def _archiver(args: argparse.Namespace) -> int:
    from .versions import ArchivageImpossible, archive, declare_previous, default_archive, relative_reference

    source, origin = _source(args.fichier)
    ref = load_referentiel(source, origin)
    target = Path(args.sortie) if args.sortie else default_archive(source, ref, version_name(ref))
    reference = relative_reference(source, target)
    try:
        declared = None
        if args.precedente:  # checked before anything is written: the archive is never left alone by a failure
            raw = source.read_bytes()
            bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
            fichier = display_name(source)
            declared = bom + declare_previous(read_text(source, fichier), fichier, reference).encode("utf-8")
        archive(source, target)
        if declared is not None:
            _write(str(source), declared)
    except ArchivageImpossible as exc:
        raise Echec(str(exc)) from None
    fichier = display_name(source)
    say(f"{fichier} copié dans {display_name(target)} (version {version_title(ref)}).")
    steps = ["changez version.numero et version.date (la nouvelle version) ;"]
    if declared is None:
        steps.append(f"déclarez la version archivée\u00a0: sous la ligne « version: », ajoutez « precedente: {reference} »\u202f;")
    else:
        say(f"{fichier} : version.precedente vaut désormais {reference}.")
    steps.append(
        f"gardez {display_name(target)} dans le dépôt (git add) : le site publiera la page "
        "« Ce qui change dans la version … » et « cqp comparer » dira ce qui a changé."
    )
    say(f"Pour commencer la nouvelle version, dans {fichier} :")
    for number, step in enumerate(steps, start=1):
        say(f"  {number}. {step}")
    return 0


_COMMANDS = {
    "valider": _valider,
    "version": _version,
    "schema": _schema,
    "exporter": _exporter,
    "nouveau": _nouveau,
    "migrer": _migrer,
    "generer": _generer,
    "comparer": _comparer,
    "archiver": _archiver,
}


# --- what the commands produce -------------------------------------------------------------------


def version_name(ref: Referentiel) -> str:
    """The folder of this version on the site (guide_cqp.publishable decides, validation checked it)."""
    return publishable.version_folder(ref.version.numero)


def version_title(ref: Referentiel) -> str:
    """What the version selector shows: « 2009-05 du 7 mai 2009 »."""
    return french.version_title(ref.version.numero, ref.version.date)


def catalogue_version_name(catalogue: Catalogue) -> str:
    """The online version of a site of several CQPs: the date of its most recent référentiel (« 2024-10-01 »).

    A new edition of any CQP (a later version.date) publishes a new version of the site; a correction that
    keeps the dates replaces the version online, as for a site of one CQP.
    """
    return max(ref.version.date for ref in catalogue).isoformat()


def catalogue_version_title(catalogue: Catalogue) -> str:
    """What the version selector shows for a site of several CQPs: « 20 CQP, à jour au 1er octobre 2024 »."""
    latest = max(ref.version.date for ref in catalogue)
    return f"{len(catalogue)}\u00a0CQP, à jour au {french.date(latest)}"


CSV_HEADER = ["Compétence", "Intitulé de la compétence", "Module", "Intitulé du module", "Heures min", "Heures max"]
CSV_HEADER_BLOCS = ["Bloc", "Intitulé du bloc", *CSV_HEADER[:4], "Facultatif", *CSV_HEADER[4:]]


def _hour_cells(volume: Any) -> list[str]:
    """Two numbers with a decimal comma, or two empty cells where the référentiel gives no hours."""
    return [french.number(volume.min), french.number(volume.max)] if volume is not None else ["", ""]


def _total_label(label: str, volume: Any) -> str:
    """« Sous-total compétence C2 (hors module 2.2, durée non indiquée) »: a partial total says so."""
    left_out = getattr(volume, "hors", ())
    return f"{label} ({french.hours_left_out(left_out)})" if left_out else label


def export_csv(ref: Referentiel) -> bytes:
    """The hours table, the way a French spreadsheet opens it: UTF-8 with BOM, « ; », decimal comma.

    One row per module (no hours when the competence has a range shared by its modules), a
    sub-total row per competence and a total row: the model's totals, nothing summed here.
    Format 2 adds the bloc of each row, whether a module is optional, and a sub-total per bloc;
    hours the référentiel does not give are empty cells.
    """
    out = io.StringIO()
    writer = _TextCells(csv.writer(out, delimiter=";", lineterminator="\r\n"))
    if ref.blocs:
        _blocs_rows(writer, ref)
    else:
        _format_1_rows(writer, ref)
    return out.getvalue().encode("utf-8-sig")


def _format_1_rows(writer: Any, ref: Referentiel) -> None:
    writer.writerow(CSV_HEADER)
    for c in ref.competences_triees():
        for m in c.modules:
            writer.writerow([c.numero, c.intitule, m.numero, m.intitule, *_hour_cells(m.heures)])
        shared = " (plage commune à ses modules)" if c.plage_commune else ""
        writer.writerow([c.numero, c.intitule, "", f"Sous-total compétence {c.numero}{shared}", *_hour_cells(c.total_heures)])
    writer.writerow(["", "Total du parcours", "", "", *_hour_cells(ref.total_heures)])


def _blocs_rows(writer: Any, ref: Referentiel) -> None:
    writer.writerow(CSV_HEADER_BLOCS)
    for bloc, competences in ref.par_bloc():
        assert bloc is not None  # format 2: every competence is in a bloc
        for c in competences:
            for m in c.modules:
                optional = "oui" if m.facultatif else ""
                writer.writerow(
                    [bloc.code, bloc.intitule, c.numero, c.intitule, m.numero, m.intitule, optional, *_hour_cells(m.heures)]
                )
            label = f"Sous-total compétence {c.numero}" + (" (plage commune à ses modules)" if c.plage_commune and c.modules else "")
            writer.writerow(
                [bloc.code, bloc.intitule, c.numero, c.intitule, "", _total_label(label, c.total_heures), "", *_hour_cells(c.total_heures)]
            )
        total = bloc.total_heures
        writer.writerow(
            [bloc.code, bloc.intitule, "", "", "", _total_label(f"Sous-total bloc {bloc.code}", total), "", *_hour_cells(total)]
        )
    total = ref.total_heures
    label = "Total du parcours" + (" (durée totale du référentiel)" if getattr(ref, "duree", None) else "")
    writer.writerow(["", "", "", _total_label(label, total), "", "", "", *_hour_cells(total)])


_FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")


class _TextCells:
    """A csv writer whose every text cell goes through csv_text: no cell of the référentiel can start a formula."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: list[Any]) -> None:
        self.writer.writerow([csv_text(cell) if isinstance(cell, str) else cell for cell in row])


def csv_text(text: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula (OWASP « CSV injection »).

    Excel and LibreOffice read a cell that begins with = + - @ (after spaces too), a tab or a carriage
    return as a formula: `=HYPERLINK(…)` would run. A leading apostrophe makes it text. Hours are
    numbers the model wrote, and stay numbers.
    """
    if text.startswith(_FORMULA_SIGNS) or text.lstrip(" \u00a0\u202f").startswith(_FORMULA_SIGNS):
        return "'" + text
    return text


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


_CHUNK = 64 * 1024  # a pipe's buffer: a reader that goes away is noticed at the next chunk


def _write(sortie: str | None, data: bytes) -> None:
    if sortie is None or sortie == "-":
        if sys.stdout is None:  # started with `>&-`
            raise Echec("la sortie standard est fermée\u00a0: écrivez dans un fichier avec -o SORTIE.")
        sys.stdout.flush()
        for start in range(0, len(data), _CHUNK):
            sys.stdout.buffer.write(data[start : start + _CHUNK])
            sys.stdout.buffer.flush()
        return
    try:
        Path(sortie).write_bytes(data)
    except OSError as exc:
        raise Echec(f"impossible d'écrire « {sortie} » ({_reason(exc)}).") from None


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def _stdout_failed(exc: OSError) -> bool:
    """Whether a write to the standard output failed; if so, what is left goes to /dev/null.

    Python flushes the standard output once more on exit: without this, the same error would come
    back there as an English « Exception ignored » message.
    """
    if isinstance(exc, BrokenPipeError) or exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return True
    return False


if __name__ == "__main__":
    sys.exit(main())
