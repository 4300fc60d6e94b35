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

# CPython runs every suite (two pytest-xdist workers, a test file per worker: module
# fixtures stay shared), then PyPy 3 runs the client and N1QL ones (scripts/test-pypy.sh
# installs Debian's pypy3 if missing and keeps .venv-pypy). Both always run; the
# target fails if either does.
test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@status=0; \
	$(BIN)/python -m pytest -q -n 2 --dist loadfile || status=$$?; \
	scripts/test-pypy.sh || { s=$$?; [ $$status -ne 0 ] || status=$$s; }; \
	if [ $$status -ne 0 ]; then echo "make test: failed (CPython and/or PyPy run, see above)" >&2; fi; \
	exit $$status

lint: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/mypy
