"""`cqp nouveau`: the repository of a new guide site, ready for a branch to push to GitHub and publish.

The skeleton (guide_cqp/skeleton/) is that repository: mkdocs.yml, the référentiel to fill in, the
README for the branch's staff, the publishing workflow, .gitignore. Its pages (docs/) and overrides/
are this project's own, through symbolic links in the source tree that packaging turns into files:
the tutors' guide is written once for every site. A package folder cannot be named `.github`, so
the skeleton stores dotted names without their dot (DOTTED).

What the skeleton leaves open is filled in here: the référentiel's code (from the folder's name), the
pinned requirement on this generator (requirements.txt, read by the README's commands and the
workflow) and the référentiel's JSON Schema.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .errors import os_reason
from .model import MAX_CODE
from .publishable import code_problem
from .schema import SCHEMA_FILE, SKELETON, schema_json

DISTRIBUTION = "guide-cqp"  # this generator's name on a package index (pyproject.toml)
SKELETON_CODE = "exemple-cqp"  # the code written in the skeleton référentiel, replaced by the folder's name
# Names a package folder cannot carry: stored without their dot, written with it.
DOTTED = {"gitignore": ".gitignore", "github": ".github"}
# What the package holds of the skeleton (pyproject's package-data): in a source checkout, docs/ also has
# the README's images, which a wheel leaves out; a new site gets the same files either way.
PACKAGED_SUFFIXES = {".md", ".yml", ".yaml", ".txt", ".json", ".html"}
GIT_SCHEMES = {"git+https", "git+ssh", "git+http", "git+file"}


class SiteImpossible(Exception):
    """The site cannot be created as asked: a French message for the person who asked, nothing written."""


def create_site(folder: Path, source: str | None = None) -> list[str]:
    """Write the skeleton into a new (or empty) folder; returns the files written, relative to it."""
    requirement = generator_requirement(source)  # a bad --source stops everything before a file is written
    if folder.exists() and not folder.is_dir():
        raise SiteImpossible(f"«\u00a0{folder}\u00a0» existe déjà et n'est pas un dossier.")
    if folder.is_dir() and any(folder.iterdir()):
        raise SiteImpossible(f"le dossier «\u00a0{folder}\u00a0» n'est pas vide. Choisissez un dossier neuf ou vide, rien n'a été écrit.")
    files = skeleton_files()
    code = site_code(folder.resolve().name, reserved=page_names(files))
    written: list[str] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, source_file in files.items():
            path = folder / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source_file.read_bytes())
            written.append(target)
        _set_code(folder / "referentiel.yaml", code)
        with (folder / "requirements.txt").open("a", encoding="utf-8") as requirements:
            requirements.write(requirement + "\n")
        schema = folder / SCHEMA_FILE
        schema.parent.mkdir(parents=True, exist_ok=True)
        schema.write_text(schema_json(), encoding="utf-8")
        written.append(SCHEMA_FILE)
    except OSError as exc:
        raise SiteImpossible(f"impossible d'écrire dans «\u00a0{folder}\u00a0» ({os_reason(exc)}).") from None
    return sorted(written)


def skeleton_files() -> dict[str, Path]:
    """The skeleton's files by their path in the new site (dotted names restored), in a stable order."""
    files: dict[str, Path] = {}
    for root, dirs, names in os.walk(SKELETON, followlinks=True):  # docs/ and overrides/ are links in a checkout
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = Path(root, name)
            if path.suffix not in PACKAGED_SUFFIXES and name not in DOTTED:
                continue
            first, *rest = path.relative_to(SKELETON).parts
            files["/".join([DOTTED.get(first, first), *rest])] = path
    if "docs/index.md" not in files:
        # A checkout made without symbolic links (git on Windows by default) leaves docs/ as a small text file.
        raise SiteImpossible(
            f"les pages du guide manquent dans le paquet ({SKELETON / 'docs'}). Installez le générateur depuis "
            "un paquet (pip install guide-cqp) ou depuis un clone git qui garde les liens symboliques."
        )
    return files


def page_names(files: dict[str, Path]) -> set[str]:
    """The first part of the address of each page of the skeleton (« macros », « tuteur »…)."""
    return {target.split("/")[1].removesuffix(".md") for target in files if target.startswith("docs/")}


def site_code(name: str, *, reserved: set[str]) -> str:
    """« Mon CQP Logistique » → « mon-cqp-logistique »: the model's code rule (a-z, 0-9, -, MAX_CODE long).

    A code that the site cannot publish (guide_cqp.publishable: the name of a page or folder of the
    site, « macros », « tuteur », « assets »…) would put the CQP's pages at the same address: it gets
    « -cqp » added.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    code = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower())[:MAX_CODE].strip("-") or SKELETON_CODE
    if code_problem(code, reserved) is not None:
        code = f"{code[: MAX_CODE - len('-cqp')].strip('-')}-cqp"
    return code


def _set_code(referentiel: Path, code: str) -> None:
    text = referentiel.read_text(encoding="utf-8")
    pattern = re.compile(rf"^(?P<key>\s*code:\s*){re.escape(SKELETON_CODE)}[ \t]*$", re.MULTILINE)
    new, count = pattern.subn(lambda m: m["key"] + code, text, count=1)
    assert count == 1, f"the skeleton référentiel names its code « {SKELETON_CODE} »"
    referentiel.write_text(new, encoding="utf-8")


# --- the requirement on this generator ------------------------------------------------------------


def generator_requirement(source: str | None) -> str:
    """The requirements.txt line that installs this generator at a fixed version.

    ``source`` is a package name with its exact version (``guide-cqp==0.1.0``), a git address with
    a tag or commit (``git+https://github.com/…/guide-cqp@v0.1.0``), or a folder holding the
    generator's source (tests, trials); by default, this package's name and installed version.
    """
    if source is None:
        return f"{DISTRIBUTION}=={_installed_version()}"
    value = source.strip()
    if not value:
        raise SiteImpossible(f"--source est vide. Exemples\u00a0: {_examples()}.")
    if urlsplit(value).scheme in GIT_SCHEMES:
        return f"{DISTRIBUTION} @ {_git_address(value)}"
    folder = Path(value).expanduser()
    if folder.is_dir():
        return _local_requirement(value, folder)
    try:
        return _pinned_package(Requirement(value))
    except InvalidRequirement:
        pass
    if "://" in value:
        raise SiteImpossible(
            f"--source «\u00a0{value}\u00a0»\u00a0: une adresse de dépôt s'écrit avec «\u00a0git+\u00a0» devant, et la "
            f"version après «\u00a0@\u00a0» (git+https://github.com/ORGANISATION/{DISTRIBUTION}@v{_example_version()})."
        )
    if value.startswith((".", "~", "/")) or "/" in value or "\\" in value:
        return _local_requirement(value, folder)
    raise SiteImpossible(
        f"--source «\u00a0{value}\u00a0» n'est ni un paquet avec sa version, ni une adresse git, ni un dossier. "
        f"Exemples\u00a0: {_examples()}."
    )


def _installed_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise SiteImpossible(
            f"la version du générateur installé est inconnue. Précisez-la avec --source (par exemple {_examples()})."
        ) from None


def _pinned_package(requirement: Requirement) -> str:
    """« guide-cqp==0.1.0 »: one exact version, so that every build of the site uses the same generator."""
    if requirement.url:
        return f"{canonicalize_name(requirement.name)} @ {_git_address(requirement.url)}"
    specifiers = list(requirement.specifier)
    exact = len(specifiers) == 1 and specifiers[0].operator in {"==", "==="} and "*" not in specifiers[0].version
    if requirement.marker or requirement.extras or not exact:
        raise SiteImpossible(
            f"--source «\u00a0{requirement}\u00a0»\u00a0: indiquez une version exacte avec «\u00a0==\u00a0» (par exemple "
            f"{requirement.name}=={_example_version()}), pour que chaque construction du site utilise le même générateur."
        )
    return str(requirement)


def _git_address(url: str) -> str:
    """A git address with the tag or commit to install after « @ » (an address alone follows a moving branch)."""
    parts = urlsplit(url)
    if parts.scheme not in GIT_SCHEMES:
        raise SiteImpossible(
            f"--source «\u00a0{url}\u00a0»\u00a0: l'adresse doit commencer par git+https://, git+ssh:// ou git+file://."
        )
    repository, at, ref = parts.path.rpartition("@")
    has_host = bool(parts.netloc) or parts.scheme == "git+file"
    if not (has_host and at and repository.strip("/") and ref):
        raise SiteImpossible(
            f"--source «\u00a0{url}\u00a0»\u00a0: indiquez la version après «\u00a0@\u00a0», par exemple "
            f"git+https://github.com/ORGANISATION/{DISTRIBUTION}@v{_example_version()} (une étiquette ou un commit)."
        )
    if parts.scheme == "git+file" and not parts.netloc:
        # pip before 24 (the one Python 3.11 installs in a new environment) refuses a git address without host.
        return parts._replace(netloc="localhost").geturl()
    return url


def _local_requirement(value: str, folder: Path) -> str:
    """A folder of the generator's source: installed from there (trials, tests)."""
    pyproject = folder / "pyproject.toml"
    if not folder.is_dir():
        raise SiteImpossible(f"--source «\u00a0{value}\u00a0»\u00a0: dossier introuvable.")
    try:
        name = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        raise SiteImpossible(
            f"--source «\u00a0{value}\u00a0»\u00a0: ce dossier ne contient pas le générateur (pas de pyproject.toml lisible avec un nom de projet)."
        ) from None
    return f"{canonicalize_name(str(name))} @ {folder.resolve().as_uri()}"


def _example_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _examples() -> str:
    version = _example_version()
    return f"{DISTRIBUTION}=={version}, git+https://github.com/ORGANISATION/{DISTRIBUTION}@v{version} ou un dossier"
