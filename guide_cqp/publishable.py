"""What can be published: « valide » means that the build and `mike deploy` will succeed.

One place decides which names the site may use, so that `cqp valider`, the pre-commit hook and the
pull-request check refuse what the build or the publishing job would refuse later:

* the version's folder (from ``version.numero``, printed by `cqp version` for mike): not a name that
  mike, GitHub Pages or git keep for themselves (the alias « latest », versions.json, « . »…);
* the CQP's code, which names the folder of the référentiel's pages in each version: not a folder of
  the site itself (assets, search…) nor a page written by hand in the docs folder (« macros » would
  take the place of docs/macros.md);
* every generated file and folder name stays far below the 255 bytes a file system allows;
* every anchor is unique: two numbers that differ only by punctuation or accents (« 1.1 » and
  « 1-1 ») would give the same ``id`` and send the reader to the wrong module.

Addresses and anchors come from guide_cqp.addresses, the module that the pages use.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import addresses
from .errors import FieldPath, Probleme, describe_path
from .load import Document
from .model import Referentiel
from .settings import read_site_config

ALIAS = "latest"  # mike's alias of the newest version (.github/workflows/publier.yml, mkdocs.yml extra.version)
MAX_NAME_BYTES = 100  # a generated file or folder name; file systems allow 255
_FOLDER_SIGNS = re.compile(r"[^0-9A-Za-z._-]+")
# What mike (versions.json, index.html, .nojekyll), GitHub Pages (CNAME, 404.html) and git keep at the
# root of the gh-pages branch, next to the versions' folders, and Windows' reserved device names.
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
RESERVED_VERSIONS = {ALIAS, "versions.json", "index.html", ".nojekyll", "cname", "404.html", ".git", *_WINDOWS_DEVICES}
# Folders and files that MkDocs and Material write at the root of each version (assets/, search/,
# 404.html, sitemap.xml), next to the CQP's folder.
RESERVED_CODES = {"assets", "search", "404", "sitemap", "index", *_WINDOWS_DEVICES}


# --- the version's folder ------------------------------------------------------------------------


def version_folder(numero: str) -> str:
    """The folder of a version on the site: version.numero kept to letters, digits, « . », « _ » and « - ».

    « 2024/10 bis » → « 2024-10-bis ». Empty when nothing is left (checked by version_problem).
    """
    return _FOLDER_SIGNS.sub("-", _ascii(numero)).strip("-.")


def version_problem(numero: str) -> str | None:
    """Why a version number cannot name a folder of the published site, in French, or None."""
    folder = version_folder(numero)
    if not folder:
        return (
            "le numéro de version nomme le dossier de la version en ligne\u00a0: il doit contenir au moins "
            'une lettre ou un chiffre (par exemple "2024-10")'
        )
    if folder.casefold() == ALIAS:
        return (
            f"« {numero} » est le nom que le site donne toujours à la version la plus récente ({ALIAS})\u00a0: "
            'donnez à la version un numéro à elle (par exemple "2024-10")'
        )
    if folder.casefold() in RESERVED_VERSIONS or _device(folder):
        return (
            f"le numéro de version nommerait le dossier « {folder} », un nom réservé par le site publié "
            "(GitHub Pages, l'outil de versions mike ou Windows)\u00a0: choisissez un autre numéro"
        )
    if len(folder.encode()) > MAX_NAME_BYTES:
        return f"numéro de version trop long pour nommer un dossier\u00a0: au plus {MAX_NAME_BYTES} caractères"
    return None


# --- the CQP's code -------------------------------------------------------------------------------


def code_problem(code: str, pages: Mapping[str, str] | Iterable[str] = ()) -> str | None:
    """Why a CQP code cannot name the folder of its pages, or None.

    ``pages``: the names that the docs folder's own pages and folders take at the site's root, with
    the file or folder that takes each one (« macros » → « docs/macros.md »), or the names alone.
    """
    named = pages.items() if isinstance(pages, Mapping) else ((name, f"docs/{name}") for name in pages)
    taken = {name.casefold(): shown for name, shown in named}
    if code.casefold() in taken:
        return (
            f"le code « {code} » nommerait le dossier des pages du référentiel, déjà pris par "
            f"{taken[code.casefold()]}, une page écrite à la main\u00a0: choisissez un autre code (ex. rcad)"
        )
    if code.casefold() in RESERVED_CODES or _device(code):
        return (
            f"le code « {code} » est un nom réservé par le site (dossiers {', '.join(sorted(RESERVED_CODES - _WINDOWS_DEVICES))} "
            "et noms interdits par Windows)\u00a0: choisissez un autre code (ex. rcad)"
        )
    return None


def docs_pages(referentiel: Path) -> dict[str, str] | None:
    """The names the hand-written pages take at the site's root, when the site can be found.

    The site is the nearest mkdocs.yml above the référentiel (next to it, or above its folder of
    référentiels) in its repository, else the one of the working directory; its docs_dir (default « docs ») holds the
    pages: docs/macros.md takes « macros », docs/tuteur/ takes « tuteur ». Each name comes with what
    takes it, for messages. None when there is no site.
    """
    for folder in dict.fromkeys([*_up_to_repository(referentiel.resolve().parent), Path.cwd()]):
        config = folder / "mkdocs.yml"
        if config.is_file():
            docs_dir = _docs_dir(config)
            return _top_level_names(folder / docs_dir, docs_dir.rstrip("/"))
    return None


def _up_to_repository(folder: Path) -> list[Path]:
    """The folder and those above it, up to the root of its git repository if it is in one."""
    found = []
    for candidate in (folder, *folder.parents):
        found.append(candidate)
        if (candidate / ".git").exists():
            break
    return found


def _docs_dir(config: Path) -> str:
    value = (read_site_config(config) or {}).get("docs_dir")
    return value if isinstance(value, str) and value else "docs"


def _top_level_names(docs: Path, shown: str) -> dict[str, str]:
    names: dict[str, str] = {}
    try:
        entries = list(os.scandir(docs))
    except OSError:
        return names
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if name.endswith(".md") and not entry.is_dir():
            stem = name.removesuffix(".md")
            if stem.casefold() not in ("index", "readme"):
                names[stem] = f"{shown}/{name}"
        else:
            names[name] = f"{shown}/{name}/" if entry.is_dir() else f"{shown}/{name}"
    return names


# --- every check -------------------------------------------------------------------------------


def problems(doc: Document, ref: Referentiel, pages: Mapping[str, str] | Iterable[str] | None = None) -> list[Probleme]:
    """Everything that would stop the build or the publishing of a valid référentiel, located in the file."""
    found: list[Probleme] = []
    version = version_problem(ref.version.numero)
    if version:
        found.append(doc.probleme(("version", "numero"), version))
    code = code_problem(ref.cqp.code, pages or ())
    if code:
        found.append(doc.probleme(("cqp", "code"), code))
    else:
        found += _long_names(doc, ref)
    found += anchor_problems(doc, ref)
    return found


def _competences(ref: Referentiel) -> list[tuple[FieldPath, Any]]:
    """Each competence with its path in the file: at the top (format 1), or in its bloc (format 2)."""
    if ref.blocs:
        return [(("blocs", i, "competences", j), c) for i, b in enumerate(ref.blocs) for j, c in enumerate(b.competences)]
    return [(("competences", i), c) for i, c in enumerate(ref.competences)]


def _long_names(doc: Document, ref: Referentiel) -> list[Probleme]:
    """Every folder and file the référentiel names (guide_cqp.addresses) stays a short name."""
    code = ref.cqp.code
    named: list[tuple[FieldPath, str]] = [(("cqp", "code"), addresses.pdf(code)), (("cqp", "code"), addresses.livret(code))]
    named += [((*path, "numero"), addresses.competence(code, c.numero)) for path, c in _competences(ref)]
    for path, target in named:
        for part in posixpath.splitext(target)[0].split("/") + [posixpath.basename(target)]:
            if len(part.encode()) > MAX_NAME_BYTES:
                return [doc.probleme(path, f"nom de fichier trop long ({part[:40]}…)\u00a0: raccourcissez-le")]
    return []


def anchor_problems(doc: Document, ref: Referentiel) -> list[Probleme]:
    """Numbers and codes whose pages or anchors would be the same: « 1.1 » and « 1-1 » both give #module-1-1."""
    found: list[Probleme] = []
    blocs: dict[str, tuple[FieldPath, object]] = {}
    sheets: dict[str, tuple[FieldPath, object]] = {}
    modules: dict[str, tuple[FieldPath, object]] = {}
    for i, bloc in enumerate(ref.blocs):
        found += _collision(doc, blocs, addresses.bloc(bloc.code), ("blocs", i, "code"), bloc.code, "bloc")
    for path, competence in _competences(ref):
        found += _collision(
            doc, sheets, addresses.competence_sheet(competence.numero), (*path, "numero"), competence.numero, "compétence"
        )
        for j, module in enumerate(competence.modules):
            found += _collision(
                doc, modules, addresses.module(module.numero), (*path, "modules", j, "numero"), module.numero, "module"
            )
    return found


def _collision(
    doc: Document, seen: dict[str, tuple[FieldPath, object]], anchor: str, path: FieldPath, numero: object, kind: str
) -> list[Probleme]:
    if anchor not in seen:
        seen[anchor] = (path, numero)
        return []
    first_path, first = seen[anchor]
    if str(first).casefold() == str(numero).casefold():
        return []  # the same number twice: the model reports it as a duplicate
    ligne = (doc.position(first_path) or (None, None))[0]
    where = describe_path(first_path[:-1], doc.data) + (f", ligne {ligne}" if ligne else "")
    what, both = ("le code", "deux codes") if kind == "bloc" else ("le numéro", "deux numéros")
    return [
        doc.probleme(
            path,
            f"{what} « {numero} » donnerait la même adresse (#{anchor}) que « {first} » ({where})\u00a0: {both} de "
            f"{kind} doivent différer par des lettres ou des chiffres, pas seulement par la ponctuation, les espaces, "
            "les majuscules ou les accents",
        )
    ]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _device(name: str) -> bool:
    return name.split(".")[0].casefold() in _WINDOWS_DEVICES
