"""The core must not pull in networking, event loops or threads (the sans-IO rule).

Two checks: no core module names a forbidden module in an import statement,
and importing the core loads no forbidden module beyond what the standard
library modules it may use load by themselves (PyPy's hashlib, for one,
imports threading and socket; CPython's does not).
"""

from __future__ import annotations

import ast
import functools
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
FORBIDDEN = ("socket", "asyncio", "selectors", "threading", "_socket", "ssl", "select")
CORE_MODULES = sorted(
    f"couchbase._core.{m.name}" for m in pkgutil.iter_modules([str(SRC / "couchbase" / "_core")])
)

# A stub parent package keeps couchbase/__init__.py (the API layer, free to do I/O) out of it.
_PROBE = """
import importlib, json, sys, types
src = sys.argv[1]
pkg = types.ModuleType("couchbase")
pkg.__path__ = [src + "/couchbase"]
sys.modules["couchbase"] = pkg
for name in sys.argv[2:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


@functools.cache
def _loaded(*modules: str) -> frozenset[str]:
    """Modules present after importing ``modules`` in a fresh isolated (-I) interpreter."""
    env = dict(os.environ, PYTHONPATH=str(SRC))  # -I ignores it; argv carries the path instead
    out = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE, str(SRC), *modules],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    ).stdout
    return frozenset(json.loads(out))


# Standard-library modules the core may use: what they load is not the core's doing.
ALLOWED_STDLIB = ("struct", "enum", "json", "hashlib", "hmac", "zlib", "dataclasses",
                  "secrets", "re", "bisect", "binascii", "base64", "urllib.parse", "typing")


def _baseline() -> frozenset[str]:
    return _loaded(*ALLOWED_STDLIB)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_no_forbidden_import_statement(module: str) -> None:
    path = SRC / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            named.add(node.module.split(".")[0])
    assert not sorted(named & set(FORBIDDEN))


def test_all_core_modules_together() -> None:
    added = _loaded(*CORE_MODULES) - _baseline()
    assert not sorted(m for m in added if m.split(".")[0] in FORBIDDEN)


def test_core_modules_found() -> None:
    assert "couchbase._core.packet" in CORE_MODULES
    assert "couchbase._core.scram" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_no_io_imports(module: str) -> None:
    assert module in _loaded(module) - _loaded()
    added = _loaded(module) - _baseline()
    bad = sorted(m for m in added if m.split(".")[0] in FORBIDDEN)
    assert not bad, f"{module} imports {bad}"
