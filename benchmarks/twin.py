"""Write the « static twin » of the project: plain MkDocs + Material, same pages, no macros, no hooks.

The twin is the floor the generator is compared with: what MkDocs and Material alone need to
build the same site. It is made from a real build of the project: every page's Markdown is
captured after the macros ran (the exact text MkDocs then converts), with its front matter, and
written as an ordinary Markdown file; the other files of the docs (CSS, images, generated
stylesheet) are copied. The twin's mkdocs.yml is the project's, with the generated navigation,
the computed ``extra`` and ``extra_css``, and without the guide-cqp and macros plugins.

Run in its own process (it imports and builds the project once):
``python benchmarks/twin.py <project dir> <twin dir>``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils.yaml import yaml_load

_DROPPED_KEYS = ("INHERIT", "hooks", "watch", "docs_dir", "site_dir", "nav", "extra", "extra_css", "extra_javascript")


class _Capture(BasePlugin):
    """Runs after every other plugin and hook: sees the final config, files and page Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, tuple[dict[str, Any], str]] = {}
        self.files: Files | None = None
        self.nav: Any = None
        self.extra: dict[str, Any] = {}
        self.extra_css: list[str] = []
        self.extra_javascript: list[str] = []

    @event_priority(-100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.nav = config.nav
        self.extra = {k: v for k, v in dict(config.extra).items() if k != "referentiel"}
        self.extra_css = [str(x) for x in config.extra_css]
        self.extra_javascript = [str(x) for x in config.extra_javascript]
        return config

    @event_priority(-100)
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.files = files
        return files

    @event_priority(-100)
    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        self.pages[page.file.src_uri] = (dict(page.meta), markdown)
        return markdown


def write_twin(project: Path, twin: Path) -> int:
    """Build the project once, write its twin into ``twin`` (docs/ + mkdocs.yml); return the page count."""
    config_file = project / "mkdocs.yml"
    with tempfile.TemporaryDirectory(prefix="cqp-twin-build-") as site_dir:
        config = load_config(config_file=str(config_file), site_dir=site_dir)
        capture = _Capture()
        config.plugins["cqp-benchmark-capture"] = capture
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
        config.plugins.on_shutdown()

    docs_dir = Path(config.docs_dir).resolve()
    docs = twin / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for uri, (meta, markdown) in capture.pages.items():
        target = docs / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        front = f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n" if meta else ""
        target.write_text(front + markdown, encoding="utf-8")
    assert capture.files is not None
    for file in capture.files:
        if file.is_documentation_page():
            continue
        from_docs = file.abs_src_path is not None and Path(file.abs_src_path).resolve().is_relative_to(docs_dir)
        if file.generated_by is None and not from_docs:
            continue  # a theme file: the twin's theme provides it
        target = docs / file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content_bytes)

    with config_file.open(encoding="utf-8") as stream:
        raw = yaml_load(stream)
    twin_config = {k: v for k, v in raw.items() if k not in _DROPPED_KEYS}
    twin_config["docs_dir"] = "docs"
    twin_config["plugins"] = [p for p in raw.get("plugins", []) if _plugin_name(p) not in ("macros", "guide-cqp")]
    theme = dict(raw.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((project / theme["custom_dir"]).resolve())
    twin_config["theme"] = theme
    twin_config["nav"] = capture.nav
    twin_config["extra"] = capture.extra
    twin_config["extra_css"] = capture.extra_css
    if capture.extra_javascript:
        twin_config["extra_javascript"] = capture.extra_javascript
    # The full Dumper writes the emoji functions back as !!python/name tags, which MkDocs reads.
    (twin / "mkdocs.yml").write_text(yaml.dump(twin_config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(capture.pages)


def _plugin_name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


if __name__ == "__main__":
    count = write_twin(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
    print(count)
