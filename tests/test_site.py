"""A real `mkdocs build` turns any référentiel into the site tutors read."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from bs4 import BeautifulSoup
from support import DATA, OTHER_REFERENTIEL, ROOT, Build, build_in_process, fold, items_text

from guide_cqp.french import hours
from guide_cqp.model import Referentiel


def test_the_overview_lists_competences_in_numeric_order_with_their_hours(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    page = build.html(f"{ref.cqp.code}/")
    assert fold(ref.cqp.intitule) in fold(page.h1.get_text())
    links = page.select(".cqp-competences a")
    numbers = [int(re.search(r"\d+", a.get_text()).group()) for a in links]
    assert numbers == sorted(c.numero for c in ref.competences)
    for a, number in zip(links, numbers, strict=True):
        assert a["href"].rstrip("/").endswith(f"competence-{number}")
    badges = [fold(b.get_text()) for b in page.select(".cqp-competences .cqp-heures-badge")]
    assert badges == [fold(hours(c.total_heures)) for c in ref.competences_triees()]


def test_the_hours_table_has_a_row_per_module_subtotals_and_a_computed_total(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    table = build.html(f"{ref.cqp.code}/").select_one("table.cqp-heures")
    module_rows = [tr for tr in table.select("tbody tr") if "cqp-sous-total" not in (tr.get("class") or [])]
    assert len(module_rows) == sum(len(c.modules) for c in ref.competences)
    subtotal_rows = table.select("tr.cqp-sous-total")
    assert len(subtotal_rows) == len(ref.competences)

    def number(cell: str) -> Decimal:
        return Decimal(cell.replace("\u00a0h", "").replace(",", "."))

    mins = sum(number(tr.select("td")[-2].get_text()) for tr in subtotal_rows)
    maxs = sum(number(tr.select("td")[-1].get_text()) for tr in subtotal_rows)
    total = table.select_one("tfoot tr").select("td")
    assert (number(total[0].get_text()), number(total[1].get_text())) == (mins, maxs)
    # A range shared by the modules of a competence is written once, across their rows.
    for c in ref.competences:
        if c.plage_commune and len(c.modules) > 1:
            assert table.select_one(f'td[rowspan="{len(c.modules)}"]') is not None


def test_the_seed_totals_match_the_2009_livret(seed_site: Build) -> None:
    total = seed_site.html("rcad/").select_one("table.cqp-heures tfoot").get_text(" ")
    assert "87,5\u00a0h" in total and "287\u00a0h" in total


def test_a_competence_page_follows_the_livret_structure(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    for c in ref.competences:
        page = build.html(f"{ref.cqp.code}/competence-{c.numero}/")
        headings = [fold(h.get_text()) for h in page.select("article h2")]
        expected = [ref.livret.savoir_faire, ref.livret.contenu, ref.livret.activites]
        if c.criteres_evaluation:
            expected.append(ref.livret.criteres)
        expected.append(ref.livret.fiche.titre)
        assert [h.rstrip("#").strip() for h in headings] == [fold(e) for e in expected]
        modules = [fold(h.get_text()).rstrip("#").strip() for h in page.select("article h3")]
        assert modules == [fold(f"Module {m.numero} – {m.intitule}") for m in c.modules]
        text = fold(build.text(f"{ref.cqp.code}/competence-{c.numero}/"))
        for phrase in c.savoir_faire + items_text(c.activites_entreprise) + items_text(c.criteres_evaluation):
            assert fold(phrase) in text
        for m in c.modules:
            for phrase in m.objectifs + items_text(m.contenu) + ([m.note] if m.note else []):
                assert fold(phrase) in text
            if m.heures:
                assert fold(hours(m.heures)) in text
        if c.plage_commune:
            assert fold(hours(c.heures)) in text
        fiche = fold(page.select_one("table.cqp-fiche").get_text(" "))
        for label in (
            ref.livret.fiche.points_cles,
            ref.livret.fiche.commentaires_tuteur,
            ref.livret.fiche.a_approfondir,
        ):
            assert fold(label) in fiche


def test_nested_details_stay_nested(other_site: Build) -> None:
    page = other_site.html("logistique-entrepot/competence-2/")
    nested = page.select("ul.cqp-contenu > li > ul > li > ul > li")
    assert [fold(li.get_text()) for li in nested] == ["produits dangereux", "produits frais"]


def test_an_unquoted_looking_module_number_is_shown_as_written(other_site: Build) -> None:
    assert "Module 2.10 –" in other_site.text("logistique-entrepot/competence-2/")


def test_navigation_lists_generated_pages_in_numeric_order(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    nav = build.html("index.html").select(".md-nav--primary a.md-nav__link[href]")
    hrefs = [a["href"] for a in nav if "competence-" in a["href"]]
    numbers = [int(re.search(r"competence-(\d+)", h).group(1)) for h in hrefs]
    assert numbers == sorted(c.numero for c in ref.competences)


def test_generated_pages_are_not_written_into_docs(built: tuple[Build, Referentiel]) -> None:
    _, ref = built
    assert not (ROOT / "docs" / ref.cqp.code).exists()


def test_every_page_shows_the_version_and_date(built: tuple[Build, Referentiel]) -> None:
    build, ref = built
    from guide_cqp.french import date as french_date

    for page in build.site.rglob("index.html"):
        text = fold(page.read_text(encoding="utf-8"))
        assert fold(ref.version.numero) in text, page
        assert fold(french_date(ref.version.date)) in text, page


def test_plain_texts_are_data_not_markup_nor_templates(tmp_path: Path) -> None:
    hostile = (
        OTHER_REFERENTIEL.read_text(encoding="utf-8")
        .replace(
            "Lire un bon de préparation", '"<script>alert(1)</script> {{ 6*7 }} {% if true %}oui{% endif %} a | b *x*"'
        )
        .replace("intitule: Inventorier le stock", 'intitule: "# titre {{ 6*7 }} <b>gras</b>"')
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(hostile, encoding="utf-8")
    build = build_in_process(path, tmp_path / "site")
    assert build.returncode == 0, build.output
    page = build.html("logistique-entrepot/competence-2/")
    assert page.find("script", string=re.compile("alert")) is None
    text = build.text("logistique-entrepot/competence-2/")
    assert "<script>alert(1)</script> {{ 6*7 }} {% if true %}oui{% endif %} a | b *x*" in text
    title = build.html("logistique-entrepot/competence-10/").h1.get_text()
    assert "# titre {{ 6*7 }} <b>gras</b>" in title
    assert build.html("logistique-entrepot/competence-10/").select_one("article b") is None


def test_a_broken_referentiel_stops_the_build_in_french_and_publishes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "casse.yaml"
    path.write_text(OTHER_REFERENTIEL.read_text(encoding="utf-8").replace("max: 24.25", "max: 2"), encoding="utf-8")
    build = build_in_process(path, tmp_path / "site")
    assert build.returncode != 0
    assert "Traceback" not in build.output
    assert "casse.yaml, ligne 17" in build.output
    assert "competences[0].heures" in build.output and "dépasse le maximum" in build.output
    assert not (tmp_path / "site" / "index.html").exists()


def test_a_cqp_code_that_would_overwrite_a_written_page_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "collision.yaml"
    path.write_text(
        OTHER_REFERENTIEL.read_text(encoding="utf-8").replace("code: logistique-entrepot", "code: macros"),
        encoding="utf-8",
    )
    assert (ROOT / "docs" / "macros.md").exists()  # a written page whose address is macros/
    build = build_in_process(path, tmp_path / "site")
    assert build.returncode != 0
    assert "docs/macros.md" in build.output and "Traceback" not in build.output


def test_every_phrase_of_the_seed_appears_on_the_site(seed_site: Build) -> None:
    """The transcription is complete: each line of the 2009 livret is somewhere on the site."""
    site_text = strip_for_comparison(
        " ".join(page.read_text(encoding="utf-8") for page in seed_site.site.rglob("index.html"))
    )
    # Known, deliberate differences with the 2009 draft, and why.
    known = {
        "07 05 2009": "the date is shown as « 7 mai 2009 »",
        "sur la base des volumes horaires indiques par la cpnefp cf page suivante": "names the body in full",
        "cachet de l entreprises et signature": "typo fixed: « l'entreprise »",
        "ce guide est disponible": "the draft leaves this sentence unfinished",
        "competence 1 realiser une prise de commandes par telephone": "the hours table's variant of the title",
        "module 1 1 la prise de contact et la vente par telephone en appels entrants et sortants": "short title (hours table)",
        "module 3 formation produit": "shown as « Module 3 – Formation produit »",
        "module 4 1 le fichier client": "the hours table's singular of « Le fichier clients »",
        "module 5 2 les differents services de l entreprise": "short title of module 5.2 (hours table)",
        "module 6 2 la gestion des situations relationnelles difficiles": "the hours table adds « la »",
        "de a": "column heads « De ... A ... » of the hours table",
        "a": "column head",
    }
    seed = (DATA / "seed-livret-2009.txt").read_text(encoding="utf-8")
    missing = []
    for line in seed.splitlines():
        for segment in re.split(r"\*+|\t|<input[^>]*>|(?<=\.)\s+(?=[A-Z])", line):
            phrase = strip_for_comparison(segment)
            if len(phrase) < 2 or phrase.isdigit() or phrase in known:
                continue
            if phrase not in site_text:
                missing.append(segment.strip())
    assert missing == [], missing


def strip_for_comparison(text: str) -> str:
    """Letters and digits only, accents and case folded, tags removed: typography may differ."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"&#?\w+;", " ", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# --- the table of contents --------------------------------------------------------------------------


def _ascii_spaces_collapsed(text: str) -> str:
    """Line breaks and indentation of the HTML gone; non-breaking spaces kept (they are what is checked), the
    narrow one (U+202F) and the other (U+00A0) taken as one: either keeps « ? » on its line."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip().replace("\u202f", "\u00a0")


def test_the_table_of_contents_says_each_heading_as_the_page_does(seed_site: Build, versions2_site: Build) -> None:
    """Python-Markdown's toc rejoins a heading's words with plain spaces: the side menu (a phone's menu) would
    break « entreprise / ? ». Each entry is its heading's text, non-breaking spaces included."""
    checked = with_french_space = 0
    for build in (seed_site, versions2_site):
        for path in sorted(build.site.rglob("index.html")):
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            for link in soup.select("nav.md-nav--secondary a.md-nav__link[href^='#']"):
                heading = soup.find(id=link["href"][1:])
                if heading is None or not re.fullmatch(r"h[1-6]", heading.name):
                    continue
                for permalink in heading.select("a.headerlink"):
                    permalink.decompose()
                expected = _ascii_spaces_collapsed(heading.get_text())
                assert _ascii_spaces_collapsed(link.get_text()) == expected, path
                checked += 1
                with_french_space += "\u00a0" in expected or "\u202f" in expected
    assert checked > 20 and with_french_space > 0
