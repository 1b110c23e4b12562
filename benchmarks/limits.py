"""Time and memory of a référentiel at the limits of the model: `python benchmarks/limits.py`.

The model bounds every dimension that costs time (guide_cqp.model, MAX_*): lengths, counts, the
lines and the signs of Markdown texts. This script writes référentiels that push those bounds
with the shapes that cost most, and measures for each one, in real processes:

- `cqp valider` (what refuses up front must refuse fast);
- `mkdocs build --strict` with the PDF (CQP_PDF=1): wall and CPU time, peak memory;

and each shape at half its size, to show that time grows with size, not faster. Shapes that
the model refuses (the issue's examples: 20 000 setext headings, a 1 MB title, 10 000 modules)
are timed through `cqp valider` only.

Prints a Markdown table (and writes it to benchmarks/README-limits.md). `--quick`: fewer shapes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guide_cqp import french, model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RESULTS_MD = HERE / "README-limits.md"


# --- référentiels at the limits ----------------------------------------------------------------


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"  # JSON is YAML; one value per line


def _base(competences: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "cqp": {"code": "limites", "intitule": "CQP aux limites", "instance": "CPNEFP"},
        "version": {"numero": "2024-01", "date": "2024-01-15"},
        **extra,
        "competences": competences,
    }


def _competence(numero: int, modules: int, items: int, title: str = "Compétence") -> dict[str, Any]:
    return {
        "numero": numero,
        "intitule": f"{title} {numero}",
        "savoir_faire": [f"Savoir-faire {i}" for i in range(max(1, items))],
        "modules": [
            {"numero": f"{numero}.{j + 1}", "intitule": f"Module {numero}.{j + 1}", "heures": {"min": 1, "max": 2}}
            for j in range(modules)
        ],
        "activites_entreprise": ["Activité"],
    }


def _markdown(shape: str, scale: float) -> str:
    """A Markdown text of the given shape at the limits of lines and characters (scaled)."""
    lines = int(model.MAX_MARKDOWN_LINES * scale)
    chars = int(model.MAX_MARKDOWN * scale)
    if shape == "setext":
        return "\n".join(["a", "="] * (lines // 2))
    if shape == "liste":
        return "\n".join(["- a"] * lines)
    if shape == "paragraphes":
        return "\n".join(["a", ""] * (lines // 2))
    per, paragraphs = model.MAX_MARKUP_PER_PARAGRAPH, int(model.MAX_MARKUP // model.MAX_MARKUP_PER_PARAGRAPH * scale)
    if shape in ("accents-graves", "crochets", "emphase"):  # the signs that cost, as many as allowed
        sign = {"accents-graves": "``\\", "crochets": "[a ", "emphase": "*a"}[shape]
        marked = sign * (per // sign.count(sign[0]))
        others = max(1, lines // 2 - paragraphs)
        room = max(0, (chars - paragraphs * (len(marked) + 2)) // others - 2)
        plain = ("Un texte ordinaire. " * (room // 20 + 1))[:room].strip() or "Texte."
        return "\n\n".join([marked] * paragraphs + [plain] * others)[:chars]
    if shape == "imbrication":
        depth = model.MAX_MARKDOWN_PREFIX // 2
        return "\n".join("  " * (i % depth) + "- a" for i in range(lines))
    raise ValueError(shape)


def markdown_everywhere(shape: str) -> Callable[[float], dict[str, Any]]:
    def build(scale: float) -> dict[str, Any]:
        text = _markdown(shape, scale)
        livret = {"objet": text, "parcours_texte": text, "note_heures": text}
        return _base([_competence(1, 1, 1)], presentation=text, livret=livret)

    return build


def many_competences(scale: float) -> dict[str, Any]:
    n = int(model.MAX_COMPETENCES * scale)
    per = model.MAX_ALL_MODULES // model.MAX_COMPETENCES
    items = model.MAX_ALL_ITEMS // model.MAX_COMPETENCES - 1
    return _base([_competence(i + 1, per, items) for i in range(n)])


def many_items(scale: float) -> dict[str, Any]:
    """Every list as long as allowed until the référentiel holds its maximum of texts."""
    total = int(model.MAX_ALL_ITEMS * scale)
    competences = []
    numero = 1
    while total > 1:  # each competence holds its savoir-faire and one activity
        items = min(model.MAX_ITEMS, total - 1)
        competences.append(_competence(numero, 1, items))
        total -= items + 1
        numero += 1
    return _base(competences)


def long_titles(scale: float) -> dict[str, Any]:
    title = ("Intitulé très long " * model.MAX_TITLE)[: int(model.MAX_TITLE * scale) - 4]
    per = model.MAX_ALL_MODULES // model.MAX_COMPETENCES
    competences = [_competence(i + 1, per, 3, title) for i in range(int(model.MAX_COMPETENCES * scale))]
    for competence in competences:
        for module in competence["modules"]:
            module["intitule"] = title
        competence["savoir_faire"] = [("Texte long " * model.MAX_TEXT)[: model.MAX_TEXT]] * 3
    return _base(competences)


def at_every_limit(scale: float) -> dict[str, Any]:
    """Everything at once: the competences, modules and texts allowed, and Markdown at its limits."""
    data = many_competences(scale)
    text = _markdown("liste", scale)
    data["presentation"] = text
    data["livret"] = {"objet": text, "parcours_texte": text, "note_heures": text}
    return data


# Shapes the model refuses: the examples of issue 11, timed through `cqp valider` only.
def refused_setext(_: float) -> dict[str, Any]:
    return _base([_competence(1, 1, 1)], presentation="a\n=\n" * 20_000)


def refused_title(_: float) -> dict[str, Any]:
    data = _base([_competence(1, 1, 1)])
    data["cqp"]["intitule"] = "Titre " * 170_000
    return data


def refused_modules(_: float) -> dict[str, Any]:
    return _base([_competence(i + 1, 10, 1) for i in range(1_000)])


_M = model
SHAPES: dict[str, tuple[str, Callable[[float], dict[str, Any]]]] = {
    "tout": (
        f"tout aux limites ({_M.MAX_COMPETENCES} compétences, {_M.MAX_ALL_MODULES} modules, "
        f"{french.integer(_M.MAX_ALL_ITEMS)} textes, 4 textes Markdown de {_M.MAX_MARKDOWN_LINES} lignes)",
        at_every_limit,
    ),
    "competences": (
        f"{_M.MAX_COMPETENCES} compétences, {_M.MAX_ALL_MODULES} modules, {french.integer(_M.MAX_ALL_ITEMS)} textes",
        many_competences,
    ),
    "textes": (f"{french.integer(_M.MAX_ALL_ITEMS)} textes dans des listes de {_M.MAX_ITEMS}", many_items),
    "titres": (f"{_M.MAX_COMPETENCES} compétences aux titres et textes les plus longs", long_titles),
    "md-setext": ("4 textes Markdown : titres soulignés « a / = »", markdown_everywhere("setext")),
    "md-liste": (f"4 textes Markdown : listes de {_M.MAX_MARKDOWN_LINES} lignes", markdown_everywhere("liste")),
    "md-paragraphes": (f"4 textes Markdown : {_M.MAX_MARKDOWN_LINES // 2} paragraphes", markdown_everywhere("paragraphes")),
    "md-accents-graves": (
        f"4 textes Markdown : « ``\\ » répétés, {_M.MAX_MARKUP_PER_PARAGRAPH} « ` » par paragraphe",
        markdown_everywhere("accents-graves"),
    ),
    "md-crochets": (
        f"4 textes Markdown : {_M.MAX_MARKUP_PER_PARAGRAPH} « [ » par paragraphe", markdown_everywhere("crochets")
    ),
    "md-emphase": (
        f"4 textes Markdown : « *a » répétés, {_M.MAX_MARKUP} « * » par texte", markdown_everywhere("emphase")
    ),
    "md-imbrication": ("4 textes Markdown : listes imbriquées", markdown_everywhere("imbrication")),
}
REFUSED: dict[str, tuple[str, Callable[[float], dict[str, Any]]]] = {
    "setext-20000": ("20 000 titres soulignés « a / = »", refused_setext),
    "titre-1-mo": ("un intitulé de 1 Mo", refused_title),
    "modules-10000": ("10 000 modules (1 000 compétences de 10 modules)", refused_modules),
}
QUICK = ("tout", "md-setext", "md-accents-graves")


# --- measuring -------------------------------------------------------------------------------------


@dataclass
class Run:
    returncode: int
    wall: float
    cpu: float
    peak_mb: float
    output: str


def run(command: list[str], env: dict[str, str], cwd: Path) -> Run:
    """A real process, with its wall and CPU time and its own peak memory (os.wait4: that child's rusage)."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    peak_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return Run(process.returncode, wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024, output)


def measure(path: Path, work: Path, build: bool) -> dict[str, Any]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CQP_PDF": "1", "CQP_REFERENTIEL": str(path)}
    cqp = [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.exit(main())"]
    valider = run([*cqp, "valider", str(path)], env, ROOT)
    result: dict[str, Any] = {"bytes": path.stat().st_size, "valider_s": valider.wall, "valide": valider.returncode == 0}
    if not result["valide"]:
        lines = [line for line in valider.output.splitlines() if line.startswith("  - ")]
        result["refus"] = lines[0].split("\u00a0: ", 1)[-1] if lines else valider.output[-200:]
    if build and result["valide"]:
        site = work / f"site-{path.stem}"
        done = run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], env, ROOT)
        if done.returncode != 0:
            raise SystemExit(f"{path.name}: la construction a échoué\n{done.output[-2000:]}")
        result.update(build_s=done.wall, build_cpu_s=done.cpu, peak_mb=done.peak_mb)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    shapes = {k: v for k, v in SHAPES.items() if not args.quick or k in QUICK}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, (label, make) in shapes.items():
            measured = {}
            for scale in (0.5, 1.0):
                path = work / f"{name}-{int(scale * 100)}.yaml"
                path.write_text(_dump(make(scale)), encoding="utf-8")
                measured[scale] = measure(path, work, build=True)
                print(name, scale, measured[scale], file=sys.stderr, flush=True)
            rows.append((label, measured[0.5], measured[1.0]))
        refused = []
        for name, (label, make) in REFUSED.items():
            path = work / f"{name}.yaml"
            path.write_text(_dump(make(1.0)), encoding="utf-8")
            refused.append((label, measure(path, work, build=False)))
            print(name, refused[-1][1], file=sys.stderr, flush=True)
    table = report(rows, refused)
    RESULTS_MD.write_text(table, encoding="utf-8")
    print(table)


LOAD_AT_START = os.getloadavg()[0]


def _load(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _s(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "\u00a0s"


def report(rows: list[tuple[str, dict[str, Any], dict[str, Any]]], refused: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "| Référentiel aux limites | Taille | `cqp valider` | Construction, PDF compris (temps écoulé / processeur) | Mémoire au plus | Croissance du temps processeur de la moitié au tout |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, half, full in rows:
        growth = full["build_cpu_s"] / half["build_cpu_s"] if half.get("build_cpu_s") else float("nan")
        lines.append(
            f"| {label} | {french.integer(full['bytes'] // 1000)}\u00a0Ko | {_s(full['valider_s'])} | "
            f"{_s(full['build_s'])} / {_s(full['build_cpu_s'])} | {full['peak_mb']:.0f}\u00a0Mo | "
            f"× {growth:.2f}".replace(".", ",") + " |"
        )
    lines += ["", "| Refusé d'emblée | Taille | `cqp valider` | Message |", "|---|---:|---:|---|"]
    for label, result in refused:
        lines.append(
            f"| {label} | {french.integer(result['bytes'] // 1000)}\u00a0Ko | {_s(result['valider_s'])} | "
            f"{result.get('refus', 'ACCEPTÉ')} |"
        )
    lines += [
        "",
        f"Mesuré le {time.strftime('%Y-%m-%d %H:%M')} sur {os.cpu_count()} cœurs, Python {platform.python_version()} ; "
        f"charge moyenne de la machine {_load(LOAD_AT_START)} au début, {_load(os.getloadavg()[0])} à la fin. "
        "Temps processeur : utilisateur + système du processus de construction, peu sensible aux autres tâches "
        "de la machine (la construction n'utilise qu'un cœur). Tailles en kilo-octets de 1000 octets.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
