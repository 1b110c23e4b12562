"""The on-screen livret keeps what is typed (guide_cqp/assets/livret.js), in Chromium.

Three built sites share one origin, as mike publishes versions side by side: the seed (/seed/), the seed's
référentiel under another version number (/nouvelle/) and another CQP (/autre/). What is typed stays in the
browser (localStorage), goes to a JSON file and comes back from it; a file of another CQP is refused, a file
of another version is opened with a warning; printing shows the typed text whole. Every request outside
127.0.0.1 is blocked and recorded: nothing is sent anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from support import OTHER_REFERENTIEL, SEED_REFERENTIEL, Build, run_build, serve
from test_livret_pdf import SYNTHESE, ZONES

from guide_cqp.model import Referentiel
from guide_cqp.validate import load_referentiel

from .e2e_support import DESKTOP, new_context, screenshot

READY = "[data-cqp-saisies]"  # shown by livret.js once it runs
STATUS = "[data-cqp-statut]"
ALERT = "[data-cqp-alerte]"


@dataclass
class Site:
    url: str  # the livret page
    ref: Referentiel


@pytest.fixture(scope="module")
def sites(seed_site: Build, other_site: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """The seed, the seed under a new version number, another CQP: one origin, as on GitHub Pages."""
    work = tmp_path_factory.mktemp("saisies")
    data = yaml.safe_load(SEED_REFERENTIEL.read_text(encoding="utf-8"))
    data["version"]["numero"] = f"{data['version']['numero']}-nouvelle"
    renamed = work / "referentiel-nouvelle-version.yaml"
    renamed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    newer = run_build(renamed, work / "nouvelle")
    assert newer.returncode == 0, newer.output
    root = work / "publie"
    root.mkdir()
    builds = {"seed": (seed_site, SEED_REFERENTIEL), "nouvelle": (newer, renamed), "autre": (other_site, OTHER_REFERENTIEL)}
    refs = {}
    for name, (build, referentiel) in builds.items():
        (root / name).symlink_to(build.site, target_is_directory=True)
        refs[name] = load_referentiel(referentiel)
    with serve(root) as base:
        yield {name: Site(f"{base}/{name}/{ref.cqp.code}/livret/", ref) for name, ref in refs.items()}


@pytest.fixture
def context(browser):  # noqa: ANN001, ANN201 (Playwright objects)
    """A fresh profile (empty storage) in which no request may leave 127.0.0.1 and no script may fail."""
    context = new_context(browser, DESKTOP, accept_downloads=True)
    outside: list[str] = []
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))

    def route(route, request) -> None:  # noqa: ANN001
        if urlsplit(request.url).hostname == "127.0.0.1" or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()
    assert outside == [], "requests sent outside the machine"
    assert errors == [], "JavaScript errors"


def open_livret(context, site: Site) -> Page:  # noqa: ANN001
    page = context.new_page()
    page.goto(site.url)
    expect(page.locator(READY)).to_be_visible()
    return page


def field_kinds(ref: Referentiel) -> dict[str, str]:
    """Every field name of the livret and its kind, as guide_cqp/pdf.py documents them (a public interface)."""
    kinds = {}
    for i, champ in enumerate(ref.livret.champs_couverture, start=1):
        kinds[f"couverture_{i}"] = "textarea" if re.search("cachet|signature", champ, re.I) else "text"
    for c in ref.competences:
        kinds |= {f"c{c.numero}_module_{j}": "checkbox" for j in range(1, len(c.modules) + 1)}
        kinds |= {f"c{c.numero}_{name}": "textarea" for name in SYNTHESE + ZONES}
    return kinds


def sample(ref: Referentiel) -> dict[str, str | bool]:
    """Typed values in every kind of field: a one-line input, text areas (several lines), checkboxes."""
    competences = ref.competences_triees()
    first, last = competences[0], competences[-1]
    one_line = next(name for name, kind in field_kinds(ref).items() if kind == "text")
    return {
        one_line: "Jeanne Dupont-Lefèvre « l’œuvre » – 3ᵉ essai",
        f"c{first.numero}_organisme": "Centre de formation\nLyon 7ᵉ",
        f"c{last.numero}_tuteur_positifs": "Accueil au téléphone très soigné.\n\nA traité seul trois réclamations.",
        f"c{first.numero}_module_1": True,
        f"c{last.numero}_module_{len(last.modules)}": True,
    }


def fill(page: Page, values: dict[str, str | bool]) -> None:
    for name, value in values.items():
        field = page.locator(f".cqp-livret [name='{name}']")
        if isinstance(value, bool):
            field.set_checked(value)
        else:
            field.fill(value)


def expect_values(page: Page, ref: Referentiel, values: dict[str, str | bool]) -> None:
    """The given values, and every other field of the livret empty or unticked."""
    for name, kind in field_kinds(ref).items():
        field = page.locator(f".cqp-livret [name='{name}']")
        value = values.get(name, False if kind == "checkbox" else "")
        if kind == "checkbox":
            expect(field).to_be_checked(checked=value)
        else:
            expect(field).to_have_value(value)


def save_file(page: Page, folder: Path) -> Path:
    with page.expect_download() as download:
        page.get_by_role("button", name="Enregistrer dans un fichier").click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def open_file(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Ouvrir un fichier").click()
    chooser.value.set_files(str(path))


def test_typed_fields_survive_a_reload_and_a_visit_elsewhere(context, sites: dict[str, Site]) -> None:  # noqa: ANN001
    site = sites["seed"]
    page = open_livret(context, site)
    expect_values(page, site.ref, {})
    values = sample(site.ref)
    fill(page, values)
    page.reload()
    expect_values(page, site.ref, values)
    expect(page.locator(STATUS)).to_contain_text("reprises")
    with page.expect_navigation():
        page.locator(".cqp-heures a").first.click()  # a competence's page
    page.goto(site.url)  # a new load, not the back-forward cache
    expect_values(page, site.ref, values)


def test_the_page_says_where_the_typing_stays(context, sites: dict[str, Site]) -> None:  # noqa: ANN001
    page = open_livret(context, sites["seed"])
    notice = page.locator(READY)
    expect(notice).to_contain_text("reste dans ce navigateur, sur cet ordinateur uniquement")
    expect(notice).to_contain_text("Rien n'est envoyé")
    for name in ("Enregistrer dans un fichier", "Ouvrir un fichier", "Tout effacer"):
        expect(notice.get_by_role("button", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="Imprimer le livret")).to_be_visible()
    screenshot(page, "livret-saisies-1280")


def test_a_saved_file_brings_everything_back_after_clearing(context, sites: dict[str, Site], tmp_path: Path) -> None:  # noqa: ANN001
    site = sites["seed"]
    page = open_livret(context, site)
    values = sample(site.ref)
    fill(page, values)

    saved = save_file(page, tmp_path)
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert record["format"] == "guide-cqp-livret"
    assert (record["cqp"], record["version"]) == (site.ref.cqp.code, site.ref.version.numero)
    assert dt.datetime.fromisoformat(record["enregistre_le"]).tzinfo is not None
    kinds = field_kinds(site.ref)
    assert set(record["champs"]) == set(kinds)
    assert record["champs"] == {n: values.get(n, False if k == "checkbox" else "") for n, k in kinds.items()}
    assert site.ref.cqp.code in saved.name and saved.suffix == ".json"
    expect(page.locator(STATUS)).to_contain_text(saved.name)

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Tout effacer").click()
    expect(page.locator(STATUS)).to_have_text("Rien n'a été effacé.")
    expect_values(page, site.ref, values)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tout effacer").click()
    expect(page.locator(STATUS)).to_contain_text("effacé")
    expect_values(page, site.ref, {})
    page.reload()
    expect_values(page, site.ref, {})  # gone from the browser too

    open_file(page, saved)
    expect(page.locator(STATUS)).to_contain_text("est ouvert")
    expect_values(page, site.ref, values)
    page.reload()
    expect_values(page, site.ref, values)  # and kept again


def test_a_file_of_another_cqp_is_refused_with_a_message(context, sites: dict[str, Site], tmp_path: Path) -> None:  # noqa: ANN001
    other, seed = sites["autre"], sites["seed"]
    page = open_livret(context, other)
    fill(page, sample(other.ref))
    saved = save_file(page, tmp_path)

    page = open_livret(context, seed)
    values = sample(seed.ref)
    fill(page, values)
    open_file(page, saved)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"Le fichier « {saved.name} » n'a pas été ouvert")
    expect(alert).to_contain_text(other.ref.cqp.intitule)
    expect(alert).to_contain_text(seed.ref.cqp.intitule)
    expect_values(page, seed.ref, values)
    page.reload()
    expect_values(page, seed.ref, values)


def test_broken_or_foreign_files_are_refused_with_a_message(context, sites: dict[str, Site], tmp_path: Path) -> None:  # noqa: ANN001
    site = sites["seed"]
    page = open_livret(context, site)
    values = sample(site.ref)
    fill(page, values)
    good = save_file(page, tmp_path).read_bytes()
    record = json.loads(good)
    shapes = {
        "notes.txt": "Un compte rendu, pas un livret : « à suivre ».".encode(),
        "coupe.json": good[: len(good) // 2],
        "vide.json": b"",
        "liste.json": b"[1, 2, 3]",
        "nombre.json": b"42",
        "image.json": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "latin1.json": "{ « livret » }".encode("latin-1"),
        "sans-format.json": json.dumps({k: v for k, v in record.items() if k != "format"}).encode(),
        "champs-liste.json": json.dumps({**record, "champs": list(record["champs"])}).encode(),
        "autre-outil.json": json.dumps({**record, "format": "autre-chose"}).encode(),
        "futur.json": json.dumps({**record, "version_format": 99}).encode(),
        "sans-cqp.json": json.dumps({k: v for k, v in record.items() if k != "cqp"}).encode(),
    }
    for name, content in shapes.items():
        path = tmp_path / name
        path.write_bytes(content)
        open_file(page, path)
        expect(page.get_by_role("alert")).to_contain_text(f"Le fichier « {name} » n'a pas été ouvert :")
        expect_values(page, site.ref, values)


def test_a_file_of_another_version_opens_with_a_warning(context, sites: dict[str, Site], tmp_path: Path) -> None:  # noqa: ANN001
    seed, newer = sites["seed"], sites["nouvelle"]
    page = open_livret(context, seed)
    values = sample(seed.ref)
    fill(page, values)
    saved = save_file(page, tmp_path)
    record = json.loads(saved.read_text(encoding="utf-8"))
    record["champs"] |= {"c999_activites": "Zone disparue", "couverture_1": 12}
    saved.write_text(json.dumps(record), encoding="utf-8")

    page = open_livret(context, newer)
    open_file(page, saved)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("est ouvert")
    expect(alert).to_contain_text(f"version « {seed.ref.version.numero} »")
    expect(alert).to_contain_text(f"version « {newer.ref.version.numero} »")
    expect(alert).to_contain_text("1 zone du fichier n'existe pas dans cette version")
    expect(alert).to_contain_text("1 zone du fichier était illisible")
    expect_values(page, newer.ref, {**values, "couverture_1": ""})


def test_a_new_version_offers_what_was_typed_in_the_previous_one(context, sites: dict[str, Site]) -> None:  # noqa: ANN001
    seed, newer = sites["seed"], sites["nouvelle"]
    page = open_livret(context, seed)
    values = sample(seed.ref)
    fill(page, values)

    page.goto(newer.url)
    expect(page.locator(READY)).to_be_visible()
    expect_values(page, newer.ref, {})  # one record per version
    take_over = page.get_by_role("button", name="Reprendre ces saisies")
    expect(take_over).to_be_visible()
    expect(page.locator("[data-cqp-reprise]")).to_contain_text(seed.ref.version.numero)
    typed_first = {next(iter(values)): "Tapé avant de reprendre"}
    fill(page, typed_first)
    page.once("dialog", lambda dialog: dialog.dismiss())  # « Remplacer ce qui est saisi… ? »
    take_over.click()
    expect(take_over).to_be_visible()
    expect_values(page, newer.ref, typed_first)
    page.once("dialog", lambda dialog: dialog.accept())
    take_over.click()
    expect(take_over).to_be_hidden()
    expect_values(page, newer.ref, values)
    expect(page.get_by_role("alert")).to_contain_text(f"version « {seed.ref.version.numero} »")

    page.locator(f"[name='{next(iter(values))}']").fill("Modifié dans la nouvelle version")
    page.goto(seed.url)
    expect_values(page, seed.ref, values)  # the previous version's record is left as it was


def test_two_tabs_of_the_same_livret_stay_in_step(context, sites: dict[str, Site]) -> None:  # noqa: ANN001
    site = sites["seed"]
    first, second = open_livret(context, site), open_livret(context, site)
    values = sample(site.ref)
    fill(first, values)
    expect_values(second, site.ref, values)


def test_a_browser_that_cannot_keep_the_typing_says_so(context, sites: dict[str, Site]) -> None:  # noqa: ANN001
    context.add_init_script("Storage.prototype.setItem = () => { throw new DOMException('plein', 'QuotaExceededError'); };")
    page = open_livret(context, sites["seed"])
    fill(page, sample(sites["seed"].ref))
    expect(page.get_by_role("alert")).to_contain_text("Ce navigateur ne garde pas ce que vous tapez")
    expect(page.get_by_role("alert")).to_contain_text("Enregistrer dans un fichier")


def test_printing_shows_what_was_typed_whole(context, sites: dict[str, Site], tmp_path: Path) -> None:  # noqa: ANN001
    site = sites["seed"]
    page = open_livret(context, site)
    values = sample(site.ref)
    # Far more lines than the box of a sheet holds on paper (about ten).
    long_name = f"c{site.ref.competences_triees()[0].numero}_activites"
    lines = [f"obs{i:02d} le candidat a pris seul l'appel numéro {i}" for i in range(1, 36)]
    fill(page, {**values, long_name: "\n".join(lines)})
    empty = page.locator(f"[name='c{site.ref.competences_triees()[0].numero}_dates']")
    empty.focus()

    pdf = tmp_path / "livret-imprime.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    for value in [v for v in values.values() if isinstance(v, str)] + lines:
        for line in value.splitlines():
            assert " ".join(line.split()) in text, line

    # On paper each filled field is its copy, shown whole; nothing keeps the focus ring.
    page.emulate_media(media="print")
    for name, value in {**values, long_name: "\n".join(lines)}.items():
        if isinstance(value, bool):
            continue
        field = page.locator(f".cqp-livret [name='{name}']")
        expect(field).to_be_hidden()
        copy = field.locator("xpath=following-sibling::div[contains(@class, 'cqp-copie')][1]")
        expect(copy).to_be_visible()
        assert copy.evaluate("e => e.textContent") == value
        assert copy.evaluate("e => e.scrollHeight <= e.clientHeight + 1 && getComputedStyle(e).overflow === 'visible'")
    assert empty.evaluate("e => e === document.activeElement && getComputedStyle(e).outlineStyle === 'none'")
    page.emulate_media(media="screen")
    assert empty.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
