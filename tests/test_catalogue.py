"""Several référentiels, one site: a folder of référentiels publishes the CQPs of a branch.

Real `mkdocs build --strict` runs on a folder (CQP_REFERENTIEL names it): the catalogue on the home page,
each CQP's pages and PDF under its code, the banner of each page, one nav section per CQP, the shared
guide pages, search results that name their CQP; and the refusals: a macro that does not say which CQP,
two files with one code, errors in several files reported together with nothing published.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from support import (
    DATA,
    OTHER_REFERENTIEL,
    SEED_REFERENTIEL,
    Build,
    catalogue_folder,
    fold,
    project_copy,
    run_build,
)

from guide_cqp import addresses
from guide_cqp.catalogue import load_catalogue
from guide_cqp.errors import ReferentielInvalide
from guide_cqp.french import date as french_date
from guide_cqp.french import hours
from guide_cqp.model import Referentiel
from guide_cqp.render import version_label
from guide_cqp.validate import load_referentiel

INVALID = DATA / "invalid"
CQP = Path(sys.executable).parent / "cqp"


def with_code(source: Path, code: str, target: Path) -> Path:
    """A copy of a valid référentiel under another CQP code."""
    text = source.read_text("utf-8")
    old = load_referentiel(source).cqp.code
    assert text.count(f"code: {old}\n") == 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(f"code: {old}\n", f"code: {code}\n"), encoding="utf-8")
    return target


def line_of(path: Path, text: str) -> int:
    """The line (1-based) of the first occurrence of ``text`` in a file."""
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), start=1) if text in line)


def cqp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CQP_REFERENTIEL"}
    return subprocess.run([str(CQP), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def shared_pages(build: Build) -> list[str]:
    """The built pages that belong to no CQP (home, guide pages, authors' pages), as « » or « tuteur/role/ »."""
    codes = {ref.cqp.code for ref in build.referentiels}
    pages = []
    for path in sorted(build.site.rglob("index.html")):
        relative = path.parent.relative_to(build.site)
        if not relative.parts or relative.parts[0] not in {*codes, "assets", "search"}:
            pages.append("" if not relative.parts else relative.as_posix() + "/")
    return pages


def url(source: str) -> str:
    """The built page of a Markdown source of guide_cqp.addresses: « rcad/competence-1.md » → « rcad/competence-1/ »."""
    return source[: -len("index.md")] if source.endswith("index.md") else source[: -len(".md")] + "/"


def competence_page(ref: Referentiel, numero: object) -> str:
    return url(addresses.competence(ref.cqp.code, numero))


def pages_of(ref: Referentiel) -> list[str]:
    code = ref.cqp.code
    competences = [competence_page(ref, c.numero) for c in ref.competences_triees()]
    return [url(addresses.overview(code)), *competences, url(addresses.livret(code))]


def resolve(build: Build, page: str, href: str) -> tuple[Path, str]:
    """The built file a relative link of ``page`` points to, and its anchor."""
    parts = urlsplit(href)
    target = (build.site / page / unquote(parts.path)).resolve() if parts.path else build.site / page / "index.html"
    return (target / "index.html" if target.is_dir() else target), parts.fragment


def banner(build: Build, page: str) -> BeautifulSoup:
    found = build.html(page).select_one(".md-banner .cqp-bandeau")
    assert found is not None, page
    return found


# --- reading a folder ----------------------------------------------------------------------------


def test_a_folder_gives_its_referentiels_in_the_natural_order_of_their_names_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "referentiels"
    with_code(OTHER_REFERENTIEL, "dix", folder / "cqp-10.yaml")
    with_code(OTHER_REFERENTIEL, "deux", folder / "CQP-2.yaml")
    with_code(OTHER_REFERENTIEL, "un", folder / "cqp-1.yml")
    with_code(OTHER_REFERENTIEL, "ecrit", folder / "Écrit.yaml")
    with_code(OTHER_REFERENTIEL, "cache", folder / ".cache.yaml")  # hidden: a draft, an editor's copy
    with_code(OTHER_REFERENTIEL, "archive", folder / "archives" / "ancien.yaml")  # a sub-folder: old versions
    (folder / "notes.txt").write_text("pas un référentiel", encoding="utf-8")
    catalogue = load_catalogue(folder)
    assert catalogue.codes == ["un", "deux", "dix", "ecrit"]
    assert [p.name for p in catalogue.fichiers] == ["cqp-1.yml", "CQP-2.yaml", "cqp-10.yaml", "Écrit.yaml"]
    assert catalogue.single is None


def test_a_folder_of_one_referentiel_is_a_site_of_one_cqp(tmp_path: Path) -> None:
    with_code(SEED_REFERENTIEL, "seul", tmp_path / "referentiels" / "seul.yaml")
    catalogue = load_catalogue(tmp_path / "referentiels")
    assert catalogue.single is not None and catalogue.single.cqp.code == "seul"


def test_a_folder_without_referentiel_is_refused_in_french(tmp_path: Path) -> None:
    folder = tmp_path / "vide"
    with_code(OTHER_REFERENTIEL, "archive", folder / "archives" / "ancien.yaml")
    (folder / "LISEZMOI.md").write_text("# Référentiels\n", encoding="utf-8")
    with pytest.raises(ReferentielInvalide) as caught:
        load_catalogue(folder)
    assert "aucun référentiel" in caught.value.rapport() and "vide" in caught.value.rapport()


def test_the_problems_of_every_file_are_reported_together_file_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "referentiels"
    folder.mkdir()
    bad = ["heures-negatives.yaml", "cle-inconnue-cqp.yaml", "syntaxe-tabulation.yaml"]
    for name in bad:
        shutil.copy(INVALID / name, folder / name)
    shutil.copy(SEED_REFERENTIEL, folder / "valide.yaml")
    expected: dict[str, list[str]] = {}
    for name in bad:
        with pytest.raises(ReferentielInvalide) as alone:
            load_referentiel(folder / name)
        expected[alone.value.problemes[0].fichier] = [str(p) for p in alone.value.problemes]
    with pytest.raises(ReferentielInvalide) as caught:
        load_catalogue(folder)
    exc = caught.value
    assert exc.fichiers == sorted(expected, key=lambda f: Path(f).name)  # file by file, in the folder's order
    assert {f: [str(p) for p in exc.problemes if p.fichier == f] for f in exc.fichiers} == expected
    report = exc.rapport()
    total = sum(len(v) for v in expected.values())
    assert report.splitlines()[0] == (
        f"{len(bad)} référentiels sur {len(bad) + 1} contiennent des erreurs ({total} au total)\u00a0; rien n'a été publié."
    )
    for fichier, lines in expected.items():
        assert f"Le référentiel {fichier} contient" in report
        for line in lines:
            assert f"  - {line}" in report
    assert "valide.yaml" not in report


def test_two_files_with_one_code_are_refused_with_a_message_naming_both(tmp_path: Path) -> None:
    folder = tmp_path / "referentiels"
    folder.mkdir()
    for name in ("a-commerce.yaml", "b-commerce.yaml", "c-commerce.yaml"):
        shutil.copy(SEED_REFERENTIEL, folder / name)
    with_code(OTHER_REFERENTIEL, "autre", folder / "d-autre.yaml")
    code = load_referentiel(SEED_REFERENTIEL).cqp.code
    with pytest.raises(ReferentielInvalide) as caught:
        load_catalogue(folder)
    problemes = caught.value.problemes
    assert [Path(p.fichier).name for p in problemes] == ["b-commerce.yaml", "c-commerce.yaml"]
    for p in problemes:
        assert p.chemin == ("cqp", "code")
        assert p.ligne == line_of(folder / Path(p.fichier).name, f"code: {code}")
        assert f"« {code} »" in p.message and "a-commerce.yaml" in p.message


# --- a real site of several CQPs ---------------------------------------------------------------------


def test_the_site_is_built_from_every_referentiel_of_the_folder(catalogue_site: Build) -> None:
    assert len(catalogue_site.referentiels) >= 2
    assert len({ref.cqp.code for ref in catalogue_site.referentiels}) == len(catalogue_site.referentiels)
    for ref in catalogue_site.referentiels:
        assert (catalogue_site.site / ref.cqp.code / "index.html").is_file()
    built = {p.name for p in catalogue_site.site.iterdir() if p.is_dir()}
    assert "archives" not in built  # the sub-folder of old versions is not read


def test_the_home_page_is_the_catalogue_of_the_cqps(catalogue_site: Build) -> None:
    refs = catalogue_site.referentiels
    home = catalogue_site.html("")
    catalogue = home.select_one("article .cqp-catalogue#catalogue")
    assert catalogue is not None
    cards = catalogue.select("li.cqp-catalogue-cqp")
    assert len(cards) == len(refs)
    for card, ref in zip(cards, refs, strict=True):
        title = card.select_one(".cqp-catalogue-titre a")
        assert fold(title.get_text()) == fold(ref.cqp.intitule)
        target, _ = resolve(catalogue_site, "", title["href"])
        assert target == (catalogue_site.site / ref.cqp.code / "index.html").resolve()
        infos = {fold(div.dt.get_text()): fold(div.dd.get_text()) for div in card.select("dl.cqp-catalogue-infos > div")}
        assert infos["code"] == ref.cqp.code
        assert fold(ref.version.numero) in infos["version"] and fold(french_date(ref.version.date)) in infos["version"]
        assert infos["compétences"] == str(len(ref.competences))
        if ref.total_heures is not None:  # format 2 may give no hours: then nothing is said of them
            assert infos["volume horaire"] == fold(hours(ref.total_heures))
        else:
            assert "volume horaire" not in infos
        certification = getattr(ref.cqp, "certification", None)  # format 2
        if certification is not None and getattr(certification, "numero", None):
            assert fold(str(certification.numero)) in infos["certification"]
        else:
            assert "certification" not in infos
        # What the filter reads: the title and the code at least.
        assert fold(ref.cqp.intitule) in fold(card["data-cqp-filtre"]) and ref.cqp.code in card["data-cqp-filtre"]
    # Without JavaScript the whole list shows and the filter, useless, stays hidden; the script shows it.
    filtre = catalogue.select_one(".cqp-catalogue-filtre")
    assert filtre.has_attr("hidden")
    field = filtre.select_one("input[type=search]")
    assert filtre.select_one(f"label[for={field['id']}]").get_text(strip=True)
    assert filtre.select_one("[role=status]").get_text(strip=True) == f"{len(refs)}\u00a0CQP sur {len(refs)}"
    scripts = [s["src"] for s in home.select("script[src]")]
    assert any(s.endswith("assets/guide-cqp/catalogue.js") for s in scripts)
    assert (catalogue_site.site / "assets" / "guide-cqp" / "catalogue.js").is_file()


def test_each_cqp_keeps_its_pages_and_its_pdf_under_its_code(catalogue_site: Build) -> None:
    for ref in catalogue_site.referentiels:
        code = ref.cqp.code
        overview = catalogue_site.html(f"{code}/")
        assert fold(overview.select_one("article h1").get_text().rstrip("#")) == fold(ref.cqp.intitule)
        assert fold(version_label(ref)) in fold(overview.select_one("article .cqp-version").get_text())
        for c in ref.competences_triees():
            text = fold(catalogue_site.text(competence_page(ref, c.numero)))
            know_how = [getattr(s, "texte", s) for s in c.savoir_faire]  # format 2: {texte, criteres} too
            assert fold(c.intitule) in text and all(fold(s) in text for s in know_how)
        livret = catalogue_site.html(f"{code}/livret/")
        assert livret.select_one(".cqp-livret") is not None
        pdf = catalogue_site.site / code / f"livret-{code}.pdf"
        reader = PdfReader(pdf)
        assert fold(ref.cqp.intitule) in fold(reader.pages[0].extract_text())
        links = [a["href"] for a in overview.select("article a[download]")]
        assert any(resolve(catalogue_site, f"{code}/", href)[0] == pdf.resolve() for href in links)


def test_each_page_of_a_cqp_names_its_cqp_and_version_and_shared_pages_name_none(catalogue_site: Build) -> None:
    refs = catalogue_site.referentiels
    for ref in refs:
        others = [o for o in refs if o.cqp.intitule != ref.cqp.intitule and o.cqp.intitule not in ref.cqp.intitule]
        for page in pages_of(ref):
            band = banner(catalogue_site, page)
            text = fold(band.get_text(" "))
            assert fold(ref.cqp.intitule) in text and fold(version_label(ref)) in text, page
            assert not any(fold(o.cqp.intitule) in text for o in others), page
            title = catalogue_site.html(page).title.get_text()
            assert fold(ref.cqp.intitule) in fold(title), page
    for page in shared_pages(catalogue_site):
        band = banner(catalogue_site, page)
        assert " ".join(band.get_text(" ").split()) == f"Guide du tuteur — {len(refs)} CQP", page
        assert not any(fold(ref.cqp.intitule) in fold(catalogue_site.html(page).title.get_text()) for ref in refs)


def nav_links(page: BeautifulSoup) -> list[tuple[str, str]]:
    nav = page.select_one("nav.md-nav--primary")
    return [(" ".join(a.get_text(" ").split()), a.get("href", "")) for a in nav.select("a.md-nav__link")]


def test_the_nav_has_one_section_per_cqp_and_shows_only_the_open_one(catalogue_site: Build) -> None:
    refs = catalogue_site.referentiels
    home = catalogue_site.html("")
    section = next(
        li
        for li in home.select("nav.md-nav--primary > ul > li.md-nav__item--section")
        if " ".join(li.select_one(".md-nav__link").get_text(" ").split()) == "Les CQP"
    )
    entries = section.select(":scope > nav > ul > li")
    assert [fold(li.select_one("a.md-nav__link").get_text(" ")) for li in entries] == [fold(r.cqp.intitule) for r in refs]
    for li, ref in zip(entries, refs, strict=True):
        target, _ = resolve(catalogue_site, "", li.select_one("a.md-nav__link")["href"])
        assert target == (catalogue_site.site / ref.cqp.code / "index.html").resolve()
    assert not [href for _, href in nav_links(home) if "competence-" in href]  # every section closed: one link each
    for ref in refs:
        c = ref.competences_triees()[-1]
        page = competence_page(ref, c.numero)
        hrefs = [resolve(catalogue_site, page, href)[0] for _, href in nav_links(catalogue_site.html(page)) if href]
        own = [url(addresses.overview(ref.cqp.code)), page, url(addresses.livret(ref.cqp.code))]
        assert {(catalogue_site.site / p / "index.html").resolve() for p in own} <= set(hrefs), page
        for other in refs:
            if other is not ref:
                assert not [h for h in hrefs if f"/{other.cqp.code}/competence-" in h.as_posix()], (page, other.cqp.code)


def test_the_shared_pages_render_and_link_to_the_catalogue_and_to_each_cqp(catalogue_site: Build) -> None:
    refs = catalogue_site.referentiels
    pages = shared_pages(catalogue_site)
    assert {"", "tuteur/role/", "tuteur/suivre-livret/"} <= set(pages)
    for page in pages:
        content = catalogue_site.html(page).select_one("article")
        assert content is not None and content.h1 is not None, page
        for a in content.select("a[href]"):
            href = a["href"]
            if href.startswith(("http:", "https:", "mailto:")) or "headerlink" in (a.get("class") or []):
                continue
            target, anchor = resolve(catalogue_site, page, href)
            assert target.exists(), f"{page}: {href}"
            if anchor and target.suffix == ".html":
                ids = {el["id"] for el in BeautifulSoup(target.read_text("utf-8"), "html.parser").select("[id]")}
                assert anchor in ids, f"{page}: {href}"
    # Where a single CQP's site quotes its référentiel, a site of several lists each CQP's page instead.
    expected = {
        "tuteur/role/": "#competences",
        "tuteur/entretien-reperage/": "#parcours-preconise",
        "tuteur/suivre-livret/": "livret/",
        "tuteur/sans-formation/": "#competences",
        "tuteur/evaluation-finale/": "#competences",
    }
    for page, ending in expected.items():
        lists = catalogue_site.html(page).select("article ul.cqp-liste-cqp")
        assert lists, page
        for found in lists:
            items = found.select("li a")
            to_hours = any(a["href"].endswith("#parcours-preconise") for a in items)
            listed = [r for r in refs if r.total_heures is not None] if to_hours else refs  # no hours, no table
            assert [fold(a.get_text()) for a in items] == [fold(r.cqp.intitule) for r in listed], page
            for a, ref in zip(items, listed, strict=True):
                target, _ = resolve(catalogue_site, page, a["href"])
                assert target.is_relative_to((catalogue_site.site / ref.cqp.code).resolve()), (page, a["href"])
        assert any(a["href"].endswith(ending) for found in lists for a in found.select("a")), page
    role = catalogue_site.html("tuteur/role/").select_one("article")
    catalogue_links = [a for a in role.select("a.cqp-lien-catalogue")]
    assert catalogue_links and resolve(catalogue_site, "tuteur/role/", catalogue_links[0]["href"]) == (
        (catalogue_site.site / "index.html").resolve(),
        "catalogue",
    )
    # No page of the tutor's guide quotes one CQP as if it were the site's only one.
    for page in [p for p in pages if p.startswith("tuteur/")]:
        text = fold(catalogue_site.text(page))
        for ref in refs:
            assert fold(version_label(ref)) not in text, (page, ref.cqp.code)


def test_search_results_name_their_cqp_and_only_the_text_is_searched(catalogue_site: Build) -> None:
    index = json.loads((catalogue_site.site / "search" / "search_index.json").read_text("utf-8"))
    assert set(index["config"]["fields"]) == {"title", "text"}
    by_code = {ref.cqp.code: ref for ref in catalogue_site.referentiels}
    seen = set()
    for doc in index["docs"]:
        code = doc["location"].split("/")[0]
        if code in by_code:
            assert doc.get("tags") == [f"CQP {by_code[code].cqp.intitule}"], doc["location"]
            seen.add(code)
        else:
            assert "tags" not in doc, doc["location"]
    assert seen == set(by_code)


def test_a_site_of_one_cqp_has_no_catalogue_script_tag_or_catalogue_banner(seed_site: Build) -> None:
    home = seed_site.html("")
    assert not (seed_site.site / "assets" / "guide-cqp" / "catalogue.js").exists()
    assert not [s for s in home.select("script[src]") if "catalogue" in s["src"]]
    assert home.select_one(".cqp-catalogue") is None and home.select_one(".cqp-bandeau-plusieurs") is None
    index = json.loads((seed_site.site / "search" / "search_index.json").read_text("utf-8"))
    assert not [d for d in index["docs"] if "tags" in d]
    assert [t for t, _ in nav_links(home)].count("Le référentiel") == 1


# --- refusals in a real build -------------------------------------------------------------------------


HOME_MADE = "# Notre fiche\n\nLe parcours complet dure {{ heures(%s) }}.\n"


def two_cqps(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(SEED_REFERENTIEL, folder / "commerce.yaml")
    shutil.copy(OTHER_REFERENTIEL, folder / "logistique.yaml")
    return folder


def test_a_macro_that_does_not_say_which_cqp_stops_the_build_naming_the_page(tmp_path: Path) -> None:
    folder = two_cqps(tmp_path / "referentiels")
    config = project_copy(tmp_path, {"tuteur/fiche-maison.md": HOME_MADE % ""})
    build = run_build(folder, tmp_path / "site", config=config)
    assert build.returncode != 0
    assert "Traceback" not in build.output
    errors = [line for line in build.output.splitlines() if line.startswith("ERROR")]
    assert errors and "Page tuteur/fiche-maison.md, ligne 3" in errors[0], build.output
    assert "plusieurs CQP" in errors[0] and 'cqp="code"' in errors[0]
    for ref in (load_referentiel(SEED_REFERENTIEL), load_referentiel(OTHER_REFERENTIEL)):
        assert f"« {ref.cqp.code} »" in errors[0]


def test_the_same_macro_told_which_cqp_quotes_that_cqp(tmp_path: Path) -> None:
    folder = two_cqps(tmp_path / "referentiels")
    other = load_referentiel(OTHER_REFERENTIEL)
    config = project_copy(tmp_path, {"tuteur/fiche-maison.md": HOME_MADE % f'cqp="{other.cqp.code}"'})
    build = run_build(folder, tmp_path / "site", config=config)
    assert build.returncode == 0, build.output
    assert fold(f"Le parcours complet dure {hours(other.total_heures)}.") in fold(build.text("tuteur/fiche-maison/"))


def broken_folder(folder: Path) -> Path:
    """Two invalid files, a valid one and a valid one whose code is already taken."""
    folder.mkdir(parents=True)
    shutil.copy(INVALID / "heures-min-superieur-max.yaml", folder / "a-heures.yaml")
    shutil.copy(INVALID / "date-invalide.yaml", folder / "b-date.yaml")
    shutil.copy(SEED_REFERENTIEL, folder / "c-commerce.yaml")
    shutil.copy(SEED_REFERENTIEL, folder / "d-copie.yaml")
    return folder


def test_a_folder_with_errors_in_several_files_publishes_nothing_and_reports_them_all(tmp_path: Path) -> None:
    folder = broken_folder(tmp_path / "referentiels")
    build = run_build(folder, tmp_path / "site")
    assert build.returncode == 1
    assert not (tmp_path / "site").exists()
    assert "Traceback" not in build.output
    errors = "\n".join(line for line in build.output.splitlines() if line.startswith("ERROR"))
    for name in ("a-heures.yaml", "b-date.yaml"):
        with pytest.raises(ReferentielInvalide) as alone:
            load_referentiel(folder / name)
        for probleme in alone.value.problemes:
            shown = str(probleme).removeprefix(probleme.fichier)  # the message as a person reads it
            assert shown in errors and f"{name}, ligne {probleme.ligne}" in errors
    assert "d-copie.yaml, ligne" in errors and "champ cqp.code" in errors and "c-commerce.yaml" in errors
    assert "3 référentiels sur 4 contiennent des erreurs" in errors


def test_cqp_valider_checks_a_folder_as_the_build_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken_folder(tmp_path / "casse")
    run = cqp("valider", "casse", cwd=tmp_path)
    assert run.returncode == 1 and run.stdout == ""
    monkeypatch.chdir(tmp_path)  # the same file names in the messages as the command's
    with pytest.raises(ReferentielInvalide) as caught:
        load_catalogue(Path("casse"))
    assert len(caught.value.fichiers) == 3
    assert run.stderr.strip() == caught.value.rapport()
    good = two_cqps(tmp_path / "bon")
    run = cqp("valider", str(good), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 3 and lines[-1] == f"{good}\u00a0: 2\u00a0référentiels valides."
    refs = [load_referentiel(good / "commerce.yaml"), load_referentiel(good / "logistique.yaml")]
    for line, ref, name in zip(lines[:-1], refs, ("commerce.yaml", "logistique.yaml"), strict=True):
        assert line.startswith(f"{good / name}\u00a0: référentiel valide") and f"«\u00a0{ref.cqp.intitule}\u00a0»" in line


def test_cqp_version_names_a_site_of_several_cqps_by_its_latest_referentiel(tmp_path: Path) -> None:
    folder = two_cqps(tmp_path / "referentiels")
    refs = [load_referentiel(p) for p in sorted(folder.glob("*.yaml"))]
    latest = max(ref.version.date for ref in refs)
    assert cqp("version", str(folder), cwd=tmp_path).stdout.strip() == latest.isoformat()
    title = cqp("version", "--titre", str(folder), cwd=tmp_path).stdout.strip()
    assert title == f"2\u00a0CQP, à jour au {french_date(latest)}"


def test_cqp_without_argument_checks_the_folder_that_mkdocs_yml_names(tmp_path: Path) -> None:
    config = project_copy(tmp_path, {})
    project = config.parent
    text = config.read_text("utf-8")
    config.write_text(text.replace("referentiel: referentiel.yaml", "referentiel: referentiels"), encoding="utf-8")
    assert "referentiel: referentiels\n" in config.read_text("utf-8")
    broken_folder(project / "referentiels")
    run = cqp("valider", cwd=project)
    assert run.returncode == 1 and "referentiels/d-copie.yaml" in run.stderr
    shutil.rmtree(project / "referentiels")
    two_cqps(project / "referentiels")
    run = cqp("valider", cwd=project)
    assert run.returncode == 0 and "2\u00a0référentiels valides" in run.stdout, run.stderr


def test_the_catalogue_folder_fixture_holds_only_valid_referentiels_and_things_to_ignore(tmp_path: Path) -> None:
    """Precondition of the site's tests: what the folder holds besides référentiels would break the build if read."""
    folder = catalogue_folder(tmp_path / "referentiels")
    for ignored in (folder / "archives" / "ancien.yaml", folder / ".brouillon.yaml"):
        with pytest.raises(ReferentielInvalide):
            load_referentiel(ignored)


@pytest.mark.parametrize("page", ["entreprises.md", "entreprises/index.md"])
def test_a_cqp_of_a_folder_inside_the_site_may_not_take_the_name_of_a_hand_written_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """The site is found above the folder of référentiels: its docs/ pages reserve their names there too."""
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: essai\n", encoding="utf-8")
    (site / "docs" / page).parent.mkdir(parents=True, exist_ok=True)
    (site / "docs" / page).write_text("# Entreprises\n", encoding="utf-8")
    folder = site / "referentiels"
    with_code(SEED_REFERENTIEL, "entreprises", folder / "a.yaml")
    shutil.copy(OTHER_REFERENTIEL, folder / "b.yaml")
    (tmp_path / "ailleurs").mkdir()
    monkeypatch.chdir(tmp_path / "ailleurs")  # no site in the working directory: found from the référentiels
    with pytest.raises(ReferentielInvalide) as caught:
        load_catalogue(folder)
    (probleme,) = caught.value.problemes
    assert probleme.fichier.endswith("a.yaml") and probleme.chemin == ("cqp", "code")
    assert f"docs/{page.split('/')[0]}" in probleme.message and "une page écrite à la main" in probleme.message
    (site / "mkdocs.yml").rename(tmp_path / "mkdocs.yml")  # now above the repository: another site's
    (site / "docs").rename(tmp_path / "docs")
    assert len(load_catalogue(folder)) == 2
