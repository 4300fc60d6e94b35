# The two commands of the README: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

demo: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python examples/demo.py

# CPython runs every suite (two pytest-xdist workers, a test file per worker: module
# fixtures stay shared), then PyPy 3 runs the client and N1QL ones (scripts/test-pypy.sh
# installs Debian's pypy3 if missing and keeps .venv-pypy). Both always run; the
# target fails if either does. The last line (scripts/test-summary.sh) gives both
# runs' counts and the verdict: "make test: CPython N passed...; PyPy N passed: ALL PASSED".
test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@scripts/install-browser.sh
	@logs=$$(mktemp -d); \
	{ $(BIN)/python -m pytest -q -n 2 --dist loadfile; echo $$? >$$logs/cpython.rc; } 2>&1 | tee $$logs/cpython.log; \
	{ scripts/test-pypy.sh; echo $$? >$$logs/pypy.rc; } 2>&1 | tee $$logs/pypy.log; \
	scripts/test-summary.sh "CPython:$$(cat $$logs/cpython.rc):$$logs/cpython.log" \
	    "PyPy:$$(cat $$logs/pypy.rc):$$logs/pypy.log"; \
	status=$$?; rm -rf $$logs; exit $$status

# The user guide: docs/ (Markdown via MyST, API reference by autodoc) -> docs/_build/html,
# warnings as errors as in tests/docs/test_docs_build.py.
docs: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[docs]'
	$(BIN)/sphinx-build -W --keep-going -b html -q docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

lint: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/mypy
