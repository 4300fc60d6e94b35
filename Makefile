# The two commands of the README: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

demo: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python examples/demo.py

test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m pytest -q

lint: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/mypy
