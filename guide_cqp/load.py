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

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Path_, Probleme, ReferentielInvalide, display_name

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
    value_marks: dict[Path_, Mark] = field(default_factory=dict)
    key_marks: dict[Path_, Mark] = field(default_factory=dict)
    problemes: list[Probleme] = field(default_factory=list)

    def position(self, chemin: Path_, *, key: bool = False) -> Mark | None:
        """The closest known position of a path: its key, its value, or an ancestor's."""
        if key and chemin in self.key_marks:
            return self.key_marks[chemin]
        while True:
            if chemin in self.value_marks:
                return self.value_marks[chemin]
            if not chemin:
                return None
            chemin = chemin[:-1]

    def probleme(self, chemin: Path_, message: str, *, key: bool = False) -> Probleme:
        mark = self.position(chemin, key=key)
        ligne, colonne = mark if mark else (None, None)
        return Probleme(self.fichier, ligne, colonne, chemin, message)


class _Fatal(Exception):
    """Stops reading: nothing sensible can be built past this point."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark: Mark | None = _mark(mark) if mark is not None else None
        self.message = message


def _mark(mark: Any) -> Mark:
    return (mark.line + 1, mark.column + 1)


def load_document(path: Path) -> Document:
    """Read and parse a référentiel file; raise ReferentielInvalide on any fatal problem."""
    fichier = display_name(path)
    text = read_text(path, fichier)
    return parse_document(text, fichier)


def read_text(path: Path, fichier: str) -> str:
    """Read the file as UTF-8 (a BOM is accepted), with a French message otherwise."""

    def fail(message: str, ligne: int | None = None, colonne: int | None = None) -> None:
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), message)])

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        fail(
            "fichier introuvable. Vérifiez le chemin (extra.referentiel dans mkdocs.yml ou la variable CQP_REFERENTIEL)."
        )
    except OSError as exc:
        fail(f"fichier illisible ({exc.strerror}).")
    if path.is_dir():
        fail("ce chemin est un dossier, pas un fichier YAML.")
    if size > MAX_BYTES:
        fail(
            f"fichier trop volumineux ({size / 1_000_000:.1f} Mo)\u00a0: un référentiel "
            f"ne dépasse pas {MAX_BYTES // (1024 * 1024)} Mo.".replace(".", ",", 1)
        )
    raw = path.read_bytes()
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
    raise AssertionError("unreachable")


def parse_document(text: str, fichier: str) -> Document:
    """Build data and positions from YAML text; fatal problems raise ReferentielInvalide."""
    doc = Document(data=None, fichier=fichier)
    try:
        _Builder(doc).run(text)
    except _Fatal as exc:
        ligne, colonne = exc.mark if exc.mark else (None, None)
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        ligne, colonne, message = locate_yaml_error(exc, text)
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), message)]) from None
    except yaml.YAMLError as exc:  # reader errors carry a position but are not "marked"
        position = getattr(exc, "position", None)
        ligne = colonne = None
        if position is not None:
            before = text[:position]
            ligne = before.count("\n") + 1
            colonne = position - (before.rfind("\n") + 1) + 1
        message = "caractère interdit dans un fichier YAML (caractère de contrôle)."
        raise ReferentielInvalide([Probleme(fichier, ligne, colonne, (), message)]) from None
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
    return ligne, colonne, message


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
    path: Path_
    anchor: str | None
    nodes_at_start: int
    key: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Turns the event stream into dicts, lists and strings, one event at a time."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
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
            value = None if plain and _NULL.match(event.value) else event.value
            if self.expects_key():
                self.set_key(event.value, event)
            else:
                self.count(1, event)
                self.add(value, event)
                self.remember(event.anchor, value, 1)
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

    def add(self, value: Any, event: yaml.Event) -> Path_:
        """Place a value in the current container; return its path."""
        if not self.stack:
            self.doc.data = value
            path: Path_ = ()
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

    def check_tag(self, event: yaml.NodeEvent) -> None:
        tag = getattr(event, "tag", None)
        if tag not in _ACCEPTED_TAGS and not (
            isinstance(event, yaml.CollectionStartEvent) and tag in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
        ):
            raise _Fatal(event.start_mark, f"étiquette YAML « {tag} » non prise en charge\u00a0: retirez-la.")
