"""The 4.x API: the official SDK 4.x and this package give the same answers.

Each ``official_sdk_<area>4x.py`` script uses only 4.x names (``couchbase.cluster``,
``couchbase.options``, ``acouchbase.cluster``...), so it runs unchanged once with
the official SDK's interpreter and once with this package (``PYTHONPATH=src``),
against the same couchbase_mock process, each run on its own keys. Every step's
outcome (values read, CAS values as labels, or the exception class raised) must
be the same. A step the official SDK cannot do against the local cluster is
printed as skipped with its reason; SKIPPED below names each one, so none is
skipped silently.

Fixtures (``official_python``, ``mock_process``) come from conftest.py; the
durability script runs on a one-node cluster of its own (``single_node``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"

NO_PERSISTENCE = ("a local cluster without a data directory never persists: PersistTo "
                  "waits out its timeout")

# area -> {step: reason} for the steps a script skips (the same in both runs)
SKIPPED: dict[str, dict[str, str]] = {
    "kv": {},
    "subdoc": {},
    "multi": {},
    "replicas": {},
    "scans": {},
    "query": {},
    "async": {},
    "views": {"request_plus on the first query":
              "the official SDK 4.6 sends no stale=false for ViewScanConsistency.REQUEST_PLUS"},
    "durability": {"replicated: client durability persist_to one": NO_PERSISTENCE,
                   "one node: client durability persist_to one": NO_PERSISTENCE},
}

# area -> {step: (official outcome, ours, why)}: where we answer differently, on purpose
KNOWN_DIFFERENCES: dict[str, dict[str, tuple[object, object, str]]] = {
    "durability": {
        "one node: client durability replicate_to one": (
            {"raised": "AmbiguousTimeoutException"},
            {"raised": "DurabilityImpossibleException"},
            "the key's replica is on no node: the official SDK polls OBSERVE until its "
            "timeout; ours says at once that the durability is impossible (as libcouchbase "
            "did), not waiting for a copy that cannot appear"),
    },
}


def run_script(python: str, script: str, info: dict, prefix: str, ours: bool,
               extra: tuple[str, ...] = ()) -> list:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if ours:
        env["PYTHONPATH"] = str(SRC)
    out = subprocess.run([python, str(HERE / script), info["connstr"], info["username"],
                          info["password"], prefix, *extra],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    # names differ only by the prefix: compare them without it
    return [json.loads(line.replace(prefix, "P")) for line in out.stdout.splitlines()
            if line.startswith("[")]


def compare(area: str, official_python, info: dict, extra: tuple[str, ...] = ()) -> None:
    script = f"official_sdk_{area}4x.py"
    tag = uuid.uuid4().hex[:6]
    theirs = run_script(str(official_python), script, info, f"o{tag}-", False, extra)
    ours = run_script(sys.executable, script, info, f"p{tag}-", True, extra)
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    known = KNOWN_DIFFERENCES.get(area, {})
    differ = [(step, mine, official) for (step, mine), (_, official) in zip(ours, theirs)
              if mine != official and known.get(step, (None, None))[:2] != (official, mine)]
    assert not differ, "\n".join(f"{s}: ours {m!r}, official {o!r}" for s, m, o in differ)
    outcomes = dict(theirs)
    assert {step: outcomes[step] for step in known} == {s: o for s, (o, _, _) in known.items()}
    skipped = {step: outcome["skipped"] for step, outcome in theirs
               if isinstance(outcome, dict) and "skipped" in outcome}
    assert skipped == SKIPPED[area]


@pytest.mark.parametrize("area", ["kv", "subdoc", "multi", "replicas", "scans", "query",
                                  "async"])
def test_4x_script_matches_the_official_sdk(area, official_python, mock_process):
    compare(area, official_python, mock_process)


def test_views_match_the_official_sdk(official_python, mock_process):
    pytest.importorskip("py_mini_racer", reason="the local cluster's views need its "
                        "JavaScript engine (py_mini_racer; not on PyPy)")
    compare("views", official_python, mock_process)


def test_durability_matches_the_official_sdk(official_python, mock_process, single_node):
    compare("durability", official_python, mock_process, (single_node["connstr"],))


@pytest.fixture(scope="module")
def single_node() -> Iterator[dict]:
    """A one-node cluster whose bucket wants one replica: durable writes are impossible."""
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "1",
                             "--replicas", "1"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
