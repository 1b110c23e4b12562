"""Which characters the livret PDF can draw, read from the fonts WeasyPrint will actually use.

WeasyPrint asks Pango, which asks fontconfig for the fonts of the livret's ``font-family``
(livret-pdf.css: DejaVu Sans first) and falls back, character by character, on every other font
fontconfig sorts after them. A character that none of them holds is drawn as an empty box. The
web pages show it all the same (the reader's browser has its own fonts): so it is a warning, not
an error.

The fonts are those of the machine that builds (fontconfig's sorted list, as Pango gets it); their
character maps are read from the files with fontTools. Without fontconfig (no PDF can be built
there either), nothing is known and nothing is said.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import unicodedata
from functools import cache
from pathlib import Path

from .texts import is_invisible

STYLESHEET = Path(__file__).parent / "assets" / "livret-pdf.css"
_FAMILY = re.compile(r"(?:^|\})\s*html\s*\{[^}]*?font-family\s*:\s*([^;}]+)", re.MULTILINE)
# What DejaVu Sans, the livret's first font, holds for sure: French text never needs the fonts read.
_USUAL = re.compile(r"[^\x00-\u024f\u2000-\u206f\u20ac\u2122]")
_FC_MATCH = 0  # FcResultMatch
_FC_MATCH_PATTERN = 0  # FcMatchPattern


def livret_families() -> str:
    """The font-family of the livret's text, as livret-pdf.css gives it to WeasyPrint."""
    found = _FAMILY.search(STYLESHEET.read_text(encoding="utf-8"))
    return found.group(1).strip() if found else "sans-serif"


def undrawable(text: str) -> list[str]:
    """The characters of a text that no font of the PDF can draw, once each, in order."""
    if not _USUAL.search(text):
        return []
    drawable = _drawable()
    if drawable is None:
        return []
    missing = []
    for ch in dict.fromkeys(text):
        code = ord(ch)
        if code in drawable or is_invisible(code) or unicodedata.category(ch).startswith(("C", "Z", "M")):
            continue
        missing.append(ch)
    return missing


@cache
def _drawable() -> frozenset[int] | None:
    """Every character some font of the PDF holds (None: the fonts cannot be known here)."""
    files = font_files(livret_families())
    if not files:
        return None
    from fontTools.ttLib import TTFont, TTLibError

    codes: set[int] = set()
    for path, index in files:
        try:
            with TTFont(path, fontNumber=index, lazy=True) as font:
                codes.update(font.getBestCmap() or {})
        except (OSError, TTLibError, KeyError, ValueError):
            continue  # a font fontTools cannot read (bitmap, Type 1): Pango may still use it, we cannot tell
    return frozenset(codes)


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


def font_files(families: str) -> list[tuple[str, int]]:
    """(file, index in the file) of the fonts fontconfig sorts for ``families``: what Pango falls back on."""
    library = _fontconfig()
    if library is None:
        return []
    config = library.FcInitLoadConfigAndFonts()
    pattern = library.FcNameParse(families.replace('"', "").replace("'", "").encode())
    if not config or not pattern:
        return []
    files: list[tuple[str, int]] = []
    try:
        library.FcConfigSubstitute(config, pattern, _FC_MATCH_PATTERN)
        library.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        fonts = library.FcFontSort(config, pattern, 1, None, ctypes.byref(result))
        if not fonts:
            return []
        try:
            for i in range(fonts.contents.nfont):
                font = fonts.contents.fonts[i]
                name = ctypes.c_char_p()
                index = ctypes.c_int(0)
                if library.FcPatternGetString(font, b"file", 0, ctypes.byref(name)) != _FC_MATCH or not name.value:
                    continue
                library.FcPatternGetInteger(font, b"index", 0, ctypes.byref(index))
                files.append((name.value.decode(errors="replace"), index.value))
        finally:
            library.FcFontSetDestroy(fonts)
    finally:
        library.FcPatternDestroy(pattern)
        library.FcConfigDestroy(config)
    return list(dict.fromkeys(files))


@cache
def _fontconfig() -> ctypes.CDLL | None:
    for name in (ctypes.util.find_library("fontconfig"), "libfontconfig.so.1", "libfontconfig.1.dylib"):
        if not name:
            continue
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
        library.FcNameParse.restype = ctypes.c_void_p
        library.FcNameParse.argtypes = [ctypes.c_char_p]
        library.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        library.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
        library.FcFontSort.restype = ctypes.POINTER(_FontSet)
        library.FcFontSort.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
        ]
        library.FcPatternGetString.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_char_p),
        ]
        library.FcPatternGetInteger.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
        ]
        library.FcFontSetDestroy.argtypes = [ctypes.POINTER(_FontSet)]
        library.FcPatternDestroy.argtypes = [ctypes.c_void_p]
        library.FcConfigDestroy.argtypes = [ctypes.c_void_p]
        return library
    return None
