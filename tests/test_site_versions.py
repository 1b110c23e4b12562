"""A site whose référentiel declares its previous version: real `mkdocs build --strict` runs.

tests/data/versions/format1 and format2 (see tests/test_compare.py for their known differences) are built
once each: the page « Ce qui change dans la version … », its nav entry and the overview's link to it, the
links it gives to what it names, the hours table's marks (overview and tableau_heures(), not the livret nor
the PDF), and <code>/referentiel.json. A site without a previous version gets none of these but the JSON;
a previous version that is missing, invalid or outside the project stops the build.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from pypdf import PdfReader
from support import VERSIONS, Build, Cqp, build_in_process
from test_compare import plain
from test_injection import HOSTILE, hostile_referentiel

from guide_cqp import addresses
from guide_cqp.export import export_json
from guide_cqp.validate import load_referentiel

FORMAT1 = VERSIONS / "format1" / "referentiel.yaml"
FORMAT2 = VERSIONS / "format2" / "referentiel.yaml"


def page_of(build: Build, source: str) -> BeautifulSoup:
    """A built page from its Markdown source path (« vad/changements.md »)."""
    return build.html(source.removesuffix(".md").removesuffix("index") + ("/" if not source.endswith("index.md") else ""))


def url_of(source: str) -> str:
    """The folder a page's source is built into: « vad/changements.md » → « vad/changements/ »."""
    base = source.removesuffix(".md")
    return base.removesuffix("index") if base.endswith("index") else base + "/"


def target(from_url: str, href: str) -> tuple[str, str]:
    """The built page (as a site path) and the anchor a relative link of a page leads to."""
    parts = urlsplit(href)
    path = posixpath.normpath(posixpath.join(from_url, parts.path)) if parts.path else from_url.rstrip("/")
    return (path.strip("/") + "/").lstrip("/") if path not in (".", "") else "", parts.fragment


def text(element: Tag | None) -> str:
    """The visible text of an element, French spacing folded, without the headings' permalinks (« # »)."""
    assert element is not None
    element = BeautifulSoup(str(element), "html.parser")
    for permalink in element.select("a.headerlink"):
        permalink.decompose()
    return plain(" ".join(element.get_text().split())) or ""


# --- the change page, its nav entry and the overview's link -----------------------------------------------


@pytest.mark.parametrize(("fixture", "path"), [("versions_site", FORMAT1), ("versions2_site", FORMAT2)], ids=["format1", "format2"])
def test_the_change_page_has_its_title_nav_entry_and_the_overview_s_link(fixture: str, path: Path, request: pytest.FixtureRequest) -> None:
    build: Build = request.getfixturevalue(fixture)
    ref = load_referentiel(path)
    code = ref.cqp.code
    changes_url = url_of(addresses.changes(code))
    page = build.html(changes_url)
    assert text(page.select_one("article h1")).startswith(f"Ce qui change dans la version {ref.version.numero}")
    assert f"comparé à la version précédente : {load_referentiel(path.parent / ref.version.precedente).version.numero}" in text(page.select_one("article"))
    overview_url = url_of(addresses.overview(code))
    overview = build.html(overview_url)
    nav = [a for a in overview.select("nav.md-nav--primary a.md-nav__link[href]") if "Ce qui change" in a.get_text()]
    assert [text(a) for a in nav] == [f"Ce qui change dans la version {ref.version.numero}"]
    assert target(overview_url, nav[0]["href"])[0] == changes_url
    link = overview.select_one(".cqp-changements-lien a")
    assert target(overview_url, link["href"])[0] == changes_url
    assert text(link) == f"Ce qui change dans la version {ref.version.numero}"


def test_the_change_page_links_to_every_competence_and_module_it_names(versions_site: Build) -> None:
    """From how the format 1 pair was written: competences 1, 2, 3 and 4 exist and changed, the old 4 is gone."""
    changes_url = url_of(addresses.changes("vad"))
    article = versions_site.html(changes_url).select_one("article")
    linked: dict[str, set[str]] = {}
    for a in article.select("a[href]"):
        if a["href"].startswith(("http", "#")) or "headerlink" in (a.get("class") or []):
            continue
        page, anchor = target(changes_url, a["href"])
        built = versions_site.site / page / "index.html"
        assert built.is_file(), a["href"]
        if anchor:
            assert BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser").find(id=anchor), a["href"]
        linked.setdefault(page, set()).add(anchor)
    competence_pages = {url_of(addresses.competence("vad", n)) for n in (1, 2, 3, 4)}
    assert competence_pages <= set(linked)
    # Modules link to their heading on their competence's page: 1.1, 1.2, 1.3 (moved from 2), 2.1, 3.1, 4.1, 4.2.
    modules = {(page, anchor) for page, anchors in linked.items() for anchor in anchors if anchor.startswith("module-")}
    assert modules == {
        (url_of(addresses.competence("vad", c)), addresses.module(m))
        for c, m in ((1, "1.1"), (1, "1.2"), (1, "1.3"), (2, "2.1"), (3, "3.1"), (4, "4.1"), (4, "4.2"))
    }
    removed = article.find(id=addresses.change("competence", "4", None))
    assert text(removed) == "Compétence 4 · Assurer le suivi administratif des ventes (retirée)"
    assert not removed.find_next_sibling("div").select("a[href]"), "a removed competence has no page to link to"


def test_the_change_page_says_each_change_in_words(versions_site: Build) -> None:
    """Values read « now (avant : then) »; added and removed items are listed under their kind."""
    article = text(versions_site.html(url_of(addresses.changes("vad"))).select_one("article"))
    for expected in (
        "Heures : 7 à 14 h (avant : 7 à 21 h)",
        "Anciennement compétence 3.",
        "Module 1.3 · Les techniques de rebond commercial : anciennement module 2.3",
        "Savoir-faire ajouté : Proposer les offres adaptées aux besoins du client",
        "Savoir-faire retiré : Proposer les promotions du moment",
        "Note : « Module commun avec le CQP de télévente » (avant : aucune)",
        "Titre du livret : « Livret de suivi de la formation » (avant : « Livret de suivi »)",
        "Compétences : 1 ajoutée, 1 retirée, 1 renumérotée, 2 modifiées",
    ):
        assert expected in article, expected


def test_the_change_page_of_a_format_2_site_names_its_blocs(versions2_site: Build) -> None:
    changes_url = url_of(addresses.changes("maint"))
    article = versions2_site.html(changes_url).select_one("article")
    shown = text(article)
    assert "Bloc BC03 · Amélioration continue (retiré)" in shown and "il regroupait la compétence C4" in shown
    assert "Nouveau bloc, qui regroupe la compétence C5." in shown
    assert "Anciennement bloc BC02." in shown
    assert "Volume horaire : durée non indiquée (avant : 21 à 49 h)" in shown
    overview_url = url_of(addresses.overview("maint"))
    blocs = {target(changes_url, a["href"]) for a in article.select(".cqp-changement a[href]") if "#bloc-" in a["href"]}
    assert blocs == {(overview_url, addresses.bloc(code)) for code in ("BC01", "BC02", "BC03")}


# --- the hours table's marks -------------------------------------------------------------------------------------


def row_of(table: Tag, label: str) -> Tag:
    rows = [tr for tr in table.select("tr") if label in text(tr)]
    assert len(rows) == 1, (label, [text(r) for r in rows])
    return rows[0]


def cells(row: Tag) -> list[str]:
    return [text(td) for td in row.select("td.cqp-num, td.cqp-sans-heures")]


def test_the_overview_s_hours_table_marks_what_changed(versions_site: Build) -> None:
    """Module 1.1 went from 7-21 h to 7-14 h, 3.1 is new, 1.2 did not change, the total was 52,5 to 105 h."""
    overview = versions_site.html(url_of(addresses.overview("vad")))
    table = overview.select_one("table.cqp-heures")
    assert cells(row_of(table, "Module 1.1")) == ["7 h", "14 h (avant : 21 h)"]
    assert cells(row_of(table, "Module 1.2")) == ["7 h", "14 h"]
    assert cells(row_of(table, "Module 1.3")) == ["7 h", "7 h"]  # renumbered from 2.3, same hours
    assert "(nouveau)" in text(row_of(table, "Module 3.1")) and "(nouvelle)" in text(row_of(table, "Compétence 3"))
    assert cells(row_of(table, "Sous-total compétence 2")) == ["14 h (avant : 24,5 h)", "21 h (avant : 42 h)"]
    assert cells(row_of(table, "Total du parcours")) == ["49 h (avant : 52,5 h)", "91 h (avant : 105 h)"]
    changed = row_of(table, "Module 1.1").select("td.cqp-change")
    assert len(changed) == 2  # the range's two cells are highlighted together
    legend = overview.select_one(".cqp-note-avant")
    assert "la valeur de la version 2019-03 du 15 mars 2019" in text(legend)
    assert target(url_of(addresses.overview("vad")), legend.select_one("a")["href"])[0] == url_of(addresses.changes("vad"))


def test_hours_that_appear_or_disappear_are_marked_in_a_format_2_table(versions2_site: Build) -> None:
    table = versions2_site.html(url_of(addresses.overview("maint"))).select_one("table.cqp-heures")
    assert cells(row_of(table, "Module 2.1")) == ["35 h (avant : non indiquée)", "70 h (avant : non indiquée)"]
    assert cells(row_of(table, "Sous-total compétence C3")) == ["durée non indiquée (avant : 21 à 49 h)"]
    assert "(nouveau)" in text(row_of(table, "Bloc BC02")) and "(nouvelle)" in text(row_of(table, "Compétence C5"))
    assert cells(row_of(table, "Sous-total compétence C6")) == ["durée non indiquée"]  # none before either


def test_the_authors_hours_table_is_marked_like_the_overview_s(versions_site: Build) -> None:
    """docs/tuteur/entretien-reperage.md calls {{ tableau_heures() }}."""
    overview = versions_site.html(url_of(addresses.overview("vad"))).select(".cqp-heures .cqp-avant")
    guide = versions_site.html("tuteur/entretien-reperage/").select(".cqp-heures .cqp-avant")
    assert [text(s) for s in guide] == [text(s) for s in overview] and guide


def test_the_livret_and_its_pdf_are_the_current_version_s_without_marks(versions_site: Build) -> None:
    livret = versions_site.html(url_of(addresses.livret("vad")))
    assert livret.select_one("table.cqp-heures") is not None
    assert not livret.select(".cqp-avant, .cqp-nouveau, .cqp-change, .cqp-note-avant")
    assert "avant :" not in text(livret.select_one("article"))
    pdf = PdfReader(versions_site.site / addresses.pdf("vad"))
    content = plain(" ".join(page.extract_text() for page in pdf.pages)) or ""
    assert "14 h" in content and "(avant" not in content and "(nouveau)" not in content


# --- referentiel.json ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "path"), [("versions_site", FORMAT1), ("other_site", VERSIONS.parent / "autre-referentiel.yaml")], ids=["avec précédente", "sans"])
def test_every_build_publishes_the_json_export(fixture: str, path: Path, request: pytest.FixtureRequest, cqp: Cqp) -> None:
    build: Build = request.getfixturevalue(fixture)
    ref = load_referentiel(path)
    published = (build.site / addresses.export(ref.cqp.code)).read_bytes()
    assert published == cqp("exporter", "--format", "json", str(path)).stdout
    assert published == export_json(ref).encode("utf-8")
    assert json.loads(published)["version"]["numero"] == ref.version.numero


def test_a_site_without_previous_version_has_no_change_page(other_site: Build) -> None:
    code = load_referentiel(VERSIONS.parent / "autre-referentiel.yaml").cqp.code
    assert not (other_site.site / url_of(addresses.changes(code))).exists()
    overview = other_site.html(url_of(addresses.overview(code)))
    assert not overview.select(".cqp-changements-lien, .cqp-avant, .cqp-nouveau, .cqp-note-avant")
    assert not [a for a in overview.select("nav a") if "Ce qui change" in a.get_text()]


# --- refusals and places -------------------------------------------------------------------------------------------


def copy_of(tmp_path: Path, folder: Path) -> Path:
    copied = tmp_path / "projet"
    shutil.copytree(folder, copied)
    return copied / "referentiel.yaml"


def with_precedente(path: Path, value: str) -> None:
    text_ = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^  precedente: .*$", f"  precedente: {value}", text_), encoding="utf-8")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("absente", "« archives/absente.yaml » introuvable"),
        ("invalide", "n'est pas un référentiel valide"),
        ("hors du projet", "mène hors du dossier du projet"),
    ],
)
def test_a_bad_previous_version_stops_the_build_in_french(case: str, expected: str, tmp_path: Path) -> None:
    path = copy_of(tmp_path, FORMAT1.parent)
    (path.parent / "mkdocs.yml").write_text("site_name: essai\n", encoding="utf-8")  # the project's root
    if case == "absente":
        with_precedente(path, "archives/absente.yaml")
    elif case == "invalide":
        archive = path.parent / "archives" / "vad-2019-03.yaml"
        archive.write_text(archive.read_text(encoding="utf-8").replace("  intitule: Vente à distance en commerce de gros\n", "  intitule:\n"), encoding="utf-8")
    else:
        shutil.copy(FORMAT1.parent / "archives" / "vad-2019-03.yaml", tmp_path / "dehors.yaml")
        with_precedente(path, "../dehors.yaml")
    site = tmp_path / "site"
    build = build_in_process(path, site)
    assert build.returncode != 0
    output = plain(build.output) or ""
    assert "champ version.precedente" in output and expected in output and "Traceback" not in output
    if case == "invalide":
        assert "vad-2019-03.yaml, ligne 7" in output and "champ cqp.intitule" in output
    assert not any(site.rglob("*.html"))


def test_a_referentiel_named_by_cqp_referentiel_elsewhere_finds_its_archive_beside_it(tmp_path: Path) -> None:
    path = copy_of(tmp_path, FORMAT2.parent)  # no mkdocs.yml there: its own folder is its project
    build = build_in_process(path, tmp_path / "site")
    assert build.returncode == 0, build.output
    assert (tmp_path / "site" / url_of(addresses.changes("maint")) / "index.html").is_file()


def test_hostile_texts_of_both_versions_show_as_text_on_the_change_page(tmp_path: Path) -> None:
    before, _ = hostile_referentiel(2)
    after = yaml.safe_load(yaml.safe_dump(before).replace("titre Q", "titre R"))  # every text changed, still hostile
    before["version"]["numero"], after["version"]["numero"] = "1", "2"
    after["version"]["precedente"] = "archives/avant.yaml"
    (tmp_path / "archives").mkdir()
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)  # noqa: E731
    (tmp_path / "archives" / "avant.yaml").write_text(dump(before), encoding="utf-8")
    (tmp_path / "referentiel.yaml").write_text(dump(after), encoding="utf-8")
    build = build_in_process(tmp_path / "referentiel.yaml", tmp_path / "site")
    assert build.returncode == 0, build.output
    page = build.html(url_of(addresses.changes("hostile")))
    article = page.select_one("article")
    assert not [s for s in page.find_all("script") if "alert" in s.get_text()]
    assert not page.select('img[src="x"]') and not page.select('a[href^="javascript"]')
    shown = " ".join(article.get_text(" ").split())
    assert "42 X" not in shown
    assert shown.count("<script>alert(1)</script>") >= 20  # both versions' texts, as typed
    assert HOSTILE.split(" {{")[0] in shown


def test_a_total_duration_alone_is_marked_when_it_changed() -> None:
    """Format 2 with only a total (duree): the sentence that gives it says what it was."""
    from guide_cqp.catalogue import Catalogue
    from guide_cqp.macros import Macros

    def with_duration(path: Path, low: int, high: int) -> object:
        ref = load_referentiel(path)
        data = ref.model_dump(mode="python", exclude_none=True)
        for bloc in data["blocs"]:
            for competence in bloc["competences"]:
                competence.pop("heures", None)
                for module in competence.get("modules", []):
                    module.pop("heures", None)
        data["duree"] = {"min": low, "max": high}
        return type(ref).model_validate(data)

    before, after = with_duration(FORMAT2.parent / "archives" / "maint-2020-09.yaml", 70, 140), with_duration(FORMAT2, 70, 210)
    macros = Macros(Catalogue((after,), precedentes={"maint": before}), page=lambda: "tuteur/entretien-reperage.md")
    shown = text(BeautifulSoup(macros.tableau_heures(), "html.parser"))
    assert "Durée totale de la formation : 70 à 210 h (avant : 70 à 140 h)." in shown
    assert "« avant » donne la valeur de la version 2020-09 du 10 septembre 2020" in shown
    unchanged = Macros(Catalogue((after,), precedentes={"maint": with_duration(FORMAT2, 70, 210)}))
    assert "avant" not in text(BeautifulSoup(unchanged.tableau_heures(), "html.parser"))
