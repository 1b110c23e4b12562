"""Characters a text of the référentiel may hold: what a reader cannot see, or that misleads, is refused.

Staff paste text from word processors, web pages and e-mails; along with it come characters that
show nothing (« ​ » U+200B), that reverse what follows (U+202E: `abc\u202egnp.exe` shows as
`abcexe.png`), that editors and YAML read as line breaks (U+2028), or that mean something only on
the machine that made them (private use: Word's Symbol bullets become U+F0B7). Each refusal names the
character by its code, says what it is in French and shows the words just before it.

Harmless invisible formatting inside visible text stays (the joiners of emoji sequences and of
Indic or Persian scripts, the soft hyphen, the word joiner): a text made only of such characters is
refused as empty. Numbers and codes, which name pages and anchors, accept no invisible character.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic_core import PydanticCustomError

# Everything outside this class is looked at one character at a time (French text rarely leaves it).
_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\xac\xae-\u02ff]")
_BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_TAGS = range(0xE0020, 0xE0080)  # after U+1F3F4 they spell a flag (🏴 + « gbeng » = England)
_BLACK_FLAG = 0x1F3F4
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) that are not of category Cf: the Hangul
# fillers that render as blank letters, variation selectors, and reserved ranges; plus the braille blank.
_BLANK_LETTERS = frozenset([0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2065, 0x2800, 0x3164, 0xFFA0])
_BLANK_RANGES = ((0x180B, 0x180F), (0xFE00, 0xFE0F), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF))
_CONTEXT = 24  # characters shown before a refused one, to find it in the file


def describe(code: int) -> str | None:
    """Why a character is refused anywhere in a text, or None when it may stay."""
    category = unicodedata.category(chr(code))
    if category == "Cc":
        return "caractère de contrôle invisible"
    if category in ("Zl", "Zp"):
        return "séparateur de ligne ou de paragraphe Unicode, que les éditeurs ne montrent pas"
    if category == "Cs":
        return "moitié de paire de substitution (surrogate), qui n'est pas un caractère"
    if category == "Co":
        return (
            "caractère à usage privé, souvent une puce ou un symbole copié depuis Word, qui ne s'affiche "
            "qu'avec la police qui l'a produit"
        )
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return "non-caractère Unicode"
    if code in _BIDI_CONTROLS:
        return "commande invisible de sens d'écriture, qui peut inverser l'affichage du texte"
    if 0xFFF9 <= code <= 0xFFFB:
        return "marque d'annotation invisible"
    return None


def is_invisible(code: int) -> bool:
    """Characters that draw nothing: formatting characters, fillers, variation selectors, spaces."""
    if chr(code).isspace() or code in _BLANK_LETTERS or unicodedata.category(chr(code)) == "Cf":
        return True
    return any(low <= code <= high for low, high in _BLANK_RANGES)


def _refuse(value: str, index: int, why: str) -> PydanticCustomError:
    before = " ".join(value[max(0, index - _CONTEXT) : index].split())
    where = f" après « {'…' if index > _CONTEXT else ''}{before} »" if before else " au début du texte"
    return PydanticCustomError(
        "caractere_interdit",
        "caractère interdit U+{code}{where}\u00a0: {why}\u00a0; supprimez-le",
        {"code": f"{ord(value[index]):04X}", "why": why, "where": where},
    )


def check_characters(value: str) -> str:
    """Refuse control, direction, separator, private-use and non-characters, wherever they are."""
    for match in _SUSPECT.finditer(value):
        index = match.start()
        code = ord(value[index])
        if code in (0x09, 0x0A, 0x0D):
            continue
        why = describe(code)
        if why is None and (code in _TAGS or code == 0xE0001) and not _in_flag(value, index):
            why = "étiquette Unicode invisible, hors d'un drapeau"
        if why is not None:
            raise _refuse(value, index, why)
    return value


def _in_flag(value: str, index: int) -> bool:
    """Tag characters are visible only after 🏴 (U+1F3F4), up to the cancel tag U+E007F."""
    start = index
    while start > 0 and ord(value[start - 1]) in _TAGS:
        start -= 1
    return start > 0 and ord(value[start - 1]) == _BLACK_FLAG and ord(value[index]) in _TAGS


def check_visible(value: str) -> str:
    """Refuse a text in which nothing would show (zero-width spaces, Hangul fillers, soft hyphens…)."""
    if value and all(is_invisible(ord(ch)) for ch in value):
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(value) if not ch.isspace())
        raise PydanticCustomError(
            "texte_invisible",
            "texte invisible\u00a0: il ne contient que des espaces ou des caractères qui ne s'affichent pas "
            "({codes})\u00a0; écrivez le texte ou supprimez la clé",
            {"codes": codes or "espaces"},
        )
    return value


def check_no_invisible(value: str) -> str:
    """Numbers and codes name pages and anchors: « 1\u200b.1 » must not pass for « 1.1 »."""
    for index, ch in enumerate(value):
        if not ch.isspace() and is_invisible(ord(ch)):
            raise _refuse(value, index, "caractère invisible, interdit dans un numéro ou un code")
    return value
