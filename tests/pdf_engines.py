"""Real PDF engines for the tests: fill a PDF as programs and people do, render it as viewers do, measure the ink.

- Fill: pypdf (a program, with or without asking viewers to redraw), PDFium's form API (typing in
  Chrome or Edge: a click in the field, then one FORM_OnChar per character), MuPDF's ``mutool run``
  (typing in SumatraPDF or MuPDF).
- Render: PDFium (pypdfium2, forms initialised), Poppler (pdftoppm), MuPDF (mutool draw), and pdf.js
  (npm ``pdfjs-dist`` in Chromium, see ``PdfJs``).
- Measure: crops of a field's rectangle, the ink in them, one crop per text line, and a reference
  rendering of the same text set as page text by WeasyPrint in the field's font and size.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import functools
import hashlib
import html
import http.server
import io
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter, ImageStat
from pypdf import PdfReader, PdfWriter

DPI = 144
MULTILINE = 1 << 12
INK = 140  # a pixel darker than this is ink
PDFJS_DIR = Path(os.environ.get("PDFJS_DIR") or Path.home() / ".cache" / "guide-cqp" / "pdfjs")
PDFJS_INSTALL = "npm install --no-save --prefix ~/.cache/guide-cqp/pdfjs pdfjs-dist@5"


@dataclass(frozen=True)
class Field:
    name: str
    page: int
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin bottom left
    kind: str  # "text", "multiline" or "checkbox"
    page_height: float


def fields_of(path: Path) -> dict[str, Field]:
    reader = PdfReader(path)
    found: dict[str, Field] = {}
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
            if widget["/FT"] == "/Btn":
                kind = "checkbox"
            else:
                kind = "multiline" if int(widget.get("/Ff", 0)) & MULTILINE else "text"
            rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
            found[str(widget["/T"])] = Field(str(widget["/T"]), index, rect, kind, float(page.mediabox.height))
    return found


# --- filling ------------------------------------------------------------------------------


def fill_with_pypdf(source: Path, target: Path, values: dict[str, str | bool], *, redraw: bool) -> None:
    """pypdf writes the values and their appearances; ``redraw`` also sets NeedAppearances (viewers redraw)."""
    writer = PdfWriter(clone_from=PdfReader(source))
    texts = {name: value for name, value in values.items() if isinstance(value, str)}
    boxes = {name: "/on" for name, value in values.items() if value is True}
    for page in writer.pages:
        if "/Annots" in page:
            writer.update_page_form_field_values(page, {**texts, **boxes}, auto_regenerate=redraw)
    writer.write(target)


def type_with_pdfium(source: Path, target: Path, values: dict[str, str | bool]) -> dict[str, str]:
    """Click each field and type its text one character at a time (a newline is the Return key), as in
    Chrome; a checkbox is clicked. Returns the value PDFium holds for each field afterwards."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(source)
    pdf.init_forms()
    env = pdf.formenv.raw
    held: dict[str, str] = {}
    for index in range(len(pdf)):
        page = pdf[index]
        for k in range(raw.FPDFPage_GetAnnotCount(page.raw)):
            annot = raw.FPDFPage_GetAnnot(page.raw, k)
            try:
                name = _pdfium_text(raw.FPDFAnnot_GetFormFieldName, env, annot)
                if name not in values:
                    continue
                rect = raw.FS_RECTF()
                raw.FPDFAnnot_GetRect(annot, rect)
                x, y = (rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2
                raw.FORM_OnMouseMove(env, page.raw, 0, x, y)
                raw.FORM_OnLButtonDown(env, page.raw, 0, x, y)
                raw.FORM_OnLButtonUp(env, page.raw, 0, x, y)
                value = values[name]
                if isinstance(value, str):
                    for char in value:
                        if char == "\n":
                            raw.FORM_OnKeyDown(env, page.raw, 0x0D, 0)
                            raw.FORM_OnChar(env, page.raw, 0x0D, 0)
                            raw.FORM_OnKeyUp(env, page.raw, 0x0D, 0)
                            continue
                        units = char.encode("utf-16-le")
                        for i in range(0, len(units), 2):
                            raw.FORM_OnChar(env, page.raw, int.from_bytes(units[i : i + 2], "little"), 0)
                raw.FORM_ForceToKillFocus(env)
                held[name] = _pdfium_text(raw.FPDFAnnot_GetFormFieldValue, env, annot)
            finally:
                raw.FPDFPage_CloseAnnot(annot)
    pdf.save(target)
    pdf.close()
    return held


def _pdfium_text(function, env, annot) -> str:  # noqa: ANN001 (ctypes handles)
    size = function(env, annot, None, 0)
    buffer = ctypes.create_string_buffer(size)
    function(env, annot, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
    return buffer.raw[: size - 2].decode("utf-16-le")


_MUPDF_FILL = r"""
var doc = new PDFDocument(scriptArgs[0]);
var fields = doc.getTrailer().get("Root").get("AcroForm").get("Fields");
var wanted = JSON.parse(scriptArgs[2]);
function nameAt(height, r) {  // MuPDF 1.21's widgets do not give their name: match the rectangle
  for (var i = 0; i < fields.length; i++) {
    var f = fields.get(i), fr = f.get("Rect");
    var x0 = Math.min(fr.get(0), fr.get(2)), top = height - Math.max(fr.get(1), fr.get(3));
    if (Math.abs(x0 - r[0]) < 0.01 && Math.abs(top - r[1]) < 0.01) return f.get("T").asString();
  }
  return null;
}
for (var p = 0; p < doc.countPages(); p++) {
  var page = doc.loadPage(p);
  var height = page.getTransform()[5];
  var widgets = page.getWidgets();
  for (var j = 0; j < widgets.length; j++) {
    var name = nameAt(height, widgets[j].getRect());
    if (name in wanted) {
      if (wanted[name] === true) widgets[j].toggle(); else widgets[j].setTextValue(wanted[name]);
      widgets[j].update();
    }
  }
  page.update();
}
doc.save(scriptArgs[1]);
"""


def type_with_mupdf(source: Path, target: Path, values: dict[str, str | bool], scratch: Path) -> None:
    """Set the values through MuPDF's own form code (what SumatraPDF does when someone types)."""
    import json

    script = scratch / "remplir.js"
    script.write_text(_MUPDF_FILL, encoding="utf-8")
    subprocess.run(
        ["mutool", "run", str(script), str(source), str(target), json.dumps(values, ensure_ascii=False)],
        check=True,
        capture_output=True,
    )


# --- rendering ----------------------------------------------------------------------------


def render_pdfium(path: Path, page: int) -> Image.Image:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    pdf.init_forms()  # without it PDFium draws no form field at all
    image = pdf[page].render(scale=DPI / 72, may_draw_forms=True).to_pil().convert("L")
    pdf.close()
    return image


def render_poppler(path: Path, page: int) -> Image.Image:
    done = subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", str(page + 1), "-l", str(page + 1), "-gray", "-png", str(path)],
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(done.stdout)).convert("L")


def render_mupdf(path: Path, page: int) -> Image.Image:
    done = subprocess.run(
        ["mutool", "draw", "-q", "-r", str(DPI), "-c", "gray", "-F", "png", "-o", "-", str(path), str(page + 1)],
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(done.stdout)).convert("L")


_PDFJS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>pdf.js</title></head>
<body><canvas id="c"></canvas><script type="module">
import * as pdfjs from "./node_modules/pdfjs-dist/build/pdf.mjs";
pdfjs.GlobalWorkerOptions.workerSrc = "./node_modules/pdfjs-dist/build/pdf.worker.mjs";
window.renderPage = async (url, pageNumber, scale) => {
  const doc = await pdfjs.getDocument({url, isEvalSupported: false,
    cMapUrl: "./node_modules/pdfjs-dist/cmaps/", cMapPacked: true,
    standardFontDataUrl: "./node_modules/pdfjs-dist/standard_fonts/"}).promise;
  const page = await doc.getPage(pageNumber);
  const viewport = page.getViewport({scale});
  const canvas = document.getElementById("c");
  canvas.width = Math.ceil(viewport.width);
  canvas.height = Math.ceil(viewport.height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  // Field appearances drawn in the canvas, as when Firefox prints: the appearance stream, or the
  // one pdf.js draws itself when the file asks viewers to redraw.
  await page.render({canvasContext: context, viewport, annotationMode: pdfjs.AnnotationMode.ENABLE_STORAGE}).promise;
  await doc.destroy();
  return canvas.toDataURL("image/png");
};
window.pdfjsReady = true;
</script></body></html>
"""


def pdfjs_available() -> bool:
    return (PDFJS_DIR / "node_modules" / "pdfjs-dist" / "build" / "pdf.mjs").is_file()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class PdfJs:
    """pdf.js (npm pdfjs-dist) in Debian's Chromium, served from 127.0.0.1; every other request fails."""

    def __init__(self, browser, folder: Path) -> None:  # noqa: ANN001 (a Playwright browser)
        self.folder = folder
        (folder / "index.html").write_text(_PDFJS_PAGE, encoding="utf-8")
        (folder / "node_modules").symlink_to(PDFJS_DIR / "node_modules", target_is_directory=True)
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.outside: list[str] = []
        self.page = browser.new_page()
        self.page.on("request", lambda r: None if r.url.startswith(self.base) else self.outside.append(r.url))
        self.page.goto(f"{self.base}/index.html")
        self.page.wait_for_function("window.pdfjsReady === true")
        self.count = 0

    def render(self, path: Path, page: int) -> Image.Image:
        self.count += 1
        name = f"{self.count}.pdf"
        shutil.copyfile(path, self.folder / name)
        data = self.page.evaluate("([u, n, s]) => window.renderPage(u, n, s)", [f"{self.base}/{name}", page + 1, DPI / 72])
        return Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("L")

    def close(self) -> None:
        self.page.close()
        self.server.shutdown()
        self.server.server_close()


# --- measuring ----------------------------------------------------------------------------


def field_crop(image: Image.Image, field: Field, inset: float = 0) -> Image.Image:
    """The field's rectangle in a page rendered at DPI, ``inset`` pixels inside."""
    k = DPI / 72
    x0, y0, x1, y1 = field.rect
    box = (
        round(x0 * k + inset),
        round((field.page_height - y1) * k + inset),
        round(x1 * k - inset),
        round((field.page_height - y0) * k - inset),
    )
    return image.crop(box)


def ink_mask(image: Image.Image) -> Image.Image:
    return image.point(lambda v: 255 if v < INK else 0)


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return ink_mask(image).getbbox()


def ink_amount(image: Image.Image) -> int:
    return ink_mask(image).histogram()[255]


def text_lines(image: Image.Image, count: int | None = None) -> list[Image.Image]:
    """The ink of each text line, top to bottom.

    Without ``count``: bands of inked rows separated by blank rows (an accent a pixel or two above its
    letter stays with it). With ``count``, for lines set so close that a descender touches the accent
    below (Poppler redraws fields with a tight leading): the block is cut in ``count`` at the least
    inked row near each expected boundary.
    """
    mask = ink_mask(image)
    width, height = mask.size
    inked = [mask.crop((0, y, width, y + 1)).histogram()[255] for y in range(height)]
    if count is None:
        bands: list[list[int]] = []
        start = None
        for y, amount in enumerate([*inked, 0]):
            if amount and start is None:
                start = y
            elif not amount and start is not None:
                if bands and start - bands[-1][1] <= 2:
                    bands[-1][1] = y
                else:
                    bands.append([start, y])
                start = None
    else:
        rows = [y for y, amount in enumerate(inked) if amount]
        top, bottom = rows[0], rows[-1] + 1
        pitch = (bottom - top) / count
        cuts = [top]
        for k in range(1, count):
            around = range(round(top + (k - 0.3) * pitch), round(top + (k + 0.3) * pitch))
            cuts.append(min(around, key=lambda y: (inked[y], abs(y - (top + k * pitch)))))
        bands = [[a, b] for a, b in zip(cuts, [*cuts[1:], bottom], strict=True)]
    lines = []
    for top, bottom in bands:
        band = image.crop((0, top, width, bottom))
        lines.append(band.crop(ink_box(band)))
    return lines


def reference_line(render, text: str, size: float, scratch: Path) -> Image.Image:  # noqa: ANN001
    """``text`` set as page text by WeasyPrint in DejaVu Sans at ``size`` pt, rendered by the same engine."""
    import weasyprint

    page = (
        '<!DOCTYPE html><html lang="fr"><body style="margin:0">'
        f'<p style="margin:20pt;font:{size}pt \'DejaVu Sans\';white-space:pre">{html.escape(text)}</p></body></html>'
    )
    path = scratch / f"reference-{hashlib.sha256(f'{size}:{text}'.encode()).hexdigest()[:16]}.pdf"
    if not path.exists():
        weasyprint.HTML(string=page).write_pdf(path)
    image = render(path, 0)
    return image.crop(ink_box(image))


@dataclass
class Likeness:
    width: int
    reference_width: int
    height: int
    reference_height: int
    # Mean absolute grey difference (0–255) of the two inks laid top-left on one another, both blurred
    # by 2 px so that glyphs placed half a pixel apart do not count. Measured at 144 dpi on 9 pt lines:
    # at most 7 for the same text in the same font, at least 22 when PDFium substitutes fonts.
    difference: float

    def same_text(self) -> bool:
        """Same font, same size, same glyphs: the widths agree within 2 %, heights within 3 px, shapes overlap."""
        return (
            abs(self.width - self.reference_width) <= max(3, 0.02 * self.reference_width)
            and abs(self.height - self.reference_height) <= 3
            and self.difference < 12
        )


def likeness(line: Image.Image, reference: Image.Image) -> Likeness:
    width, height = max(line.width, reference.width), max(line.height, reference.height)
    laid = []
    for image in (line, reference):
        canvas = Image.new("L", (width, height), 255)
        canvas.paste(image, (0, 0))
        laid.append(canvas.filter(ImageFilter.GaussianBlur(2)))
    difference = ImageStat.Stat(ImageChops.difference(*laid)).mean[0]
    return Likeness(line.width, reference.width, line.height, reference.height, difference)


def outside_fields_equal(filled: Image.Image, blank: Image.Image, fields: list[Field]) -> bool:
    """The two renders are the same page outside the fields' rectangles (a 2 px margin around each)."""
    k = DPI / 72
    masked = []
    for image in (filled, blank):
        copy = image.copy()
        for field in fields:
            x0, y0, x1, y1 = field.rect
            copy.paste(255, (int(x0 * k) - 2, int((field.page_height - y1) * k) - 2,
                             int(x1 * k) + 3, int((field.page_height - y0) * k) + 3))
        masked.append(copy)
    return ImageChops.difference(*masked).getbbox() is None


@contextlib.contextmanager
def chromium_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright
    from support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
