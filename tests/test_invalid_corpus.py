"""A corpus of malformed référentiels: each one is refused, in French, at the right line and field.

The YAML is edited by hand by non-developers and may come from outside in a pull
request. Whatever it holds, `mkdocs build` and `cqp valider` must stop with a
message naming the file, the line and the field, never with a traceback, never
hang, and never publish a site.

One file per case in tests/data/invalid/, all derived from the same small valid
référentiel; the 20 MB case is generated here, not committed.

Every case goes through the validator, `mkdocs build` and `cqp valider`. The two
commands run inside this process (MkDocs' own command line, `cli.main`), where
a refusal costs milliseconds; a few representative cases (a syntax error, a model
error, a hostile file, a huge file) also run as real processes, the way a person
or the workflow runs them, and must print the same lines as in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import DATA, HANG, ROOT, build_in_process, fold

from guide_cqp import cli
from guide_cqp.errors import Probleme, ReferentielInvalide, format_path
from guide_cqp.validate import load_referentiel, parse_referentiel

INVALID = DATA / "invalid"
# CPU seconds of this thread a refusal may take: a guard against runaway work (an alias bomb, a parser gone
# quadratic), counted in CPU time so that other processes loading the machine cannot make it fail.
CPU_LIMIT = 10.0
HUGE = "volumineux-20-mo.yaml"
# Run as real processes too: a syntax error, a model error, a hostile file, a huge file.
END_TO_END = ["syntaxe-tabulation.yaml", "cle-inconnue-competence.yaml", "alias-bombe.yaml", HUGE]


@dataclass(frozen=True)
class Case:
    """What the editor must read for one broken file: where, which field, which words."""

    fichier: str
    ligne: int | None
    champ: str | None
    mots: str


CASES = [
    # YAML syntax
    Case("syntaxe-tabulation.yaml", 4, None, "tabulation interdite"),
    Case("syntaxe-guillemet-non-ferme.yaml", 20, None, "guillemet"),
    Case("syntaxe-indentation.yaml", 15, None, "indentation incorrecte"),
    Case("syntaxe-deux-points.yaml", 20, None, "deux-points inattendu"),
    Case("syntaxe-plusieurs-documents.yaml", 39, None, "plusieurs documents"),
    Case("syntaxe-etiquette-python.yaml", 4, None, "étiquette YAML"),
    # missing and empty required fields
    Case("manque-intitule-cqp.yaml", 3, "cqp.intitule", "champ obligatoire manquant"),
    Case("manque-competences.yaml", 1, "competences", "champ obligatoire manquant"),
    Case("vide-intitule-competence.yaml", 10, "competences[0].intitule", "champ vide"),
    Case("vide-date-tilde.yaml", 7, "version.date", "champ vide"),
    Case("nul-savoir-faire.yaml", 11, "competences[0].savoir_faire", "champ vide"),
    Case("liste-vide-modules.yaml", 13, "competences[0].modules", "liste vide"),
    # wrong types, at every level
    Case("type-racine-liste.yaml", 1, None, "pas par une liste"),
    Case("type-cqp-liste.yaml", 3, "cqp", "bloc de clés attendu"),
    Case("type-version-texte.yaml", 5, "version", "bloc de clés attendu"),
    Case("type-competences-texte.yaml", 8, "competences", "liste attendue"),
    Case("type-competence-texte.yaml", 19, "competences[1]", "bloc de clés attendu"),
    Case("type-numero-competence.yaml", 9, "competences[0].numero", "nombre entier attendu"),
    Case("type-savoir-faire-bloc.yaml", 12, "competences[0].savoir_faire", "liste attendue"),
    Case("type-module-texte.yaml", 14, "competences[0].modules[0]", "bloc de clés attendu"),
    Case("type-heures-texte.yaml", 16, "competences[0].modules[0].heures", "bloc de clés attendu"),
    Case("type-heures-min.yaml", 16, "competences[0].modules[0].heures.min", "nombre attendu"),
    Case("type-item-liste.yaml", 18, "competences[0].activites_entreprise[0]", "texte attendu"),
    Case("type-details-texte.yaml", 31, "competences[1].modules[0].contenu[0].details", "liste attendue"),
    Case("type-livret-texte.yaml", 35, "livret", "bloc de clés attendu"),
    Case("type-livret-titre-liste.yaml", 37, "livret.titre", "texte attendu"),
    Case("type-champs-couverture-texte.yaml", 37, "livret.champs_couverture", "liste attendue"),
    Case("type-fiche-liste.yaml", 38, "livret.fiche", "bloc de clés attendu"),
    # unknown keys, at every level, with the closest allowed key suggested
    Case("cle-inconnue-racine.yaml", 8, "presentaton", "vouliez-vous dire « presentation »\u00a0?"),
    Case("cle-inconnue-cqp.yaml", 5, "cqp.brache", "vouliez-vous dire « branche »\u00a0?"),
    Case("cle-inconnue-version.yaml", 8, "version.status", "vouliez-vous dire « statut »\u00a0?"),
    Case(
        "cle-inconnue-competence.yaml",
        19,
        "competences[0].critere_evaluation",
        "vouliez-vous dire « criteres_evaluation »\u00a0?",
    ),
    Case(
        "cle-inconnue-module.yaml", 27, "competences[1].modules[0].objectif", "vouliez-vous dire « objectifs »\u00a0?"
    ),
    Case("cle-inconnue-heures.yaml", 23, "competences[1].heures.mx", "vouliez-vous dire « max »\u00a0?"),
    Case(
        "cle-inconnue-item.yaml",
        33,
        "competences[1].modules[0].contenu[0].detials",
        "vouliez-vous dire « details »\u00a0?",
    ),
    Case("cle-inconnue-livret.yaml", 37, "livret.titres_certificat", "vouliez-vous dire « titre_certificat »\u00a0?"),
    Case("cle-inconnue-fiche.yaml", 39, "livret.fiche.en_formaton", "vouliez-vous dire « en_formation »\u00a0?"),
    # duplicates
    Case("cle-en-double.yaml", 21, "competences[1].intitule", "en double"),
    Case("numero-competence-en-double.yaml", 19, "competences[1].numero", "en double"),
    Case("numero-module-en-double.yaml", 25, "competences[1].modules[0].numero", "en double"),
    # hours
    Case("heures-min-superieur-max.yaml", 16, "competences[0].modules[0].heures", "dépasse le maximum"),
    Case("heures-negatives.yaml", 23, "competences[1].heures.min", "supérieur ou égal à 0"),
    Case("heures-deux-niveaux.yaml", 27, "competences[1].modules[0].heures", "à la fois"),
    Case("heures-absentes.yaml", 14, "competences[0].modules[0]", "pas d'heures"),
    # values
    Case("date-invalide.yaml", 7, "version.date", "n'existe pas"),
    Case("date-format-francais.yaml", 7, "version.date", "AAAA-MM-JJ"),
    Case("format-non-pris-en-charge.yaml", 1, "format", "format de fichier non pris en charge"),
    Case("code-majuscules.yaml", 3, "cqp.code", "minuscules"),
    # version.precedente as written (where it leads: tests/test_versions.py)
    Case("precedente-chemin-absolu.yaml", 9, "version.precedente", "chemin absolu"),
    Case("precedente-barre-oblique-inverse.yaml", 9, "version.precedente", "des « / », pas des « \\ »"),
    # format 2: blocs, numbers, certification, evaluation, hours (from a small valid format 2 file)
    Case("format2-numero-competence-invalide.yaml", 21, "blocs[0].competences[0].numero", "identifiant"),
    Case("format2-numero-competence-en-double.yaml", 40, "blocs[1].competences[0].numero", "en double"),
    Case("format2-code-bloc-invalide.yaml", 37, "blocs[1].code", "sans espace"),
    Case("format2-code-bloc-en-double.yaml", 37, "blocs[1].code", "en double"),
    Case("format2-module-en-double.yaml", 45, "blocs[1].competences[0].modules[0].numero", "en double"),
    Case("format2-facultatif-invalide.yaml", 34, "blocs[0].competences[0].modules[1].facultatif", "true ou false"),
    Case("format2-repertoire-inconnu.yaml", 6, "cqp.certification.repertoire", "«\u00a0RNCP\u00a0», «\u00a0RS\u00a0» ou «\u00a0aucun\u00a0»"),
    Case("format2-numero-certification-invalide.yaml", 7, "cqp.certification.numero", "RNCP suivi de chiffres"),
    Case("format2-numero-certification-incoherent.yaml", 7, "cqp.certification.numero", "fiche RNCP, pas RS"),
    Case("format2-numero-sans-repertoire.yaml", 7, "cqp.certification.numero", "le répertoire est « aucun »"),
    Case("format2-niveau-hors-limites.yaml", 8, "cqp.certification.niveau", "inférieur ou égal à 8"),
    Case("format2-niveau-hors-rncp.yaml", 8, "cqp.certification.niveau", "enregistrée au RNCP"),
    Case("format2-enregistrement-inverse.yaml", 9, "cqp.certification.enregistrement.fin", "précède son début"),
    Case("format2-enregistrement-sans-fin.yaml", 9, "cqp.certification.enregistrement.fin", "obligatoire manquant"),
    Case("format2-duree-et-heures.yaml", 13, "duree", "le module 1.1 a ses propres heures"),
    Case("format2-evaluation-vide.yaml", 16, "blocs[0].evaluation", "évaluation sans contenu"),
    Case("format2-modalite-sans-intitule.yaml", 18, "blocs[0].evaluation.modalites[0].intitule", "obligatoire manquant"),
    Case(
        "format2-savoir-faire-sans-criteres.yaml",
        25,
        "blocs[0].competences[0].savoir_faire[1].criteres",
        "obligatoire manquant",
    ),
    Case("format2-competences-a-la-racine.yaml", 13, "competences", "se rangent dans des blocs"),
    Case("format2-cle-inconnue-bloc.yaml", 39, "blocs[1].activite", "vouliez-vous dire « activites »\u00a0?"),
    Case("format2-bloc-sans-competences.yaml", 37, "blocs[1].competences", "obligatoire manquant"),
    Case("format1-blocs.yaml", 9, "blocs", "demandent le format 2"),
    Case("format1-cle-du-format-2.yaml", 20, "competences[0].evaluation", "appartient au format 2"),
    # whole-file problems and hostile files
    Case("fichier-vide.yaml", None, None, "le fichier est vide"),
    Case("fichier-commentaires.yaml", None, None, "le fichier est vide"),
    Case("encodage-windows-1252.yaml", 20, None, "Windows-1252"),
    Case("encodage-utf16.yaml", 1, None, "UTF-16"),
    Case("caractere-de-controle.yaml", 20, "competences[1].intitule", "caractère interdit U+0007"),
    Case("caractere-de-controle-echappe.yaml", 20, "competences[1].intitule", "caractère interdit U+0002"),
    Case("markdown-listes-imbriquees.yaml", 8, "presentation", "imbriquées trop profondément"),
    Case("markdown-crochets.yaml", 8, "presentation", "signes de mise en forme"),
    Case("alias-bombe.yaml", 7, None, "alias"),
    Case("imbrication-5000.yaml", 3, None, "imbrication trop profonde"),
    Case(HUGE, None, None, "trop volumineux"),
    # time and memory bounded by the input (issue 11, part 1): limits of the model
    Case("limite-titre-trop-long.yaml", 21, "competences[1].intitule", "au plus 300\u00a0caractères"),
    Case("limite-markdown-lignes.yaml", 8, "presentation", "au plus 200"),
    Case("limite-markdown-emphases.yaml", 8, "presentation", "signes de mise en forme"),
    Case("limite-markdown-accents-graves.yaml", 8, "presentation", "signes de mise en forme"),
    Case("limite-modules.yaml", 15, "competences[0].modules", "au plus 30\u00a0éléments"),
    Case("limite-competences.yaml", 10, "competences", "au plus 40\u00a0éléments"),
    Case("limite-sous-listes.yaml", 43, "competences[1].modules[0].contenu[0]" + ".details[0]" * 6, "sous-listes trop profondes"),
    Case("limite-numero-competence.yaml", 20, "competences[1].numero", "inférieur ou égal à 999"),
    # links and images in Markdown texts (part 2)
    Case("lien-image-distante.yaml", 8, "presentation", "image « http://hote.invalide/logo.png »"),
    Case("lien-image-locale.yaml", 8, "presentation", "image « /un/fichier/local.png »"),
    Case("lien-fichier-de-la-machine.yaml", 8, "presentation", "lien « /etc/passwd »"),
    Case("lien-page-relative.yaml", 8, "presentation", "lien « autre-page.html »"),
    Case("lien-http.yaml", 8, "presentation", "lien « http://www.exemple.fr »"),
    Case("lien-javascript-entites.yaml", 8, "presentation", "lien « javascript:alert(1) »"),
    Case("lien-definition-de-reference.yaml", 8, "presentation", "lien « file:///etc/passwd »"),
    Case("lien-autolien.yaml", 8, "presentation", "lien « http://www.exemple.fr »"),
    Case("texte-repris-trop-long.yaml", 37, "livret.objet", "une fois {intitule} et {instance} remplacés"),
    # what mike and the site keep for themselves, names of files and folders (part 4)
    Case("version-latest.yaml", 6, "version.numero", "version la plus récente"),
    Case("version-versions-json.yaml", 6, "version.numero", "nom réservé"),
    Case("version-sans-lettre-ni-chiffre.yaml", 6, "version.numero", "au moins une lettre ou un chiffre"),
    Case("code-dossier-du-site.yaml", 3, "cqp.code", "nom réservé"),
    Case("code-page-ecrite-a-la-main.yaml", 3, "cqp.code", "déjà pris par docs/macros.md"),
    Case("code-trop-long.yaml", 3, "cqp.code", "au plus 40\u00a0caractères"),
    # text that cannot be seen (part 5)
    Case("invisible-espaces-sans-chasse.yaml", 21, "competences[1].intitule", "texte invisible"),
    Case("invisible-remplissage-hangul.yaml", 21, "competences[1].intitule", "U+3164"),
    Case("bidi-inversion.yaml", 21, "competences[1].intitule", "U+202E"),
    Case("separateur-de-ligne.yaml", 21, "competences[1].intitule", "U+2028"),
    Case("surrogate-isole.yaml", 21, None, "substitution"),
    Case("usage-prive-puce-word.yaml", 23, "competences[1].savoir_faire[0]", "U+F0B7"),
    Case("non-caractere.yaml", 21, "competences[1].intitule", "U+FFFE"),
    # unique anchors (part 6)
    Case("ancres-modules-identiques.yaml", 26, "competences[1].modules[0].numero", "même adresse (#module-1-1)"),
    # slips a non-developer makes (issue 12, part 3)
    Case("deux-points-activite.yaml", 19, "competences[0].activites_entreprise[0]", "contient « : »"),
    Case("deux-points-savoir-faire.yaml", 23, "competences[1].savoir_faire[0]", "contient « : »"),
    Case("guillemet-isole-numero.yaml", 26, "competences[1].modules[0].numero", "isolé à la fin du texte"),
    Case("guillemet-isole-apostrophe.yaml", 16, "competences[0].modules[0].intitule", "isolé à la fin du texte"),
    Case("texte-apres-guillemet.yaml", 27, None, "du texte suit le guillemet fermant"),
    Case("crochet-en-tete.yaml", 23, None, "guillemets doubles"),
]

# What the `cqp` console script does (pyproject: cqp = "guide_cqp.cli:main"), without needing it on PATH.
CQP = [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.argv[0] = 'cqp'; sys.exit(main())"]
MKDOCS_BUILD = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d"]


@dataclass
class Run:
    """One refused command: exit code and everything it printed."""

    returncode: int
    output: str


@dataclass
class Process:
    """One real process of the end-to-end cases, and the site folder it was told to write (if a build)."""

    run: Run
    site: Path | None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case's file; the 20 MB one is written now (it must never be committed)."""
    files = {path.name: path for path in INVALID.glob("*.yaml")}
    huge = tmp_path_factory.mktemp("huge") / HUGE
    base = (INVALID / "cle-inconnue-racine.yaml").read_text(encoding="utf-8").replace("presentaton", "presentation")
    line = "  Un paragraphe de présentation répété pour atteindre une taille démesurée.\n"
    with huge.open("w", encoding="utf-8") as out:
        out.write(base.replace("presentation: Un CQP pour essayer\n", "presentation: |\n"))
        out.write(line * (20_000_000 // len(line.encode()) + 1))
    assert huge.stat().st_size > 20_000_000
    files[HUGE] = huge
    return files


def _run(command: list[str], extra_env: dict[str, str] | None = None) -> Run:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CQP_PDF": "1", **(extra_env or {})}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=HANG)
    except subprocess.TimeoutExpired as exc:
        return Run(-1, f"BLOQUÉ\u00a0: {exc}")
    return Run(done.returncode, done.stdout + done.stderr)


def _all(jobs: dict[str, tuple[list[str], dict[str, str]]]) -> dict[str, Run]:
    """Run the commands two at a time: the machine has two cores."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run, command, env) for name, (command, env) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def processes(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Process]:
    """The end-to-end cases as real processes: `mkdocs build --strict` (PDF asked for: a refusal must come
    before it) and `cqp valider FICHIER`, keyed by (command, file)."""
    root = tmp_path_factory.mktemp("invalid-sites")
    jobs, sites = {}, {}
    for name in END_TO_END:
        sites[("build", name)] = site = root / name.removesuffix(".yaml")
        jobs[("build", name)] = ([*MKDOCS_BUILD, str(site)], {"CQP_REFERENTIEL": str(corpus[name])})
        jobs[("valider", name)] = ([*CQP, "valider", str(corpus[name])], {})
    return {key: Process(run, sites.get(key)) for key, run in _all(jobs).items()}


def _site(tmp_path: Path, case: Case) -> Path:
    return tmp_path / case.fichier.removesuffix(".yaml")


def _build(path: Path, site: Path) -> tuple[Run, float]:
    """`mkdocs build --strict` in this process, PDF asked for; with the CPU time it took."""
    start = time.thread_time()
    build = build_in_process(path, site, pdf=True)
    return Run(build.returncode, build.output), time.thread_time() - start


def _valider(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Run, float]:
    """`cqp valider FICHIER` in this process; with the CPU time it took."""
    capsys.readouterr()
    start = time.thread_time()
    code = cli.main(["valider", str(path)])
    seconds = time.thread_time() - start
    printed = capsys.readouterr()
    return Run(code, printed.out + printed.err), seconds


def _matching(problemes: list[Probleme], case: Case) -> list[Probleme]:
    return [
        p
        for p in problemes
        if p.ligne == case.ligne
        and (case.champ is None or format_path(p.chemin) == case.champ)
        and case.mots in p.message
    ]


def _assert_reported(output: str, case: Case, fichier: str) -> None:
    """The report a person reads: no traceback, and the file, line, field and words of the case."""
    assert "Traceback" not in output, output
    assert fichier in output, output
    if case.ligne is not None:
        assert f"{fichier}, ligne {case.ligne}" in output, output
    if case.champ is not None:  # « champ cqp.code », or « compétence 2, module 2.1… (competences[1].modules[0]…) »
        assert f" — champ {case.champ}\u00a0:" in output or f"({case.champ})\u00a0:" in output, output
    assert fold(case.mots) in fold(output), output  # the words; their typography is test_typography.py's


def _assert_build_refused(run: Run, case: Case, fichier: str, site: Path) -> None:
    assert run.returncode not in (0, -1), run.output
    _assert_reported(run.output, case, fichier)
    assert "corrigez le référentiel" in run.output
    assert not any(site.rglob("*.html")), "a refused référentiel must not leave a site behind"


def _lines(output: str) -> set[str]:
    return {line.rstrip() for line in output.splitlines() if line.strip()}


def test_every_file_of_the_corpus_has_its_expected_message() -> None:
    on_disk = {path.name for path in INVALID.glob("*.yaml")}
    in_table = {case.fichier for case in CASES} - {HUGE}
    assert on_disk == in_table
    assert len(CASES) >= 30
    assert set(END_TO_END) <= {case.fichier for case in CASES}


def test_the_corpus_derives_from_a_valid_file() -> None:
    """Each case breaks one thing: undoing the unknown-key case gives a référentiel that validates."""
    fixed = (INVALID / "cle-inconnue-racine.yaml").read_text(encoding="utf-8").replace("presentaton", "presentation")
    assert parse_referentiel(fixed).cqp.code == "essai"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_validation_names_the_line_and_field(case: Case, corpus: dict[str, Path]) -> None:
    path = corpus[case.fichier]
    start = time.thread_time()
    with pytest.raises(ReferentielInvalide) as caught:
        load_referentiel(path)
    assert time.thread_time() - start < CPU_LIMIT
    problemes = caught.value.problemes
    assert _matching(problemes, case), "\n".join(map(str, problemes))
    for probleme in problemes:
        assert str(probleme).startswith(probleme.fichier) and path.name in probleme.fichier


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_mkdocs_build_refuses_in_french_without_publishing(
    case: Case, corpus: dict[str, Path], tmp_path: Path
) -> None:
    path, site = corpus[case.fichier], _site(tmp_path, case)
    run, seconds = _build(path, site)
    _assert_build_refused(run, case, path.name, site)
    assert seconds < CPU_LIMIT, f"{seconds:.1f} s de calcul"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_cqp_valider_refuses_in_french(
    case: Case, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run, seconds = _valider(corpus[case.fichier], capsys)
    assert run.returncode == 1, run.output
    _assert_reported(run.output, case, corpus[case.fichier].name)
    assert seconds < CPU_LIMIT, f"{seconds:.1f} s de calcul"


END_TO_END_CASES = [case for case in CASES if case.fichier in END_TO_END]


@pytest.mark.lent  # real processes
@pytest.mark.parametrize("case", END_TO_END_CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_the_real_mkdocs_build_process_refuses_in_french_without_publishing(
    case: Case, corpus: dict[str, Path], processes: dict[tuple[str, str], Process], tmp_path: Path
) -> None:
    """The command as a person runs it, and the in-process build above prints the same lines."""
    process = processes[("build", case.fichier)]
    path = corpus[case.fichier]
    _assert_build_refused(process.run, case, path.name, process.site)
    run = process.run
    in_process, _ = _build(path, _site(tmp_path, case))
    assert _lines(in_process.output) == _lines(run.output)


@pytest.mark.lent  # real processes
@pytest.mark.parametrize("case", END_TO_END_CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_the_real_cqp_valider_process_refuses_in_french(
    case: Case, corpus: dict[str, Path], processes: dict[tuple[str, str], Process], capsys: pytest.CaptureFixture[str]
) -> None:
    """`cqp valider` as pre-commit and the workflow run it, and the in-process call above prints the same."""
    run = processes[("valider", case.fichier)].run
    assert run.returncode == 1, run.output
    _assert_reported(run.output, case, corpus[case.fichier].name)
    in_process, _ = _valider(corpus[case.fichier], capsys)
    assert in_process == run
