"""examples/subdoc.py and examples/datastructures.py (the 2.x guide's sub-document and
data structure examples) run as scripts against their own local cluster and print
what the guide shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "subdoc.py": [
        "delivery country: United Kingdom",
        "pending purchases: False",
        "name, first purchase, abandoned: Douglas Reynholm 339 3",
        "retrieve_in: douglas@reynholmindustries.com United Kingdom",
        "insert of an existing path: SubdocPathExistsError",
        "logins: 1",
        "95 already purchased: SubdocPathExistsError",
        "complete: [42, 339, 976, 442, 666, 777, 1, 2, 3, 95]",
        "no phone dictionary: SubdocPathNotFoundError",
        "phone: {'home': '555-0101'}",
        "created: {'name': 'Jen Barber'}",
        "xattr: {'last_login_by': 'web'} | in the body: False",
    ],
    "datastructures.py": [
        "map_get: some_value",
        "map: {'some_key': 'some_value', 'other_key': 42} size 2",
        "removed key: IndexError",
        "list: ['well', 'hello', 'good'] last good",
        "add a duplicate: None",
        "contains cat: True size 2",
        "set: ['dog']",
        "popped: job9999 then job10000",
        "empty queue: QueueEmpty",
    ],
}


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_prints_what_the_guide_shows(script):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH"))
                                        if p)
    out = subprocess.run([sys.executable, str(ROOT / "examples" / script)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines() == EXPECTED[script]
