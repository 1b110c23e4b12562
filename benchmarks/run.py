"""Benchmark of the generator: `python benchmarks/run.py` (or `make benchmark`).

Measures, with real processes (`mkdocs build`, `mkdocs serve`, WeasyPrint):

- overhead: the seed site (no PDF) against its « static twin », the same pages in plain
  MkDocs + Material (benchmarks/twin.py), built alternately; median ratio;
- scale: synthetic référentiels of 6, 8 and 40 competences (the most the model allows): build time, peak memory,
  navigation size per page;
- catalogue: a site of 1 and of 20 CQPs of 10 competences each (a folder of référentiels): build time,
  heaviest page, navigation and search index sizes, and the build with every livret PDF;
- edit loop: from saving the référentiel to the rebuilt page under `mkdocs serve --livereload`;
- PDF: time (with and without WeasyPrint's import) and size of the livret;
- page weight: a competence page's HTML and everything a first visit downloads, raw and gzip.

Prints a Markdown table and writes it to benchmarks/README-results.md, with the raw numbers in
benchmarks/results.json. Times are wall-clock (what a person waits) and CPU (user + system of
the child process, far less disturbed by other work on a shared machine); every figure is a
median of alternated repetitions. `--quick` runs fewer repetitions.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from synthetic import write_catalogue, write_referentiel  # a sibling: the script's folder is on the path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SEED = ROOT / "referentiel.yaml"
RESULTS_MD = HERE / "README-results.md"
RESULTS_JSON = HERE / "results.json"
SIZES = (6, 8, 40)  # 40: guide_cqp.model.MAX_COMPETENCES; 8 → 40 is × 5 pages
CATALOGUE_COUNTS = (1, 20)  # CQPs in one site (a folder of référentiels)…
CATALOGUE_SIZE = 10  # … of this many competences each
TARGETS = {
    "overhead_ratio": 1.25,
    "scale_growth": 6.0,
    "edit_loop_s": 1.0,
    "pdf_s": 5.0,
    "pdf_bytes": 1_000_000,
    "html_bytes": 60_000,
    "first_visit_bytes": 500_000,
    "catalogue_growth_per_page": 1.0,  # build time per page with 20 CQPs, against 1: no worse than linear
}
# The project's own settings (CQP_REFERENTIEL, CQP_PDF, CQP_CACHE) come from each measurement, not the shell.
# Python writes its bytecode as on the staff's machines and CI runners: the first build compiles the package,
# the measured ones reuse it (PYTHONDONTWRITEBYTECODE in the shell would recompile it in every build).
BASE_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("CQP_") and k != "PYTHONDONTWRITEBYTECODE"},
    "NO_MKDOCS_2_WARNING": "1",
}


# --- running children ---------------------------------------------------------------------


@dataclass
class Child:
    """One child process: wall time, CPU time (user + system) and peak resident memory."""

    wall: float
    cpu: float
    max_rss_mb: float
    returncode: int
    output: str


def run_child(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> Child:
    """Run and time one process; its own rusage comes from wait4, not from all children so far."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Child(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode, output)


def mkdocs_build(cwd: Path, site: Path, referentiel: Path | None = None, **extra_env: str) -> Child:
    """`mkdocs build` into a fresh directory (no PDF): what CI and `make construire` run."""
    shutil.rmtree(site, ignore_errors=True)
    env = {**BASE_ENV, "CQP_PDF": "0", **extra_env}
    if referentiel is not None:
        env["CQP_REFERENTIEL"] = str(referentiel)
    child = run_child([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd, env)
    if child.returncode != 0:
        raise SystemExit(f"mkdocs build failed in {cwd}:\n{child.output}")
    return child


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(message: str) -> None:
    print(f"[benchmark] {message}", file=sys.stderr, flush=True)


# --- 1. overhead against the static twin ---------------------------------------------------


def _articles(site: Path) -> dict[str, str]:
    """Each page's <article> (the content MkDocs renders from the Markdown), by path."""
    found = {}
    for page in site.rglob("*.html"):
        match = re.search(r"<article.*?</article>", page.read_text(encoding="utf-8"), re.S)
        if match:
            found[str(page.relative_to(site))] = match.group(0)
    return found


def bench_overhead(work: Path, pairs: int, referentiel: Path | None = None) -> dict[str, Any]:
    """Our build against the static twin of the same site, alternated; the ratio is taken pair by pair."""
    twin = work / "twin"
    env = {**BASE_ENV, "CQP_PDF": "0"}
    if referentiel is not None:
        env["CQP_REFERENTIEL"] = str(referentiel)
    made = run_child([sys.executable, str(HERE / "twin.py"), str(ROOT), str(twin)], ROOT, env)
    if made.returncode != 0:
        raise SystemExit(f"could not write the static twin:\n{made.output}")
    ours_site, twin_site = work / "ours-site", work / "twin-site"
    builds: dict[str, Callable[[], Child]] = {
        "ours": lambda: mkdocs_build(ROOT, ours_site, referentiel),
        "twin": lambda: mkdocs_build(twin, twin_site),
        # A first build (a fresh CI runner) has no compiled templates yet: measured too, for honesty.
        "ours_cold": lambda: mkdocs_build(ROOT, ours_site, referentiel, CQP_CACHE="0"),
    }
    builds["ours"](), builds["twin"]()  # warm the file cache, Python's bytecode and the template cache
    ours_art, twin_art = _articles(ours_site), _articles(twin_site)
    same = sum(1 for k, v in ours_art.items() if twin_art.get(k) == v)
    runs: dict[str, list[Child]] = {name: [] for name in builds}
    for i in range(pairs):
        log(f"overhead round {i + 1}/{pairs}" + (f" ({referentiel.name})" if referentiel else ""))
        order = list(builds) if i % 2 == 0 else list(reversed(builds))
        for name in order:
            runs[name].append(builds[name]())
    wall_ratios = [o.wall / t.wall for o, t in zip(runs["ours"], runs["twin"], strict=True)]
    cpu_ratios = [o.cpu / t.cpu for o, t in zip(runs["ours"], runs["twin"], strict=True)]
    cold_ratios = [o.wall / t.wall for o, t in zip(runs["ours_cold"], runs["twin"], strict=True)]
    return {
        "ratio_wall_cold": median(cold_ratios),
        "ours_cold_wall": median([c.wall for c in runs["ours_cold"]]),
        "pairs": pairs,
        "pages": len(ours_art),
        "identical_articles": same,
        "ours_wall": median([c.wall for c in runs["ours"]]),
        "twin_wall": median([c.wall for c in runs["twin"]]),
        "ours_cpu": median([c.cpu for c in runs["ours"]]),
        "twin_cpu": median([c.cpu for c in runs["twin"]]),
        "ratio_wall": median(wall_ratios),
        "ratio_cpu": median(cpu_ratios),
        "ratios_wall": wall_ratios,
        "ratios_cpu": cpu_ratios,
        "site": str(ours_site),
    }


# --- 2. scale ------------------------------------------------------------------------------


class _NavCounter(HTMLParser):
    """Counts the links of the primary navigation rendered into a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <nav class="md-nav md-nav--primary">
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "nav":
            if self.depth or "md-nav--primary" in classes:
                self.depth += 1
        elif self.depth and tag == "a" and "md-nav__link" in classes:
            self.links += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1


def nav_links(page: Path) -> int:
    counter = _NavCounter()
    counter.feed(page.read_text(encoding="utf-8"))
    return counter.links


def bench_scale(work: Path, reps: int) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    files = {n: write_referentiel(work / f"referentiel-{n}.yaml", n) for n in SIZES}
    runs: dict[int, list[Child]] = {n: [] for n in SIZES}
    sites = {n: work / f"site-{n}" for n in SIZES}
    for r in range(reps):
        for n in SIZES if r % 2 == 0 else reversed(SIZES):  # alternate the order: noise spreads evenly
            log(f"scale {n} competences, run {r + 1}/{reps}")
            runs[n].append(mkdocs_build(ROOT, sites[n], files[n]))
    result: dict[str, Any] = {"reps": reps, "sizes": {}}
    for n in SIZES:
        site = sites[n]
        page = site / f"synthetique-{n}" / "competence-1" / "index.html"
        pages = sum(1 for _ in site.rglob("*.html"))
        result["sizes"][n] = {
            "yaml_bytes": files[n].stat().st_size,
            "pages": pages,
            "wall": median([c.wall for c in runs[n]]),
            "cpu": median([c.cpu for c in runs[n]]),
            "max_rss_mb": median([c.max_rss_mb for c in runs[n]]),
            "page_html_bytes": page.stat().st_size,
            "nav_links_per_page": nav_links(page),
            "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        }
    big, mid = result["sizes"][SIZES[-1]], result["sizes"][SIZES[-2]]
    result["growth_wall"] = big["wall"] / mid["wall"]
    result["growth_cpu"] = big["cpu"] / mid["cpu"]
    return result


# --- 2b. several CQPs in one site ---------------------------------------------------------------


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "assets"]


def bench_catalogue(work: Path, reps: int) -> dict[str, Any]:
    """Sites of 1 and 20 CQPs of 10 competences: what grows with the number of CQPs, and how."""
    work.mkdir(parents=True, exist_ok=True)
    folders = {n: write_catalogue(work / f"referentiels-{n}", n, CATALOGUE_SIZE) for n in CATALOGUE_COUNTS}
    sites = {n: work / f"site-{n}" for n in CATALOGUE_COUNTS}
    runs: dict[int, list[Child]] = {n: [] for n in CATALOGUE_COUNTS}
    for r in range(reps):
        for n in CATALOGUE_COUNTS if r % 2 == 0 else reversed(CATALOGUE_COUNTS):
            log(f"catalogue of {n} CQP, run {r + 1}/{reps}")
            runs[n].append(mkdocs_build(ROOT, sites[n], folders[n]))
    result: dict[str, Any] = {"reps": reps, "competences": CATALOGUE_SIZE, "counts": {}}
    for n in CATALOGUE_COUNTS:
        site = sites[n]
        pages = _pages(site)
        heaviest = max(pages, key=lambda p: p.stat().st_size)
        competences = [p for p in pages if p.parent.name.startswith("competence-")]
        competence = max(competences, key=lambda p: p.stat().st_size)
        index = site / "search" / "search_index.json"
        result["counts"][n] = {
            "pages": len(pages),
            "wall": median([c.wall for c in runs[n]]),
            "cpu": median([c.cpu for c in runs[n]]),
            "max_rss_mb": median([c.max_rss_mb for c in runs[n]]),
            "heaviest_page": str(heaviest.relative_to(site)),
            "heaviest_bytes": heaviest.stat().st_size,
            "competence_bytes": competence.stat().st_size,
            "home_bytes": (site / "index.html").stat().st_size,
            "nav_links_competence": nav_links(competence),
            "nav_links_home": nav_links(site / "index.html"),
            "search_bytes": index.stat().st_size,
            "search_gzip": _gzip_size(index),
        }
    for n in CATALOGUE_COUNTS:  # the PDF of every CQP too, once: what `make construire` and the workflow wait for
        log(f"catalogue of {n} CQP with the PDFs")
        with_pdf = mkdocs_build(ROOT, sites[n], folders[n], CQP_PDF="1")
        result["counts"][n]["wall_pdf"], result["counts"][n]["cpu_pdf"] = with_pdf.wall, with_pdf.cpu
    one, many = (result["counts"][n] for n in CATALOGUE_COUNTS)
    result["growth_pages"] = many["pages"] / one["pages"]
    result["growth_cpu"] = many["cpu"] / one["cpu"]
    result["growth_wall"] = many["wall"] / one["wall"]
    result["cpu_per_page_ratio"] = (many["cpu"] / many["pages"]) / (one["cpu"] / one["pages"])
    return result


# --- 3. edit loop under mkdocs serve ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait(predicate: Callable[[], bool], timeout: float, step: float = 0.01) -> float | None:
    """Seconds until ``predicate`` holds, or None after ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(step)
    return None


@contextmanager
def _serve(referentiel: Path, log_file: Path) -> Iterator[str]:
    port = _free_port()
    env = {**BASE_ENV, "CQP_REFERENTIEL": str(referentiel)}
    env.pop("CQP_PDF", None)  # serve skips the PDF by default: what an editor gets
    with log_file.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bench_edit_loop(work: Path, samples: int) -> dict[str, Any]:
    from guide_cqp.validate import load_referentiel

    work.mkdir(parents=True, exist_ok=True)
    referentiel = work / "referentiel.yaml"
    shutil.copy(SEED, referentiel)
    ref = load_referentiel(referentiel)
    first = ref.competences_triees()[0]
    original = referentiel.read_text(encoding="utf-8")
    if original.count(first.intitule) < 1:
        raise SystemExit("edit loop: the first competence's title is not written verbatim in the YAML")
    page = f"{ref.cqp.code}/competence-{first.numero}/"
    log_file = work / "serve.log"
    latencies: list[float] = []
    builds: list[float] = []
    with _serve(referentiel, log_file) as base:
        if _wait(lambda: first.intitule in _fetch(base + page), timeout=120, step=0.2) is None:
            raise SystemExit(f"mkdocs serve did not start:\n{log_file.read_text()}")
        time.sleep(1.0)
        for i in range(samples):
            log(f"edit loop sample {i + 1}/{samples}")
            marker = f"{first.intitule} (essai {i + 1})"
            built_before = log_file.read_text().count("Documentation built in")
            start = time.perf_counter()
            referentiel.write_text(original.replace(first.intitule, marker, 1), encoding="utf-8")
            seen = _wait(lambda m=marker: m in _fetch(base + page), timeout=60)
            if seen is None:
                raise SystemExit(f"edit loop: the page never showed the change:\n{log_file.read_text()}")
            latencies.append(time.perf_counter() - start)
            _wait(lambda n=built_before: log_file.read_text().count("Documentation built in") > n, timeout=10)
            times = re.findall(r"Documentation built in ([0-9.]+) seconds", log_file.read_text())
            if len(times) > built_before:
                builds.append(float(times[-1]))
            time.sleep(0.7 + 0.1 * (i % 4))  # vary the phase against the watcher's 0.5 s polling
    return {
        "samples": samples,
        "median_s": median(latencies),
        "min_s": min(latencies),
        "max_s": max(latencies),
        "rebuild_median_s": median(builds),
        "latencies": latencies,
        "rebuilds": builds,
    }


# --- 4. PDF ----------------------------------------------------------------------------------

_PDF_SCRIPT = """
import json, sys, time
from pathlib import Path
from guide_cqp.validate import load_referentiel
ref = load_referentiel(Path(sys.argv[1]))
start = time.perf_counter()
from guide_cqp.pdf import build_pdf
pdf = build_pdf(ref)
cold = time.perf_counter() - start
warm = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    again = build_pdf(ref)
    warm.append(time.perf_counter() - start)
print(json.dumps({"cold": cold, "warm": warm, "bytes": len(pdf), "same": again == pdf}))
"""


def bench_pdf(processes: int, warm_runs: int) -> dict[str, Any]:
    colds: list[float] = []
    warms: list[float] = []
    size, same = 0, True
    for i in range(processes):
        log(f"pdf process {i + 1}/{processes}")
        child = run_child([sys.executable, "-c", _PDF_SCRIPT, str(SEED), str(warm_runs)], ROOT, BASE_ENV)
        if child.returncode != 0:
            raise SystemExit(f"PDF failed:\n{child.output}")
        data = json.loads(child.output.strip().splitlines()[-1])
        colds.append(data["cold"])
        warms.extend(data["warm"])
        size, same = data["bytes"], same and data["same"]
    return {
        "with_import_s": median(colds),
        "warm_s": median(warms),
        "bytes": size,
        "reproducible": same,
        "cold_runs": colds,
        "warm_runs": warms,
    }


# --- 5. page weight ----------------------------------------------------------------------------


class _Assets(HTMLParser):
    """What a browser fetches for a page: stylesheets, scripts, icons, images, the search worker."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._config = False
        self.config_json = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").split()
        if tag == "link" and a.get("href") and ({"stylesheet", "icon"} & set(rel)):
            self.urls.append(a["href"] or "")
        elif tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"] or "")
        elif tag == "script" and a.get("id") == "__config":
            self._config = True

    def handle_data(self, data: str) -> None:
        if self._config:
            self.config_json += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._config = False


_TEXT_TYPES = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


def _gzip_size(path: Path) -> int:
    """What GitHub Pages sends: text types gzip-compressed, images and fonts as they are."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if path.suffix in _TEXT_TYPES else len(data)


def _local(site: Path, page: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith("data:"):
        return None
    base = "/" + str(page.relative_to(site))
    target = site / urljoin(base, parts.path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def first_visit(site: Path, page: Path) -> dict[str, Any]:
    """Everything a first visit to ``page`` downloads, with its size raw and gzip, by kind."""
    parser = _Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    files: dict[Path, str] = {page: "HTML"}
    for url in parser.urls:
        target = _local(site, page, url)
        if target is not None:
            files[target] = "CSS" if target.suffix == ".css" else "JS" if target.suffix == ".js" else "images"
    for css in [p for p, kind in files.items() if kind == "CSS"]:  # fonts and images of the stylesheets
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            target = _local(site, css, url)
            if target is not None:
                files.setdefault(target, "polices et images")
    if parser.config_json:  # Material's search: a worker, lunr's language files, the index
        config = json.loads(parser.config_json)
        root = (page.parent / config.get("base", ".")).resolve()
        worker = _local(site, page, config.get("search", ""))
        if worker is not None:
            files[worker] = "recherche"
            index = root / "search" / "search_index.json"
            if index.is_file():
                files[index] = "recherche"
                langs = json.loads(index.read_text(encoding="utf-8")).get("config", {}).get("lang", ["en"])
                lunr = root / "assets" / "javascripts" / "lunr" / "min"
                wanted = ["lunr.stemmer.support.min.js"] + [f"lunr.{lang}.min.js" for lang in langs if lang != "en"]
                if len(langs) > 1:
                    wanted.append("lunr.multi.min.js")
                for name in wanted:
                    if (lunr / name).is_file():
                        files[lunr / name] = "recherche"
    kinds: dict[str, dict[str, int]] = {}
    for path, kind in files.items():
        entry = kinds.setdefault(kind, {"files": 0, "raw": 0, "gzip": 0})
        entry["files"] += 1
        entry["raw"] += path.stat().st_size
        entry["gzip"] += _gzip_size(path)
    return {
        "page": str(page.relative_to(site)),
        "html_raw": page.stat().st_size,
        "html_gzip": _gzip_size(page),
        "total_raw": sum(k["raw"] for k in kinds.values()),
        "total_gzip": sum(k["gzip"] for k in kinds.values()),
        "kinds": kinds,
        "files": sorted(str(p.relative_to(site)) for p in files),
    }


def bench_weight(site: Path) -> dict[str, Any]:
    pages = sorted(site.glob("*/competence-*/index.html"))
    if not pages:
        raise SystemExit(f"no competence page in {site}")
    heaviest = max(pages, key=lambda p: p.stat().st_size)
    livret = next(site.glob("*/livret/index.html"), None)
    result = {"competence": first_visit(site, heaviest)}
    if livret is not None:
        result["livret"] = first_visit(site, livret)
    return result


# --- report --------------------------------------------------------------------------------------


def _kb(n: float) -> str:
    """Kilo-octets of 1000 bytes, as the targets are written (60 Ko, 500 Ko, 1 Mo)."""
    return f"{n / 1000:,.0f}".replace(",", "\u202f") + "\u00a0Ko"


def _s(x: float) -> str:
    return f"{x:.2f}".replace(".", ",") + "\u00a0s"


def _x(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _ok(held: bool) -> str:
    return "oui" if held else "**non**"


def _overhead_row(o: dict[str, Any], what: str, target: float | None) -> str:
    # Judged on CPU time: on a machine shared with other work, the wall-clock ratio measures the neighbours too.
    verdict = f"| ≤\u00a0×\u00a0{_x(target)} en temps processeur | {_ok(o['ratio_cpu'] <= target)} |" if target else "| — | — |"
    return (
        f"| Surcoût de construction (sans PDF) face au jumeau MkDocs + Material statique, {what} "
        f"({o['pages']} pages dont {o['identical_articles']} au contenu identique, médiane de {o['pairs']} séries alternées) "
        f"| ×\u00a0{_x(o['ratio_wall'])} en temps écoulé ({_s(o['ours_wall'])} contre {_s(o['twin_wall'])})\u00a0; "
        f"×\u00a0{_x(o['ratio_cpu'])} en temps processeur ({_s(o['ours_cpu'])} contre {_s(o['twin_cpu'])})\u00a0; "
        f"×\u00a0{_x(o['ratio_wall_cold'])} sans gabarits déjà compilés (premier build, CI) " + verdict
    )


def report(results: dict[str, Any]) -> str:
    """The Markdown for the README: one line per target, then the detail of the scale runs."""
    t = TARGETS
    lines = [
        "Mesures de `make benchmark` (`python benchmarks/run.py`, `--quick` pour moins de répétitions)\u00a0:",
        "",
        "| Mesure | Résultat | Cible | Tenue |",
        "|---|---|---|---|",
    ]
    if o := results.get("overhead"):
        lines.append(_overhead_row(o, "référentiel d'origine", t["overhead_ratio"]))
    if o := results.get("overhead_60"):
        lines.append(_overhead_row(o, f"{SIZES[-1]} compétences (pour information)", None))
    s = results.get("scale")
    if s:
        big, mid = SIZES[-1], SIZES[-2]
        lines.append(
            f"| Passage de {mid} à {big} compétences (×\u00a05 pages)\u00a0: croissance du temps de construction "
            f"| ×\u00a0{_x(s['growth_wall'])} en temps écoulé, ×\u00a0{_x(s['growth_cpu'])} en temps processeur "
            f"| ≤\u00a0×\u00a0{_x(t['scale_growth'])} | {_ok(s['growth_wall'] <= t['scale_growth'])} |"
        )
    if c := results.get("catalogue"):
        one, many = (c["counts"][n] for n in CATALOGUE_COUNTS)
        lines.append(
            f"| Site de {CATALOGUE_COUNTS[-1]} CQP de {c['competences']} compétences face à un site d'un seul "
            f"(×\u00a0{_x(c['growth_pages'])} pages)\u00a0: temps de construction par page "
            f"| ×\u00a0{_x(c['cpu_per_page_ratio'])} en temps processeur (construction ×\u00a0{_x(c['growth_cpu'])}, "
            f"×\u00a0{_x(c['growth_wall'])} en temps écoulé) | ≤\u00a0×\u00a0{_x(t['catalogue_growth_per_page'])} "
            f"| {_ok(c['cpu_per_page_ratio'] <= t['catalogue_growth_per_page'])} |"
        )
        lines.append(
            f"| Site de {CATALOGUE_COUNTS[-1]} CQP\u00a0: HTML de la page de compétence la plus lourde "
            f"| {_kb(many['competence_bytes'])} (contre {_kb(one['competence_bytes'])} pour un CQP) "
            f"| ≤\u00a0{_kb(t['html_bytes'])} | {_ok(many['competence_bytes'] <= t['html_bytes'])} |"
        )
    if e := results.get("edit_loop"):
        lines.append(
            f"| Boucle d'édition sous `mkdocs serve --livereload`\u00a0: de l'enregistrement du YAML à la page "
            f"reconstruite (médiane de {e['samples']} essais) "
            f"| {_s(e['median_s'])} (de {_s(e['min_s'])} à {_s(e['max_s'])}), dont reconstruction "
            f"{_s(e['rebuild_median_s'])} | ≤\u00a0{_s(t['edit_loop_s'])} | {_ok(e['median_s'] <= t['edit_loop_s'])} |"
        )
    if p := results.get("pdf"):
        lines.append(
            f"| Livret PDF\u00a0: temps de création, import de WeasyPrint compris (sans l'import) "
            f"| {_s(p['with_import_s'])} ({_s(p['warm_s'])}) | ≤\u00a0{_s(t['pdf_s'])} "
            f"| {_ok(p['with_import_s'] <= t['pdf_s'])} |"
        )
        lines.append(
            f"| Livret PDF\u00a0: taille | {_kb(p['bytes'])}{'' if p['reproducible'] else ' (non reproductible)'} "
            f"| ≤\u00a01\u00a0000\u00a0Ko | {_ok(p['bytes'] <= t['pdf_bytes'])} |"
        )
    if w := results.get("weight"):
        c = w["competence"]
        lines.append(
            f"| HTML de la page de compétence la plus lourde | {_kb(c['html_raw'])} ({_kb(c['html_gzip'])} compressé) "
            f"| ≤\u00a0{_kb(t['html_bytes'])} | {_ok(c['html_raw'] <= t['html_bytes'])} |"
        )
        parts = ", ".join(f"{kind} {_kb(v['gzip'])}" for kind, v in sorted(c["kinds"].items()))
        lines.append(
            f"| Première visite de cette page\u00a0: tout ce qui est téléchargé ({len(c['files'])} fichiers\u00a0: {parts}) "
            f"| {_kb(c['total_gzip'])} compressé ({_kb(c['total_raw'])} non compressé) "
            f"| ≤\u00a0{_kb(t['first_visit_bytes'])} | {_ok(c['total_gzip'] <= t['first_visit_bytes'])} |"
        )
        if lv := w.get("livret"):
            lines.append(
                f"| Page du livret (pour information) | HTML {_kb(lv['html_raw'])} ({_kb(lv['html_gzip'])} compressé)\u00a0; "
                f"première visite {_kb(lv['total_gzip'])} compressé | — | — |"
            )
    if s:
        lines += [
            "",
            "| Compétences | Pages | YAML | Temps écoulé | Temps processeur | Coût marginal par compétence "
            "| Mémoire au plus | Page de compétence | Liens de navigation par page |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        previous: tuple[int, float] | None = None
        for n, r in s["sizes"].items():
            marginal = "—"
            if previous is not None:
                marginal = f"{1000 * (r['cpu'] - previous[1]) / (int(n) - previous[0]):.0f}\u00a0ms".replace(".", ",")
            previous = (int(n), r["cpu"])
            lines.append(
                f"| {n} | {r['pages']} | {_kb(r['yaml_bytes'])} | {_s(r['wall'])} | {_s(r['cpu'])} | {marginal} "
                f"| {r['max_rss_mb']:.0f}\u00a0Mo | {_kb(r['page_html_bytes'])} | {r['nav_links_per_page']} |"
            )
    if c := results.get("catalogue"):
        lines += [
            "",
            "| CQP × compétences | Pages | Temps écoulé | Temps processeur | Avec les PDF (écoulé, processeur) "
            "| Mémoire au plus "
            "| Page la plus lourde | Page de compétence | Accueil | Liens de navigation (compétence, accueil) "
            "| Index de recherche |",
            "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
        ]
        for n, r in c["counts"].items():
            lines.append(
                f"| {n} × {c['competences']} | {r['pages']} | {_s(r['wall'])} | {_s(r['cpu'])} "
                f"| {_s(r['wall_pdf'])}, {_s(r['cpu_pdf'])} "
                f"| {r['max_rss_mb']:.0f}\u00a0Mo | {_kb(r['heaviest_bytes'])} (`{r['heaviest_page']}`) "
                f"| {_kb(r['competence_bytes'])} | {_kb(r['home_bytes'])} "
                f"| {r['nav_links_competence']}, {r['nav_links_home']} "
                f"| {_kb(r['search_bytes'])} ({_kb(r['search_gzip'])} compressé) |"
            )
    m = results["machine"]
    lines += [
        "",
        f"Mesuré le {m['date']} ({'--quick' if m['quick'] else 'toutes les répétitions'}) sur {m['cpus']} cœurs, "
        f"Python {m['python']}, MkDocs {m['mkdocs']}, Material {m['material']}, WeasyPrint {m['weasyprint']}\u00a0; "
        f"charge moyenne de la machine {m['load_before']} au début, {m['load_after']} à la fin. "
        "Temps écoulé\u00a0: ce qu'on attend\u00a0; temps processeur\u00a0: utilisateur + système du processus mesuré, "
        "peu sensible aux autres tâches de la machine. Coût marginal\u00a0: temps processeur ajouté par compétence "
        "depuis la taille précédente (constant si la croissance est linéaire). Tailles en kilo-octets de 1000 octets.",
    ]
    return "\n".join(lines) + "\n"


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("overhead", "scale", "catalogue", "edit", "pdf", "weight"),
        help="run only these parts",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave README-results.md as it is")
    args = parser.parse_args(argv)
    wanted = set(args.only or ("overhead", "scale", "catalogue", "edit", "pdf", "weight"))
    quick = args.quick
    results: dict[str, Any] = {
        "machine": {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "quick": quick,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "mkdocs": _version("mkdocs"),
            "material": _version("mkdocs-material"),
            "weasyprint": _version("weasyprint"),
            "load_before": _x(os.getloadavg()[0]),
        },
        "targets": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="cqp-benchmark-") as tmp:
        work = Path(tmp)
        if wanted & {"overhead", "weight"}:
            results["overhead"] = bench_overhead(work / "overhead", pairs=3 if quick else 9)
            if "weight" in wanted:
                results["weight"] = bench_weight(work / "overhead" / "ours-site")
            if "overhead" not in wanted:
                results.pop("overhead")
            else:
                sixty = write_referentiel(work / f"referentiel-{SIZES[-1]}.yaml", SIZES[-1])
                results["overhead_60"] = bench_overhead(
                    work / "overhead-60", pairs=2 if quick else 5, referentiel=sixty
                )
        if "scale" in wanted:
            results["scale"] = bench_scale(work / "scale", reps=1 if quick else 3)
        if "catalogue" in wanted:
            results["catalogue"] = bench_catalogue(work / "catalogue", reps=1 if quick else 3)
        if "edit" in wanted:
            results["edit_loop"] = bench_edit_loop(work / "edit", samples=4 if quick else 11)
        if "pdf" in wanted:
            results["pdf"] = bench_pdf(processes=1 if quick else 3, warm_runs=2 if quick else 3)
    results["machine"]["load_after"] = _x(os.getloadavg()[0])
    for key in ("overhead", "overhead_60"):
        results.get(key, {}).pop("site", None)
    table = report(results)
    print(table)
    if not args.no_write:
        RESULTS_MD.write_text(table, encoding="utf-8")
        RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        log(f"written {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
