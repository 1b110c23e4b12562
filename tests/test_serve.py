"""`mkdocs serve` rebuilds on every save of the référentiel, with live reload on.

Every wait is for a final state (the page showing the saved text, the log naming the error), polled until
SETTLE seconds have passed: a loaded machine makes the wait longer, never the test fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import OTHER_REFERENTIEL, ROOT, SETTLE

PAGE = "logistique-entrepot/competence-1/"
pytestmark = pytest.mark.lent  # every test starts `mkdocs serve`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = SETTLE) -> bool:  # noqa: ANN001 (any zero-argument callable)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def start_serve(site: Path, referentiel: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`mkdocs serve --livereload` of ``site`` on a free port, once it serves the first page.

    The port is free when chosen, but another program may take it before MkDocs binds it (other test runs
    share the machine): then MkDocs stops at once, and it is started again on another port.
    """
    env = {**os.environ, "CQP_REFERENTIEL": str(referentiel), "NO_MKDOCS_2_WARNING": "1"}
    env.pop("CQP_PDF", None)
    for _ in range(5):
        port = free_port()
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
                cwd=site,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}/"

        def up_or_ended(process: subprocess.Popen = process, base: str = base) -> bool:
            return process.poll() is not None or "Contrôler une livraison" in fetch(base + PAGE)

        if wait_for(up_or_ended) and process.poll() is None:
            return process, base
        stop(process)
        if "Address already in use" not in log.read_text():
            break
    pytest.fail(f"mkdocs serve n'a pas démarré\u00a0:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=SETTLE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """The README's `mkdocs serve --livereload`, on a copy of the site and of a référentiel we can edit."""
    site = tmp_path / "site-source"
    site.mkdir()
    for name in ("docs", "overrides"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "mkdocs.yml", site / "mkdocs.yml")
    referentiel = tmp_path / "referentiel.yaml"
    shutil.copy(OTHER_REFERENTIEL, referentiel)
    log = tmp_path / "serve.log"
    process, base = start_serve(site, referentiel, log)
    try:
        yield base, referentiel, log
    finally:
        stop(process)


def test_saving_the_referentiel_rebuilds_the_page_with_live_reload(served: tuple[str, Path, Path]) -> None:
    base, referentiel, _ = served
    page = fetch(base + PAGE)
    assert "livereload" in page  # the reload script is injected: browsers refresh by themselves
    referentiel.write_text(
        referentiel.read_text(encoding="utf-8").replace("Contrôler une livraison", "Contrôler un arrivage"),
        encoding="utf-8",
    )
    assert wait_for(lambda: "Contrôler un arrivage" in fetch(base + PAGE))


def test_serve_skips_the_pdf_by_default(served: tuple[str, Path, Path]) -> None:
    base, _, _ = served
    assert "livret-logistique-entrepot.pdf" not in fetch(base + "logistique-entrepot/")


def test_a_broken_save_shows_the_french_errors_in_the_browser_until_fixed(served: tuple[str, Path, Path]) -> None:
    """MkDocs holds requests until a build succeeds: under `serve`, the errors are the page instead."""
    base, referentiel, log = served
    good = referentiel.read_text(encoding="utf-8")
    referentiel.write_text(good.replace("max: 24.25", "max: 1"), encoding="utf-8")
    assert wait_for(lambda: "dépasse le maximum" in fetch(base + PAGE)), log.read_text()
    for page in (PAGE, "", "tuteur/role/", "cette-page-n-existe-pas/"):
        try:
            html = fetch(base + page)
        except urllib.error.HTTPError as error:  # the 404 page carries them too
            html = error.read().decode("utf-8")
        assert "Le référentiel contient des erreurs" in html and "dépasse le maximum" in html, page
        if page != "cette-page-n-existe-pas/":  # MkDocs adds its reload script to pages, not to its 404 answer
            assert "livereload" in html, page  # the page reloads by itself once the file is fixed
    assert "dépasse le maximum" in log.read_text()
    referentiel.write_text(good.replace("Contrôler une livraison", "Contrôler à nouveau"), encoding="utf-8")
    assert wait_for(lambda: "Contrôler à nouveau" in fetch(base + PAGE))
    assert "Le référentiel contient des erreurs" not in fetch(base + PAGE)
    assert "Traceback" not in log.read_text()


def test_an_edit_that_keeps_size_and_time_is_still_seen(served: tuple[str, Path, Path]) -> None:
    """Coarse clocks (network shares) and some editors keep the modification time: the content decides."""
    base, referentiel, _ = served
    text = referentiel.read_text(encoding="utf-8")
    before = referentiel.stat()
    changed = text.replace("Contrôler une livraison", "Contrôler une livrai5on")
    assert len(changed.encode()) == len(text.encode())
    referentiel.write_text(changed, encoding="utf-8")
    os.utime(referentiel, ns=(before.st_atime_ns, before.st_mtime_ns))
    # `mkdocs serve` polls sizes and times, so it does not see this save; the next save of any file rebuilds.
    (referentiel.parent / "site-source" / "docs" / "index.md").touch()
    assert wait_for(lambda: "Contrôler une livrai5on" in fetch(base + PAGE))
