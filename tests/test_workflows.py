"""The GitHub Actions workflows: valid for GitHub, and doing what the branch relies on.

A pull request is checked (référentiel, then a full build) and never published; a push to main is
also tested (`make tester`) and then published with mike. The publishing steps themselves are run
by tests/test_mike.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import HANG, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# Actions GitHub maintains, pinned to a major version (v5, not a branch nor a floating tag).
ALLOWED_OWNERS = {"actions"}
PINNED = re.compile(r"^(?P<owner>[A-Za-z0-9-]+)/[A-Za-z0-9._-]+@v[0-9]+$")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@pytest.fixture(scope="module")
def publier() -> dict[str, Any]:
    return _load(ROOT / ".github" / "workflows" / "publier.yml")


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _runs_on_pull_requests(job: dict[str, Any]) -> bool:
    condition = job.get("if", "")
    return "github.event_name != 'pull_request'" not in condition and "github.event_name == 'push'" not in condition


def test_there_are_workflows() -> None:
    assert WORKFLOWS


def test_the_workflows_are_valid_for_github() -> None:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    done = subprocess.run([*command, *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=HANG)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_only_well_known_actions_pinned_to_a_major_version(path: Path) -> None:
    for job in _load(path)["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                match = PINNED.match(step["uses"])
                assert match and match["owner"] in ALLOWED_OWNERS, step["uses"]


def test_it_runs_on_push_to_main_and_on_pull_requests(publier: dict[str, Any]) -> None:
    assert publier["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in publier["on"]
    assert publier["permissions"] == {"contents": "read"}, "write access only where it publishes"


def test_a_pull_request_validates_and_builds_but_publishes_nothing(publier: dict[str, Any]) -> None:
    on_pr = {name: job for name, job in publier["jobs"].items() if _runs_on_pull_requests(job)}
    commands = "\n".join(_runs(job) for job in on_pr.values())
    assert "make valider" in commands and "make construire" in commands
    assert "mike" not in commands and "make tester" not in commands
    assert all(job.get("permissions", {}).get("contents") != "write" for job in on_pr.values())


def test_a_push_to_main_tests_then_publishes_with_mike(publier: dict[str, Any]) -> None:
    jobs = publier["jobs"]
    tests = [name for name, job in jobs.items() if "make tester" in _runs(job)]
    assert tests and not any(_runs_on_pull_requests(jobs[name]) for name in tests)
    (deploy_name,) = [name for name, job in jobs.items() if "mike deploy" in _runs(job)]
    deploy = jobs[deploy_name]
    assert not _runs_on_pull_requests(deploy) and "refs/heads/main" in deploy["if"]
    assert set(deploy["needs"]) >= {*tests, *(n for n, j in jobs.items() if "make construire" in _runs(j))}
    assert deploy["permissions"] == {"contents": "write"}
    checkout = next(step for step in deploy["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "mike commits on top of the gh-pages history"
    script = _runs(deploy)
    assert "git config user.name" in script and "git config user.email" in script
    assert "git fetch origin gh-pages" in script
    assert re.search(r"mike deploy --push --update-aliases .*\"\$version\" latest", script)
    assert "--alias-type=copy" in script, "GitHub Pages refuses the symbolic links mike makes by default"
    assert "mike set-default --push latest" in script
    assert "cqp version" in script


def test_the_build_on_pull_requests_makes_the_pdf(publier: dict[str, Any]) -> None:
    build = next(job for job in publier["jobs"].values() if "make construire" in _runs(job))
    step = next(step for step in build["steps"] if "make construire" in step.get("run", ""))
    assert step.get("env", {}).get("CQP_PDF") == "1"
