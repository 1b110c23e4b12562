"""`cqp nouveau`: the repository a branch's staff push to GitHub and publish, tried the way they would.

The repository comes from the real command. It builds with `mkdocs build --strict`, livret PDF
included; its workflow is valid for GitHub. The commands of its README are run for real: a fresh
virtual environment installs the generator from `--source` (a git commit of a copy of this checkout), checks, builds
and serves the site; the README's first push goes to a throw-away `origin`, and the workflow's own
steps then publish two versions there with mike.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from mkdocs.config import load_config
from packaging.requirements import Requirement
from support import HANG, ROOT, SETTLE, assert_french_error, cqp_process, run_build
from test_serve import fetch, free_port, wait_for

from guide_cqp import schema
from guide_cqp.new_site import SKELETON_CODE, generator_requirement, page_names, site_code, skeleton_files
from guide_cqp.validate import load_referentiel

WORKFLOW = ".github/workflows/publier.yml"
# What a branch's repository needs besides its pages: the files the README and the workflow name.
REPOSITORY_FILES = {
    "mkdocs.yml",
    "referentiel.yaml",
    "README.md",
    "requirements.txt",
    ".gitignore",
    WORKFLOW,
    schema.SCHEMA_FILE,
    "overrides/README.md",
}
# This project's tutors' and authors' pages: a new site gets the same, written once.
GUIDE_PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))
AUTHORS = "redacteurs"
ACTIONS = re.compile(r"^actions/[A-Za-z0-9._-]+@v[0-9]+$")  # GitHub's own actions, pinned to a major version


def _requirement_line(folder: Path) -> str:
    lines = [line for line in (folder / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    (line,) = [line for line in lines if line.strip() and not line.startswith("#")]
    return line


def _workflow(folder: Path) -> dict[str, Any]:
    data = yaml.safe_load((folder / WORKFLOW).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _on_pull_requests(job: dict[str, Any]) -> bool:
    return "github.event_name != 'pull_request'" not in job.get("if", "")


@pytest.fixture(scope="module")
def new_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nouveau") / "Préparateur Logistique"
    run = cqp_process("nouveau", str(folder))
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return folder


# --- what the repository holds ------------------------------------------------------------------------


def test_nouveau_writes_a_complete_repository(new_site: Path) -> None:
    written = {p.relative_to(new_site).as_posix() for p in new_site.rglob("*") if p.is_file()}
    assert written == REPOSITORY_FILES | set(GUIDE_PAGES)
    for name in GUIDE_PAGES:
        assert (new_site / name).read_bytes() == (ROOT / name).read_bytes(), f"{name}: the same text as this project's"


def test_nouveau_lists_what_it_wrote(tmp_path: Path) -> None:
    run = cqp_process("nouveau", str(tmp_path / "cqp"))
    assert run.returncode == 0, run.stderr
    listed = {line.strip() for line in run.out.splitlines() if line.startswith("  ")}
    assert REPOSITORY_FILES | set(GUIDE_PAGES) <= listed
    assert "README.md" in run.out.split("Ensuite")[1], "the next steps point to the README"


def test_the_referentiel_to_fill_in_is_valid_and_named_after_the_folder(new_site: Path) -> None:
    referentiel = new_site / "referentiel.yaml"
    assert load_referentiel(referentiel).cqp.code == "preparateur-logistique"
    first = referentiel.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema.SCHEMA_FILE}"
    assert (new_site / schema.SCHEMA_FILE).read_text(encoding="utf-8") == schema.schema_json()
    assert cqp_process("valider", cwd=new_site).returncode == 0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Préparateur Logistique", "preparateur-logistique"),
        ("CQP n°3 — Vente à distance", "cqp-n3-vente-a-distance"),
        ("__Équipier__", "equipier"),
        ("***", SKELETON_CODE),
        ("Macros", "macros-cqp"),  # docs/macros.md is the page macros/
        ("tuteur", "tuteur-cqp"),  # docs/tuteur/ holds the tutors' guide
        ("assets", "assets-cqp"),  # the theme's files
    ],
)
def test_the_code_comes_from_the_folder_name_and_never_takes_a_page_address(name: str, code: str) -> None:
    pages = page_names(skeleton_files())
    assert {"macros", "tuteur", "index"} <= pages
    assert site_code(name, reserved=pages) == code


def test_a_folder_named_like_a_page_still_gives_a_site_that_builds(tmp_path: Path) -> None:
    folder = tmp_path / "Macros"
    assert cqp_process("nouveau", str(folder)).returncode == 0
    ref = load_referentiel(folder / "referentiel.yaml")
    build = run_build(folder / "referentiel.yaml", tmp_path / "site", config=folder / "mkdocs.yml")
    assert build.returncode == 0, build.output
    assert (build.site / ref.cqp.code / "index.html").is_file() and (build.site / "macros" / "index.html").is_file()


def test_the_generator_is_pinned_to_this_version_by_default(new_site: Path) -> None:
    line = _requirement_line(new_site)
    assert line == f"guide-cqp=={metadata.version('guide-cqp')}"
    assert str(Requirement(line).specifier) == f"=={metadata.version('guide-cqp')}"


def test_the_gitignore_keeps_the_built_site_and_the_environment_out(new_site: Path) -> None:
    ignored = (new_site / ".gitignore").read_text(encoding="utf-8").split()
    assert {"site/", ".venv/"} <= set(ignored)


# --- --source -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("guide-cqp==0.2.0", "guide-cqp==0.2.0"),
        ("  guide-cqp==1.0.0rc1 ", "guide-cqp==1.0.0rc1"),
        ("guide_cqp===0.3", "guide_cqp===0.3"),
        ("git+https://github.com/branche/guide-cqp@v0.2.0", "guide-cqp @ git+https://github.com/branche/guide-cqp@v0.2.0"),
        (
            "git+ssh://git@github.com/branche/guide-cqp.git@0123456789abcdef",
            "guide-cqp @ git+ssh://git@github.com/branche/guide-cqp.git@0123456789abcdef",
        ),
        (
            "guide-cqp @ git+https://gitlab.example.org/cpnef/guide-cqp@v2",
            "guide-cqp @ git+https://gitlab.example.org/cpnef/guide-cqp@v2",
        ),
        ("git+file:///srv/git/guide-cqp@v1", "guide-cqp @ git+file://localhost/srv/git/guide-cqp@v1"),
        (str(ROOT), f"guide-cqp @ {ROOT.as_uri()}"),
    ],
    ids=["nom==version", "espaces", "===", "git https", "git ssh commit", "nom @ git", "git file", "dossier"],
)
def test_source_gives_the_requirement_the_new_site_installs(tmp_path: Path, source: str, line: str) -> None:
    folder = tmp_path / "cqp"
    run = cqp_process("nouveau", str(folder), "--source", source)
    assert run.returncode == 0, run.stderr
    assert _requirement_line(folder) == line
    Requirement(line)  # what pip reads


def test_a_relative_source_folder_is_written_as_an_absolute_address(tmp_path: Path) -> None:
    (tmp_path / "generateur").mkdir()
    (tmp_path / "generateur" / "pyproject.toml").write_text('[project]\nname = "Guide_CQP"\n', encoding="utf-8")
    run = cqp_process("nouveau", "cqp", "--source", "./generateur", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert _requirement_line(tmp_path / "cqp") == f"guide-cqp @ {(tmp_path / 'generateur').as_uri()}"


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("guide-cqp", "version exacte"),
        ("guide-cqp>=0.1", "version exacte"),
        ("guide-cqp==0.*", "version exacte"),
        ("guide-cqp~=0.1", "version exacte"),
        ("guide-cqp==0.1; python_version<'3.12'", "version exacte"),
        ("https://github.com/branche/guide-cqp", "git+"),
        ("github.com/branche/guide-cqp@v1", "dossier introuvable"),
        ("git+https://github.com/branche/guide-cqp", "après «\u00a0@\u00a0»"),
        ("git+https://github.com/branche/guide-cqp@", "après «\u00a0@\u00a0»"),
        ("git+https://@v1", "après «\u00a0@\u00a0»"),
        ("svn+https://example.org/guide-cqp@v1", "git+"),
        ("guide-cqp @ https://example.org/guide_cqp-0.1.0.tar.gz", "git+"),
        ("./absent", "dossier introuvable"),
        ("guide cqp 0.1", "ni un paquet"),
        ("", "vide"),
    ],
)
def test_a_bad_source_is_refused_in_french_and_nothing_is_written(tmp_path: Path, source: str, hint: str) -> None:
    folder = tmp_path / "cqp"
    run = cqp_process("nouveau", str(folder), "--source", source, cwd=tmp_path)
    assert_french_error(run)
    assert "--source" in run.stderr and hint in run.stderr
    assert not folder.exists()


def test_a_source_folder_without_the_generator_is_refused(tmp_path: Path) -> None:
    (tmp_path / "vide").mkdir()
    run = cqp_process("nouveau", str(tmp_path / "cqp"), "--source", str(tmp_path / "vide"))
    assert_french_error(run)
    assert "pyproject.toml" in run.stderr and not (tmp_path / "cqp").exists()


def test_the_default_source_is_the_installed_generator() -> None:
    assert generator_requirement(None) == f"guide-cqp=={metadata.version('guide-cqp')}"


# --- folders it refuses --------------------------------------------------------------------------------


def test_nouveau_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    run = cqp_process("nouveau", str(tmp_path))
    assert_french_error(run)
    assert "n'est pas vide" in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "à garder"


def test_nouveau_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    run = cqp_process("nouveau", str(tmp_path / "notes.txt"))
    assert_french_error(run)
    assert "n'est pas un dossier" in run.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "à garder"


def test_nouveau_says_why_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "fichier").write_text("", encoding="utf-8")
    run = cqp_process("nouveau", str(tmp_path / "fichier" / "cqp"))
    assert_french_error(run)
    assert "impossible d'écrire" in run.stderr


def test_nouveau_accepts_an_empty_folder(tmp_path: Path) -> None:
    assert cqp_process("nouveau", str(tmp_path)).returncode == 0
    assert load_referentiel(tmp_path / "referentiel.yaml").cqp.code


# --- the site it builds --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def new_site_build(new_site: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 (conftest.Build)
    build = run_build(new_site / "referentiel.yaml", tmp_path_factory.mktemp("nouveau-site") / "site", pdf=True, config=new_site / "mkdocs.yml")
    assert build.returncode == 0, build.output
    return build


def test_the_new_site_builds_strict_with_the_pdf(new_site: Path, new_site_build) -> None:  # noqa: ANN001
    ref = load_referentiel(new_site / "referentiel.yaml")
    assert ref.cqp.intitule in new_site_build.text("")
    assert (new_site_build.site / ref.cqp.code / "livret" / "index.html").is_file()
    pdfs = list(new_site_build.site.rglob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF-")


def test_the_tutors_guide_quotes_the_new_referentiel(new_site: Path, new_site_build) -> None:  # noqa: ANN001
    ref = load_referentiel(new_site / "referentiel.yaml")
    for page in GUIDE_PAGES:
        if page == "docs/index.md" or f"public: {AUTHORS}" in (ROOT / page).read_text(encoding="utf-8"):
            continue
        url = page.removeprefix("docs/").removesuffix(".md") + "/"
        text = new_site_build.text(url)
        assert text, url
        assert "{{" not in text and "{%" not in text, f"{url}: every macro is rendered"
    assert ref.cqp.intitule in new_site_build.text("tuteur/role/")


def test_the_authors_pages_have_their_own_section_outside_the_tutors_reading_order(new_site_build) -> None:  # noqa: ANN001
    authors = {p.removeprefix("docs/").removesuffix(".md") + "/" for p in GUIDE_PAGES if f"public: {AUTHORS}" in (ROOT / p).read_text(encoding="utf-8")}
    assert len(authors) == 2, "« Rédiger le référentiel » and « Macros pour les rédacteurs » say « public: redacteurs »"
    sections = {
        " ".join(item.find("label").get_text(" ").split()): {a["href"] for a in item.select("a[href]")}
        for item in new_site_build.html("").select("nav.md-nav--primary > ul > li.md-nav__item--section")
    }
    assert sections.pop("Espace des rédacteurs") == authors
    assert all(not (links & authors) for links in sections.values()), sections
    for page in new_site_build.site.rglob("index.html"):
        url = page.parent.relative_to(new_site_build.site).as_posix() + "/"
        if url in authors:
            continue
        for link in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("a.md-footer__link"):
            target = posixpath.normpath(posixpath.join(url, link["href"])) + "/"
            assert target not in authors, f"{url}: « Précédent / Suivant » leads a tutor to {target}"


# --- the same settings as this project -----------------------------------------------------------------


class _AnyTag(yaml.SafeLoader):
    """Reads mkdocs.yml whatever its tags (!ENV, !!python/name): a tag and its value are compared as they are."""


def _tagged(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> tuple[str, Any]:
    value = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)
    return tag, value


_AnyTag.add_multi_constructor("", _tagged)


def _config(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_AnyTag)  # noqa: S506 (a SafeLoader subclass)


SITE_SPECIFIC = {"site_name", "site_description"}


def test_the_new_site_is_configured_like_this_one(new_site: Path) -> None:
    """The skeleton gets every setting of this project's site but its name, the same pages in the same menu.

    When this fails, mkdocs.yml changed: copy the change into guide_cqp/skeleton/mkdocs.yml.
    """
    project, skeleton = _config(ROOT / "mkdocs.yml"), _config(new_site / "mkdocs.yml")
    assert set(project) == set(skeleton)
    for key in set(project) - SITE_SPECIFIC:
        assert skeleton[key] == project[key], key
    for name in ("overrides/README.md", *GUIDE_PAGES):
        assert (new_site / name).read_bytes() == (ROOT / name).read_bytes(), name


def test_a_new_site_lists_the_same_plugins_and_needs_no_python_file_of_its_own(new_site: Path) -> None:
    def plugins(path: Path) -> list[str]:
        return list(load_config(str(path)).plugins)

    assert plugins(new_site / "mkdocs.yml") == plugins(ROOT / "mkdocs.yml")
    assert "guide-cqp" in plugins(ROOT / "mkdocs.yml") and "macros" in plugins(ROOT / "mkdocs.yml")
    assert _config(new_site / "mkdocs.yml")["plugins"][-1]["macros"]["modules"] == ["guide_cqp.macros"]
    assert not list(new_site.rglob("*.py"))


# --- packaging -----------------------------------------------------------------------------------------


def _generator_copy(target: Path) -> Path:
    """What building this generator reads, copied as it is in git (the skeleton's links included)."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("guide_cqp", "docs", "overrides"):
        shutil.copytree(ROOT / name, target / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_wheel_holds_the_whole_skeleton(tmp_path: Path) -> None:
    """A new site made from an installed wheel gets the same files as one made from this checkout."""
    source = _generator_copy(tmp_path / "source")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    prefix = "guide_cqp/skeleton/"
    with zipfile.ZipFile(wheel) as archive:
        packaged = {name.removeprefix(prefix): archive.read(name) for name in archive.namelist() if name.startswith(prefix)}
    expected = {path.relative_to(schema.SKELETON).as_posix(): path.read_bytes() for path in skeleton_files().values()}
    assert packaged == expected
    assert {"gitignore", "github/workflows/publier.yml", "docs/index.md", "requirements.txt"} <= set(packaged)


# --- the workflow --------------------------------------------------------------------------------------


def test_the_workflow_is_valid_for_github(new_site: Path) -> None:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(new_site / WORKFLOW)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=HANG)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_checks_pull_requests_and_publishes_main_with_mike(new_site: Path) -> None:
    workflow = _workflow(new_site)
    assert workflow["on"]["push"]["branches"] == ["main"] and "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}, "write access only where it publishes"
    jobs = workflow["jobs"]
    for job in jobs.values():
        assert "pip install --quiet -r requirements.txt" in _runs(job), "the generator at the version the site pins"
        for step in job["steps"]:
            assert "uses" not in step or ACTIONS.match(step["uses"]), step["uses"]
    on_pr = [job for job in jobs.values() if _on_pull_requests(job)]
    checks = "\n".join(_runs(job) for job in on_pr)
    assert "cqp valider" in checks and "mkdocs build --strict" in checks
    assert "mike" not in checks and all(job.get("permissions", {}).get("contents") != "write" for job in on_pr)
    build = next(step for job in on_pr for step in job["steps"] if "mkdocs build" in step.get("run", ""))
    assert build["env"]["CQP_PDF"] == "1", "the pull request's check builds the livret PDF too"
    (publish,) = [job for job in jobs.values() if "mike deploy" in _runs(job)]
    assert not _on_pull_requests(publish) and "refs/heads/main" in publish["if"]
    assert set(publish["needs"]) == {name for name, job in jobs.items() if job in on_pr}
    assert publish["permissions"] == {"contents": "write"}
    checkout = next(step for step in publish["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "mike commits on top of the gh-pages history"
    assert "--alias-type=copy" in _runs(publish), "GitHub Pages refuses the symbolic links mike makes by default"


# --- the README's commands and the workflow's steps, for real ------------------------------------------

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Équipe CPNEFP",
    "GIT_AUTHOR_EMAIL": "cpnefp@example.org",
    "GIT_COMMITTER_NAME": "Équipe CPNEFP",
    "GIT_COMMITTER_EMAIL": "cpnefp@example.org",
}


def _readme_section(readme: str, title: str) -> str:
    sections = re.split(r"^## ", readme, flags=re.MULTILINE)
    (section,) = [s for s in sections if s.startswith(title)]
    return section


def _code_blocks(text: str, language: str) -> list[list[str]]:
    """The lines of each fenced block of this language, list items' indentation removed."""
    fence = re.compile(rf"^(?P<indent> *)```{language}\n(?P<body>.*?)^(?P=indent)```$", re.MULTILINE | re.DOTALL)
    return [textwrap.dedent(m["body"]).strip().splitlines() for m in fence.finditer(text)]


@pytest.fixture(scope="module")
def readme(new_site: Path) -> str:
    return (new_site / "README.md").read_text(encoding="utf-8")


def test_the_readme_gives_two_commands_to_preview_on_linux_and_on_windows(readme: str) -> None:
    section = _readme_section(readme, "Voir le site sur son ordinateur")
    (posix, *_), (windows,) = _code_blocks(section, "sh"), _code_blocks(section, "powershell")
    assert len(posix) == 2 and "pip install -r requirements.txt" in posix[0] and posix[1].endswith("mkdocs serve")
    as_posix = [line.replace("\\", "/").replace("Scripts/", "bin/").replace("; ", " && ") for line in windows]
    assert as_posix == [posix[0].replace("python3 -m venv", "py -m venv"), posix[1]]


@pytest.fixture(scope="module")
def staff(new_site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A repository made with --source naming a commit of a copy of this checkout, installed by the README's command.

    pip keeps the wheel it builds from a git commit: the workflow's installs that follow take it from its cache.
    """
    base = tmp_path_factory.mktemp("branche")
    (config := base / "gitconfig").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CQP_") and k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    folder = base / "guide-cqp-logistique"
    env |= {
        # python3 is this interpreter; cqp and mkdocs come from nowhere else than the new .venv.
        "PATH": os.pathsep.join([str(folder / ".venv" / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]]),
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_MKDOCS_2_WARNING": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **GIT_IDENTITY,
    }
    source = _generator_copy(base / "generateur")
    fixed_date = {"GIT_AUTHOR_DATE": "2025-01-15T12:00:00+01:00", "GIT_COMMITTER_DATE": "2025-01-15T12:00:00+01:00"}
    _bash("git init -q && git add -A && git commit -q -m generateur", source, {**env, **fixed_date})
    commit = _git(source, env, "rev-parse", "HEAD").strip()
    run = cqp_process("nouveau", str(folder), "--source", f"git+{source.as_uri()}@{commit}")
    assert run.returncode == 0, run.stderr
    assert _requirement_line(folder) == f"guide-cqp @ git+file://localhost{source.as_posix()}@{commit}"
    section = _readme_section((folder / "README.md").read_text(encoding="utf-8"), "Voir le site sur son ordinateur")
    install = _code_blocks(section, "sh")[0][0]
    _bash(install, folder, env, timeout=900)
    return folder, env


def _bash(script: str, cwd: Path, env: dict[str, str], *, timeout: float = HANG) -> str:
    done = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"$ {script}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_readme_installs_the_generator_from_source(staff: tuple[Path, dict[str, str]]) -> None:
    folder, env = staff
    where = _bash(".venv/bin/python -c 'import guide_cqp.plugin as p; print(p.__file__)'", folder, env)
    assert Path(where.strip()).is_relative_to(folder / ".venv"), "installed in the site's own environment"


def test_the_readme_commands_check_build_and_serve_the_site(staff: tuple[Path, dict[str, str]]) -> None:
    folder, env = staff
    ref = load_referentiel(folder / "referentiel.yaml")
    commands = [line for block in _code_blocks(_readme_section(Path(folder / "README.md").read_text(encoding="utf-8"), "Voir le site"), "sh") for line in block]
    (check,) = [c for c in commands if "cqp valider" in c]
    assert "référentiel valide" in _bash(check, folder, env)
    (build,) = [c for c in commands if "mkdocs build" in c]
    _bash(build, folder, env)
    assert ref.cqp.intitule in (folder / "site" / "index.html").read_text(encoding="utf-8")
    assert list((folder / "site").rglob("*.pdf")), "the README's build makes the livret PDF"
    (serve,) = [c for c in commands if "mkdocs serve" in c]
    port = free_port()
    log = folder.parent / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "-c", f"exec {serve} -a 127.0.0.1:{port}"], cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/"
        assert wait_for(lambda: ref.cqp.intitule in fetch(base + "tuteur/role/"), timeout=SETTLE), log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=SETTLE)


def _step(workflow: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    (step,) = [s for s in workflow["jobs"][job]["steps"] if s.get("name", "").startswith(name)]
    return step


def _run_job(folder: Path, env: dict[str, str], job: str) -> None:
    """Every `run:` step of a job of the site's workflow, with its own environment, as GitHub runs them."""
    workflow = _workflow(folder)
    for step in workflow["jobs"][job]["steps"]:
        if "run" in step:
            _bash(step["run"], folder, {**env, **{k: str(v) for k, v in {**workflow.get("env", {}), **step.get("env", {})}.items()}})


def _git(folder: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def test_the_first_push_and_two_versions_published_by_the_workflow(staff: tuple[Path, dict[str, str]]) -> None:
    """The README's first push, then the workflow on main twice: a new edition keeps the previous one online."""
    folder, env = staff
    origin = folder.parent / "origin.git"
    _git(folder.parent, env, "init", "-q", "--bare", "-b", "main", str(origin))
    readme = (folder / "README.md").read_text(encoding="utf-8")
    (first_push,) = [b for b in _code_blocks(_readme_section(readme, "Mettre le guide en ligne"), "sh") if any("git push" in line for line in b)]
    script = "\n".join(first_push).replace("https://github.com/ORGANISATION/DEPOT.git", str(origin))
    _bash(script, folder, env)
    assert _git(folder, env, "ls-files", ".venv", "site") == "", ".gitignore keeps them out"
    assert WORKFLOW in _git(folder, env, "ls-tree", "-r", "--name-only", "origin/main")

    _run_job(folder, env, "verifier")
    _run_job(folder, env, "publier")
    first = load_referentiel(folder / "referentiel.yaml")

    # « Publier une nouvelle version »: a new numero and date in referentiel.yaml, merged on main.
    text = (folder / "referentiel.yaml").read_text(encoding="utf-8")
    quoted, date = f'"{first.version.numero}"', f"date: {first.version.date.isoformat()}"
    assert text.count(quoted) == 1 and text.count(date) == 1
    (folder / "referentiel.yaml").write_text(text.replace(quoted, '"2099-01"').replace(date, "date: 2099-01-15"), encoding="utf-8")
    _git(folder, env, "commit", "-q", "-am", "Nouvelle édition du référentiel")
    _git(folder, env, "push", "-q", "origin", "main")
    _run_job(folder, env, "publier")

    versions = {v["version"]: v["aliases"] for v in json.loads(_git(origin, env, "show", "gh-pages:versions.json"))}
    assert versions == {first.version.numero: [], "2099-01": ["latest"]}
    latest = _git(origin, env, "show", f"gh-pages:latest/{first.cqp.code}/index.html")
    assert "2099" in latest and first.cqp.intitule in latest
    assert first.cqp.intitule in _git(origin, env, "show", f"gh-pages:{first.version.numero}/tuteur/role/index.html")
    assert _git(origin, env, "ls-tree", "--name-only", f"gh-pages:latest/{first.cqp.code}/livret"), "the livret is online"
