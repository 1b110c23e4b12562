# Les commandes du projet. « make servir » et « make tester » suffisent sur un clone neuf.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# W3C Nu HTML checker (npm package vnu-jar) and pdf.js (npm package pdfjs-dist, the PDF viewer of
# Firefox, for the PDF tests), kept outside the repository.
VNU_DIR ?= $(HOME)/.cache/guide-cqp/vnu
PDFJS_DIR ?= $(HOME)/.cache/guide-cqp/pdfjs

.PHONY: installer installer-tests servir construire tester valider schema benchmark

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
	test -f $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar || \
	  npm install --no-save --no-audit --no-fund --ignore-scripts --prefix $(VNU_DIR) vnu-jar >/dev/null
	test -f $(PDFJS_DIR)/node_modules/pdfjs-dist/build/pdf.mjs || \
	  npm install --no-save --no-audit --no-fund --ignore-scripts --omit=optional --prefix $(PDFJS_DIR) pdfjs-dist@5 >/dev/null

servir: installer
	$(BIN)/mkdocs serve --livereload

construire: installer
	$(BIN)/mkdocs build --strict

valider: installer
	$(BIN)/cqp valider referentiel.yaml

schema: installer
	$(BIN)/cqp schema -o schema/referentiel.schema.json

tester: installer-tests
	$(BIN)/ruff check guide_cqp macros tests benchmarks
	$(BIN)/python -m pytest

benchmark: installer-tests
	$(BIN)/python benchmarks/run.py
