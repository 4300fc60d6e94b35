"""Kill a ``python -m couchbase_mock --data-dir`` process mid-write, restart it,
and check what it kept.

Each round writes two streams while a timer SIGKILLs the cluster at a random
moment: keys written with ``persist_to=1`` (each acknowledgement is a promise
that the write survives a crash) and keys written without (acknowledged from
memory: these may be lost if the flusher had not reached them). After the
restart every persisted write of every round so far must read back with its
value; the plain writes that did not are counted, with how long before the
kill they had been acknowledged. Used by tests/mock/test_mock_persistence.py
(20 rounds) and scripts/crash-test.py (100).
"""

from __future__ import annotations

import json
import os
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from couchbase.bucket import Bucket
from couchbase.exceptions import CouchbaseError, NotFoundError

SRC = str(Path(__file__).resolve().parents[2] / "src")


def spawn(data_dir: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start a 2-node cluster on ``data_dir``; returns the process and its ready line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, "-m", "couchbase_mock", "--nodes", "2", "--data-dir", data_dir],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(30):
            proc.kill()
            raise AssertionError("the cluster printed no ready line")
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        errors = proc.stderr.read() if proc.stderr else ""
        raise AssertionError(f"the cluster did not start: {errors}")
    return proc, json.loads(line)


@dataclass
class Report:
    rounds: int = 0
    persisted_acked: int = 0
    persisted_lost: list[str] = field(default_factory=list)
    plain_acked: int = 0
    plain_lost: int = 0
    lost_ages_ms: list[float] = field(default_factory=list)
    """For each plain write lost: how long before the kill it was acknowledged."""


def _write_until_killed(cb: Bucket, proc: subprocess.Popen[str], round_no: int,
                        rng: random.Random, persisted: dict[str, int],
                        plain: dict[str, tuple[int, float]]) -> float:
    """Write both streams until the cluster dies; returns when it was killed."""
    killed_at: list[float] = []

    def kill() -> None:
        killed_at.append(time.monotonic())
        proc.send_signal(signal.SIGKILL)

    timer = threading.Timer(rng.uniform(0.05, 0.25), kill)
    timer.start()
    i = 0
    try:
        while True:
            key = f"persisted-{round_no}-{i}"
            # What upsert(persist_to=1) does, with a deadline shorter than its
            # 5 s, so that the write the kill interrupts fails fast.
            stored = cb.upsert(key, i)
            cb.endure(key, persist_to=1, replicate_to=0, cas=stored.cas, timeout=0.5)
            persisted[key] = i
            for j in range(5):
                plain_key = f"plain-{round_no}-{i}-{j}"
                cb.upsert(plain_key, i)
                plain[plain_key] = (i, time.monotonic())
            i += 1
    except CouchbaseError:
        pass
    finally:
        timer.join()
        proc.wait()
    return killed_at[0]


def _check(cb: Bucket, persisted: dict[str, int], plain: dict[str, tuple[int, float]],
           killed_at: Optional[float], report: Report) -> None:
    for key, value in persisted.items():
        try:
            got = cb.get(key).value
        except NotFoundError:
            got = None
        if got != value:
            report.persisted_lost.append(key)
    for key, (value, acked_at) in plain.items():
        try:
            got = cb.get(key).value
        except NotFoundError:
            got = None
        if got != value:
            report.plain_lost += 1
            if killed_at is not None:
                report.lost_ages_ms.append((killed_at - acked_at) * 1000)


def run(data_dir: str, rounds: int, seed: Optional[int] = None) -> Report:
    """``rounds`` kill-and-restart rounds on ``data_dir``; then the store's own check."""
    rng = random.Random(seed)
    report = Report()
    persisted: dict[str, int] = {}
    proc, info = spawn(data_dir)
    try:
        for round_no in range(rounds):
            cb = Bucket(info["connstr"] + "/default", password="")
            plain: dict[str, tuple[int, float]] = {}
            killed_at = _write_until_killed(cb, proc, round_no, rng, persisted, plain)
            cb.close()
            proc, info = spawn(data_dir)
            cb = Bucket(info["connstr"] + "/default", password="")
            _check(cb, persisted, plain, killed_at, report)
            cb.close()
            report.rounds += 1
            report.plain_acked += len(plain)
        report.persisted_acked = len(persisted)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    with sqlite3.connect(os.path.join(data_dir, "cluster.sqlite")) as db:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
    assert verdict == "ok", f"the store is corrupt: {verdict}"
    return report
