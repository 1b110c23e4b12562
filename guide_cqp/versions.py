"""A référentiel's previous version: the file ``version.precedente`` names, where it may be, how it is read and archived.

A branch keeps the version it replaces in its repository (``cqp archiver`` copies it to
``archives/<code>-<version>.yaml``) and names it in the new one::

    version:
      numero: "2014-01"
      date: 2014-01-03
      precedente: archives/rcad-2009-05.yaml

The path is relative to the folder of the référentiel that names it (wherever that file is, even named by
CQP_REFERENTIEL outside the site) and must stay inside its project: the nearest folder above the référentiel
that holds ``mkdocs.yml`` or ``.git``, else the référentiel's own folder. The build reads nothing else that a
référentiel's text points to. The previous version is validated with the same model, its problems told under
its own file name; its own ``precedente`` is not followed (it was the state of the repository then).
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import yaml

from .errors import Probleme, ReferentielInvalide, display_name
from .load import load_document
from .model import Referentiel
from .validate import load_referentiel, parse_referentiel

FIELD = ("version", "precedente")
PROJECT_MARKERS = ("mkdocs.yml", ".git")
ARCHIVES = "archives"  # the default folder of archived versions, next to the référentiel (not a CQP of a folder)


def project_root(referentiel: Path) -> Path:
    """The folder a référentiel's previous version must stay in (see the module's docstring)."""
    folder = referentiel.resolve().parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return folder


def previous_version(ref: Referentiel, path: Path) -> tuple[Referentiel, Path] | None:
    """The previous version a valid référentiel names, validated, and its file; None when it names none."""
    target = previous_file(ref, path)
    if target is None:
        return None
    return load_previous(ref, path, target), target


def previous_file(ref: Referentiel, path: Path) -> Path | None:
    """The file ``version.precedente`` names, checked to be a file of the project; None when none is named."""
    written = ref.version.precedente
    if written is None:
        return None
    root = project_root(path)
    target = (path.resolve().parent / written).resolve()  # symbolic links followed: where it really leads
    if not target.is_relative_to(root):
        _fail(
            path,
            f"« {written} » mène hors du dossier du projet ({root})\u00a0: la version précédente se garde dans le "
            "dépôt, par exemple dans le dossier archives/ à côté du référentiel (voir « cqp archiver »)",
        )
    if target == path.resolve():
        _fail(path, f"« {written} » est ce référentiel lui-même\u00a0: indiquez le fichier de la version précédente")
    if target.is_dir():
        _fail(path, f"« {written} » est un dossier\u00a0: indiquez le fichier de la version précédente")
    if not target.exists():
        _fail(
            path,
            f"fichier « {written} » introuvable ({display_name(target)})\u00a0: « cqp archiver » copie la version "
            "en cours dans archives/ avant que la suivante soit commencée\u00a0; sinon, corrigez le chemin ou "
            "retirez la clé precedente",
        )
    return target


def load_previous(ref: Referentiel, path: Path, target: Path) -> Referentiel:
    """The previous version, validated; its problems under its own name, and one on the field that names it."""
    try:
        avant = load_referentiel(target)
    except ReferentielInvalide as exc:
        n = len(exc.problemes)
        here = _probleme(
            path,
            f"la version précédente « {ref.version.precedente} » n'est pas un référentiel valide "
            f"({n} erreur{'s' if n > 1 else ''}, indiquée{'s' if n > 1 else ''} sous son propre nom)\u00a0: "
            "corrigez-la, ou retirez la clé precedente",
        )
        raise ReferentielInvalide([here, *exc.problemes]) from None
    if avant.version.numero == ref.version.numero:
        _fail(
            path,
            f"la version précédente porte le même numéro ({ref.version.numero})\u00a0: pour commencer la nouvelle "
            "version, changez version.numero et version.date de ce référentiel",
        )
    if avant.version.date > ref.version.date:
        _fail(
            path,
            f"la version précédente ({avant.version.numero}) est datée après celle-ci ({avant.version.date:%Y-%m-%d} "
            f"contre {ref.version.date:%Y-%m-%d})\u00a0: vérifiez version.date, ou le fichier indiqué",
        )
    return avant


def _probleme(path: Path, message: str) -> Probleme:
    """A problem of the ``precedente`` field, at its line (the file is read again only in this rare case)."""
    return load_document(path).probleme(FIELD, message)


def _fail(path: Path, message: str) -> None:
    raise ReferentielInvalide([_probleme(path, message)])


# --- cqp archiver ---------------------------------------------------------------------------------


class ArchivageImpossible(ValueError):
    """The archive cannot be written; the message says why, in French."""


def default_archive(path: Path, ref: Referentiel, version_folder: str) -> Path:
    """archives/<code>-<version>.yaml, next to the référentiel."""
    return path.parent / ARCHIVES / f"{ref.cqp.code}-{version_folder}.yaml"


def relative_reference(path: Path, archive: Path) -> str:
    """What ``precedente`` says of ``archive``: its path from the référentiel's folder, with « / »."""
    return posixpath.normpath(Path(os.path.relpath(archive.resolve(), path.resolve().parent)).as_posix())


def archive(path: Path, target: Path) -> None:
    """Copy the référentiel, byte for byte, to ``target`` inside its project; never over an existing file."""
    root = project_root(path)
    if not target.resolve().is_relative_to(root):
        raise ArchivageImpossible(
            f"« {target} » est hors du dossier du projet ({root})\u00a0: le site ne pourrait pas la relire. "
            "Gardez l'archive dans le dépôt, par exemple dans archives/."
        )
    if target.exists():
        raise ArchivageImpossible(
            f"« {target} » existe déjà\u00a0: rien n'a été remplacé. Si cette version est déjà archivée, il n'y a "
            "rien à refaire\u00a0; sinon, choisissez un autre nom avec -o."
        )
    data = path.read_bytes()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as out:
            out.write(data)
    except FileExistsError:
        raise ArchivageImpossible(f"« {target} » existe déjà\u00a0: rien n'a été remplacé.") from None
    except OSError as exc:
        from .errors import os_reason

        raise ArchivageImpossible(f"impossible d'écrire « {target} » ({os_reason(exc)}).") from None


def declare_previous(text: str, fichier: str, reference: str) -> str:
    """The référentiel's text with ``version.precedente: <reference>`` written in, every other byte kept.

    A small edit of the text rather than a YAML round trip: comments, quotes, indentation and line ends of
    the rest of the file stay exactly as written (git shows one line changed). The value replaces an
    existing ``precedente``; otherwise a line is added after the last key of ``version`` (or inside its
    braces). Each candidate edit is read back: it must give the same data with only that value changed.
    """
    before = parse_referentiel(text, fichier)
    wanted = before.model_copy(update={"version": before.version.model_copy(update={"precedente": reference})})
    for candidate in _edits(text, reference):
        try:
            after = parse_referentiel(candidate, fichier)
        except ReferentielInvalide:
            continue
        if after == wanted:
            return candidate
    raise ArchivageImpossible(
        f"impossible d'écrire precedente dans {fichier} sans toucher au reste du fichier\u00a0: ajoutez vous-même "
        f"la ligne « precedente: {reference} » sous version:, au même retrait que numero:."
    )


def _edits(text: str, reference: str) -> list[str]:
    """Candidate texts, most natural first (see declare_previous)."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    version = next((value for key, value in root.value if key.value == "version"), None)
    if not isinstance(version, yaml.MappingNode) or not version.value:
        return []
    value = reference if all(ch.isalnum() or ch in "._/-" for ch in reference) else yaml_quoted(reference)
    for key, node in version.value:
        if key.value == "precedente":
            return [text[: node.start_mark.index] + value + text[node.end_mark.index :]]
    if version.flow_style:
        close = version.end_mark.index - 1  # the « } »
        return [text[:close].rstrip() + f", precedente: {value}" + text[close:]]
    first_key = version.value[0][0]
    newline = "\r\n" if "\r\n" in text else "\n"
    line = " " * first_key.start_mark.column + f"precedente: {value}{newline}"
    end = version.value[-1][1].end_mark.index
    after_line = end if end > 0 and text[end - 1] == "\n" else _next_line(text, end)
    candidates = []
    for position in (_before_blank_lines(text, after_line), after_line):
        prefix = text[:position] if not position or text[position - 1] == "\n" else text[:position] + newline
        candidates.append(prefix + line + text[position:])
    line_start = text.rfind("\n", 0, first_key.start_mark.index) + 1
    candidates.append(text[:line_start] + line + text[line_start:])  # before the first key: last resort
    return candidates


def _next_line(text: str, index: int) -> int:
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _before_blank_lines(text: str, position: int) -> int:
    """Back over the blank lines that end a block (they belong between the sections, not inside version)."""
    while position > 0:
        start = text.rfind("\n", 0, position - 1) + 1
        if text[start:position].strip():
            break
        position = start
    return position


def yaml_quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
