# Les commandes du projet. « make servir » et « make tester » suffisent sur un clone neuf.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# W3C Nu HTML checker (npm package vnu-jar) and pdf.js (npm package pdfjs-dist, the PDF viewer of
# Firefox, for the PDF tests), kept outside the repository.
VNU_DIR ?= $(HOME)/.cache/guide-cqp/vnu
PDFJS_DIR ?= $(HOME)/.cache/guide-cqp/pdfjs
# Material's notice about its end of life (May 2027, see the README) stays out of every command's output.
export NO_MKDOCS_2_WARNING := 1

.PHONY: installer installer-tests servir construire tester valider schema benchmark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs again only when pyproject.toml changed (the stamp files record the last install); setuptools'
# notices about editable installs are for packagers, not for the staff who run these commands.
$(VENV)/.installe: pyproject.toml | $(BIN)/python
	bash scripts/installer-systeme.sh
	$(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installe-tests: pyproject.toml | $(BIN)/python
	bash scripts/installer-systeme.sh --tests
	$(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installe $@

installer: $(VENV)/.installe

installer-tests: $(VENV)/.installe-tests
	test -f $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar || \
	  npm install --no-save --no-audit --no-fund --ignore-scripts --prefix $(VNU_DIR) vnu-jar >/dev/null
	test -f $(PDFJS_DIR)/node_modules/pdfjs-dist/build/pdf.mjs || \
	  npm install --no-save --no-audit --no-fund --ignore-scripts --omit=optional --prefix $(PDFJS_DIR) pdfjs-dist@5 >/dev/null

servir: installer
	$(BIN)/mkdocs serve --livereload

construire: installer
	$(BIN)/mkdocs build --strict

valider: installer
	$(BIN)/cqp valider

schema: installer
	$(BIN)/cqp schema -o schema/referentiel.schema.json

# The tests run on two processes, one per core of the reference machine, each test file on one of them
# (its fixtures built once). TEST_WORKERS=1 for one process, more on a bigger machine.
TEST_WORKERS ?= 2

tester: installer-tests
	$(BIN)/ruff check guide_cqp tests benchmarks
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

benchmark: installer-tests
	$(BIN)/python benchmarks/run.py
