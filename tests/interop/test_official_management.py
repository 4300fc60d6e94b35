"""The 4.x management API: the official SDK 4.x and this package agree.

official_sdk_management.py uses only 4.x names (``couchbase.cluster``,
``couchbase.management.*``), so it runs once under the official SDK and once
under this package, against one couchbase_mock process, each run with its
own names. Every step's outcome (values read, or the exception class
raised) must be the same.

Where the official SDK's classes differ from its documentation, ours follow
the official SDK: dropping a missing user is a plain CouchbaseException (the
server's "User was not found."; only "Unknown user." is UserNotFoundException),
and a 404 other than the server's generic "Requested resource not found." is
BucketNotFoundException rather than BucketDoesNotExistException.

Fixtures (``official_python``, ``mock_process``) come from conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

SCRIPT = Path(__file__).with_name("official_sdk_management.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def _run(python: str, info: dict, prefix: str, ours: bool) -> list:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if ours:
        env["PYTHONPATH"] = str(SRC)
    out = subprocess.run([python, str(SCRIPT), info["connstr"], info["username"],
                          info["password"], prefix],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    # names differ only by the prefix: compare them without it
    return [json.loads(line.replace(prefix, "P")) for line in out.stdout.splitlines()
            if line.startswith("[")]


def test_management_matches_the_official_sdk(official_python, mock_process):
    tag = uuid.uuid4().hex[:6]
    theirs = _run(str(official_python), mock_process, f"o{tag}", ours=False)
    ours = _run(sys.executable, mock_process, f"p{tag}", ours=True)
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    differ = [(step, mine, official) for (step, mine), (_, official) in zip(ours, theirs)
              if mine != official]
    assert not differ, "\n".join(f"{s}: ours {m!r}, official {o!r}" for s, m, o in differ)
