# Les commandes du projet. « make servir » et « make tester » suffisent sur un clone neuf.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: installer installer-tests servir construire tester valider benchmark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

installer: $(BIN)/python
	bash scripts/installer-systeme.sh
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .

installer-tests: $(BIN)/python
	bash scripts/installer-systeme.sh --tests
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'

servir: installer
	$(BIN)/mkdocs serve --livereload

construire: installer
	$(BIN)/mkdocs build --strict

valider: installer
	$(BIN)/cqp valider referentiel.yaml

tester: installer-tests
	$(BIN)/ruff check guide_cqp macros tests benchmarks
	$(BIN)/python -m pytest

benchmark: installer-tests
	$(BIN)/python benchmarks/run.py
