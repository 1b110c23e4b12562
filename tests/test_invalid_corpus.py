"""A corpus of malformed référentiels: each one is refused, fast, in French, at the right line and field.

The YAML is edited by hand by non-developers and may come from outside in a pull
request. Whatever it holds, `mkdocs build` and `cqp valider` must stop with a
message naming the file, the line and the field, never with a traceback, never
hang, and never publish a site.

One file per case in tests/data/invalid/, all derived from the same small valid
référentiel; the 20 MB case is generated here, not committed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from guide_cqp.errors import Probleme, ReferentielInvalide, format_path
from guide_cqp.validate import load_referentiel, parse_referentiel

INVALID = DATA / "invalid"
TIME_LIMIT = 10.0  # seconds a refusal may take, build included
HUGE = "volumineux-20-mo.yaml"


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
    # format 2: blocs, numbers, certification, evaluation, hours (from a small valid format 2 file)
    Case("format2-numero-competence-invalide.yaml", 21, "blocs[0].competences[0].numero", "identifiant"),
    Case("format2-numero-competence-en-double.yaml", 40, "blocs[1].competences[0].numero", "en double"),
    Case("format2-code-bloc-invalide.yaml", 37, "blocs[1].code", "sans espace"),
    Case("format2-code-bloc-en-double.yaml", 37, "blocs[1].code", "en double"),
    Case("format2-module-en-double.yaml", 45, "blocs[1].competences[0].modules[0].numero", "en double"),
    Case("format2-facultatif-invalide.yaml", 34, "blocs[0].competences[0].modules[1].facultatif", "true ou false"),
    Case("format2-repertoire-inconnu.yaml", 6, "cqp.certification.repertoire", "'RNCP', 'RS' ou 'aucun'"),
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
    Case("caractere-de-controle.yaml", 20, None, "caractère interdit"),
    Case(
        "caractere-de-controle-echappe.yaml", 20, "competences[1].intitule", "caractère de contrôle invisible (U+0002)"
    ),
    Case("markdown-listes-imbriquees.yaml", 8, "presentation", "imbriquées trop profondément"),
    Case("markdown-crochets.yaml", 8, "presentation", "crochets « [ »"),
    Case("alias-bombe.yaml", 7, None, "alias"),
    Case("imbrication-5000.yaml", 3, None, "imbrication trop profonde"),
    Case(HUGE, None, None, "trop volumineux"),
]

CLI_AVAILABLE = importlib.util.find_spec("guide_cqp.cli") is not None
# What the `cqp` console script does (pyproject: cqp = "guide_cqp.cli:main"), without needing it on PATH.
CQP = [sys.executable, "-c", "import sys; from guide_cqp.cli import main; sys.argv[0] = 'cqp'; sys.exit(main())"]


@dataclass
class Run:
    """One refused command: exit code, everything it printed, how long it took."""

    returncode: int
    output: str
    seconds: float


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
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=6 * TIME_LIMIT)
    except subprocess.TimeoutExpired as exc:
        return Run(-1, f"TIMEOUT {exc}", time.monotonic() - start)
    return Run(done.returncode, done.stdout + done.stderr, time.monotonic() - start)


def _all(jobs: dict[str, tuple[list[str], dict[str, str]]]) -> dict[str, Run]:
    """Run the commands two at a time: the machine has two cores, and this keeps the suite fast."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run, command, env) for name, (command, env) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def builds(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Path]]:
    """`mkdocs build --strict` on every case (PDF asked for: a refusal must come before it)."""
    root = tmp_path_factory.mktemp("invalid-sites")
    sites = {name: root / name.removesuffix(".yaml") for name in corpus}
    jobs = {
        name: (
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(sites[name])],
            {"CQP_REFERENTIEL": str(path)},
        )
        for name, path in corpus.items()
    }
    runs = _all(jobs)
    return {name: (runs[name], sites[name]) for name in corpus}


@pytest.fixture(scope="module")
def cli_runs(corpus: dict[str, Path]) -> dict[str, Run]:
    """`cqp valider FICHIER` on every case."""
    if not CLI_AVAILABLE:
        pytest.skip("guide_cqp.cli n'existe pas encore")
    return _all({name: ([*CQP, "valider", str(path)], {}) for name, path in corpus.items()})


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
    if case.champ is not None:
        assert f"champ « {case.champ} »" in output, output
    assert case.mots in output, output


def test_every_file_of_the_corpus_has_its_expected_message() -> None:
    on_disk = {path.name for path in INVALID.glob("*.yaml")}
    in_table = {case.fichier for case in CASES} - {HUGE}
    assert on_disk == in_table
    assert len(CASES) >= 30


def test_the_corpus_derives_from_a_valid_file() -> None:
    """Each case breaks one thing: undoing the unknown-key case gives a référentiel that validates."""
    fixed = (INVALID / "cle-inconnue-racine.yaml").read_text(encoding="utf-8").replace("presentaton", "presentation")
    assert parse_referentiel(fixed).cqp.code == "essai"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_validation_names_the_line_and_field(case: Case, corpus: dict[str, Path]) -> None:
    path = corpus[case.fichier]
    start = time.monotonic()
    with pytest.raises(ReferentielInvalide) as caught:
        load_referentiel(path)
    assert time.monotonic() - start < TIME_LIMIT
    problemes = caught.value.problemes
    assert _matching(problemes, case), "\n".join(map(str, problemes))
    for probleme in problemes:
        assert str(probleme).startswith(probleme.fichier) and path.name in probleme.fichier


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_mkdocs_build_refuses_in_french_without_publishing(
    case: Case, corpus: dict[str, Path], builds: dict[str, tuple[Run, Path]]
) -> None:
    run, site = builds[case.fichier]
    assert run.returncode not in (0, -1), run.output
    assert run.seconds < TIME_LIMIT, f"{run.seconds:.1f} s"
    _assert_reported(run.output, case, corpus[case.fichier].name)
    assert "corrigez le référentiel" in run.output
    assert not any(site.rglob("*.html")), "a refused référentiel must not leave a site behind"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fichier.removesuffix(".yaml"))
def test_cqp_valider_refuses_in_french(case: Case, corpus: dict[str, Path], cli_runs: dict[str, Run]) -> None:
    run = cli_runs[case.fichier]
    assert run.returncode == 1, run.output
    assert run.seconds < TIME_LIMIT, f"{run.seconds:.1f} s"
    _assert_reported(run.output, case, corpus[case.fichier].name)
