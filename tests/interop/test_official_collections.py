"""The official Couchbase SDK manages scopes and collections on couchbase_mock and uses them.

Fixtures (``official_python``, ``mock_process``) come from conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def test_official_sdk_manages_and_uses_collections(official_python, mock_process):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(official_python), str(Path(__file__).with_name("official_sdk_collections.py")),
         mock_process["connstr"], mock_process["username"], mock_process["password"]],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert out.returncode == 0 and "ALL OK" in out.stdout, out.stdout + out.stderr[-3000:]
