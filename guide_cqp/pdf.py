"""The fillable livret PDF, made by WeasyPrint from the same template as the livret page.

The PDF is the blank paper livret: printed without being filled, it shows the
same boxes as the web page printed from a browser. Opened in a PDF reader, its
boxes are form fields. Their names are stable (people keep filled copies, tools
may read them back); ``<n>`` is the competence's number as its address writes it
(guide_cqp.addresses.slug: « 3 » → ``3``, « C1 » → ``c1``, « A1.2 » → ``a1-2``),
``<i>``/``<j>`` count from 1 in the référentiel's order:

=============================  ====================  ==========================================
name                           kind                  where
=============================  ====================  ==========================================
``couverture_<i>``             text (one line)       cover field i of ``livret.champs_couverture``;
                               text (multi-line)     … a field naming « cachet » or « signature »
``c<n>_module_<j>``            checkbox              synthesis sheet: module j of competence n
``c<n>_formation``             checkbox              synthesis sheet: training to follow, for a
                                                     competence without modules (format 2)
``c<n>_organisme``             text (multi-line)     synthesis sheet: training organisation
``c<n>_dates``                 text (multi-line)     synthesis sheet: planned dates
``c<n>_heures``                text (multi-line)     synthesis sheet: planned hours
``c<n>_points_cles``           text (multi-line)     sheet n: key points of the training
``c<n>_activites``             text (multi-line)     sheet n: activities done in the company
``c<n>_formateur``             text (multi-line)     sheet n: trainer's comments
``c<n>_tuteur_positifs``       text (multi-line)     sheet n: tutor's comments, positive points
``c<n>_tuteur_approfondir``    text (multi-line)     sheet n: tutor's comments, to be deepened
=============================  ====================  ==========================================

Field numbers follow the référentiel (competence numbers, module order), so a
field keeps its name when another competence is added. Format 1's names are
unchanged by format 2 (the slug of an integer is the integer), and `cqp migrer`
keeps every name: a livret filled before the migration reads the same after.
Blocs add no field: they only group the rows and sheets.

Same référentiel, same bytes: the creation and modification dates come from
the référentiel's version date, the file identifier from its code and version,
and nothing else in WeasyPrint's output depends on the clock or the machine
(pdf_forms rewrites it deterministically).

Tooltips (``/TU``) name each field and, on the competences' pages, its competence;
the PDF is tagged, every field sitting in the structure tree in reading order.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
from pathlib import Path
from types import ModuleType

from .model import Referentiel
from .pdf_forms import finish_form
from .pdf_sources import asset_fetcher, neutralise_references
from .render import Views

ASSETS = Path(__file__).parent / "assets"
STYLESHEETS = ("cqp.css", "livret-pdf.css")

# The system libraries WeasyPrint loads, with the names it tries (weasyprint/text/ffi.py) and
# the Debian/Ubuntu package that provides each one.
_LIBRARIES: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (name, package, tuple(candidates.split()))
    for name, package, candidates in (
        (
            "GObject",
            "libglib2.0-0",
            "libgobject-2.0-0 gobject-2.0-0 gobject-2.0 libgobject-2.0.so.0 "
            "libgobject-2.0.0.dylib libgobject-2.0-0.dll",
        ),
        (
            "Pango",
            "libpango-1.0-0",
            "libpango-1.0-0 pango-1.0-0 pango-1.0 libpango-1.0.so.0 libpango-1.0.dylib libpango-1.0-0.dll",
        ),
        (
            "HarfBuzz",
            "libharfbuzz0b",
            "libharfbuzz-0 harfbuzz harfbuzz-0.0 libharfbuzz.so.0 libharfbuzz.0.dylib libharfbuzz-0.dll",
        ),
        (
            "Fontconfig",
            "libfontconfig1",
            "libfontconfig-1 fontconfig-1 fontconfig libfontconfig.so.1 libfontconfig.1.dylib libfontconfig-1.dll",
        ),
        (
            "PangoFT2",
            "libpangoft2-1.0-0",
            "libpangoft2-1.0-0 pangoft2-1.0-0 pangoft2-1.0 libpangoft2-1.0.so.0 "
            "libpangoft2-1.0.dylib libpangoft2-1.0-0.dll",
        ),
    )
)


class PdfIndisponible(RuntimeError):
    """WeasyPrint cannot run here (usually Pango is missing); the message says what to install."""


def build_pdf(referentiel: Referentiel, views: Views | None = None) -> bytes:
    """The livret as a fillable, tagged A4 PDF (bytes), identical for an identical référentiel.

    Nothing is fetched: images and links to files in référentiel text are neutralised and the URL
    fetcher serves only the package's assets (pdf_sources). The form fields get their appearances
    and their font after WeasyPrint (pdf_forms). The PDF is tagged (structure tree, reading order,
    fields with their tooltips): PDF/UA conformance is not claimed, no validator runs here.
    ``views`` are the site's (its own templates, when it overrides some).
    """
    weasyprint = _import_weasyprint()
    css = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    html = weasyprint.HTML(
        string=(views or Views()).livret_document(referentiel, css),
        base_url=str(ASSETS),
        url_fetcher=asset_fetcher(weasyprint, ASSETS),
    )
    neutralise_references(html.etree_element)
    pdf = html.render().write_pdf(pdf_forms=True, pdf_tags=True, pdf_identifier=_identifier(referentiel))
    return finish_form(pdf)


def _identifier(referentiel: Referentiel) -> bytes:
    """A fixed file identifier: WeasyPrint's default (True) would hash the content, also stable, but
    naming the CQP and version makes two editions of the livret tell themselves apart."""
    return f"guide-cqp:{referentiel.cqp.code}:{referentiel.version.numero}".encode()


def _import_weasyprint() -> ModuleType:
    """Import WeasyPrint, or say in French which system library is missing.

    WeasyPrint loads Pango and its companions when imported; when one is missing it
    prints an English banner and raises OSError. The banner is swallowed, and the
    libraries are probed with the same names to tell the user which one to install.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except ImportError:
        raise PdfIndisponible(
            "Livret PDF impossible à créer\u00a0: le module Python WeasyPrint n'est pas installé "
            "(pip install weasyprint). Pour construire le site sans le PDF\u00a0: CQP_PDF=0."
        ) from None
    except OSError as exc:
        missing = missing_libraries()
        if len(missing) == 1:
            what = f"bibliothèque système introuvable\u00a0: {missing[0][0]} ({missing[0][1]}). Installez-la"
        elif missing:
            names = ", ".join(f"{name} ({package})" for name, package in missing)
            what = f"bibliothèques système introuvables\u00a0: {names}. Installez-les"
        else:
            what = f"une bibliothèque système ne se charge pas ({exc}). Installez Pango et ses dépendances"
            missing = [(name, package) for name, package, _ in _LIBRARIES]
        packages = " ".join(package for _, package in missing)
        raise PdfIndisponible(
            f"Livret PDF impossible à créer, WeasyPrint ne peut pas démarrer\u00a0: {what} "
            f"(Debian/Ubuntu\u00a0: sudo apt-get install {packages}\u00a0; macOS\u00a0: brew install pango\u00a0; "
            "Windows\u00a0: voir https://doc.courtbouillon.org/weasyprint/stable/first_steps.html), "
            "ou construisez le site sans le PDF avec CQP_PDF=0."
        ) from None
    return weasyprint


def missing_libraries() -> list[tuple[str, str]]:
    """(library, Debian package) for each library WeasyPrint needs that cannot be loaded."""
    return [(name, package) for name, package, candidates in _LIBRARIES if not _loadable(candidates)]


def _loadable(candidates: tuple[str, ...]) -> bool:
    """Like cffi's dlopen, which WeasyPrint uses: the name itself, then what find_library finds."""
    for candidate in candidates:
        for path in (candidate, ctypes.util.find_library(candidate)):
            if not path:
                continue
            try:
                ctypes.CDLL(path)
            except OSError:
                continue
            return True
    return False
