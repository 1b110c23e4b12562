"""The fillable livret in real PDF engines: filled by a program or typed in, it shows what was written,
in its field, with the right glyphs, in PDFium (Chrome, Edge), Poppler (Evince, Okular), MuPDF
(SumatraPDF) and pdf.js (Firefox).

Each filled file is rendered next to the blank one: the ink added is inside the filled fields and
nowhere else, and never touches a field's edge (nothing cut). Where the engine draws with the
field font, each line is compared with a reference: the same text set as page text by WeasyPrint
in DejaVu Sans at the field's size, rendered by the same engine. The typed texts gather the
characters PDFium used to draw wrongly (œ, ’, ‘, –) with accents and the euro sign.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from pdf_engines import (
    PDFJS_INSTALL,
    Field,
    PdfJs,
    chromium_browser,
    field_crop,
    fields_of,
    fill_with_pypdf,
    ink_amount,
    ink_box,
    likeness,
    outside_fields_equal,
    pdfjs_available,
    reference_line,
    render_mupdf,
    render_pdfium,
    render_poppler,
    text_lines,
    type_with_mupdf,
    type_with_pdfium,
)
from PIL import Image
from pypdf import PdfReader
from support import CHROMIUM, OTHER_REFERENTIEL, SEED_REFERENTIEL

from guide_cqp.pdf import build_pdf
from guide_cqp.validate import load_referentiel

pytest.importorskip("pypdfium2")
for tool in ("pdftoppm", "mutool", "qpdf"):
    if not shutil.which(tool):
        pytest.skip(f"{tool} absent : bash scripts/installer-systeme.sh --tests", allow_module_level=True)

MM = 72 / 25.4
SAMPLE = "cœur l’été ‘x’ 1–2 éàç€"  # the characters PDFium drew wrongly, between others it always drew right
CACHET = f"{SAMPLE}\nSARL Lœw – 12 rue de l’Œuvre\nSigné : ‘M. Dupont’"
FILLS = ("pypdf", "pypdf-redraw", "pdfium-typed", "mupdf-typed")
ENGINES = ("pdfium", "poppler", "mupdf", "pdfjs")


@dataclass
class Blank:
    path: Path
    fields: dict[str, Field]
    values: dict[str, str | bool]
    size: float  # the typed text's size, from the fields' default appearance


def chosen_values(fields: dict[str, Field]) -> dict[str, str | bool]:
    """One field of each kind, found by the documented names: the first one-line and the first multi-line
    cover field, and the first competence's checkbox, synthesis cell and sheet area."""
    first = min(int(m[1]) for name in fields if (m := re.match(r"c(\d+)_points_cles$", name)))
    cover = sorted((f for f in fields.values() if f.name.startswith("couverture_")), key=lambda f: int(f.name[11:]))
    one_line = next(f.name for f in cover if f.kind == "text")
    cachet = next(f.name for f in cover if f.kind == "multiline")
    return {
        one_line: SAMPLE,
        cachet: CACHET,
        f"c{first}_module_1": True,
        f"c{first}_organisme": "AFPA – ‘Nord’",
        f"c{first}_points_cles": f"{SAMPLE}\nPrise de congé : l’œil sur l’heure",
    }


def typed_size(path: Path) -> float:
    with pikepdf.open(path) as pdf:
        sizes = {
            float(m[1])
            for field in pdf.Root.AcroForm.Fields
            if field.FT == "/Tx" and (m := re.search(r"([\d.]+) Tf", str(field.DA)))
        }
    assert len(sizes) == 1, sizes
    return sizes.pop()


@pytest.fixture(scope="module", params=["seed", "other"])
def blank(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Blank:
    source = SEED_REFERENTIEL if request.param == "seed" else OTHER_REFERENTIEL
    path = tmp_path_factory.mktemp(f"vierge-{request.param}") / "livret.pdf"
    path.write_bytes(build_pdf(load_referentiel(source)))
    fields = fields_of(path)
    return Blank(path, fields, chosen_values(fields), typed_size(path))


@pytest.fixture(scope="module")
def pdfjs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PdfJs | None]:
    if not (pdfjs_available() and CHROMIUM.exists()):
        yield None
        return
    with chromium_browser() as browser:
        viewer = PdfJs(browser, tmp_path_factory.mktemp("pdfjs"))
        yield viewer
        assert not viewer.outside, f"pdf.js asked for addresses outside the test server: {viewer.outside}"
        viewer.close()


@pytest.fixture(scope="module")
def renderers(pdfjs: PdfJs | None) -> dict[str, Callable[[Path, int], Image.Image]]:
    return {"pdfium": render_pdfium, "poppler": render_poppler, "mupdf": render_mupdf, "pdfjs": pdfjs.render if pdfjs else None}


@pytest.fixture(scope="module")
def filled(blank: Blank, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The blank livret filled with the same values in each way; PDFium's typing is read back as it goes."""
    folder = tmp_path_factory.mktemp("rempli")
    paths = {fill: folder / f"{fill}.pdf" for fill in FILLS}
    fill_with_pypdf(blank.path, paths["pypdf"], blank.values, redraw=False)
    fill_with_pypdf(blank.path, paths["pypdf-redraw"], blank.values, redraw=True)
    held = type_with_pdfium(blank.path, paths["pdfium-typed"], blank.values)
    expected = {name: "on" if value is True else value.replace("\n", "\r\n") for name, value in blank.values.items()}
    assert held == expected  # PDFium keeps every typed character (it ends lines with CR LF)
    type_with_mupdf(blank.path, paths["mupdf-typed"], blank.values, folder)
    return paths


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the reference lines are set: each one once per module, whatever fill is checked against it."""
    return tmp_path_factory.mktemp("references")


@functools.cache
def blank_page(render: Callable[[Path, int], Image.Image], path: Path, page: int) -> Image.Image:
    """A page of the blank livret as an engine draws it: the same for every way of filling it."""
    return render(path, page)


@functools.cache
def reference(render: Callable[[Path, int], Image.Image], text: str, size: float, scratch: Path) -> Image.Image:
    """reference_line, drawn once per engine for every fill that shows the same text."""
    return reference_line(render, text, size, scratch)


def engine(renderers: dict, name: str) -> Callable[[Path, int], Image.Image]:
    if renderers[name] is None:
        import os

        message = f"pdf.js ou Chromium absent : {PDFJS_INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return renderers[name]


def draws_with_field_font(fill: str, engine_name: str) -> bool:
    """MuPDF writes its own appearance in its built-in Helvetica when it sets a value: no reference to compare."""
    return fill != "mupdf-typed"


# --- the file itself -------------------------------------------------------------------------------


def test_every_field_carries_its_appearance_and_the_file_asks_no_redraw(blank: Blank) -> None:
    with pikepdf.open(blank.path) as pdf:
        form = pdf.Root.AcroForm
        assert not bool(form.get("/NeedAppearances", False))
        fonts = form.DR.Font
        assert set(fonts.keys()) == {"/Wingdings", "/ZaDb"}
        font = fonts.Wingdings
        assert font.Subtype == "/Type0" and "DejaVu" in str(font.BaseFont)
        assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor  # embedded: PDFium keeps it only then
        assert "/ToUnicode" in font
        for field in form.Fields:
            normal = field.AP.N
            if field.FT == "/Tx":
                assert isinstance(normal, pikepdf.Stream) and normal.Subtype == "/Form"
                assert normal.read_bytes().split() == [b"/Tx", b"BMC", b"EMC"]
                assert re.fullmatch(r"/Wingdings [\d.]+ Tf 0 0 0 rg", str(field.DA)), str(field.DA)
                assert int(field.Ff) & (1 << 23), "do not scroll: a full box takes no more text"
            else:
                assert set(normal.keys()) == {"/on", "/Off"} and field.AS == "/Off"
                assert field.MK.CA == "4" and str(field.DA).startswith("/ZaDb ")  # for viewers that redraw
                assert b"re" in normal.on.read_bytes() or b" l" in normal.on.read_bytes()  # a drawn tick


def test_typed_text_is_the_size_of_the_text_around_it(blank: Blank) -> None:
    """Every field's size is that of the page's dominant text (± 1 pt), measured in the page's content."""
    reader = PdfReader(blank.path)
    for index in sorted({f.page for f in blank.fields.values() if f.kind != "checkbox"}):
        sizes: dict[float, int] = {}

        def visit(text: str, cm: list, tm: list, font: object, size: float, sizes: dict = sizes) -> None:
            if text.strip():
                key = round(size * tm[3] * cm[3], 1)
                sizes[key] = sizes.get(key, 0) + len(text.strip())

        reader.pages[index].extract_text(visitor_text=visit)
        dominant = max(sizes, key=sizes.get)
        assert abs(blank.size - dominant) <= 1, (index + 1, blank.size, sizes)


def test_checkboxes_are_at_least_4_mm(blank: Blank) -> None:
    boxes = [f for f in blank.fields.values() if f.kind == "checkbox"]
    assert boxes
    for field in boxes:
        x0, y0, x1, y1 = field.rect
        assert x1 - x0 >= 4 * MM and y1 - y0 >= 4 * MM, field


def test_blank_and_filled_files_pass_qpdf_check(blank: Blank, filled: dict[str, Path]) -> None:
    for path in [blank.path, *filled.values()]:
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, (path.name, done.stdout[-800:], done.stderr[-800:])


# --- what each engine draws ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("fill", FILLS)
def test_filled_text_is_drawn_in_its_field_with_the_right_glyphs(
    blank: Blank, filled: dict[str, Path], renderers: dict, fill: str, engine_name: str, references: Path
) -> None:
    render = engine(renderers, engine_name)
    values = blank.values
    touched = [blank.fields[name] for name in values]
    for page in sorted({f.page for f in touched}):
        before, after = blank_page(render, blank.path, page), render(filled[fill], page)
        on_page = [f for f in touched if f.page == page]
        assert outside_fields_equal(after, before, list(blank.fields.values())), f"page {page + 1}: ink outside the fields"
        for field in on_page:
            # A checkbox's border touches its rectangle: look 2 px inside. A text field's rectangle is
            # its writing area, which the viewer clips: ink on its edge is text cut off.
            inset = 2 if field.kind == "checkbox" else 0
            empty, full = field_crop(before, field, inset=inset), field_crop(after, field, inset=inset)
            assert ink_amount(empty) == 0, f"{field.name}: the blank field shows something"
            assert ink_amount(full) > 20, f"{field.name}: nothing drawn"
            if field.kind == "checkbox":
                continue
            x0, y0, x1, y1 = ink_box(full)
            assert x0 > 0 and y0 > 0 and x1 < full.width and y1 < full.height, f"{field.name}: text cut by the field's edge"
            written = str(values[field.name]).split("\n")
            assert len(text_lines(full)) in (len(written), len(written) - 1), (field.name, written)  # touching lines
            lines = text_lines(full, len(written))
            if draws_with_field_font(fill, engine_name):
                for line, text in zip(lines, written, strict=True):
                    measured = likeness(line, reference(render, text, blank.size, references))
                    assert measured.same_text(), (field.name, text, measured)


def test_a_plain_font_name_brings_back_pdfiums_wrong_glyphs(blank: Blank, tmp_path: Path) -> None:
    """Control: the same file with the field font listed under an ordinary name (/F1) is drawn by PDFium
    with substitute glyphs, which the comparison above catches. It is the name Wingdings that fixes it."""
    control = tmp_path / "controle.pdf"
    with pikepdf.open(blank.path) as pdf:
        form = pdf.Root.AcroForm
        form.DR.Font = pikepdf.Dictionary({"/F1": form.DR.Font.Wingdings})
        for field in form.Fields:
            if field.FT == "/Tx":
                field.DA = pikepdf.String(str(field.DA).replace("/Wingdings", "/F1"))
                field.AP.N.Resources.Font = form.DR.Font
        pdf.save(control)
    name = next(n for n, v in blank.values.items() if v == SAMPLE)
    typed = tmp_path / "controle-saisi.pdf"
    type_with_pdfium(control, typed, {name: SAMPLE})
    field = blank.fields[name]
    [line] = text_lines(field_crop(render_pdfium(typed, field.page), field))
    measured = likeness(line, reference_line(render_pdfium, SAMPLE, blank.size, tmp_path))
    assert not measured.same_text(), measured


def test_a_full_box_takes_no_more_typing_and_cuts_no_line(blank: Blank, tmp_path: Path) -> None:
    """Typing thirty lines in « Cachet… » in PDFium: it stops when the box is full, and the lines kept are whole."""
    cachet = next(f for f in blank.fields.values() if f.name.startswith("couverture_") and f.kind == "multiline")
    typed = tmp_path / "plein.pdf"
    lines = [f"rame {i} – œuvre ’" for i in range(1, 31)]  # no descender: lines never touch
    held = type_with_pdfium(blank.path, typed, {cachet.name: "\n".join(lines)})[cachet.name]
    kept = [line for line in held.split("\r\n") if line]
    assert 3 <= len(kept) < len(lines) and kept == lines[: len(kept)]
    for render in (render_pdfium, render_poppler, render_mupdf):
        area = field_crop(render(typed, cachet.page), cachet, inset=1)
        x0, y0, x1, y1 = ink_box(area)
        assert y1 < area.height - 1, f"{render.__name__}: a line cut by the bottom of the box"
        assert len(text_lines(area)) == len(kept), render.__name__
