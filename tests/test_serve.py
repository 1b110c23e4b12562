"""`mkdocs serve` rebuilds on every save of the référentiel, with live reload on."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import OTHER_REFERENTIEL, ROOT

PAGE = "logistique-entrepot/competence-1/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = 60) -> bool:  # noqa: ANN001 (any zero-argument callable)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """The README's `mkdocs serve --livereload`, on a copy of a référentiel we can edit."""
    referentiel = tmp_path / "referentiel.yaml"
    shutil.copy(OTHER_REFERENTIEL, referentiel)
    log = tmp_path / "serve.log"
    port = free_port()
    env = {**os.environ, "CQP_REFERENTIEL": str(referentiel), "NO_MKDOCS_2_WARNING": "1"}
    env.pop("CQP_PDF", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: "Contrôler une livraison" in fetch(base + PAGE)), log.read_text()
        yield base, referentiel, log
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_saving_the_referentiel_rebuilds_the_page_with_live_reload(served: tuple[str, Path, Path]) -> None:
    base, referentiel, _ = served
    page = fetch(base + PAGE)
    assert "livereload" in page  # the reload script is injected: browsers refresh by themselves
    referentiel.write_text(
        referentiel.read_text(encoding="utf-8").replace("Contrôler une livraison", "Contrôler un arrivage"),
        encoding="utf-8",
    )
    assert wait_for(lambda: "Contrôler un arrivage" in fetch(base + PAGE), timeout=30)


def test_serve_skips_the_pdf_by_default(served: tuple[str, Path, Path]) -> None:
    base, _, _ = served
    assert "livret-logistique-entrepot.pdf" not in fetch(base + "logistique-entrepot/")


def test_a_broken_save_keeps_the_server_up_and_explains_in_french(served: tuple[str, Path, Path]) -> None:
    base, referentiel, log = served
    good = referentiel.read_text(encoding="utf-8")
    referentiel.write_text(good.replace("max: 24.25", "max: 1"), encoding="utf-8")
    assert wait_for(lambda: "dépasse le maximum" in log.read_text(), timeout=30), log.read_text()
    # MkDocs holds page requests until the next good build: fix the file, the page comes back.
    referentiel.write_text(good.replace("Contrôler une livraison", "Contrôler à nouveau"), encoding="utf-8")
    assert wait_for(lambda: "Contrôler à nouveau" in fetch(base + PAGE), timeout=30)
    assert "Traceback" not in log.read_text()
