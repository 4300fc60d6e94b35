"""The core must not pull in networking, event loops or threads (the sans-IO rule)."""

from __future__ import annotations

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


def test_all_core_modules_together() -> None:
    added = _loaded(*CORE_MODULES) - _loaded()
    assert not sorted(m for m in added if m.split(".")[0] in FORBIDDEN)


def test_core_modules_found() -> None:
    assert "couchbase._core.packet" in CORE_MODULES
    assert "couchbase._core.scram" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_no_io_imports(module: str) -> None:
    added = _loaded(module) - _loaded()
    assert module in added
    bad = sorted(m for m in added if m.split(".")[0] in FORBIDDEN)
    assert not bad, f"{module} imports {bad}"
