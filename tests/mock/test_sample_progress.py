"""Progress while a sample bucket loads (couchbase_mock.progress).

The loader reports ``(count, total)`` as documents are written; the progress
helper turns that into events with a rate; a terminal with rich gets a bar,
anything else (pipes, CI logs) plain lines with no control characters.
"""

from __future__ import annotations

import io
import json
import signal
import time

import pytest
from test_mock_cli import _read_line, _spawn
from test_mock_samples import stored

from couchbase_mock import MockCluster
from couchbase_mock.progress import (
    Event,
    PlainLines,
    Progress,
    RichBar,
    describe,
    progress_for,
    sink_for,
)
from couchbase_mock.samples import beer, install

BEER_DOCS = beer.BREWERIES + beer.BEERS  # 7303, as the server's beer-sample


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_events_carry_count_total_and_rate():
    clock, events = Clock(), []
    progress = Progress("loading x", None, events.append, clock)
    clock.now += 2
    progress.update(2000, 8000)
    clock.now += 2
    progress.update(8000)
    progress.update(8000)  # (after the end: nothing)
    progress.finish()
    assert events == [Event("loading x", 2000, 8000, 1000.0, 2.0, False),
                      Event("loading x", 8000, 8000, 2000.0, 4.0, True)]
    assert describe(events[0]) == "loading x: 2000/8000 docs (25%), 1,000 docs/s"
    assert describe(events[1]) == "loading x: 8000/8000 docs (100%) in 4.0s, 2,000 docs/s"


def test_a_load_of_unknown_size_ends_with_finish():
    events: list[Event] = []
    with Progress("streaming", None, events.append) as progress:
        progress.update(10)
    assert [(e.completed, e.total, e.done) for e in events] == [(10, None, False), (10, None, True)]
    assert describe(events[-1]).startswith("streaming: 10 docs in ")


def test_plain_lines_at_most_one_per_interval_and_always_the_last():
    out, clock = io.StringIO(), Clock()
    progress = Progress("loading beer-sample", 1000, PlainLines(out, interval=1.0), clock)
    for count in range(10, 1000, 10):  # 99 updates, then the last: 5 s
        clock.now += 0.05
        progress.update(count)
    clock.now += 0.05
    progress.update(1000)
    lines = out.getvalue().splitlines()
    assert 4 <= len(lines) <= 6
    assert lines[-1].startswith("loading beer-sample: 1000/1000 docs (100%) in 5.0s, 200 docs/s")
    assert all(ch.isprintable() for ch in out.getvalue().replace("\n", ""))


def test_a_pipe_gets_plain_lines_a_terminal_a_rich_bar():
    assert isinstance(sink_for(io.StringIO()), PlainLines)
    tty = Tty()
    pytest.importorskip("rich")
    sink = sink_for(tty)
    assert isinstance(sink, RichBar) and sink_for(tty) is sink  # (loads share it)
    progress = progress_for("loading beer-sample", 100, tty)
    progress.update(50)
    progress.update(100)
    assert "loading beer-sample" in tty.getvalue() and "100/100" in tty.getvalue()


def test_the_loader_reports_its_progress_and_loads_every_document():
    events: list[Event] = []
    with MockCluster(nodes=1) as mock:
        progress = Progress("loading beer-sample", None, events.append)
        mock.call(lambda cluster: install(cluster, "beer-sample", report=progress.update))
        deadline = time.monotonic() + 60
        while not (events and events[-1].done) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(stored(mock, "beer-sample")) == BEER_DOCS == 7303
    assert events[-1].done and events[-1].completed == events[-1].total == BEER_DOCS
    counts = [e.completed for e in events]
    assert counts == sorted(counts) and len(counts) >= 2 and all(e.rate > 0 for e in events)


def test_the_command_line_shows_plain_progress_when_stderr_is_a_pipe():
    proc = _spawn("--nodes", "1", "--sample", "beer-sample")
    try:
        info = json.loads(_read_line(proc, timeout=60))
        assert info["buckets"] == ["beer-sample"]
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    lines = [line for line in err.splitlines() if line.startswith("loading beer-sample")]
    assert lines and lines[-1].startswith(
        f"loading beer-sample: {BEER_DOCS}/{BEER_DOCS} docs (100%) in ")
    assert lines[-1].endswith(" docs/s") and "\x1b" not in err and "\r" not in err
