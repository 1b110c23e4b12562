"""The author's tool: one plugin, macros that need no MkDocs, addresses computed in one place, French errors.

Each test says what a branch's staff member or a site maintainer relies on; builds are real `mkdocs build`.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from support import OTHER_REFERENTIEL, ROOT, SEED_REFERENTIEL, fold, run_build

from guide_cqp import addresses, render
from guide_cqp.catalogue import load_catalogue
from guide_cqp.macros import MacroInvalide, Macros, define_env, page_source
from guide_cqp.pages import generated_pages
from guide_cqp.validate import load_referentiel

# --- addresses: one module computes pages, anchors and links --------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.1", "1-1"), ("1-1", "1-1"), ("C1", "c1"), ("A1.2", "a1-2"), ("Élément 2", "element-2"), (12, "12")],
)
def test_numbers_and_codes_become_address_parts(value: object, expected: str) -> None:
    assert addresses.slug(value) == expected


def test_different_letters_give_different_anchors() -> None:
    assert addresses.module("α") != addresses.module("β")


def test_links_are_relative_to_the_markdown_source_of_the_page() -> None:
    links = addresses.Links(page="tuteur/role.md", code="rcad", pdf_built=True)
    assert links.competence(2) == "../rcad/competence-2.md"
    assert links.competence(2, "activites") == "../rcad/competence-2.md#activites"
    assert links.sheet(2) == "../rcad/livret.md#competence-2"
    assert links.pdf == "../rcad/livret-rcad.pdf"
    own = addresses.Links(page="rcad/competence-1.md", code="rcad", pdf_built=False)
    assert own.livret == "livret.md" and own.overview == "index.md" and own.pdf is None
    assert addresses.Links(page="index.md", code="rcad").livret_part("parcours") == "rcad/livret.md#parcours"


def test_the_nav_section_lists_overview_competences_and_livret() -> None:
    ref = load_referentiel(OTHER_REFERENTIEL)
    section = addresses.nav_section(ref)
    paths = [next(iter(entry.values())) for entry in section]
    assert paths[0] == addresses.overview(ref.cqp.code) and paths[-1] == addresses.livret(ref.cqp.code)
    assert paths[1:-1] == [addresses.competence(ref.cqp.code, c.numero) for c in ref.competences_triees()]


# --- the macros are a plain class, tested without MkDocs -----------------------------------------


@pytest.fixture(scope="module")
def macros() -> Macros:
    return Macros(load_catalogue(OTHER_REFERENTIEL), page=lambda: "tuteur/ma-page.md", pdf_built=False)


def test_macros_quote_the_referentiel_without_mkdocs(macros: Macros) -> None:
    ref = load_referentiel(OTHER_REFERENTIEL)
    last = ref.competences_triees()[-1]
    assert fold(ref.cqp.intitule) in fold(macros.cqp())
    assert macros.nombre_competences().strip() == str(len(ref.competences))
    assert f'href="../{ref.cqp.code}/competence-{last.numero}.md"' in macros.lien_competence(last.numero)
    assert f'href="../{ref.cqp.code}/livret.md#competence-{last.numero}"' in macros.lien_livret(last.numero)
    assert macros.lien_pdf() == ""  # no PDF built: no link
    assert macros.liste_competences().count("<li") == len(ref.competences)


def test_a_wrong_call_names_the_page_the_call_and_the_valid_values(macros: Macros) -> None:
    ref = load_referentiel(OTHER_REFERENTIEL)
    with pytest.raises(MacroInvalide) as caught:
        macros.lien_competence(99, section="activites")
    message = str(caught.value)
    assert "tuteur/ma-page.md" in message and "lien_competence(99, section='activites')" in message
    assert all(str(c.numero) in message for c in ref.competences)
    with pytest.raises(MacroInvalide, match="« nulle part » n'est pas reconnu"):
        macros.lien_livret("nulle part")
    with pytest.raises(MacroInvalide, match="il n'y a pas de CQP « autre »"):
        macros.cqp(cqp="autre")


def test_the_generated_pages_hold_only_macro_calls() -> None:
    """No text of the référentiel enters a page's source, where mkdocs-macros would read it as a template."""
    catalogue = load_catalogue(OTHER_REFERENTIEL)
    ref = catalogue.referentiels[0]
    pages = generated_pages(catalogue)
    assert [p.src_uri for p in pages] == [
        addresses.overview(ref.cqp.code),
        *[addresses.competence(ref.cqp.code, c.numero) for c in ref.competences_triees()],
        addresses.livret(ref.cqp.code),
    ]
    for page in pages:
        body = page.source.split("---\n")[-1].strip()
        assert body.startswith("{{ cqp_page_") and body.endswith(f'cqp="{ref.cqp.code}") }}}}'), body
        assert fold(ref.cqp.intitule) not in fold(page.source)


def test_macros_run_under_an_engine_that_gives_a_plain_dict_and_pages_without_file(tmp_path: Path) -> None:
    """Zensical reads define_env but runs no plugin: env.conf is a dict, its pages have no .file."""

    class Env:
        def __init__(self) -> None:
            self.conf = {
                "config_file_path": str(tmp_path / "mkdocs.yml"),
                "docs_dir": "docs",
                "plugins": [{"guide-cqp": {"referentiel": str(OTHER_REFERENTIEL)}}, {"macros": {}}],
            }
            self.macros: dict[str, object] = {}
            self.page = type("Page", (), {"url": "tuteur/role/"})()

        def macro(self, function: object, name: str) -> None:
            self.macros[name] = function

    env = Env()
    define_env(env)
    assert set(Macros.AUTHOR_MACROS) <= set(env.macros)
    ref = load_referentiel(OTHER_REFERENTIEL)
    link = env.macros["lien_competence"](ref.competences_triees()[0].numero)
    assert f'href="../../{ref.cqp.code}/competence-' in link  # from tuteur/role/index.md, as the page's source
    assert page_source(env.page) == "tuteur/role/index.md"


# --- the plugin, in real builds -------------------------------------------------------------------


def _site_copy(tmp_path: Path, mkdocs_yml: str | None = None) -> Path:
    """This project's site (docs, overrides, mkdocs.yml) in a folder of its own; returns its mkdocs.yml."""
    site = tmp_path / "site-source"
    site.mkdir()
    shutil.copytree(ROOT / "docs", site / "docs")
    shutil.copytree(ROOT / "overrides", site / "overrides")
    (site / "mkdocs.yml").write_text(mkdocs_yml or (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), "utf-8")
    return site / "mkdocs.yml"


def test_the_referentiel_option_names_the_file_and_the_variable_overrides_it(tmp_path: Path) -> None:
    other = load_referentiel(OTHER_REFERENTIEL)
    seed = load_referentiel(SEED_REFERENTIEL)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "referentiel: referentiel.yaml", f"referentiel: {OTHER_REFERENTIEL}"
    )
    config = _site_copy(tmp_path, text)
    build = run_build(SEED_REFERENTIEL, tmp_path / "out1", config=config, extra_env={"CQP_REFERENTIEL": ""})
    assert build.returncode == 0, build.output
    assert (build.site / other.cqp.code / "index.html").is_file()
    build = run_build(SEED_REFERENTIEL, tmp_path / "out2", config=config)
    assert build.returncode == 0, build.output
    assert (build.site / seed.cqp.code / "index.html").is_file()


def test_a_site_overrides_a_content_template_in_its_gabarits_folder(tmp_path: Path) -> None:
    config = _site_copy(tmp_path)
    gabarits = config.parent / "gabarits"
    gabarits.mkdir()
    original = (Path(render.__file__).parent / "templates" / "competence.md.j2").read_text(encoding="utf-8")
    marked = original.replace('<div class="cqp-resume">', '<div class="cqp-resume"><p class="ma-branche">Notre branche</p>')
    assert marked != original
    (gabarits / "competence.md.j2").write_text(marked, encoding="utf-8")
    build = run_build(OTHER_REFERENTIEL, tmp_path / "out", config=config)
    assert build.returncode == 0, build.output
    ref = load_referentiel(OTHER_REFERENTIEL)
    for c in ref.competences:
        assert build.html(f"{ref.cqp.code}/competence-{c.numero}/").select_one(".ma-branche") is not None
    assert build.html(f"{ref.cqp.code}/").select_one(".ma-branche") is None


def test_pages_written_by_cqp_generer_build_the_same_site(tmp_path: Path) -> None:
    from guide_cqp.cli import main

    config = _site_copy(tmp_path)
    reference = run_build(OTHER_REFERENTIEL, tmp_path / "out-memory", config=config)
    assert reference.returncode == 0, reference.output
    assert main(["generer", str(config.parent / "docs"), str(OTHER_REFERENTIEL)]) == 0
    ref = load_referentiel(OTHER_REFERENTIEL)
    assert (config.parent / "docs" / addresses.competence(ref.cqp.code, ref.competences[0].numero)).is_file()
    build = run_build(OTHER_REFERENTIEL, tmp_path / "out-files", config=config)
    assert build.returncode == 0, build.output
    for page in generated_pages(load_catalogue(OTHER_REFERENTIEL)):
        html = page.src_uri.removesuffix("index.md").removesuffix(".md") + ("/" if not page.src_uri.endswith("index.md") else "")
        assert build.text(html) == reference.text(html), html


def test_hand_written_pages_keep_every_markdown_syntax_of_mkdocs_yml(tmp_path: Path) -> None:
    """« {#ancre} » is attr_list's syntax, not a Jinja comment."""
    config = _site_copy(tmp_path)
    (config.parent / "docs" / "tuteur" / "essai.md").write_text(
        "# Essai\n\n## Un titre {#mon-ancre}\n\nDu texte\n{: .ma-classe }\n\n{## un commentaire de rédacteur ##}\n",
        encoding="utf-8",
    )
    build = run_build(OTHER_REFERENTIEL, tmp_path / "out", config=config)
    assert build.returncode == 0, build.output
    page = build.html("tuteur/essai/")
    assert page.select_one("h2#mon-ancre") is not None and page.select_one("p.ma-classe") is not None
    assert "commentaire" not in page.get_text()


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("Voir {{ lien_competence(99) }}.", ["lien_competence(99)", "il n'y a pas de compétence « 99 »"]),
        ("Voir {{ lien_competnce(1) }}.", ["« lien_competnce » n'est ni une macro"]),
        ("Voir {{ lien_competence(1, sectionn='x') }}.", ["lien_competence", "argument « sectionn » inconnu"]),
        ("Voir {{ lien_competence(1 }}.", ["erreur de syntaxe"]),
        ("Voir {{ heures() }} et {## pas fermé.", ["ouvre un commentaire qui n'est jamais fermé"]),
    ],
    ids=["mauvais-numero", "macro-inconnue", "argument-inconnu", "syntaxe", "commentaire-ouvert"],
)
def test_a_macro_error_names_page_line_and_macro_in_french_without_traceback(
    tmp_path: Path, source: str, words: list[str]
) -> None:
    config = _site_copy(tmp_path)
    page = config.parent / "docs" / "tuteur" / "erreur.md"
    page.write_text(f"---\ntitle: Essai\n---\n# Essai\n\nUne ligne.\n\n{source}\n", encoding="utf-8")
    build = run_build(OTHER_REFERENTIEL, tmp_path / "out", config=config)
    assert build.returncode != 0
    assert "Traceback" not in build.output and "Macro Rendering Error" not in build.output, build.output
    assert "Page tuteur/erreur.md, ligne 8" in build.output, build.output  # as the author counts, front matter included
    for word in words:
        assert word in build.output, build.output
    assert not any((tmp_path / "out").rglob("*.html"))


def test_the_404_page_is_french_and_leads_home_and_to_the_search(seed_site) -> None:  # noqa: ANN001
    page = seed_site.html("404.html")
    text = " ".join(page.select_one("article").get_text(" ").split())
    assert "Page introuvable" in text and "Not found" not in page.get_text()
    assert page.select_one("article a[href]") is not None
    assert page.select_one("article label[for='__search']") is not None


def test_the_authors_pages_are_out_of_the_tutors_reading_order(seed_site) -> None:  # noqa: ANN001
    ref = load_referentiel(SEED_REFERENTIEL)
    livret = seed_site.html(f"{ref.cqp.code}/livret/")
    following = [a.get_text(" ") for a in livret.select(".md-footer__link--next")]
    assert not any("Rédiger" in t or "Macros" in t for t in following), following
    for page in ("rediger-le-referentiel/", "macros/"):
        footer = [a.get_text(" ") for a in seed_site.html(page).select(".md-footer__link")]
        assert not any("Livret" in t or "tuteur" in t.lower() for t in footer), (page, footer)
    nav = [a.get_text(" ").strip() for a in seed_site.html("").select(".md-nav--primary .md-nav__link")]
    assert any("Espace des rédacteurs" in t for t in nav), nav


# --- the compiled-template cache is used only where no one else can plant files ------------------


def test_the_template_cache_is_refused_in_a_folder_others_can_write(tmp_path: Path) -> None:
    mine = render.private_folder(tmp_path / "ok" / "jinja")
    assert mine is not None and stat.S_IMODE(mine.stat().st_mode) == 0o700
    shared = tmp_path / "shared" / "jinja"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    assert render.private_folder(shared) is None
    open_parent = tmp_path / "open"
    open_parent.mkdir()
    open_parent.chmod(0o777)
    assert render.private_folder(open_parent / "jinja") is None
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "link").mkdir()
    (tmp_path / "link" / "jinja").symlink_to(elsewhere)
    assert render.private_folder(tmp_path / "link" / "jinja") is None


def test_a_site_adds_its_own_macros_in_macros_main_py(tmp_path: Path) -> None:
    config = _site_copy(tmp_path)
    (config.parent / "macros").mkdir()
    (config.parent / "macros" / "main.py").write_text(
        "def define_env(env):\n"
        "    @env.macro\n"
        "    def contact_branche():\n"
        "        return 'formation@branche.example'\n",
        encoding="utf-8",
    )
    (config.parent / "docs" / "tuteur" / "contact.md").write_text(
        "# Contact\n\nÉcrire à {{ contact_branche() }} pour les {{ nombre_competences() }} compétences.\n",
        encoding="utf-8",
    )
    build = run_build(OTHER_REFERENTIEL, tmp_path / "out", config=config)
    assert build.returncode == 0, build.output
    ref = load_referentiel(OTHER_REFERENTIEL)
    assert f"Écrire à formation@branche.example pour les {len(ref.competences)} compétences" in build.text("tuteur/contact/")
