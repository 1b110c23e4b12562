"""A hostile référentiel is shown as text: no HTML, no template, no Markdown trick gets through.

The référentiel may come from outside in a pull request. Every text field of
every model is filled, by walking the pydantic models (a field added later is
covered without touching this file), with HTML, Jinja and Markdown. The built
site and the PDF must show those texts literally: no <script> element, no
event handler, no javascript: link, and no « 42 » from {{ 6*7 }}.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from pydantic import BaseModel
from pypdf import PdfReader
from support import Build, build_in_process

from guide_cqp import model
from guide_cqp.errors import FieldPath, ReferentielInvalide, format_path
from guide_cqp.model import Competence, Competence2, Referentiel1, Referentiel2
from guide_cqp.render import is_safe_url, markdown_filter
from guide_cqp.validate import load_referentiel, parse_referentiel

CODE = "hostile"
HOSTILE = (
    "</title></textarea><script>alert(1)</script> <img src=x onerror=alert(1)> {{ 6*7 }} {% if true %}X{% endif %} "
    "*x* a | b [lien](javascript:alert(1))"
)
# In a Markdown field the link must pass validation (https:// only): the hostile part is in its target.
HOSTILE_MARKDOWN = HOSTILE.replace("(javascript:alert(1))", '(https://exemple.fr/x"onmouseover="alert(1)<script>)')
# A Markdown field is Markdown: emphasis and link text stay, the markup and the link target go.
HOSTILE_AS_MARKDOWN = "</title></textarea><script>alert(1)</script> <img src=x onerror=alert(1)> {{ 6*7 }} {% if true %}X{% endif %} x a | b lien"
# Numbers and codes are short (guide_cqp.model.MAX_NUMERO): markup and a template in a few characters.
HOSTILE_SHORT = "<b>{{6*7}}</b>"
# Fields the site does not show (yet): reported, so that a new field is shown or listed here on purpose.
NOT_SHOWN: set[str] = set()  # every text field of the référentiel appears somewhere
UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.IGNORECASE)
IDENTIFIERS = {
    model._parse_identifier: "BC01",
    model._parse_numero: "C1",
    model._parse_certification_number: "RNCP12345",
}


@dataclass
class Hostile:
    """Fills every field of a model; remembers which tag went into which text field."""

    texts: dict[str, tuple[FieldPath, bool]] = field(default_factory=dict)
    literals: dict[str, str] = field(default_factory=dict)  # what each tagged text must show

    def text(self, path: FieldPath, markdown: bool, max_length: int | None = None) -> str:
        tag = f"Q{len(self.texts) + 1:03d}Q"
        self.texts[tag] = (path, markdown)
        if max_length is not None and max_length < len(HOSTILE):
            self.literals[tag] = f"{tag}{HOSTILE_SHORT}"
            return self.literals[tag]
        # A leading "# " would be a heading in Markdown fields and must be plain text elsewhere.
        self.literals[tag] = f"titre {tag} {HOSTILE_AS_MARKDOWN}" if markdown else f"# titre {tag} {HOSTILE}"
        return f"# titre {tag} {HOSTILE_MARKDOWN if markdown else HOSTILE}"

    def expected(self, tag: str) -> str:
        return self.literals[tag]

    def fill(self, annotation: Any, path: FieldPath, metadata: tuple[Any, ...] = (), seen: frozenset = frozenset()) -> Any:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            return self.fill(base, path, metadata + tuple(extra), seen)
        for validator in metadata:  # identifiers and numbers with a shape of their own: nothing to inject
            if getattr(validator, "func", None) in IDENTIFIERS:
                return IDENTIFIERS[validator.func]
            if getattr(validator, "func", None) is model._relative_file:
                return None  # a file to read (version.precedente): tests/test_site_versions.py compares hostile versions
        if origin in (typing.Union, types.UnionType):
            variants = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(variants) == 1:
                return self.fill(variants[0], path, metadata, seen)
            # A list item of several kinds: one item of each kind (recursive kinds once).
            return _Variants(self.fill(v, path, metadata, seen) for v in variants if _bare(v) not in seen)
        if origin is list:
            (item,) = typing.get_args(annotation)
            value = self.fill(item, path + (0,), (), seen)
            return list(value) if isinstance(value, _Variants) else [value]
        if origin is typing.Literal:
            return str(typing.get_args(annotation)[0])
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return {
                name: self.fill(info.annotation, path + (name,), tuple(info.metadata), seen | {annotation})
                for name, info in annotation.model_fields.items()
            }
        if annotation is str:
            if any(getattr(m, "pattern", None) for m in metadata):
                return CODE  # the page address: a constrained field, nothing to inject
            markdown = any(getattr(m, "func", None) is model._clean_markdown for m in metadata)
            return self.text(path, markdown, _max_length(metadata))
        if annotation in (int, Decimal):
            return "1"
        if annotation is bool:
            return "false"
        if annotation is dt.date:
            return "2020-01-02"
        raise TypeError(f"type de champ inconnu de ce test : {annotation!r} ({format_path(path)})")


class _Variants(list):
    """Values for each kind of a union, spread into the enclosing list."""


def _max_length(metadata: tuple[Any, ...]) -> int | None:
    """The max_length a field's metadata gives (Field(max_length=…) keeps it in its own metadata)."""
    for item in metadata:
        for constraint in (item, *getattr(item, "metadata", ())):
            if isinstance(getattr(constraint, "max_length", None), int):
                return constraint.max_length
    return None


def _bare(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def hostile_referentiel(format_: int = 1) -> tuple[dict[str, Any], Hostile]:
    """Every field filled; two competences so that hours sit once on each level."""
    hostile = Hostile()
    if format_ == 1:
        data = hostile.fill(Referentiel1, ())
        competences: list[Any] = data["competences"]
        path: FieldPath = ("competences", 1)
    else:
        data = hostile.fill(Referentiel2, ())
        data["duree"] = None  # a total alone, or hours on competences and modules: the latter here
        competences = data["blocs"][0]["competences"]
        path = ("blocs", 0, "competences", 1)
    first = competences[0]
    for module in first["modules"]:
        module["heures"] = None
    second = hostile.fill(Competence if format_ == 1 else Competence2, path)
    second["numero"], second["heures"] = ("2" if format_ == 1 else "C2"), None
    competences.append(second)
    return data, hostile


def first_competence(format_: int) -> tuple[FieldPath, str]:
    """Where the first competence's title is in the file, and the address of its page."""
    if format_ == 1:
        return ("competences", 0, "intitule"), "competence-1"
    return ("blocs", 0, "competences", 0, "intitule"), "competence-c1"


@pytest.fixture(scope="module", params=[1, 2], ids=["format 1", "format 2"])
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Hostile, Path]:
    data, filled = hostile_referentiel(request.param)
    path = tmp_path_factory.mktemp("hostile") / "referentiel.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    build = build_in_process(path, tmp_path_factory.mktemp("hostile-site") / "site", pdf=True)
    assert build.returncode == 0, build.output
    return build, filled, path


def fold(text: str) -> str:
    return " ".join(text.split())


def surfaces(soup: BeautifulSoup) -> dict[str, str]:
    """Everything of a page a person or a screen reader gets: text, title, attributes."""
    found = {"texte": fold(soup.get_text(" "))}
    title = soup.find("title")
    found["title"] = fold(title.get_text(" ")) if title else ""
    attributes = []
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            if name not in ("href", "src", "id", "class", "for", "name"):
                attributes.append(" ".join(value) if isinstance(value, list) else value)
    found["attributs"] = fold(" | ".join(attributes))
    return found


def html_pages(build: Build) -> list[Path]:
    pages = sorted(build.site.rglob("*.html"))
    assert len(pages) >= 5
    return pages


def test_the_hostile_referentiel_fills_every_text_field(hostile: tuple[Build, Hostile, Path]) -> None:
    _, filled, path = hostile
    ref = load_referentiel(path)
    assert ref.cqp.code == CODE
    assert len(filled.texts) >= 60
    markdown_fields = {format_path(p) for p, markdown in filled.texts.values() if markdown}
    assert {"presentation", "livret.objet", "livret.note_heures"} <= markdown_fields
    # Text fields keep the hostile text as typed: the model does not clean it away.
    assert ref.competences[0].intitule.endswith(HOSTILE)


def test_no_script_handler_or_dangerous_link_from_the_data(hostile: tuple[Build, Hostile, Path]) -> None:
    build, _, _ = hostile
    for page in html_pages(build):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        where = page.relative_to(build.site)
        for script in soup.find_all("script"):
            assert "alert" not in script.get_text(), f"{where} : <script> du référentiel dans <{script.parent.name}>"
        assert not soup.select('img[src="x"]'), where
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                if name.startswith("on"):
                    assert "alert" not in value, (where, element.name, name)
                if name in ("href", "src", "action", "formaction", "xlink:href", "srcset"):
                    plain = re.sub(r"[\x00-\x20]+", "", html.unescape(value))
                    assert not UNSAFE_SCHEME.match(plain), (where, element.name, name, value)


def test_every_text_shows_literally_on_every_page(hostile: tuple[Build, Hostile, Path]) -> None:
    build, filled, _ = hostile
    shown: set[str] = set()
    for page in html_pages(build):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for surface, text in surfaces(soup).items():
            assert "42 X" not in text, (page, surface)
            for tag, (path, _) in filled.texts.items():
                count = text.count(tag)
                if count:
                    shown.add(tag)
                    literal = fold(filled.expected(tag))
                    assert text.count(literal) == count, (
                        f"{page.relative_to(build.site)} ({surface}) : {format_path(path)} n'est pas affiché tel quel"
                    )
    missing = {format_path(filled.texts[tag][0]) for tag in filled.texts if tag not in shown}
    assert missing == NOT_SHOWN


def test_titles_and_navigation_show_the_text_not_markup(hostile: tuple[Build, Hostile, Path]) -> None:
    build, filled, source = hostile
    where, address = first_competence(load_referentiel(source).format)
    tag = next(t for t, (path, _) in filled.texts.items() if path == where)
    page = BeautifulSoup((build.site / CODE / address / "index.html").read_text(encoding="utf-8"), "html.parser")
    literal = fold(filled.expected(tag))
    assert literal in fold(page.title.get_text()), page.title
    assert any(literal in fold(a.get_text(" ")) for a in page.select("nav a")), "nav"
    assert literal in fold(page.select_one("article h1").get_text(" "))


def test_the_search_index_holds_escaped_text_only(hostile: tuple[Build, Hostile, Path]) -> None:
    build, filled, source = hostile
    docs = json.loads((build.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    shown = set()
    for doc in docs:
        for key in ("title", "text"):
            raw = doc[key]
            # The theme inserts these as HTML: only escaped markup may be in them.
            assert "<script" not in raw and "<img" not in raw, (doc["location"], key)
            text = fold(BeautifulSoup(raw, "html.parser").get_text(" "))
            assert "42 X" not in text
            for tag in filled.texts:
                if tag in text:
                    shown.add(tag)
                    assert text.count(fold(filled.expected(tag))) == text.count(tag), (doc["location"], key, tag)
    where, _ = first_competence(load_referentiel(source).format)
    competence_tag = next(t for t, (path, _) in filled.texts.items() if path == where)
    assert competence_tag in shown


def test_the_pdf_shows_the_livret_texts_literally(hostile: tuple[Build, Hostile, Path]) -> None:
    build, filled, _ = hostile
    reader = PdfReader(build.site / CODE / f"livret-{CODE}.pdf")
    # Text extraction cuts lines anywhere and the cover is in capitals: compare without spaces or case.
    text = "".join("".join(page.extract_text() for page in reader.pages).split()).casefold()
    livret = BeautifulSoup((build.site / CODE / "livret" / "index.html").read_text(encoding="utf-8"), "html.parser")
    on_livret_page = {tag for tag in filled.texts if tag in livret.select_one("article").get_text()}
    assert len(on_livret_page) >= 30
    for tag in on_livret_page:
        path, _ = filled.texts[tag]
        literal = "".join(filled.expected(tag).split()).casefold()
        assert tag.casefold() in text, format_path(path)
        assert text.count(literal) == text.count(tag.casefold()), format_path(path)
    assert "42x" not in text
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            assert not uri or re.match(r"^(?:https?|mailto):", uri), uri


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#09;script:alert(1)",
        "java&Tab;script:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "&#x6A;avascript&#x3A;alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "\x01javascript:alert(1)",
        "<javascript:alert(1)>",
    ],
)
def test_markdown_links_to_other_schemes_lose_their_target(url: str) -> None:
    for source in (f"[lien]({url})", f"![image]({url})", f"[lien][r]\n\n[r]: {url}"):
        rendered = BeautifulSoup(str(markdown_filter(source)), "html.parser")
        for element in rendered.find_all(["a", "img"]):
            target = element.get("href") or element.get("src")
            assert target is None or is_safe_url(target), (source, str(rendered))
            if target is not None:
                plain = re.sub(r"[\x00-\x20]+", "", html.unescape(target))
                assert not UNSAFE_SCHEME.match(plain) and not plain.lower().startswith("javascript"), source
        assert "lien" in rendered.get_text() or "image" in str(rendered), source


@pytest.mark.parametrize(
    "url",
    [
        "https://www.exemple.fr/page?a=1&b=2",
        "http://exemple.fr",
        "mailto:cpnefp@exemple.fr",
        "../livret/",
        "page.md#ancre",
    ],
)
def test_markdown_links_to_web_mail_and_relative_targets_are_kept(url: str) -> None:
    rendered = BeautifulSoup(str(markdown_filter(f"[lien]({url})")), "html.parser")
    assert rendered.a["href"] == url


def test_raw_html_in_a_markdown_field_shows_as_text() -> None:
    source = '<script>alert(1)</script>\n\n<div onclick="alert(1)">x</div> <b>gras</b>'
    rendered = BeautifulSoup(str(markdown_filter(source)), "html.parser")
    assert not rendered.find_all(["script", "div", "b"])
    assert "<script>alert(1)</script>" in rendered.get_text()


def test_a_dangerous_link_in_a_markdown_field_is_refused_before_the_build() -> None:
    """The pages would drop it (above); validation refuses it first, so that the author knows."""
    data, _ = hostile_referentiel()
    data["presentation"] = f"# titre {HOSTILE}"
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), "hostile.yaml")
    (probleme,) = caught.value.problemes
    assert probleme.chemin == ("presentation",) and "javascript:alert(1)" in probleme.message
