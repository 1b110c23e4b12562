"""The fillable livret PDF, made by WeasyPrint from the same template as the livret page."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

from .model import Referentiel
from .render import render_livret_document

ASSETS = Path(__file__).parent / "assets"


class PdfIndisponible(RuntimeError):
    """WeasyPrint cannot run here (usually Pango is missing); the message says what to install."""


def build_pdf(referentiel: Referentiel) -> bytes:
    """Same référentiel, same bytes: every date in the PDF comes from the référentiel."""
    weasyprint = _import_weasyprint()
    css = (ASSETS / "cqp.css").read_text(encoding="utf-8") + (ASSETS / "livret-pdf.css").read_text(encoding="utf-8")
    html = render_livret_document(referentiel, css)
    document = weasyprint.HTML(string=html, base_url=str(ASSETS)).render()
    return document.write_pdf(pdf_forms=True, uncompressed_pdf=False, pdf_identifier=_identifier(referentiel))


def _identifier(referentiel: Referentiel) -> bytes:
    return f"{referentiel.cqp.code}-{referentiel.version.numero}".encode()


def _import_weasyprint():  # noqa: ANN202 (the module itself)
    for library in ("pango-1.0", "pangoft2-1.0"):
        if ctypes.util.find_library(library) is None:
            raise PdfIndisponible(
                f"la bibliothèque {library} est absente\u00a0: le livret PDF ne peut pas être créé. "
                "Installez Pango (Debian/Ubuntu\u00a0: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0), "
                "ou construisez sans PDF avec CQP_PDF=0."
            )
    try:
        import weasyprint
    except OSError as exc:  # a library WeasyPrint needs could not be loaded
        raise PdfIndisponible(
            f"WeasyPrint ne peut pas démarrer ({exc})\u00a0: installez Pango "
            "(libpango-1.0-0, libpangoft2-1.0-0), ou construisez sans PDF avec CQP_PDF=0."
        ) from None
    return weasyprint
