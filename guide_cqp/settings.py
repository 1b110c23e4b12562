"""Where a site's settings come from: the plugin's options in mkdocs.yml, overridden by environment variables.

``CQP_REFERENTIEL`` names another référentiel than the one mkdocs.yml names (a file anywhere the author
chooses), ``CQP_PDF`` forces (1) or skips (0) the livret PDF. The plugin, the ``cqp`` command and the
macros under an engine without our plugin all read them here, so the rules are the same everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REFERENTIEL_VARIABLE = "CQP_REFERENTIEL"
PDF_VARIABLE = "CQP_PDF"
DEFAULT_REFERENTIEL = "referentiel.yaml"
TEMPLATES_FOLDER = "gabarits"  # a site's own versions of the package's content templates
PLUGIN_NAME = "guide-cqp"


@dataclass(frozen=True)
class Source:
    """A référentiel path and where it was named, for messages (« variable CQP_REFERENTIEL »…)."""

    path: Path
    origin: str


def referentiel_source(option: str | None, base: Path, *, option_origin: str = "mkdocs.yml") -> Source:
    """The référentiel to build: $CQP_REFERENTIEL, else the option, else referentiel.yaml (relative to ``base``)."""
    variable = os.environ.get(REFERENTIEL_VARIABLE, "").strip()
    if variable:
        return Source((base / variable).resolve(), f"variable {REFERENTIEL_VARIABLE}")
    return Source((base / (option or DEFAULT_REFERENTIEL)).resolve(), option_origin)


def pdf_wanted(option: bool | None, command: str) -> bool:
    """CQP_PDF=1 forces the PDF, CQP_PDF=0 skips it; else the option; else only `mkdocs build` makes it."""
    value = os.environ.get(PDF_VARIABLE, "").strip()
    if value in ("0", "1"):
        return value == "1"
    if option is not None:
        return option
    return command != "serve"


def templates_folder(option: str | None, base: Path) -> Path | None:
    """The site's folder of template overrides, when it exists."""
    folder = (base / (option or TEMPLATES_FOLDER)).resolve()
    return folder if folder.is_dir() else None


@dataclass(frozen=True)
class StandaloneSettings:
    referentiel: Path
    templates: Path | None
    docs: Path


def standalone_settings(conf: dict[str, Any]) -> StandaloneSettings:
    """Settings from mkdocs.yml's data as an engine without our plugin hands it over (a plain dict).

    The guide-cqp entry of ``plugins`` may be a name, or a mapping of its options.
    """
    base = Path(str(conf.get("config_file_path") or "mkdocs.yml")).resolve().parent
    options = _plugin_options(conf.get("plugins"))
    source = referentiel_source(options.get("referentiel"), base)
    docs = base / str(conf.get("docs_dir") or "docs")
    return StandaloneSettings(source.path, templates_folder(options.get("gabarits"), base), docs)


def configured_referentiel(config_file: Path) -> str | None:
    """The référentiel (file or folder) that mkdocs.yml gives the guide-cqp plugin, or None.

    For the ``cqp`` command run next to mkdocs.yml: ``cqp valider`` then checks what the site publishes,
    a folder of référentiels too.
    """
    conf = read_site_config(config_file)
    if conf is None:
        return None
    option = _plugin_options(conf.get("plugins")).get("referentiel")
    return option if isinstance(option, str) and option.strip() else None


def read_site_config(config_file: Path) -> dict[str, Any] | None:
    """mkdocs.yml's data, for the ``cqp`` command and the validator; None when it cannot be read.

    mkdocs.yml may hold tags for MkDocs (``!!python/name:…``, ``!ENV``): they are read as nothing here,
    where only a few plain options matter (the plugin's ``referentiel``, ``docs_dir``).
    """
    import yaml

    try:
        conf = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_tolerant_loader())  # noqa: S506 (a SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return conf if isinstance(conf, dict) else None


@cache
def _tolerant_loader() -> type:
    """A safe loader (libyaml's when there is one, ten times faster) that reads every tag as nothing."""
    import yaml

    class _Tolerant(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    _Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)
    return _Tolerant


def _plugin_options(plugins: Any) -> dict[str, Any]:
    """The options of guide-cqp in a ``plugins`` list or mapping, however the engine gives it."""
    if isinstance(plugins, dict):
        options = plugins.get(PLUGIN_NAME)
        return dict(options) if isinstance(options, dict) else {}
    for entry in plugins or []:
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME]
            return dict(options) if isinstance(options, dict) else {}
    return {}
