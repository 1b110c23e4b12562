"""A branch-sized référentiel keeps small pages, and the build's speed-ups change nothing visible.

See benchmarks/run.py for the measurements; these tests only check behaviour.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import material
import pytest
from bs4 import BeautifulSoup
from jinja2 import FileSystemBytecodeCache
from support import OTHER_REFERENTIEL, SEED_REFERENTIEL, Build, build_in_process, run_build
from synthetic import write_referentiel

from guide_cqp import render
from guide_cqp.addresses import Links
from guide_cqp.plugin import OVERRIDES
from guide_cqp.validate import load_referentiel

SIZE = 40  # more than a flat list should hold, and the most competences the model allows (MAX_COMPETENCES)
GROUP = re.compile(r"^Compétences? (\d+)(?: à (\d+))?$")


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    tmp = tmp_path_factory.mktemp("large")
    build = build_in_process(write_referentiel(tmp / "referentiel.yaml", SIZE), tmp / "site")
    assert build.returncode == 0, build.output
    return build


def nav_texts(page: BeautifulSoup) -> list[str]:
    """The texts of the primary navigation's links and section labels, in order."""
    nav = page.select_one("nav.md-nav--primary")
    assert nav is not None
    return [" ".join(a.get_text(" ").split()) for a in nav.select(".md-nav__link") if a.get_text(strip=True)]


def competence_numbers(texts: list[str]) -> list[int]:
    """The competences in the nav, once each (the current page shows as a label and a link)."""
    return list(dict.fromkeys(int(m.group(1)) for t in texts if (m := re.match(r"^(\d+)\. ", t))))


def test_a_large_referentiel_groups_its_competences_in_the_nav(large_site: Build) -> None:
    code = f"synthetique-{SIZE}"
    groups: list[tuple[int, int]] = []
    for number in range(1, SIZE + 1):
        texts = nav_texts(large_site.html(f"{code}/competence-{number}/"))
        shown = competence_numbers(texts)
        assert number in shown  # the current page is in the nav, inside its open group
        assert len(shown) < SIZE / 2  # the other groups are closed: one link each
        page_groups = [(int(m.group(1)), int(m.group(2) or m.group(1))) for t in texts if (m := GROUP.match(t))]
        assert any(lo <= number <= hi for lo, hi in page_groups)
        assert all(lo <= n <= hi for n in shown for lo, hi in page_groups if lo <= number <= hi)
        groups = groups or page_groups
    # The groups cover every competence once, in order.
    covered = [n for lo, hi in groups for n in range(lo, hi + 1)]
    assert covered == list(range(1, SIZE + 1))


def test_a_closed_group_links_to_its_first_competence(large_site: Build) -> None:
    code = f"synthetique-{SIZE}"
    page = large_site.html(f"{code}/competence-{SIZE}/")
    nav = page.select_one("nav.md-nav--primary")
    assert nav is not None
    closed = [a for a in nav.select("a.md-nav__link") if GROUP.match(" ".join(a.get_text(" ").split()))]
    assert closed
    for link in closed:
        first = GROUP.match(" ".join(link.get_text(" ").split())).group(1)
        assert link["href"].rstrip("/").endswith(f"competence-{first}")


def test_a_usual_referentiel_lists_every_competence(other_site: Build) -> None:
    ref = load_referentiel(OTHER_REFERENTIEL)
    first = ref.competences_triees()[0].numero
    texts = nav_texts(other_site.html(f"{ref.cqp.code}/competence-{first}/"))
    assert competence_numbers(texts) == [c.numero for c in ref.competences_triees()]
    assert not any(GROUP.match(t) for t in texts)


# --- the template cache and the shared Markdown converter -------------------------------------


def _render_all() -> str:
    ref = load_referentiel(OTHER_REFERENTIEL)
    links = Links(page="x/index.md", code=ref.cqp.code, pdf_built=False)
    views = render.Views()
    pages = [views.overview(ref, links), views.livret(ref, links)]
    pages += [views.competence(ref, c, links) for c in ref.competences]
    return "\n".join(pages)


def test_a_damaged_or_missing_template_cache_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    render.environment.cache_clear()
    try:
        expected = _render_all()
        cached = list((tmp_path / "cache").rglob("*.cache"))
        assert cached  # the compiled templates were kept
        for file in cached:
            file.write_bytes(b"\x00not a jinja cache")
        render.environment.cache_clear()
        assert _render_all() == expected
        not_a_folder = tmp_path / "file"
        not_a_folder.write_text("")
        monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))  # the cache cannot be created
        render.environment.cache_clear()
        assert _render_all() == expected
        monkeypatch.setenv("CQP_CACHE", "0")
        render.environment.cache_clear()
        assert render.environment().bytecode_cache is None
        assert _render_all() == expected
    finally:
        render.environment.cache_clear()


def test_the_theme_templates_are_compiled_once_and_kept(tmp_path: Path) -> None:
    """The theme's templates (Material's, the overrides') join ours in the cache; built from it, pages are the same."""
    cache = tmp_path / "cache"
    first = run_build(SEED_REFERENTIEL, tmp_path / "first", extra_env={"XDG_CACHE_HOME": str(cache)})
    assert first.returncode == 0, first.output
    kept = FileSystemBytecodeCache(str(cache / "guide-cqp" / "jinja"))
    for name, folder in (("base.html", Path(material.__file__).parent / "templates"), ("main.html", OVERRIDES)):
        key = kept.get_cache_key(name, os.path.normpath(folder / name))
        assert (cache / "guide-cqp" / "jinja" / f"__jinja2_{key}.cache").is_file(), name
    second = run_build(SEED_REFERENTIEL, tmp_path / "second", extra_env={"XDG_CACHE_HOME": str(cache)})
    assert second.returncode == 0, second.output
    pages = sorted(p.relative_to(first.site) for p in first.site.rglob("*.html"))
    assert pages == sorted(p.relative_to(second.site) for p in second.site.rglob("*.html"))
    for page in pages:
        assert (first.site / page).read_bytes() == (second.site / page).read_bytes(), page
    off = run_build(SEED_REFERENTIEL, tmp_path / "off", extra_env={"XDG_CACHE_HOME": str(tmp_path / "unused"), "CQP_CACHE": "0"})
    assert off.returncode == 0, off.output
    assert not (tmp_path / "unused").exists()  # CQP_CACHE=0: nothing kept, not even the folder
    assert (off.site / "index.html").read_bytes() == (first.site / "index.html").read_bytes()


def test_markdown_fields_do_not_leak_into_each_other() -> None:
    """One converter serves every field: a link reference defined in one is unknown in the next."""
    first = render.markdown_filter("Voir [le site][ref].\n\n[ref]: https://example.org/")
    assert 'href="https://example.org/"' in first
    second = render.markdown_filter("Voir [le site][ref].")
    assert "href" not in second
    assert render.markdown_filter("- a\n- b") == render.markdown_filter("- a\n- b")
