"""Every generated page passes the W3C Nu HTML checker (vnu.jar, Java 17) without error.

vnu.jar comes from the npm package ``vnu-jar``, installed outside the repository:

    npm install --no-save --prefix ~/.cache/guide-cqp/vnu vnu-jar

or anywhere else with VNU_JAR=/path/to/vnu.jar. Without it the test is skipped, except under CI
(CI=true), where it fails.

One error comes from Material and stays, on purpose: ``autocomplete="off"`` on the two checkboxes that
open the menu and the search (the checker allows it on text fields only). It is what keeps Firefox from
restoring a menu or a search left open when the reader comes back to a page. Only that exact markup is
accepted below; any other error fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import HANG

DEFAULT_JAR = Path.home() / ".cache" / "guide-cqp" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MATERIAL_TOGGLE = re.compile(
    r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" id="__\1" autocomplete="off">'
)
AUTOCOMPLETE_ON_CHECKBOX = "Attribute “autocomplete” is only allowed when the input type is"


def vnu_jar() -> Path:
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    if jar.is_file() and shutil.which("java"):
        return jar
    message = f"vnu.jar ou java absent ({jar}) : npm install --no-save --prefix ~/.cache/guide-cqp/vnu vnu-jar"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def accepted(message: dict) -> bool:
    """Material's autocomplete="off" on its two toggles, and nothing else."""
    start, length = message.get("hiliteStart", 0), message.get("hiliteLength", 0)
    marked = message.get("extract", "")[start : start + length]
    return message["message"].startswith(AUTOCOMPLETE_ON_CHECKBOX) and MATERIAL_TOGGLE.fullmatch(marked) is not None


def test_every_page_is_valid_html(site_root: Path, site_pages: list[str], tmp_path: Path) -> None:
    files = [site_root / (p + "index.html" if p == "" or p.endswith("/") else p) for p in site_pages]
    unexpected = unexpected_html_errors(files, site_root, tmp_path)
    assert unexpected == [], "\n".join(unexpected)


def test_the_pages_of_a_site_of_several_cqps_are_valid_html(catalogue_site, tmp_path: Path) -> None:  # noqa: ANN001
    """What a site of several CQPs adds: the catalogue (home), the shared pages' other text, the band and nav."""
    root = catalogue_site.site
    first = catalogue_site.referentiels[0]
    pages = [root / "index.html", *sorted((root / "tuteur").rglob("index.html")), root / "macros" / "index.html"]
    pages += [root / first.cqp.code / "index.html", root / first.cqp.code / "livret" / "index.html", root / "404.html"]
    unexpected = unexpected_html_errors(pages, root, tmp_path)
    assert unexpected == [], "\n".join(unexpected)


def unexpected_html_errors(files: list[Path], root: Path, tmp_path: Path) -> list[str]:
    """The checker's errors on ``files`` (built pages under ``root``) but Material's accepted one, as lines to read.

    A page with a known error is checked in the same run: proves the checker runs and reports.
    """
    control = tmp_path / "controle.html"
    control.write_text('<!doctype html><html lang="fr"><title>t</title><p tabindex="">x</p></html>', encoding="utf-8")
    done = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--format", "json", "--exit-zero-always", str(control), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    report = json.loads(done.stderr or done.stdout)
    errors = [m for m in report["messages"] if m["type"] in ("error", "non-document-error")]
    assert any(m["url"].endswith("/controle.html") for m in errors), report
    return [
        f"{m['url'].split(str(root), 1)[-1]}:{m.get('lastLine')} {m['message']} — {m.get('extract', '').strip()!r}"
        for m in errors
        if not m["url"].endswith("/controle.html") and not accepted(m)
    ]

