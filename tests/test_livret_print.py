"""The livret page printed by a real browser (headless Chromium, as Ctrl+P on A4), checked page by page.

The built site is served on 127.0.0.1 by a small http.server thread; Chromium prints the livret page
with its default print settings (no headers and footers, no background graphics).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from support import CHROMIUM, CHROMIUM_ARGS, HANG, OTHER_REFERENTIEL, SEED_REFERENTIEL, Build, serve
from test_livret_pdf import A4, check_livret_pages, page_texts

from guide_cqp.model import Referentiel
from guide_cqp.validate import load_referentiel

FLAGS = ["--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer"]
# Site chrome that must not be printed: search, navigation, buttons, theme footer.
CHROME = (
    "Rechercher",
    "Vue d'ensemble",
    "Accueil",
    "Imprimer le livret",
    "Télécharger le livret",
    "Material for MkDocs",
)


@pytest.fixture(scope="module")
def server(seed_site: Build, other_site: Build) -> Iterator[str]:
    """Both built sites, side by side, on a local port: /seed/… and /other/…"""
    root = seed_site.site.parent.parent / "served"
    root.mkdir(exist_ok=True)
    for name, build in (("seed", seed_site), ("other", other_site)):
        link = root / name
        if not link.exists():
            link.symlink_to(build.site, target_is_directory=True)
    with serve(root) as base:
        yield base


@pytest.fixture(scope="module", params=["seed", "other"])
def printed(
    request: pytest.FixtureRequest, server: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Referentiel, Path]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed")
    ref = load_referentiel(SEED_REFERENTIEL if request.param == "seed" else OTHER_REFERENTIEL)
    pdf = tmp_path_factory.mktemp(f"print-{request.param}") / "livret.pdf"
    url = f"{server}/{request.param}/{ref.cqp.code}/livret/"
    profile = tmp_path_factory.mktemp("chromium-profile")
    subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", url],
        capture_output=True,
        timeout=HANG,
        check=True,
    )
    assert pdf.exists() and pdf.stat().st_size > 0
    return ref, pdf


def test_printed_on_a4_portrait(printed: tuple[Referentiel, Path]) -> None:
    _, pdf = printed
    for page in PdfReader(pdf).pages:
        assert abs(float(page.mediabox.width) - A4[0]) < 2 and abs(float(page.mediabox.height) - A4[1]) < 2


def test_cover_alone_and_each_sheet_on_its_own_pages(printed: tuple[Referentiel, Path]) -> None:
    ref, pdf = printed
    pages = page_texts(pdf)
    where = check_livret_pages(ref, pages)
    # The parts before the sheets each start a page too.
    assert where.sheets[-1].stop == len(pages)
    assert len(pages) >= 4 + len(ref.competences)


def test_no_site_chrome_is_printed(printed: tuple[Referentiel, Path]) -> None:
    _, pdf = printed
    for number, text in enumerate(page_texts(pdf), start=1):
        for word in CHROME:
            assert word not in text, f"« {word} » printed on page {number}"


def test_content_stays_within_15_mm_margins(printed: tuple[Referentiel, Path]) -> None:
    """No word closer than 15 mm to an edge (nothing cut off, no table overflowing), and the sheets use the width."""
    _, pdf = printed
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True)
    mm = 72 / 25.4
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", done.stdout, re.S), start=1):
        width, height = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', page).groups())
        boxes = [
            tuple(map(float, b))
            for b in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)
        ]
        assert boxes, f"page {number} is empty"
        assert min(b[0] for b in boxes) >= 14.5 * mm and max(b[2] for b in boxes) <= width - 14.5 * mm, number
        assert min(b[1] for b in boxes) >= 14.5 * mm and max(b[3] for b in boxes) <= height - 14.5 * mm, number
        if number > 1:  # the cover's text sits inside its frame; other pages start at the margin
            assert min(b[0] for b in boxes) <= 20 * mm, number
