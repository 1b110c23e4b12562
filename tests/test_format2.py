"""Format 2 référentiels (blocs de compétences, certification, evaluation, optional hours) in real builds.

Two référentiels: tests/data/omi-format2.yaml (a CQPM in three blocs; some modules with hours, some
without, an optional module, competences without modules) and tests/data/sans-heures-format2.yaml (no
hours anywhere). Everything expected is read from the référentiel through the model, never written here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from support import NO_HOURS_REFERENTIEL, OMI_REFERENTIEL, OTHER_REFERENTIEL, SEED_REFERENTIEL, Build, fold, items_text

from guide_cqp import addresses, french, render
from guide_cqp.addresses import Links
from guide_cqp.catalogue import Catalogue
from guide_cqp.macros import Macros
from guide_cqp.model import Evaluation, Referentiel, SavoirFaire
from guide_cqp.render import Views
from guide_cqp.validate import load_referentiel, parse_referentiel

# « 0 h », « 0,0 h », not « 10 h » nor « 3,0 h »: a total of nothing shown as hours.
ZERO_HOURS = re.compile(r"(?<![\d,.])0(?:,0+)?[\s\u00a0\u202f]*h\b")
ANY_HOURS = re.compile(r"\d(?:,\d+)?[\s\u00a0\u202f]*h\b")
# Pages that document the format for authors: they quote examples of hours on purpose.
AUTHOR_PAGES = ("rediger-le-referentiel/", "macros/")


def page_text(build: Build, page: str) -> str:
    return fold(build.text(page))


def markdown_text(ref: Referentiel, value: str) -> str:
    return fold(BeautifulSoup(str(render.markdown_filter(value, ref)), "html.parser").get_text(" "))


def savoir_faire_texts(competence: Any) -> list[str]:
    texts: list[str] = []
    for item in competence.savoir_faire:
        if isinstance(item, SavoirFaire):
            texts += [item.texte, *items_text(item.criteres)]
        else:
            texts.append(item)
    return texts


def evaluation_texts(ref: Referentiel, evaluation: Evaluation) -> list[str]:
    texts = [t for m in evaluation.modalites for t in (m.intitule, m.duree) if t]
    texts += [markdown_text(ref, m.description) for m in evaluation.modalites if m.description]
    return texts + [t for t in (evaluation.seuil, evaluation.jury) if t]


def module_texts(module: Any) -> list[str]:
    texts = [module.intitule, *module.objectifs, *items_text(module.contenu)]
    return texts + ([module.note] if module.note else [])


def every_page(build: Build) -> list[str]:
    return [p.relative_to(build.site).as_posix() for p in sorted(build.site.rglob("index.html"))]


def competence_page(ref: Referentiel, c: Any) -> str:
    return addresses.competence(ref.cqp.code, c.numero).removesuffix(".md") + "/"


# --- the overview -------------------------------------------------------------------------------


def test_the_overview_shows_the_certification_the_public_then_each_bloc(format2_built: tuple[Build, Referentiel]) -> None:
    build, ref = format2_built
    page = build.html(f"{ref.cqp.code}/")
    text = page_text(build, f"{ref.cqp.code}/")
    cert = ref.certification
    assert cert is not None
    identity = fold(page.select_one("dl.cqp-certification").get_text(" "))
    for value in (cert.numero, cert.certificateur, cert.reference):
        if value:
            assert fold(value) in identity, value
    if cert.niveau:
        assert f"niveau {cert.niveau}" in identity
    if cert.enregistrement:
        for day in (cert.enregistrement.debut, cert.enregistrement.fin):
            assert fold(french.date(day)) in identity
    if ref.public:
        assert markdown_text(ref, ref.public) in text
    for item in items_text(ref.prerequis) + items_text(ref.acces):
        assert fold(item) in text, item
    # The certification and the public come before the blocs, the blocs in the référentiel's order.
    headings = [h.get("id") for h in page.select("article h2, article h3") if h.get("id")]
    expected_blocs = [addresses.bloc(b.code) for b in ref.blocs]
    assert [h for h in headings if h in expected_blocs] == expected_blocs
    assert headings.index("certification") < headings.index(expected_blocs[0])
    assert headings.index("public") < headings.index(expected_blocs[0])
    for bloc, competences in ref.par_bloc():
        section = page.find(id=addresses.bloc(bloc.code))
        body = section.find_next_sibling("div", class_="cqp-bloc")
        body_text = fold(body.get_text(" "))
        assert fold(bloc.intitule) in fold(section.get_text())
        for item in items_text(bloc.activites):
            assert fold(item) in body_text
        links = [a["href"] for a in body.select("ul.cqp-competences a")]
        assert [h.rstrip("/").rsplit("/", 1)[-1] for h in links] == [
            f"competence-{addresses.slug(c.numero)}" for c in competences
        ]
        if bloc.evaluation:
            for phrase in evaluation_texts(ref, bloc.evaluation):
                assert fold(phrase) in body_text, phrase


def test_the_certification_links_its_public_record(omi_site: Build, no_hours_site: Build) -> None:
    ref = load_referentiel(OMI_REFERENTIEL)
    digits = ref.certification.numero.removeprefix("RNCP")
    link = omi_site.html(f"{ref.cqp.code}/").select_one("dl.cqp-certification a")
    assert link["href"] == f"https://www.francecompetences.fr/recherche/rncp/{digits}/"
    assert ref.certification.numero in link.get_text()
    # No number, no link: nothing points to a record that may not be this CQP's.
    other = load_referentiel(NO_HOURS_REFERENTIEL)
    assert other.certification.numero is None
    assert not no_hours_site.html(f"{other.cqp.code}/").select("a[href*='francecompetences']")


@pytest.mark.parametrize(
    ("certification", "href", "words"),
    [
        ({"repertoire": "RS", "numero": "RS5432"}, "https://www.francecompetences.fr/recherche/rs/5432/", "Répertoire spécifique"),
        ({"numero": "RNCP 35612", "niveau": "4"}, "https://www.francecompetences.fr/recherche/rncp/35612/", "Niveau 4"),
        ({"repertoire": "aucun", "certificateur": "CPNEFP"}, None, "ni au RNCP ni au Répertoire spécifique"),
    ],
    ids=["rs", "rncp-sans-repertoire", "aucun"],
)
def test_every_repertoire_is_named_and_linked_as_france_competences_files_it(
    certification: dict[str, str], href: str | None, words: str
) -> None:
    text = NO_HOURS_REFERENTIEL.read_text(encoding="utf-8")
    block = "  certification:\n" + "".join(f"    {k}: {v}\n" for k, v in certification.items())
    text = re.sub(r"  certification:\n(?:    .*\n)+", block, text, count=1)
    ref = parse_referentiel(text)
    html = Views().overview(ref, Links(page=addresses.overview(ref.cqp.code), code=ref.cqp.code))
    soup = BeautifulSoup(html, "html.parser")
    identity = soup.select_one("dl.cqp-certification")
    assert words in identity.get_text(" ")
    assert [a["href"] for a in identity.select("a")] == ([href] if href else [])
    cover = BeautifulSoup(Views().livret(ref, None), "html.parser").select_one(".cqp-couverture-certification")
    number = certification.get("numero", "").replace(" ", "")
    assert number in cover.get_text(" ")


# --- the competence pages ----------------------------------------------------------------------------


def test_a_competence_page_names_its_bloc_and_shows_every_text(format2_built: tuple[Build, Referentiel]) -> None:
    build, ref = format2_built
    for c in ref.competences:
        address = competence_page(ref, c)
        page = build.html(address)
        text = page_text(build, address)
        bloc = ref.bloc_de(c)
        named = page.select_one(".cqp-bloc-de a")
        assert fold(bloc.code) in fold(named.get_text()) and fold(bloc.intitule) in fold(named.get_text())
        assert named["href"].endswith(f"#{addresses.bloc(bloc.code)}")
        assert fold(f"Compétence {c.numero} · {c.intitule}") in fold(page.h1.get_text())
        for phrase in savoir_faire_texts(c) + items_text(c.activites_entreprise) + items_text(c.criteres_evaluation):
            assert fold(phrase) in text, phrase
        for m in c.modules:
            for phrase in module_texts(m):
                assert fold(phrase) in text, phrase
            heading = fold(page.find(id=addresses.module(m.numero)).get_text())
            assert ("(facultatif)" in heading) == m.facultatif
        if c.total_heures:
            assert fold(french.hours(c.total_heures)) in fold(page.select_one(".cqp-resume").get_text(" "))
        if not c.modules:
            assert page.select_one(".cqp-sans-modules") is not None


def test_a_competence_page_says_how_the_competence_is_evaluated(format2_built: tuple[Build, Referentiel]) -> None:
    build, ref = format2_built
    for c in ref.competences:
        page = build.html(competence_page(ref, c))
        evaluations = ref.evaluations_de(c)
        section = page.find(id="evaluation")
        if not (evaluations or c.a_des_criteres):
            assert section is None
            continue
        assert section is not None and section.name == "h2"
        part = fold(" ".join(_section_text(section)))
        for _, evaluation in evaluations:
            for phrase in evaluation_texts(ref, evaluation):
                assert fold(phrase) in part, (c.numero, phrase)
        for phrase in items_text(c.criteres_evaluation):
            assert fold(phrase) in part
        assert (page.find(id="criteres") is not None) == c.a_des_criteres


def _section_text(heading: Tag) -> list[str]:
    """The texts from a h2 to the next h2."""
    texts = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        texts.append(sibling.get_text(" "))
    return texts


def test_a_text_number_gives_its_address_and_is_shown_as_written(omi_site: Build) -> None:
    ref = load_referentiel(OMI_REFERENTIEL)
    for c in ref.competences:
        assert isinstance(c.numero, str)
        assert (omi_site.site / ref.cqp.code / f"competence-{addresses.slug(c.numero)}" / "index.html").is_file()
        assert f"Compétence {c.numero}" in omi_site.html(competence_page(ref, c)).h1.get_text()


# --- hours: shown only where known ---------------------------------------------------------------------


def test_no_page_and_no_pdf_shows_zero_hours(format2_built: tuple[Build, Referentiel]) -> None:
    build, ref = format2_built
    for page in every_page(build):
        text = BeautifulSoup((build.site / page).read_text(encoding="utf-8"), "html.parser").get_text(" ")
        assert not ZERO_HOURS.search(text), (page, ZERO_HOURS.search(text))
    pdf = build.site / addresses.pdf(ref.cqp.code)
    from test_livret_pdf import page_texts

    for number, text in enumerate(page_texts(pdf), start=1):
        assert not ZERO_HOURS.search(text), (number, ZERO_HOURS.search(text))


def test_without_hours_nothing_about_hours_is_shown(no_hours_site: Build) -> None:
    ref = load_referentiel(NO_HOURS_REFERENTIEL)
    assert ref.total_heures is None
    for page in every_page(no_hours_site):
        if page.startswith(AUTHOR_PAGES):
            continue
        soup = BeautifulSoup((no_hours_site.site / page).read_text(encoding="utf-8"), "html.parser")
        text = fold(soup.select_one("article").get_text(" "))
        assert not ANY_HOURS.search(text), (page, ANY_HOURS.search(text))
        for words in ("volume horaire", "volumes horaires", "volume de formation", "durée non indiquée"):
            assert words not in text, (page, words)
        assert not soup.select("table.cqp-heures, .cqp-heures-badge, .cqp-sans-heures"), page
    home = page_text(no_hours_site, "")
    assert "compétences" in home and "préconisé" not in home
    livret = no_hours_site.html(f"{ref.cqp.code}/livret/")
    assert livret.find(id="preconise") is None, "no hours and no presentation: no « parcours préconisé » part"
    assert livret.select_one(".cqp-renvoi") is None
    assert "*" not in livret.select("table.cqp-synthese thead th")[-1].get_text()


def test_partial_totals_say_what_they_leave_out(omi_site: Build) -> None:
    ref = load_referentiel(OMI_REFERENTIEL)
    total = ref.total_heures
    assert total is not None and total.hors, "the référentiel has modules and competences without hours"
    table = omi_site.html(f"{ref.cqp.code}/").select_one("table.cqp-heures")
    footer = fold(table.select_one("tfoot").get_text(" "))
    assert fold(french.hours_left_out(total.hors)) in footer
    cells = [td.get_text() for td in table.select("tfoot td")]
    assert cells == [french.hour(total.min), french.hour(total.max)]
    for bloc in ref.blocs:
        row = next(tr for tr in table.select("tr.cqp-sous-total-bloc") if fold(f"bloc {bloc.code}") in fold(tr.get_text()))
        volume = bloc.total_heures
        if volume is None:
            assert "durée non indiquée" in row.get_text()
        else:
            assert [td.get_text() for td in row.select("td")] == [french.hour(volume.min), french.hour(volume.max)]
    # An optional module counts in the maximum only.
    optional = [(c, m) for c in ref.competences for m in c.modules if m.facultatif and m.heures]
    assert optional
    for c, m in optional:
        others = [x for x in c.modules if x is not m and x.heures]
        assert c.total_heures.min == sum((x.heures.min for x in others), Decimal(0))
        assert c.total_heures.max == sum((x.heures.max for x in c.modules if x.heures), Decimal(0))
    home = page_text(omi_site, "")
    assert fold(f"volume de formation préconisé : {french.hours(total)}") in home


def test_the_home_page_sentence_about_the_volume_needs_a_volume(omi_site: Build, no_hours_site: Build) -> None:
    ref = load_referentiel(OMI_REFERENTIEL)
    assert fold(french.hours(ref.total_heures)) in page_text(omi_site, "")
    assert "volume de formation" not in page_text(no_hours_site, "")


def test_the_hours_macro_says_nothing_when_no_hours_are_known() -> None:
    ref = load_referentiel(NO_HOURS_REFERENTIEL)
    macros = Macros(Catalogue((ref,)))
    assert macros.heures() == ""
    assert macros.heures(ref.competences[0].numero) == ""
    assert macros.tableau_heures().strip() == ""
    partial = load_referentiel(OMI_REFERENTIEL)
    assert fold(french.hours(partial.total_heures)) in fold(Macros(Catalogue((partial,))).heures())


def test_a_total_duration_alone_is_shown_as_a_total() -> None:
    text = NO_HOURS_REFERENTIEL.read_text(encoding="utf-8").replace("blocs:\n", "duree: {min: 70, max: 210}\nblocs:\n", 1)
    ref = parse_referentiel(text)
    assert (ref.total_heures.min, ref.total_heures.max) == (Decimal(70), Decimal(210))
    assert not ref.heures_detaillees
    html = Views().overview(ref, Links(page=addresses.overview(ref.cqp.code), code=ref.cqp.code))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("table.cqp-heures") is None
    assert fold(french.hours(ref.total_heures)) in fold(soup.select_one(".cqp-duree-totale").get_text(" "))
    assert Macros(Catalogue((ref,))).heures() != ""


# --- navigation -----------------------------------------------------------------------------------------


def test_the_navigation_groups_the_competences_by_bloc(format2_built: tuple[Build, Referentiel]) -> None:
    """One nav group per bloc, titled with its code and title, holding its competences in order.

    With navigation.prune a page lists the entries of its own group only: each bloc's group is read on
    the page of its first competence; elsewhere the group leads to that page.
    """
    build, ref = format2_built

    def groups(page: str) -> dict[str, list[str]]:
        nav = build.html(page).select_one(".md-nav--primary")
        found = {}
        for item in nav.select("li.md-nav__item--nested"):
            label = fold(item.find(["label", "a"], class_="md-nav__link").get_text(" "))
            hrefs = [urljoin(page, a["href"]) for a in item.select("a.md-nav__link[href]")]
            links = list(dict.fromkeys(h.split("#")[0].rstrip("/").rsplit("/", 1)[-1] for h in hrefs))
            found[label] = [link for link in links if link.startswith("competence-")]
        return found

    on_home = groups("index.html")
    for bloc, competences in ref.par_bloc():
        addresses_of_bloc = [f"competence-{addresses.slug(c.numero)}" for c in competences]
        title = fold(addresses.bloc_title(bloc))
        assert on_home[title][:1] == addresses_of_bloc[:1]
        assert groups(competence_page(ref, competences[0]))[title] == addresses_of_bloc
    assert [label for label in on_home if any(fold(b.code) + " ·" in label for b in ref.blocs)] == [
        fold(addresses.bloc_title(b)) for b in ref.blocs
    ]


def test_a_large_bloc_is_grouped_again_in_the_navigation() -> None:
    """Past NAV_FLAT_MAX competences in one bloc, the bloc's entries come in groups, as format 1's do."""
    ref = load_referentiel(NO_HOURS_REFERENTIEL)
    bloc = ref.blocs[0]
    many = [bloc.competences[0].model_copy(update={"numero": f"X{n}"}) for n in range(1, addresses.NAV_FLAT_MAX + 6)]
    big = ref.model_copy(update={"blocs": [bloc.model_copy(update={"competences": many}), *ref.blocs[1:]]})
    entries = addresses.competence_entries(big)
    (first_title, first_entries), = entries[0].items()
    assert bloc.code in first_title
    assert all(isinstance(group, dict) and isinstance(next(iter(group.values())), list) for group in first_entries)
    assert sum(len(next(iter(g.values()))) for g in first_entries) == len(many)


# --- the livret -----------------------------------------------------------------------------------------


def test_the_livret_cover_shows_the_certification_and_its_parts_are_grouped_by_bloc(
    format2_built: tuple[Build, Referentiel],
) -> None:
    build, ref = format2_built
    livret = build.html(f"{ref.cqp.code}/livret/").select_one(".cqp-livret")
    cover = fold(livret.select_one(".cqp-couverture").get_text(" "))
    cert = ref.certification
    for value in (cert.numero, cert.certificateur, cert.reference):
        if value:
            assert fold(value) in cover
    # Parcours sheet: a bloc's row, then its competences' rows.
    rows = [fold(r.get_text(" ")) for r in livret.select("table.cqp-synthese tbody tr")]
    expected = [
        fold(f"Bloc {b.code} {b.intitule}") if c is None else fold(f"Compétence {c.numero} {c.intitule}")
        for b, competences in ref.par_bloc()
        for c in [None, *competences]
    ]
    assert len(rows) == len(expected)
    assert all(row.startswith(start) for row, start in zip(rows, expected, strict=True)), (rows, expected)
    # Sheets: the bloc's page, then the sheets of its competences, in order.
    sections = [s.get("id") for s in livret.find_all("section", recursive=False)]
    order = [
        anchor
        for bloc, competences in ref.par_bloc()
        for anchor in [addresses.bloc(bloc.code), *(addresses.competence_sheet(c.numero) for c in competences)]
    ]
    assert [s for s in sections if s in order] == order
    assert bool(livret.select("table.cqp-heures")) == ref.heures_detaillees
    for bloc in ref.blocs:
        part = fold(livret.find(id=addresses.bloc(bloc.code)).get_text(" "))
        for phrase in items_text(bloc.activites) + (evaluation_texts(ref, bloc.evaluation) if bloc.evaluation else []):
            assert fold(phrase) in part
    for c in ref.competences:
        sheet = fold(livret.find(id=addresses.competence_sheet(c.numero)).get_text(" "))
        assert fold(ref.bloc_de(c).intitule) in sheet
        for phrase in savoir_faire_texts(c):
            assert fold(phrase) in sheet


def test_the_pdf_fields_are_named_from_the_competence_address(format2_built: tuple[Build, Referentiel]) -> None:
    from pypdf import PdfReader

    build, ref = format2_built
    reader = PdfReader(build.site / addresses.pdf(ref.cqp.code))
    expected = {f"couverture_{i}" for i in range(1, len(ref.livret.champs_couverture) + 1)}
    for c in ref.competences:
        expected |= {addresses.form_field(c.numero, n) for n in ("organisme", "dates", "heures")}
        expected |= {addresses.form_field(c.numero, n) for n in ("points_cles", "activites", "formateur")}
        expected |= {addresses.form_field(c.numero, n) for n in ("tuteur_positifs", "tuteur_approfondir")}
        if c.modules:
            expected |= {addresses.form_field(c.numero, f"module_{j}") for j in range(1, len(c.modules) + 1)}
        else:
            expected.add(addresses.form_field(c.numero, "formation"))
    assert set(reader.get_fields()) == expected
    assert addresses.form_field("C1", "dates") == "cc1_dates" and addresses.form_field(3, "dates") == "c3_dates"


def test_the_pdf_bookmarks_nest_the_sheets_under_their_bloc(format2_built: tuple[Build, Referentiel]) -> None:
    from pypdf import PdfReader
    from test_livret_pdf import norm

    build, ref = format2_built
    reader = PdfReader(build.site / addresses.pdf(ref.cqp.code))
    outline = reader.outline
    top = [norm(item.title) for item in outline if not isinstance(item, list)]
    blocs = [norm(f"Bloc {b.code} – {b.intitule}") for b in ref.blocs]
    assert [t for t in top if t.startswith("Bloc ")] == blocs
    for bloc, competences in ref.par_bloc():
        index = next(i for i, item in enumerate(outline) if not isinstance(item, list) and norm(item.title) == norm(f"Bloc {bloc.code} – {bloc.intitule}"))
        children = outline[index + 1]
        assert isinstance(children, list)
        assert [norm(item.title) for item in children] == [norm(f"Compétence {c.numero} – {c.intitule}") for c in competences]


def test_the_pdf_has_an_hours_table_only_where_hours_exist(format2_built: tuple[Build, Referentiel]) -> None:
    from test_livret_pdf import page_texts

    build, ref = format2_built
    pages = page_texts(build.site / addresses.pdf(ref.cqp.code))
    title = fold(ref.libelle(ref.livret.preconise_titre))
    has_part = any(title in fold(p) for p in pages)
    assert has_part == (ref.total_heures is not None or bool(ref.presentation))
    columns = fold(ref.libelle(ref.livret.colonne_volumes))
    assert any(columns in fold(p) for p in pages) == ref.heures_detaillees


# --- the tutor's pages -----------------------------------------------------------------------------------


def test_preparing_the_final_evaluation_quotes_the_modalities(format2_built: tuple[Build, Referentiel]) -> None:
    build, ref = format2_built
    text = page_text(build, "tuteur/evaluation-finale/")
    assert ref.evaluations
    assert "ne figurent pas dans ce guide" not in text
    for bloc in ref.blocs:
        if bloc.evaluation:
            for phrase in evaluation_texts(ref, bloc.evaluation):
                assert fold(phrase) in text, phrase
    for c in ref.competences:
        if c.evaluation:
            for phrase in evaluation_texts(ref, c.evaluation):
                assert fold(phrase) in text, phrase


def test_the_evaluation_macro_quotes_one_bloc_or_says_nothing() -> None:
    ref = load_referentiel(OMI_REFERENTIEL)
    macros = Macros(Catalogue((ref,)))
    first, second = ref.blocs[0], ref.blocs[1]
    one = fold(BeautifulSoup(macros.evaluation(first.code.lower()), "html.parser").get_text(" "))
    assert fold(first.evaluation.modalites[0].intitule) in one
    assert fold(second.intitule) not in one
    with pytest.raises(ValueError, match="pas de bloc « ZZ »"):
        macros.evaluation("ZZ")
    seed = Macros(Catalogue((load_referentiel(SEED_REFERENTIEL),)))
    assert seed.evaluation() == ""


def test_every_text_of_the_referentiel_is_on_the_site(format2_built: tuple[Build, Referentiel]) -> None:
    """Nothing the branch wrote is lost: every text field of the file is somewhere on the site."""
    build, ref = format2_built
    site = " ".join(page_text(build, page.removesuffix("index.html")) for page in every_page(build))
    texts = [ref.cqp.intitule, *(t for t in (ref.cqp.branche, ref.cqp.instance) if t)]
    cert = ref.certification
    texts += [t for t in (cert.numero, cert.certificateur, cert.reference) if t]
    texts += items_text(ref.prerequis) + items_text(ref.acces)
    texts += [markdown_text(ref, t) for t in (ref.public, ref.presentation) if t]
    for bloc in ref.blocs:
        texts += [bloc.code, bloc.intitule, *items_text(bloc.activites)]
        texts += evaluation_texts(ref, bloc.evaluation) if bloc.evaluation else []
    for c in ref.competences:
        texts += [str(c.numero), c.intitule, *savoir_faire_texts(c), *items_text(c.activites_entreprise)]
        texts += items_text(c.criteres_evaluation) + (evaluation_texts(ref, c.evaluation) if c.evaluation else [])
        for m in c.modules:
            texts += [m.numero, *module_texts(m)] + ([m.intitule_court] if m.intitule_court else [])
    missing = [t for t in texts if fold(t) not in site]
    assert missing == []


# --- the livret on paper: the PDF and the browser's print ----------------------------------------------


def check_format2_pages(ref: Referentiel, pages: list[str]) -> None:
    """Cover alone, then the parts, then each bloc's page followed by its competences' sheets (≤ 2 pages each)."""
    from test_livret_pdf import grid_labels, label, norm

    lower = [p.lower() for p in pages]
    cover = lower[0]
    for text in [ref.cqp.intitule, *ref.livret.champs_couverture]:
        assert label(ref, text).lower() in cover, text
    cert = ref.certification
    for value in (cert.numero, cert.certificateur, cert.reference):
        if value:
            assert norm(value).lower() in cover, value
    savoir_faire = label(ref, ref.livret.savoir_faire).lower()
    parcours = next(i for i, p in enumerate(lower) if label(ref, ref.livret.parcours_titre).lower() in p)
    bloc_pages = [
        next(i for i, p in enumerate(lower) if norm(f"bloc de compétences {b.code}").lower() in p) for b in ref.blocs
    ]
    sheets = [i for i, p in enumerate(lower) if savoir_faire in p]
    assert 0 < parcours < bloc_pages[0] and bloc_pages == sorted(bloc_pages)
    assert not set(bloc_pages) & set(sheets), "a bloc's page holds no sheet"
    starts = sorted(bloc_pages + sheets)
    ends = [*starts[1:], len(pages)]
    expected = [("bloc", b.code) if c is None else ("sheet", c) for b, cs in ref.par_bloc() for c in [None, *cs]]
    assert len(starts) == len(expected)
    for (kind, what), start, end in zip(expected, starts, ends, strict=True):
        if kind == "bloc":
            assert start in bloc_pages and norm(what).lower() in lower[start]
            continue
        assert f"compétence {what.numero}".lower() in lower[start] and norm(what.intitule).lower() in lower[start]
        assert end - start <= 2, f"competence {what.numero} takes {end - start} pages"
        for g in grid_labels(ref):
            assert sum(pages[i].count(g) for i in range(start, end)) == 1, (what.numero, g)


def test_the_pdf_livret_keeps_the_paper_layout_by_bloc(format2_built: tuple[Build, Referentiel]) -> None:
    from test_livret_pdf import page_texts

    build, ref = format2_built
    check_format2_pages(ref, page_texts(build.site / addresses.pdf(ref.cqp.code)))


@pytest.fixture(scope="module")
def printed_format2(format2_built: tuple[Build, Referentiel], tmp_path_factory: pytest.TempPathFactory) -> tuple[Referentiel, Any]:
    """The livret page printed by Chromium (Ctrl+P on A4), as tests/test_livret_print.py does for format 1."""
    import subprocess

    from support import CHROMIUM, serve
    from test_livret_print import FLAGS

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed")
    build, ref = format2_built
    pdf = tmp_path_factory.mktemp("print-format2") / "livret.pdf"
    profile = tmp_path_factory.mktemp("chromium-profile")
    with serve(build.site) as base:
        url = f"{base}/{ref.cqp.code}/livret/"
        command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", url]
        subprocess.run(command, capture_output=True, timeout=120, check=True)
    return ref, pdf


def test_the_printed_livret_keeps_the_paper_layout_by_bloc(printed_format2: tuple[Referentiel, Any]) -> None:
    from test_livret_pdf import page_texts
    from test_livret_print import CHROME

    ref, pdf = printed_format2
    pages = page_texts(pdf)
    check_format2_pages(ref, pages)
    for number, text in enumerate(pages, start=1):
        for word in CHROME:
            assert word not in text, f"« {word} » printed on page {number}"


# --- the authors' macros on format 2 -------------------------------------------------------------------


def test_links_to_a_competence_numbered_by_an_identifier_and_to_parts_that_may_be_absent() -> None:
    omi, none = load_referentiel(OMI_REFERENTIEL), load_referentiel(NO_HOURS_REFERENTIEL)
    page = "tuteur/role.md"
    macros = Macros(Catalogue((omi,)), page=lambda: page)
    first = omi.competences_triees()[0]
    sheet = BeautifulSoup(macros.lien_livret(str(first.numero).lower()), "html.parser").a
    assert sheet["href"] == addresses.relative(page, addresses.livret(omi.cqp.code)) + "#" + addresses.competence_sheet(first.numero)
    evaluated = BeautifulSoup(macros.lien_competence(first.numero, section="evaluation"), "html.parser").a
    assert evaluated["href"].endswith(f"competence-{addresses.slug(first.numero)}.md#evaluation")
    with pytest.raises(ValueError, match="Numéros de compétence valides"):
        macros.lien_competence("C99")
    # No hours and no presentation: the livret has no « préconisé » part, the link goes to its top.
    bare = Macros(Catalogue((none,)), page=lambda: page)
    assert none.total_heures is None and not none.presentation
    href = BeautifulSoup(bare.lien_livret("preconise"), "html.parser").a["href"]
    assert href == addresses.relative(page, addresses.livret(none.cqp.code))
    # Format 1 says nothing of how a competence is assessed: « evaluation » leads to the page's top.
    old = load_referentiel(OTHER_REFERENTIEL)
    c = old.competences_triees()[0]
    top = BeautifulSoup(Macros(Catalogue((old,)), page=lambda: page).lien_competence(c.numero, section="evaluation"), "html.parser")
    assert top.a["href"].endswith(f"competence-{addresses.slug(c.numero)}.md")
