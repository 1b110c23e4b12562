"""The tutor's guide pages and the author macros: they quote whatever référentiel is built, and fail clearly."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from support import OTHER_REFERENTIEL, ROOT, Build, build_in_process, fold, items_text, project_copy

from guide_cqp.french import date as french_date
from guide_cqp.french import hours
from guide_cqp.model import Referentiel
from guide_cqp.validate import load_referentiel

GUIDE_PAGES = [
    "tuteur/role/",
    "tuteur/entretien-reperage/",
    "tuteur/suivre-livret/",
    "tuteur/sans-formation/",
    "tuteur/evaluation-finale/",
    "macros/",
]


def article(build: Build, page: str) -> BeautifulSoup:
    return build.html(page).select_one("article")


def resolve(build: Build, page: str, href: str) -> tuple[Path, str]:
    """The built file a relative link of ``page`` points to, and its anchor."""
    parts = urlsplit(href)
    base = (build.site / page).parent if page.endswith(".html") else build.site / page
    target = (base / unquote(parts.path)).resolve() if parts.path else (build.site / page).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


@functools.cache
def anchors(page: Path) -> frozenset[str]:
    """The ids of a built page, read once: many links point into the same pages."""
    return frozenset(el["id"] for el in BeautifulSoup(page.read_text("utf-8"), "html.parser").select("[id]"))


# --- the pages ----------------------------------------------------------------------------------


def test_every_guide_page_builds_and_links_only_to_existing_pages_and_anchors(built: tuple[Build, Referentiel]) -> None:
    build, _ = built
    for page in ["", *GUIDE_PAGES]:
        content = article(build, page)
        assert content is not None and content.h1 is not None, page
        assert "Macro Rendering Error" not in content.get_text()
        for a in content.select("a[href]"):
            href = a["href"]
            if href.startswith(("http:", "https:", "mailto:")) or "headerlink" in (a.get("class") or []):
                continue
            assert not href.startswith("/"), f"{page}: lien absolu {href}"
            target, anchor = resolve(build, page, href)
            assert target.exists(), f"{page}: {href} ne mène à rien"
            if anchor and target.suffix == ".html":
                assert anchor in anchors(target), f"{page}: ancre {href} absente"


def test_the_home_page_names_the_cqp_its_version_and_links_every_competence(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    home = article(build, "")
    assert fold(ref.cqp.intitule) == fold(home.h1.get_text().replace("#", ""))
    text = fold(home.get_text(" "))
    assert fold(ref.version.numero) in text and fold(french_date(ref.version.date)) in text
    assert fold(hours(ref.total_heures)) in text
    # Inline macros escape only what Markdown would act on: a version number stays plain in the HTML.
    assert ref.version.numero in (build.site / "index.html").read_text("utf-8")
    items = home.select("ol.cqp-competences li")
    assert [int(li["value"]) for li in items] == [c.numero for c in ref.competences_triees()]
    for li, c in zip(items, ref.competences_triees(), strict=True):
        assert li.a["href"].rstrip("/").endswith(f"{ref.cqp.code}/competence-{c.numero}")
        assert fold(li.select_one(".cqp-heures-badge").get_text()) == fold(hours(c.total_heures))
    hrefs = [a["href"] for a in home.select("a[href]")]
    assert any(h.rstrip("/").endswith(f"{ref.cqp.code}/livret") for h in hrefs)
    for page in GUIDE_PAGES[:-1]:
        assert any(h.rstrip("/").endswith(page.rstrip("/")) for h in hrefs), page


def test_the_pdf_link_appears_only_when_the_pdf_is_built(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    pdf_links = article(build, "").select("a.cqp-lien-pdf")
    pdf_built = (build.site / ref.cqp.code / f"livret-{ref.cqp.code}.pdf").exists()
    assert bool(pdf_links) == pdf_built
    for a in pdf_links:
        assert a.has_attr("download") and resolve(build, "", a["href"])[0].exists()


def test_the_nav_groups_the_guide_before_the_referentiel(built: tuple[Build, Referentiel]) -> None:
    build, _ = built
    titles = fold(build.html("").select_one("nav.md-nav--primary").get_text(" "))
    assert (
        titles.index("le guide du tuteur") < titles.index("le référentiel") < titles.index("macros pour les rédacteurs")
    )


def test_activities_and_indicative_content_of_every_competence_are_quoted(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    content = article(build, "tuteur/sans-formation/")
    blocks = content.select(".cqp-rubrique-activites details")
    assert len(blocks) == len(ref.competences)
    for block, c in zip(blocks, ref.competences_triees(), strict=True):
        assert fold(c.intitule) in fold(block.summary.get_text())
        assert [fold(li.get_text(" ")) for li in block.select("li")] == [
            fold(t) for t in _flatten_li(c.activites_entreprise)
        ]
    contenu = fold(content.select_one(".cqp-rubrique-contenu").get_text(" "))
    for c in ref.competences:
        for m in c.modules:
            assert fold(m.intitule) in contenu
            for text in items_text(m.contenu) + list(m.objectifs):
                assert fold(text) in contenu


def _flatten_li(items: list) -> list[str]:
    """What each <li> of an item list reads, in document order (an item's text includes its sub-list)."""
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        else:
            out.append(" ".join([item.texte, *items_text(item.details)]))
            out += _flatten_li(item.details)
    return out


def test_the_evaluation_page_shows_criteria_or_falls_back_to_the_know_how(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    fragment = article(build, "tuteur/evaluation-finale/").select_one(".cqp-rubrique-criteres")
    blocks = fragment.select("details")
    assert len(blocks) == len(ref.competences)
    any_criteria = any(c.criteres_evaluation for c in ref.competences)
    assert (fragment.select_one(":scope > p.cqp-sans-criteres") is None) == any_criteria
    for block, c in zip(blocks, ref.competences_triees(), strict=True):
        text = fold(block.get_text(" "))
        if c.criteres_evaluation:
            assert all(fold(t) in text for t in items_text(c.criteres_evaluation))
        elif any_criteria:
            assert block.select_one("p.cqp-sans-criteres a")["href"].endswith("#savoir-faire")
        else:
            assert all(fold(t) in text for t in c.savoir_faire)


def test_the_interview_page_quotes_the_hours_table_and_know_how(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    content = article(build, "tuteur/entretien-reperage/")
    total = content.select_one("table.cqp-heures tfoot").get_text(" ")
    assert fold(f"{hours(ref.total_heures).split(' à ')[-1]}") in fold(total)
    savoir = content.select(".cqp-rubrique-savoir_faire details")
    assert [fold(d.summary.get_text()) for d in savoir] == [
        fold(f"Compétence {c.numero} {c.intitule}") for c in ref.competences_triees()
    ]
    livret_links = [a["href"] for a in content.select("a.cqp-lien-livret")]
    assert any(h.endswith("livret/#parcours") for h in livret_links)


def test_the_livret_page_lists_a_link_to_each_competence_sheet(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    links = article(build, "tuteur/suivre-livret/").select("ol.cqp-competences a")
    assert [a["href"].split("#")[-1] for a in links] == [f"competence-{c.numero}" for c in ref.competences_triees()]
    assert not article(build, "tuteur/suivre-livret/").select("ol.cqp-competences .cqp-heures-badge")


def test_guide_sources_name_no_competence_number() -> None:
    """Hand-written pages must build with any référentiel: they never call a macro with a number."""
    for source in [ROOT / "docs" / "index.md", *sorted((ROOT / "docs" / "tuteur").glob("*.md"))]:
        text = re.sub(r"\{% raw %\}.*?\{% endraw %\}", "", source.read_text("utf-8"), flags=re.S)
        calls = re.findall(r"\{\{\s*(\w+)\(([^)]*)\)", text)
        assert calls, source
        for name, args in calls:
            assert not re.match(r"\s*\d", args), f"{source.name}: {name}({args})"


# --- macros in a page of one's own: a copy of the project, docs/ untouched ------------------------------


EVERY_MACRO = """# Essai

Intitulé : {{{{ cqp() }}}} ; version {{{{ cqp("version") }}}} du {{{{ cqp("date") }}}}.
{{{{ nombre_competences() }}}} compétences, {{{{ heures() }}}} ; la dernière : {{{{ heures({last}) }}}}.
Voir {{{{ lien_competence({last}) }}}}, {{{{ lien_competence({last}, "ses activités", section="activites") }}}},
{{{{ lien_referentiel() }}}}, {{{{ lien_livret() }}}}, {{{{ lien_livret("parcours") }}}}, {{{{ lien_livret({last}) }}}}.

{{{{ savoir_faire({last}) }}}}

{{{{ activites({last}) }}}}

{{{{ criteres({last}) }}}}

{{{{ contenu_formation({last}) }}}}

{{{{ tableau_heures() }}}}
"""


def test_every_macro_works_from_a_nested_page_with_links_relative_to_it(tmp_path: Path) -> None:
    ref = load_referentiel(OTHER_REFERENTIEL)
    last = ref.competences_triees()[-1]
    config = project_copy(tmp_path, {"a/b/essai.md": EVERY_MACRO.format(last=last.numero)})
    build = build_in_process(OTHER_REFERENTIEL, tmp_path / "site", config=config)
    assert build.returncode == 0, build.output
    page = "a/b/essai/"
    content = article(build, page)
    text = fold(content.get_text(" "))
    assert fold(ref.cqp.intitule) in text and fold(french_date(ref.version.date)) in text
    assert fold(f"{len(ref.competences)} compétences") in text
    assert fold(hours(last.total_heures)) in text and fold(hours(ref.total_heures)) in text
    hrefs = [a["href"] for a in content.select("a[href]") if "headerlink" not in (a.get("class") or [])]
    assert f"../../../{ref.cqp.code}/competence-{last.numero}/" in hrefs
    assert f"../../../{ref.cqp.code}/competence-{last.numero}/#activites" in hrefs
    assert f"../../../{ref.cqp.code}/livret/#competence-{last.numero}" in hrefs
    for href in hrefs:
        assert resolve(build, page, href)[0].exists(), href
    for t in last.savoir_faire + items_text(last.activites_entreprise):
        assert fold(t) in text
    assert content.select_one("table.cqp-heures") is not None


def test_texts_from_the_yaml_are_escaped_in_inline_and_block_macros(tmp_path: Path) -> None:
    tricky = "Préparer <b>vite</b> *sans* _faute_ & [lien](x)"  # Jinja in texts: see test_injection.py
    source = (
        OTHER_REFERENTIEL.read_text("utf-8")
        .replace("intitule: Préparateur de commandes en entrepôt", f"intitule: '{tricky}'")
        .replace("intitule: Inventorier le stock", f"intitule: '{tricky}'")
    )
    referentiel = tmp_path / "piege.yaml"
    referentiel.write_text(source, encoding="utf-8")
    build = build_in_process(referentiel, tmp_path / "site")
    assert build.returncode == 0, build.output
    home = article(build, "")
    assert fold(home.h1.get_text().replace("#", "")) == fold(tricky)
    assert home.select_one("b") is None and home.select_one("h1 em") is None
    items = home.select("ol.cqp-competences li a")
    assert any(tricky in a.get_text() for a in items)
    assert not home.select("ol.cqp-competences em")
    assert not home.select('a[href="x"]')


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("lien_competence(99)", ["« 99 »", "{numeros}"]),
        ('activites("deux")', ["« deux »", "{numeros}"]),
        ('lien_livret("sommaire")', ["sommaire", "« parcours »"]),
        ('cqp("titre")', ["titre", "« intitule »"]),
    ],
)
def test_a_wrong_argument_stops_the_build_with_a_french_message_and_no_traceback(
    tmp_path: Path, call: str, expected: list[str]
) -> None:
    config = project_copy(tmp_path, {"tuteur/page-fautive.md": f"# Page\n\nVoir {{{{ {call} }}}}.\n"})
    build = build_in_process(OTHER_REFERENTIEL, tmp_path / "site", config=config)
    assert build.returncode != 0
    assert "Traceback" not in build.output
    errors = [line for line in build.output.splitlines() if line.startswith("ERROR")]
    assert errors, build.output
    assert "tuteur/page-fautive.md" in errors[0]
    numbers = [str(c.numero) for c in load_referentiel(OTHER_REFERENTIEL).competences_triees()]
    numeros = ", ".join(numbers[:-1]) + " et " + numbers[-1]
    for fragment in expected:
        assert fragment.format(numeros=numeros) in errors[0], errors[0]
    assert not (ROOT / "docs" / "tuteur" / "page-fautive.md").exists()
