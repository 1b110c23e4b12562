"""Form fields that every PDF viewer draws the same way: appearance streams and the field font.

WeasyPrint writes text fields without appearance streams and asks viewers to draw them
(``/NeedAppearances``): MuPDF (SumatraPDF) and Poppler then draw fields in their own way or not
at all, and a checkbox has no « off » appearance. This module rewrites the fields of the PDF
that WeasyPrint made, after it, with pikepdf:

- every text field gets a normal appearance (``/AP /N``) for its current, blank value, every
  checkbox an ``/Off`` appearance next to WeasyPrint's « on » one, and ``/NeedAppearances`` goes:
  a viewer shows the file as it is and draws a field anew only when someone fills it;
- the field font (DejaVu Sans, embedded in full by WeasyPrint for its form fields) is listed in
  the form's resources under the name ``/Wingdings``, and every text field's default appearance
  (``/DA``) names it. PDFium (Chrome, Edge) picks a font per character by guessing a character set
  from its code point: it sends ’ ‘ – “ ” … and the narrow no-break space (U+2000–206F) to a
  substitute CJK font and œ to a fallback font, whatever the field font's encoding. It keeps the
  field font for every character only when it takes it for a symbol font, which it does for an
  embedded font whose resource name is Wingdings. The name is only a key in the PDF's resource
  dictionary: the font stays DejaVu Sans (its /BaseFont), and Poppler, MuPDF and pdf.js draw with
  it. tests/test_pdf_viewers.py checks the glyphs in each engine;
- text fields keep the size that livret-pdf.css gives them (that of the page's text: a fixed
  size draws the same in every viewer, where « auto » sizes differ from one to the next), and
  get the « do not scroll » flag: a viewer that honours it (Acrobat, PDFium) stops the typing when
  the box is full, instead of hiding the overflow, which would not print.

Why pikepdf rather than pypdf or PyPDFForm: pikepdf (qpdf) rewrites the file keeping WeasyPrint's
compressed object streams, PDF version and file identifier, writes the same bytes for the same
input, and its output passes ``qpdf --check`` by construction. pypdf rewrote the same file 20 %
larger (no object streams) with a PDF-1.3 header; PyPDFForm fills and flattens forms but does
not edit a form's resources. pypdf stays the test suite's independent reader and form filler.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# The resource name under which PDFium keeps the embedded field font for every character.
FIELD_FONT = Name("/Wingdings")
# The standard font that viewers draw a ticked box with when they redraw it (✔ is « 4 » in it).
TICK_FONT = Name("/ZaDb")
DO_NOT_SCROLL = 1 << 23
_TF = re.compile(r"/(?P<font>[^\s/\[\]()<>{}%]+)\s+(?P<size>[\d.]+)\s+Tf")
_COLOR = re.compile(r"(?:^|\s)((?:[\d.]+\s+){1,4}(?:g|rg|k))(?=\s|$)")


class FormulaireInattendu(RuntimeError):
    """WeasyPrint's form is not what this module rewrites (a WeasyPrint upgrade changed it)."""


def finish_form(pdf_bytes: bytes) -> bytes:
    """The PDF with every field drawn by itself and the field font named for PDFium; same input, same bytes."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        form = pdf.Root.get("/AcroForm")
        if form is None:
            return pdf_bytes
        fields = [field for field in form.Fields]
        text_fields = [field for field in fields if field.get("/FT") == Name.Tx]
        fonts = pdf.make_indirect(Dictionary())
        if text_fields:
            # Every field is styled alike by livret-pdf.css: the first one's font is the field font.
            sizes = [_font_and_size(form, field) for field in text_fields]
            fonts[str(FIELD_FONT)] = sizes[0][0]
            for field, (_, size) in zip(text_fields, sizes, strict=True):
                _finish_text_field(pdf, field, size, fonts)
        checkboxes = [field for field in fields if field.get("/FT") == Name.Btn]
        if checkboxes:
            fonts[str(TICK_FONT)] = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.ZapfDingbats)
            for field in checkboxes:
                _finish_checkbox(pdf, field)
        form.DR = Dictionary(Font=fonts)
        if "/NeedAppearances" in form:
            del form["/NeedAppearances"]
        out = io.BytesIO()
        pdf.save(
            out,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
    return out.getvalue()


def _font_and_size(form: Dictionary, field: Dictionary) -> tuple[pikepdf.Object, float]:
    """The font object and size named by a field's default appearance, looked up in WeasyPrint's /DR."""
    match = _TF.search(str(field.get("/DA", "")))
    fonts = form.get("/DR", Dictionary()).get("/Font", Dictionary())
    if not match or Name("/" + match["font"]) not in fonts:
        raise FormulaireInattendu(f"champ {field.get('/T')}\u00a0: police de saisie introuvable ({field.get('/DA')})")
    return fonts[Name("/" + match["font"])], float(match["size"])


def _finish_text_field(pdf: pikepdf.Pdf, field: Dictionary, size: float, fonts: Dictionary) -> None:
    color = _COLOR.search(str(field.DA))
    field.DA = String(f"{FIELD_FONT} {size:g} Tf {color[1] if color else '0 g'}")
    field.Ff = int(field.get("/Ff", 0)) | DO_NOT_SCROLL
    # The blank value's appearance: an empty « variable text » block, as the PDF specification
    # writes it. The box itself (border, background) is drawn in the page by WeasyPrint.
    field.AP = Dictionary(N=_form_xobject(pdf, field, b"/Tx BMC\nEMC\n", Dictionary(Font=fonts)))


def _finish_checkbox(pdf: pikepdf.Pdf, field: Dictionary) -> None:
    """Add the unticked appearance (an empty drawing: the box is drawn in the page), and what a viewer
    needs to draw the tick itself when a program asks it to redraw (Poppler draws nothing without)."""
    normal = field.get("/AP", Dictionary()).get("/N")
    if not isinstance(normal, Dictionary) or len(normal.keys()) != 1:
        raise FormulaireInattendu(f"case {field.get('/T')}\u00a0: apparence « cochée » attendue seule")
    normal.Off = _form_xobject(pdf, field, b"q\nQ\n", Dictionary())  # not empty: an empty Flate stream is invalid
    field.MK = field.get("/MK", Dictionary())
    field.MK.CA = String("4")
    field.DA = String(f"{TICK_FONT} 0 Tf 0 g")


def _form_xobject(pdf: pikepdf.Pdf, field: Dictionary, content: bytes, resources: Dictionary) -> pikepdf.Stream:
    x1, y1, x2, y2 = (float(value) for value in field.Rect)
    box = Array([0, 0, round(abs(x2 - x1), 4), round(abs(y2 - y1), 4)])
    return pdf.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=box, Resources=resources)
