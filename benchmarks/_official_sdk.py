"""The official Couchbase SDK's own virtualenv, shared with the interop test.

Same place, spec and marker file as ``tests/interop/test_official_sdk.py``, so
whichever runs first installs it and the other reuses it. The official SDK is
also a package named ``couchbase``: it must only ever run in its own process,
under this virtualenv's interpreter.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".cache" / "official-sdk"
SPEC = "couchbase>=4.1,<5"


def official_python(install_timeout: float = 600) -> Path:
    """The virtualenv's interpreter, creating the virtualenv first if needed."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == SPEC and python.exists():
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run([str(python), "-m", "pip", "install", "-q", SPEC], check=True,
                   timeout=install_timeout, env=clean_env())
    marker.write_text(SPEC)
    return python


def clean_env() -> dict[str, str]:
    """Our environment without PYTHON* variables, so no path leads to our ``couchbase``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
