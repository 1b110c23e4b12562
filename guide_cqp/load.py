"""Read a référentiel file into plain Python data, remembering where each value stands.

The data is built from PyYAML's event stream rather than with ``yaml.safe_load``
so that, in one linear pass and without recursion:

* every scalar stays text (no implicit typing: ``1.10`` stays "1.10", ``non``
  stays "non", dates are checked later by the model), except the null forms;
* each value's line and column are kept for error messages;
* duplicate keys, alias bombs, deep nesting, tags and multiple documents are
  refused with a message instead of being silently accepted or crashing.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import yaml

from . import texts
from .errors import FieldPath, Probleme, ReferentielInvalide, describe_path, display_name, os_reason
from .settings import REFERENTIEL_VARIABLE

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 100_000

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_ACCEPTED_TAGS = {None, "!", "tag:yaml.org,2002:str"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Mark = tuple[int, int]


@dataclass
class Document:
    """YAML data plus the position of every value and key, for messages."""

    data: Any
    fichier: str
    text: str = ""
    value_marks: dict[FieldPath, Mark] = field(default_factory=dict)
    key_marks: dict[FieldPath, Mark] = field(default_factory=dict)
    problemes: list[Probleme] = field(default_factory=list)

    def position(self, chemin: FieldPath, *, key: bool = False) -> Mark | None:
        """The closest known position of a path: its key, its value, or an ancestor's."""
        if key and chemin in self.key_marks:
            return self.key_marks[chemin]
        while True:
            if chemin in self.value_marks:
                return self.value_marks[chemin]
            if not chemin:
                return None
            chemin = chemin[:-1]

    def probleme(self, chemin: FieldPath, message: str, *, key: bool = False) -> Probleme:
        mark = self.position(chemin, key=key)
        ligne, colonne = mark if mark else (None, None)
        return Probleme(self.fichier, ligne, colonne, chemin, message, describe_path(chemin, self.data))


class _Fatal(Exception):
    """Stops reading: nothing sensible can be built past this point."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark: Mark | None = _mark(mark) if mark is not None else None
        self.message = message


def _mark(mark: Any) -> Mark:
    return (mark.line + 1, mark.column + 1)


class Source(Enum):
    """Where the path of the référentiel came from: a missing file is fixed there."""

    LIGNE_DE_COMMANDE = "command line"
    VARIABLE = "CQP_REFERENTIEL"
    CONFIGURATION = "the site's settings"  # the plugin's option in mkdocs.yml, which CQP_REFERENTIEL overrides
    DOSSIER_COURANT = "referentiel.yaml of the working directory"

    def advice(self) -> str:
        """What to check, in French."""
        if self is Source.LIGNE_DE_COMMANDE:
            return "vérifiez le chemin donné à la commande."
        if self is Source.VARIABLE or (self is Source.CONFIGURATION and os.environ.get(REFERENTIEL_VARIABLE, "").strip()):
            return f"vérifiez la variable d'environnement {REFERENTIEL_VARIABLE}."
        if self is Source.CONFIGURATION:
            return "vérifiez l'option « referentiel » du greffon guide-cqp dans mkdocs.yml."
        return (
            "lancez la commande dans le dossier du site (celui de referentiel.yaml), "
            "ou donnez-lui le chemin du fichier."
        )


def load_document(path: Path, source: Source = Source.CONFIGURATION) -> Document:
    """Read and parse a référentiel file; raise ReferentielInvalide on any fatal problem."""
    fichier = display_name(path)
    text = read_text(path, fichier, source)
    return parse_document(text, fichier)


def read_text(path: Path, fichier: str, source: Source = Source.CONFIGURATION) -> str:
    """Read the file as UTF-8 (a BOM is accepted), with a French message otherwise.

    Only a regular file is read, and never more than MAX_BYTES + 1 bytes whatever its size
    claims to be: a FIFO would block forever, /dev/zero or /dev/urandom never end.
    """
    raw = read_bytes(path, fichier, source)

    def fail(message: str, ligne: int | None = None, colonne: int | None = None) -> NoReturn:
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), message)])

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail("le fichier est encodé en UTF-16. Enregistrez-le en UTF-8.", 1, 1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        ligne = before.count(b"\n") + 1
        colonne = len(before) - (before.rfind(b"\n") + 1) + 1
        octet = raw[exc.start]
        guess = bytes([octet]).decode("cp1252", errors="replace")
        fail(
            f"le fichier n'est pas encodé en UTF-8 (octet 0x{octet:02X}, sans doute « {guess} » "
            "enregistré en Windows-1252 par Word ou Excel). Enregistrez le fichier en UTF-8.",
            ligne,
            colonne,
        )


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: Path, fichier: str, source: Source = Source.CONFIGURATION) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES, or ReferentielInvalide saying why not, in French.

    The file is opened without blocking (a FIFO with no writer would hang), then checked on the
    open descriptor, so that what is checked is what is read.
    """

    def fail(message: str) -> NoReturn:
        raise ReferentielInvalide([Probleme(fichier, None, None, (), message)])

    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        fail(_open_error(exc, path, source))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            fail("ce chemin est un dossier, pas un fichier YAML.")
        if not stat.S_ISREG(info.st_mode):
            fail(
                f"ce chemin n'est pas un fichier ordinaire ({_kind(info.st_mode)})\u00a0: "
                "donnez le chemin du fichier referentiel.yaml."
            )
        if info.st_size > MAX_BYTES:
            fail(_too_large(info.st_size))
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        fail(f"fichier illisible ({os_reason(exc)}).")
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        fail(_too_large(size, at_least=True))
    return b"".join(chunks)


def _too_large(size: int, at_least: bool = False) -> str:
    shown = f"{size / 1_000_000:.1f}".replace(".", ",")
    return (
        f"fichier trop volumineux ({'plus de ' if at_least else ''}{shown}\u00a0Mo)\u00a0: "
        f"un référentiel ne dépasse pas {MAX_BYTES // (1024 * 1024)}\u00a0Mo."
    )


def _open_error(exc: OSError, path: Path, source: Source) -> str:
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"lien symbolique cassé\u00a0: il mène à « {os.readlink(path)} », qui n'existe pas\u00a0; {source.advice()}"
    if exc.errno == errno.ENOENT:
        return f"fichier introuvable\u00a0: {source.advice()}"
    if exc.errno == errno.ELOOP:
        return "liens symboliques en boucle\u00a0: ce chemin ne mène à aucun fichier."
    if exc.errno == errno.EISDIR:
        return "ce chemin est un dossier, pas un fichier YAML."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"fichier illisible ({os_reason(exc)})\u00a0: vérifiez les droits du fichier."
    return f"fichier illisible ({os_reason(exc)})."


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "un tube nommé"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "un périphérique"
    if stat.S_ISSOCK(mode):
        return "une prise réseau locale"
    return "un fichier spécial"


# YAML 1.1 counts U+0085, U+2028 and U+2029 as line breaks, editors mostly do not: read as is, they
# shift every line number and break the indentation. They are swapped for noncharacters while
# parsing and back in the values, where the model refuses them by name, field and line.
_LINE_BREAKS = {0x85: 0xFDD0, 0x2028: 0xFDD1, 0x2029: 0xFDD2}
_LINE_BREAKS_BACK = {v: k for k, v in _LINE_BREAKS.items()}
_SENTINELS = re.compile("[\ufdd0-\ufdd2]")
_LINE_BREAK_CHARACTERS = re.compile("[\x85\u2028\u2029]")


def parse_document(text: str, fichier: str) -> Document:
    """Build data and positions from YAML text; fatal problems raise ReferentielInvalide."""
    doc = Document(data=None, fichier=fichier, text=text)
    swapped = _LINE_BREAK_CHARACTERS.search(text) is not None
    if swapped and (sentinel := _SENTINELS.search(text)) is not None:
        before = text[: sentinel.start()]
        ligne, colonne = before.count("\n") + 1, sentinel.start() - (before.rfind("\n") + 1) + 1
        message = f"caractère interdit U+{ord(sentinel.group()):04X} (un non-caractère Unicode)\u00a0: supprimez-le."
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), message)])
    try:
        _Builder(doc, swapped).run(text.translate(_LINE_BREAKS) if swapped else text)
    except _Fatal as exc:
        ligne, colonne = exc.mark if exc.mark else (None, None)
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        ligne, colonne, message = locate_yaml_error(exc, text)
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), message)]) from None
    except yaml.YAMLError as exc:  # reader errors carry a position but are not "marked"
        raise ReferentielInvalide([_forbidden_character(exc, text, fichier)]) from None
    if doc.data is None:
        raise ReferentielInvalide(
            [
                Probleme(
                    fichier,
                    None,
                    None,
                    (),
                    "le fichier est vide\u00a0: il doit contenir un référentiel (format, cqp, version, compétences).",
                )
            ]
        )
    if not isinstance(doc.data, dict):
        ligne, colonne = doc.value_marks.get((), (None, None))
        raise ReferentielInvalide(
            [
                Probleme(
                    fichier,
                    ligne,
                    colonne,
                    (),
                    "le fichier doit commencer par des clés (format:, cqp:, version:, competences:…), pas par une liste ni un texte.",
                )
            ]
        )
    return doc


# What YAML does not allow in a file, even inside quotes (YAML 1.1, « printable » characters).
_NOT_IN_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _forbidden_character(exc: yaml.YAMLError, text: str, fichier: str) -> Probleme:
    """A character YAML refuses in a file: named, at its line and column, in the field that holds it."""
    found = _NOT_IN_YAML.search(text)  # the first one stops the reader (libyaml counts its position in bytes)
    if found is None:
        return Probleme(fichier, None, None, (), "caractère interdit dans un fichier YAML (caractère de contrôle).")
    index = found.start()
    before = text[:index]
    ligne, colonne = before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1
    code = ord(text[index])
    why = texts.describe(code) or "caractère interdit dans un fichier YAML"
    message = f"caractère interdit U+{code:04X} ({why})\u00a0: supprimez-le."
    chemin, data = _field_at(text, (ligne, colonne))
    return Probleme(fichier, ligne, colonne, chemin, message, describe_path(chemin, data) if chemin else None)


def _field_at(text: str, mark: Mark) -> tuple[FieldPath, Any]:
    """The value that holds a position: the file read again without the characters YAML refuses."""
    doc = Document(data=None, fichier="")
    try:
        _Builder(doc).run(_NOT_IN_YAML.sub(" ", text))
    except (yaml.YAMLError, _Fatal):
        return (), None
    before = [(at, path) for path, at in doc.value_marks.items() if at <= mark]
    return (max(before)[1] if before else ()), doc.data


_TAB_MESSAGE = "tabulation interdite\u00a0: en YAML, on indente avec des espaces, jamais avec la touche Tab."
_YAML_PROBLEMS = [
    (
        "maximum nesting depth",  # libyaml's own limit (PyYAML >= 6.0.3 wheels) may come before ours
        f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)\u00a0: vérifiez les crochets et l'indentation.",
    ),
    (
        "found character '\\t' that cannot start any token",
        "tabulation interdite\u00a0: en YAML, on indente avec des espaces, jamais avec la touche Tab.",
    ),
    (
        "found a tab character",
        "tabulation interdite\u00a0: en YAML, on indente avec des espaces, jamais avec la touche Tab.",
    ),
    (
        "while scanning a quoted scalar",
        "guillemet ouvert jamais refermé\u00a0: ajoutez le guillemet fermant (\" ou ').",
    ),
    (
        "mapping values are not allowed",
        "deux-points inattendu\u00a0: mettez le texte entre guillemets s'il contient « : », ou vérifiez l'indentation.",
    ),
    ("could not find expected ':'", "deux-points manquant après une clé, ou texte sur plusieurs lignes mal indenté."),
    ("did not find expected key", "indentation incorrecte\u00a0: les clés d'un même bloc doivent être alignées."),
    (
        "did not find expected '-' indicator",
        "indentation incorrecte dans une liste\u00a0: les tirets d'une même liste doivent être alignés.",
    ),
    ("expected <block end>", "indentation incorrecte\u00a0: les clés d'un même bloc doivent être alignées."),
    ("block sequence entries are not allowed", "tiret de liste inattendu\u00a0: vérifiez l'indentation."),
    ("found undefined alias", "alias (*nom) qui ne renvoie à aucune ancre (&nom)."),
    (
        "found unexpected end of stream",
        "fin de fichier inattendue\u00a0: un guillemet ou un crochet n'est pas refermé.",
    ),
    ("did not find expected node content", "valeur manquante ou caractère inattendu."),
    (
        "found character that cannot start any token",
        "caractère inattendu en début de valeur\u00a0: mettez le texte entre guillemets.",
    ),
    (
        "found unknown escape character",
        "séquence d'échappement inconnue entre guillemets doubles\u00a0: doublez la barre oblique inverse (\\\\) ou utilisez des guillemets simples.",
    ),
    (
        "found invalid Unicode character escape code",
        "séquence « \\u… » qui ne désigne aucun caractère entre guillemets doubles (moitié de paire de "
        "substitution \\uD800 à \\uDFFF, ou code trop grand)\u00a0: écrivez le caractère lui-même.",
    ),
    ("did not find expected ',' or ']'", "liste entre crochets mal fermée\u00a0: il manque « , » ou « ] »."),
    ("did not find expected ',' or '}'", "accolades mal fermées\u00a0: il manque « , » ou « } »."),
]


def locate_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int | None, int | None, str]:
    """Line, column and French message of a syntax error, at the place the editor must fix.

    PyYAML reports an unclosed quote where it gave up (often the end of the file, or the
    next line that holds a quote): the line that opened the quote is the one to show.
    """
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        ligne, colonne = _mark(exc.context_mark)
        return ligne, colonne, translate_yaml_error(exc, text)
    mark = exc.problem_mark or exc.context_mark
    ligne, colonne = _mark(mark) if mark else (None, None)
    message = translate_yaml_error(exc, text)
    if ligne is not None and "tabulation" not in message:
        opened = _unclosed_quote(text.splitlines()[:ligne])
        if opened is not None and opened < ligne:
            unclosed = (
                "erreur de syntaxe YAML\u00a0: guillemet ouvert sur cette ligne et jamais refermé\u00a0: "
                f"ajoutez le guillemet fermant (la lecture échoue plus loin, ligne {ligne})."
            )
            return opened, None, unclosed
    closing = _closing_sign_before(exc.problem_mark, text) if exc.problem_mark is not None else None
    if closing in ('"', "'"):
        return ligne, colonne, f"erreur de syntaxe YAML\u00a0: {_AFTER_QUOTE_MESSAGE}"
    if closing in ("]", "}"):
        opening = "[" if closing == "]" else "{"
        return ligne, colonne, f"erreur de syntaxe YAML\u00a0: {_AFTER_BRACKET_MESSAGE.format(opening=opening)}"
    return ligne, colonne, message


_AFTER_QUOTE_MESSAGE = (
    "du texte suit le guillemet fermant\u00a0: un texte qui commence par un guillemet doit finir par ce "
    'guillemet. Retirez les guillemets, ou mettez tout le texte entre guillemets doubles ("…").'
)


_AFTER_BRACKET_MESSAGE = (
    "du texte suit le crochet ou l'accolade qui ferme le début de la valeur\u00a0: un texte qui commence par "
    '« {opening} » se met entre guillemets doubles ("{opening}…"), sinon YAML y lit une liste ou un bloc de clés.'
)


def _closing_sign_before(mark: Any, text: str) -> str | None:
    """`intitule: "L'accueil" des clients`, `- [Nouveau] Vendre`: the parser stops on the words after
    the quote or bracket that closed the start of the value. That sign, or None."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return None
    before = lines[mark.line][: mark.column].rstrip()
    after = lines[mark.line][mark.column :].strip()
    if not before or not after or after.startswith(("#", ":", "-")):
        return None
    return before[-1] if before[-1] in "\"']}" else None


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)*(?:[^\s#'"-][^#]*?:\s+)?(?:-\s+)*(["'])(.*)$""")


def _unclosed_quote(lines: list[str]) -> int | None:
    """The last line (1-based) whose value opens a quote without closing it on the same line."""
    found = None
    for number, line in enumerate(lines, start=1):
        match = _QUOTED_VALUE.match(line)
        if match is None:
            continue
        quote, rest = match.groups()
        rest = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            found = number
    return found


def translate_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> str:
    """A French explanation of PyYAML's (English) syntax error."""
    mark = exc.problem_mark
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]:
        return f"erreur de syntaxe YAML\u00a0: {_TAB_MESSAGE}"
    problem = f"{exc.context or ''} {exc.problem or ''}"
    for needle, message in _YAML_PROBLEMS:
        if needle in problem:
            return f"erreur de syntaxe YAML\u00a0: {message}"
    return "erreur de syntaxe YAML\u00a0: vérifiez l'indentation, les deux-points et les guillemets de cette ligne."


@dataclass
class _Frame:
    container: dict | list
    path: FieldPath
    anchor: str | None
    nodes_at_start: int
    key: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Turns the event stream into dicts, lists and strings, one event at a time."""

    def __init__(self, doc: Document, swapped: bool = False) -> None:
        self.doc = doc
        self.swapped = swapped  # line breaks were swapped for sentinels: swap them back in values
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.documents = 0

    def run(self, text: str) -> None:
        for event in yaml.parse(text, Loader=_Loader):
            self.handle(event)

    def handle(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _Fatal(
                    event.start_mark,
                    "le fichier contient plusieurs documents YAML (séparés par « --- »)\u00a0: gardez-en un seul.",
                )
        elif isinstance(event, yaml.ScalarEvent):
            self.check_tag(event)
            plain = event.implicit[0] and not event.style  # libyaml marks plain scalars with "", PyYAML with None
            text = event.value.translate(_LINE_BREAKS_BACK) if self.swapped else event.value
            value = None if plain and _NULL.match(text) else text
            if self.expects_key():
                self.set_key(text, event)
            else:
                self.count(1, event)
                path = self.add(value, event)
                self.remember(event.anchor, value, 1)
                if plain and value is not None:
                    self.check_stray_quote(value, path, event)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise _Fatal(
                    event.start_mark, f"alias « *{event.anchor} » sans ancre « &{event.anchor} » correspondante."
                )
            value, size = self.anchors[event.anchor]
            if self.expects_key():
                raise _Fatal(event.start_mark, "un alias ne peut pas servir de clé.")
            self.count(size, event)
            self.add(value, event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.check_tag(event)
            if self.expects_key():
                raise _Fatal(
                    event.start_mark, "clé complexe non prise en charge\u00a0: une clé doit être un simple mot."
                )
            if len(self.stack) >= MAX_DEPTH:
                raise _Fatal(
                    event.start_mark,
                    f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)\u00a0: vérifiez les crochets et l'indentation.",
                )
            self.count(1, event)
            container: dict | list = {} if isinstance(event, yaml.MappingStartEvent) else []
            path = self.add(container, event)
            self.stack.append(_Frame(container, path, event.anchor, self.nodes))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            self.remember(frame.anchor, frame.container, self.nodes - frame.nodes_at_start + 1)

    def expects_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].container, dict) and self.stack[-1].key is None

    def set_key(self, key: str, event: yaml.Event) -> None:
        frame = self.stack[-1]
        ligne, colonne = _mark(event.start_mark)
        if key in frame.key_lines:
            self.doc.problemes.append(
                Probleme(
                    self.doc.fichier,
                    ligne,
                    colonne,
                    frame.path + (key,),
                    f"clé « {key} » en double dans ce bloc (déjà présente ligne {frame.key_lines[key]})\u00a0: "
                    "seule la dernière serait gardée. Supprimez ou renommez l'une des deux.",
                )
            )
        else:
            frame.key_lines[key] = ligne
        frame.key = key
        self.doc.key_marks[frame.path + (key,)] = (ligne, colonne)

    def add(self, value: Any, event: yaml.Event) -> FieldPath:
        """Place a value in the current container; return its path."""
        if not self.stack:
            self.doc.data = value
            path: FieldPath = ()
        else:
            frame = self.stack[-1]
            if isinstance(frame.container, dict):
                key = frame.key
                assert key is not None
                path = frame.path + (key,)
                if key not in frame.container:  # on duplicates the first value wins (and is reported)
                    frame.container[key] = value
                frame.key = None
            else:
                path = frame.path + (len(frame.container),)
                frame.container.append(value)
        self.doc.value_marks.setdefault(path, _mark(event.start_mark))
        return path

    def remember(self, anchor: str | None, value: Any, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)

    def count(self, size: int, event: yaml.Event) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise _Fatal(
                event.start_mark,
                f"le fichier se développe en plus de {MAX_NODES:,} éléments".replace(",", "\u202f")
                + " (alias « *nom » répétés ou fichier démesuré)\u00a0: un référentiel n'a pas besoin d'alias.",
            )

    def check_stray_quote(self, value: str, path: FieldPath, event: yaml.Event) -> None:
        """A text without quotes that ends with one (`numero: 1.2"`, `intitule: L'accueil'`) kept a typo."""
        quote = stray_quote(value)
        if quote is not None:
            ligne, colonne = _mark(event.start_mark)
            message = (
                f"guillemet {quote} isolé à la fin du texte « {_shorten(value)} »\u00a0: supprimez-le, "
                'ou mettez tout le texte entre guillemets doubles ("…").'
            )
            self.doc.problemes.append(
                Probleme(self.doc.fichier, ligne, colonne, path, message, describe_path(path, self.doc.data))
            )

    def check_tag(self, event: yaml.NodeEvent) -> None:
        tag = getattr(event, "tag", None)
        if tag not in _ACCEPTED_TAGS and not (
            isinstance(event, yaml.CollectionStartEvent) and tag in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
        ):
            raise _Fatal(event.start_mark, f"étiquette YAML « {tag} » non prise en charge\u00a0: retirez-la.")


def stray_quote(text: str) -> str | None:
    """The quote that ends an unquoted text by mistake, if any.

    YAML keeps a quote typed at the end of an unquoted text as part of it. A double quote is a
    mistake when the text holds an odd number of them (`Le module "Vente"` is fine); a final
    apostrophe, when no quote opens before it (`et 'servir'` is fine, `l'accueil'` is not: French
    apostrophes of elision follow a letter).
    """
    stripped = text.rstrip()
    if stripped.endswith('"') and stripped.count('"') % 2 == 1:
        return "«\u00a0\"\u00a0»"
    if stripped.endswith("'") and not _OPENING_APOSTROPHE.search(stripped[:-1]):
        return "«\u00a0'\u00a0»"
    return None


_OPENING_APOSTROPHE = re.compile(r"(?:^|[\s(«\[])'")


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else "…" + text[-width:]
