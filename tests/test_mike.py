"""Older versions stay online: the workflow's own publishing steps, run against throw-away git repositories.

The project (mkdocs.yml, docs, overrides) is copied into a fresh git repository whose
`origin` is a local bare repository standing for GitHub. The steps « Préparer git pour mike » and
« Publier la version avec mike » of .github/workflows/publier.yml run there twice, with two
référentiels of different version.numero (CQP_REFERENTIEL, as in the build). The gh-pages branch
pushed to `origin` must then hold one folder per version, `latest` on the newest, and versions.json
listing both for Material's version selector.

How mike meets this project: it loads mkdocs.yml itself (running the hooks' on_startup and on_config,
so an invalid référentiel stops it), then writes a copy of mkdocs.yml with its plugin added next to
the original (relative paths such as `hooks:` and the référentiel keep working) and runs
`mkdocs build --config-file <copy>` in a subprocess. `!ENV` is resolved when the copy is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from support import HANG, OTHER_REFERENTIEL, ROOT, SEED_REFERENTIEL

from guide_cqp import french
from guide_cqp.validate import load_referentiel

WORKFLOW = ROOT / ".github" / "workflows" / "publier.yml"
STEPS = ("Préparer git pour mike", "Publier la version avec mike")
# What mkdocs.yml names (its watch list included).
PROJECT = ("mkdocs.yml", "docs", "overrides", "schema", "referentiel.yaml", "guide_cqp")


def _step_scripts() -> list[str]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in workflow["jobs"]["publier"]["steps"]}
    return [steps[name]["run"] for name in STEPS]


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Two versions published by the workflow's steps; returns the bare `origin` and git's environment."""
    base = tmp_path_factory.mktemp("mike")
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(home),  # no user git config (signing, hooks) leaks into the test
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # cqp, mike, mkdocs
        "NO_MKDOCS_2_WARNING": "1",
        "CQP_PDF": "0",  # the workflow builds the PDF; here it would only slow the test down
    }
    origin, work = base / "origin.git", base / "guide"
    _git("init", "--bare", "-b", "main", str(origin), cwd=base, env=env)
    work.mkdir()
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    versions = work / "versions"
    versions.mkdir()
    shutil.copy2(SEED_REFERENTIEL, versions / "ancienne.yaml")
    shutil.copy2(OTHER_REFERENTIEL, versions / "nouvelle.yaml")
    _git("init", "-b", "main", cwd=work, env=env)
    _git("remote", "add", "origin", str(origin), cwd=work, env=env)
    identity = {"GIT_AUTHOR_NAME": "Essai", "GIT_AUTHOR_EMAIL": "essai@example.org"}
    identity |= {"GIT_COMMITTER_NAME": "Essai", "GIT_COMMITTER_EMAIL": "essai@example.org"}
    _git("add", ".", cwd=work, env=env)
    _git("commit", "-q", "-m", "Guide", cwd=work, env={**env, **identity})
    _git("push", "-q", "origin", "main", cwd=work, env=env)
    for name in ("ancienne.yaml", "nouvelle.yaml"):
        for script in _step_scripts():
            done = subprocess.run(
                ["bash", "-e", "-c", script],
                cwd=work,
                env={**env, "CQP_REFERENTIEL": str(versions / name)},
                capture_output=True,
                text=True,
                timeout=HANG,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    return origin, env


def _show(origin: Path, env: dict[str, str], path: str) -> str:
    return _git("--git-dir", str(origin), "show", f"gh-pages:{path}", cwd=origin, env=env)


def test_the_two_referentiels_have_different_versions() -> None:
    assert load_referentiel(SEED_REFERENTIEL).version.numero != load_referentiel(OTHER_REFERENTIEL).version.numero


def test_versions_json_lists_both_versions_with_latest_on_the_newest(published: tuple[Path, dict[str, str]]) -> None:
    origin, env = published
    old, new = load_referentiel(SEED_REFERENTIEL), load_referentiel(OTHER_REFERENTIEL)
    versions = {v["version"]: v for v in json.loads(_show(origin, env, "versions.json"))}
    assert set(versions) == {old.version.numero, new.version.numero}
    assert versions[new.version.numero]["aliases"] == ["latest"]
    assert versions[old.version.numero]["aliases"] == []
    for ref in (old, new):
        title = versions[ref.version.numero]["title"]
        assert title.startswith(ref.version.numero) and french.date(ref.version.date) in title


def test_each_version_is_served_from_its_own_folder(published: tuple[Path, dict[str, str]]) -> None:
    origin, env = published
    for path in (SEED_REFERENTIEL, OTHER_REFERENTIEL):
        ref = load_referentiel(path)
        folder = ref.version.numero
        home = BeautifulSoup(_show(origin, env, f"{folder}/index.html"), "html.parser")
        assert french.date(ref.version.date) in " ".join(home.get_text(" ").split())
        config = json.loads(home.select_one("script#__config").string)
        assert config["version"]["provider"] == "mike", "Material's version selector is on"
        overview = BeautifulSoup(_show(origin, env, f"{folder}/{ref.cqp.code}/index.html"), "html.parser")
        assert ref.cqp.intitule in overview.get_text(" ")


def test_latest_is_a_real_copy_of_the_newest_version(published: tuple[Path, dict[str, str]]) -> None:
    """GitHub Pages refuses symbolic links: `latest` must be files, the same as the newest version's."""
    origin, env = published
    new = load_referentiel(OTHER_REFERENTIEL)
    tree = _git("--git-dir", str(origin), "ls-tree", "gh-pages", cwd=origin, env=env)
    modes = {line.split("\t")[1]: line.split()[0] for line in tree.splitlines()}
    assert modes["latest"] == "040000", "a folder, not a symbolic link (120000)"
    page = f"{new.cqp.code}/index.html"
    assert _show(origin, env, f"latest/{page}") == _show(origin, env, f"{new.version.numero}/{page}")


def test_the_root_sends_visitors_to_latest(published: tuple[Path, dict[str, str]]) -> None:
    origin, env = published
    root = _show(origin, env, "index.html")
    assert 'href="latest/"' in root or "latest/" in root
    assert _show(origin, env, ".nojekyll") == ""
