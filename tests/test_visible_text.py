"""Text that cannot be seen is refused; characters the PDF cannot draw are reported (issue 11, part 5).

Refused anywhere, by name (U+XXXX) and field: control characters, direction controls (they can
reverse what a reader sees), line and paragraph separators, lone surrogates, noncharacters,
private-use characters, tags outside a flag. Refused as the whole of a text: what shows nothing
(zero-width spaces, Hangul fillers, soft hyphens, variation selectors…). Kept: no-break spaces,
joiners inside emoji or scripts that need them, accents, flags.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import MINIMAL_REFERENTIEL, ROOT, run_build

from guide_cqp import fonts
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.validate import check_referentiel, parse_referentiel

BASE = MINIMAL_REFERENTIEL
TITLE_LINE = 1 + BASE.splitlines().index("    intitule: Accueillir")  # the first competence's title


def with_title(title: str) -> str:
    """The competence's title, written as a JSON string (JSON escapes are YAML escapes)."""
    return BASE.replace("    intitule: Accueillir\n", f"    intitule: {json.dumps(title, ensure_ascii=False)}\n")


def refusal(text: str) -> str:
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(text, "texte.yaml")
    (probleme,) = caught.value.problemes
    return str(probleme)


REFUSED_ANYWHERE = {
    "U+202E": "abc\u202egnp.exe",
    "U+202A": "Vente\u202a à distance",
    "U+2066": "Vente \u2066à\u2069 distance",
    "U+200F": "Vente\u200f",
    "U+061C": "Vente\u061c",
    "U+2028": "Vente\u2028à distance",
    "U+2029": "Vente\u2029à distance",
    "U+0085": "Vente\x85à distance",
    "U+0007": "Vente\x07",
    "U+FDD0": "Vente\ufdd0",
    "U+FFFE": "Vente\ufffe",
    "U+10FFFF": "Vente\U0010ffff",
    "U+E000": "\ue000 Vente",
    "U+F0B7": "\uf0b7 Vente (puce de Word)",
    "U+F0000": "Vente \U000f0000",
    "U+E0041": "Vente \U000e0041",
    "U+E0001": "\U000e0001Vente",
}


@pytest.mark.parametrize("code", REFUSED_ANYWHERE)
def test_characters_that_deceive_or_break_are_refused_by_name_and_field(code: str) -> None:
    text = with_title(REFUSED_ANYWHERE[code])
    message = refusal(text)
    assert message.startswith(f"texte.yaml, ligne {TITLE_LINE},"), message
    assert "(competences[0].intitule)" in message and f"U+{code[2:]}" in message


def test_a_line_separator_typed_as_is_keeps_the_line_numbers_of_the_editor() -> None:
    """YAML reads a raw U+2028 as a line break; editors do not. The line is the editor's."""
    text = BASE.replace("    intitule: Accueillir\n", "    intitule: Accueil\u2028lir\n")
    message = refusal(text)
    assert message.startswith(f"texte.yaml, ligne {TITLE_LINE},") and "U+2028" in message and "après «\u00a0Accueil\u00a0»" in message


def test_a_lone_surrogate_escape_is_explained() -> None:
    text = BASE.replace("    intitule: Accueillir\n", '    intitule: "Accueil \\ud800"\n')
    message = refusal(text)
    assert f"ligne {TITLE_LINE}," in message and "\\u" in message and "substitution" in message


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u2060\u200b", "\ufeff", "\u3164", "\u115f", "\u1160", "\uffa0", "\u00ad", "\ufe0f", "\u200d", "\u2800", "\u200b \u200b", "\U000e0100"],
)
def test_a_text_made_only_of_invisible_characters_is_refused(invisible: str) -> None:
    message = refusal(with_title(invisible))
    assert "(competences[0].intitule)" in message and "texte invisible" in message
    for ch in invisible.replace(" ", ""):
        assert f"U+{ord(ch):04X}" in message


@pytest.mark.parametrize("field", ["numero du module", "code de version"])
def test_numbers_accept_no_invisible_character(field: str) -> None:
    if field == "numero du module":
        text = BASE.replace('numero: "1.1"', 'numero: "1\u200b.1"')
        place = "(competences[0].modules[0].numero)"
    else:
        text = BASE.replace('numero: "2024-01"', 'numero: "2024\u00ad01"')
        place = "version.numero"
    message = refusal(text)
    assert place in message and "U+" in message and "numéro" in message


@pytest.mark.parametrize(
    "title",
    [
        "Vente\u00a0: accueil",
        "Vente\u202f; accueil",
        "Cuisinière 👩\u200d🍳 et pâtissier 🧑🏽\u200d🍳",
        "Hygiène ❤\ufe0f",
        "Drapeau 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "Vente\u00adà\u00addistance",
        "Accueil e\u0301 (accent combiné)",
        "Persan می\u200cخواهم",
        "Vente 漢字",
    ],
)
def test_legitimate_text_is_kept(title: str) -> None:
    ref = parse_referentiel(with_title(title), "texte.yaml")
    assert ref.competences[0].intitule == unicodedata.normalize("NFC", title)


_allowed = st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp"))
_refused = st.one_of(
    st.characters(categories=("Co", "Zl", "Zp")),
    st.sampled_from([chr(c) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C, 0xFDD0, 0xFFFE, 0xFFFF)]),
)


@settings(max_examples=150, deadline=None)
@given(st.text(_allowed, min_size=1, max_size=20).filter(lambda s: s.strip()), _refused, st.data())
def test_a_refused_character_anywhere_in_a_text_is_named(text: str, bad: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(text)))
    message = refusal(with_title(text[:at] + bad + text[at:]))
    assert "(competences[0].intitule)" in message and f"U+{ord(bad):04X}" in message


# --- characters the livret PDF cannot draw ------------------------------------------------------------


def test_the_fonts_checked_are_the_ones_the_pdf_uses() -> None:
    families = fonts.livret_families()
    assert families.startswith('"DejaVu Sans"')
    files = [Path(path).name for path, _ in fonts.font_files(families)]
    if not files:
        pytest.skip("fontconfig absent")
    assert files[0].startswith("DejaVuSans")


@pytest.fixture
def exotic(tmp_path: Path) -> Path:
    path = tmp_path / "referentiel.yaml"
    text = with_title("Accueil 漢字 ✅").replace("savoir_faire: [Accueillir]", 'savoir_faire: ["Accueillir ₿", "Accueillir le client"]')
    path.write_text(text, encoding="utf-8")
    return path


def test_characters_no_pdf_font_holds_are_warned_about_by_field(exotic: Path) -> None:
    if not fonts.font_files(fonts.livret_families()):
        pytest.skip("fontconfig absent")
    ref, warnings = check_referentiel(exotic)
    assert ref.competences[0].intitule == "Accueil 漢字 ✅"
    shown = {w.chemin: w.message for w in warnings}
    assert set(shown) == {("competences", 0, "intitule"), ("competences", 0, "savoir_faire", 0)}
    for code in ("U+6F22", "U+5B57", "U+2705"):
        assert code in shown[("competences", 0, "intitule")]
    assert "U+20BF" in shown[("competences", 0, "savoir_faire", 0)] and "case vide" in shown[("competences", 0, "savoir_faire", 0)]
    assert [w.ligne for w in warnings] == [TITLE_LINE, TITLE_LINE + 1] and all("livret PDF" in w.message for w in warnings)


def test_french_text_gives_no_warning() -> None:
    ref, warnings = check_referentiel(ROOT / "referentiel.yaml")
    assert warnings == [] and ref.competences


def test_cqp_valider_prints_the_warnings_and_succeeds(exotic: Path) -> None:
    if not fonts.font_files(fonts.livret_families()):
        pytest.skip("fontconfig absent")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.exit(main())", "valider", str(exotic)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "référentiel valide" in done.stdout
    assert "Avertissements" in done.stderr and "U+6F22" in done.stderr and "U+20BF" in done.stderr


def test_a_strict_build_logs_the_warnings_and_publishes(exotic: Path, tmp_path: Path) -> None:
    """A warning of MkDocs would stop a strict build: these are logged as information, and the PDF is built."""
    if not fonts.font_files(fonts.livret_families()):
        pytest.skip("fontconfig absent")
    build = run_build(exotic, tmp_path / "site", pdf=True)
    assert build.returncode == 0, build.output
    lines = [line for line in build.output.splitlines() if "U+6F22" in line]
    assert lines and all(line.startswith("INFO") and "Avertissement" in line for line in lines)
    assert list((tmp_path / "site").rglob("livret-*.pdf"))
