"""The developer guide's Twisted view examples (examples/twisted_views_*.py) run as
written against a mock cluster in its own process holding a generated beer-sample."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
from beer_sample import BEERS, BREWERIES, DESIGNS, generate

from couchbase.bucket import Bucket

pytest.importorskip("twisted")
pytest.importorskip("py_mini_racer")  # the mock's JavaScript engine (the 'views' extra)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return env


@pytest.fixture(scope="module")
def beer_sample() -> Iterator[tuple[dict, dict[str, Any]]]:
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "2",
                             "--bucket", "beer-sample"], stdout=subprocess.PIPE, text=True,
                            env=_env())
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        docs = generate()
        cb = Bucket(f"{info['connstr']}/beer-sample", username=info["username"],
                    password=info["password"])
        try:
            items = list(docs.items())
            for start in range(0, len(items), 2000):
                cb.upsert_multi(dict(items[start:start + 2000]))
            cb.design_create("beer", DESIGNS["beer"], use_devmode=False, syncwait=10)
            list(cb.query("beer", "brewery_beers", stale=False, limit=1))  # build the index
        finally:
            cb.close()
        yield info, docs
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _run(script: str, info: dict) -> list[str]:
    mgmt = urlsplit(info["mgmt"])
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), str(mgmt.hostname),
                           str(mgmt.port)], capture_output=True, text=True, timeout=60,
                          env=_env())
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_query_all_prints_the_first_five_rows(beer_sample: tuple[dict, dict]) -> None:
    info, docs = beer_sample
    lines = _run("twisted_views_queryall.py", info)
    first = min(docid for docid, d in docs.items() if d["type"] == "brewery")
    beers = sorted(docid for docid, d in docs.items() if d.get("brewery_id") == first)
    expected = [[first]] + [[first, b] for b in beers]
    assert len(lines) == 5
    for line, key in zip(lines, expected):
        assert line == f"ViewRow(key={key!r}, value=None, docid={key[-1]!r}, doc=None)"


def test_query_ex_prints_calls_and_counts(beer_sample: tuple[dict, dict]) -> None:
    info, _ = beer_sample
    lines = _run("twisted_views_queryex.py", info)
    total = BREWERIES + BEERS
    assert len(lines) == 2, lines
    match = re.fullmatch(r"Callback invoked (\d+) times\. Total of (\d+) rows received",
                         lines[0])
    assert match and int(match.group(1)) > 1 and int(match.group(2)) == total
    assert lines[1] == f"Indexed Rows:  {total}"
