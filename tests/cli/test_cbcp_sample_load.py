"""cbcp sample-load: installs sample buckets over REST, shows progress on stderr, prints a
summary per bucket; the server's refusals and connection failures are one line with the
documented exit code. A cluster of its own: loading adds buckets."""

from __future__ import annotations

import base64
import json
import threading
import urllib.request
from typing import Any, Iterator

import pytest

from couchbase.bucket import Bucket
from couchbase_mock.mock import MockCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


@pytest.fixture
def load(run_cli: Any, cluster: MockCluster) -> Any:
    def run(*argv: str) -> tuple[int, str, str]:
        return run_cli(["sample-load", *argv, "-U", cluster.connstr, "-u", cluster.username,
                        "-P", cluster.password])

    return run


def test_loads_beer_sample_with_progress_and_summary(load: Any, cluster: MockCluster) -> None:
    code, out, err = load("beer-sample")
    assert code == 0, err
    assert out.startswith("beer-sample: 7303 documents in ") and out.endswith(" s\n")
    progress = err.splitlines()  # not a terminal: plain lines, the last one always
    assert progress and progress[-1].startswith("beer-sample: 7303/7303 docs (100%) in ")
    assert progress[-1].endswith(" docs/s") and "\x1b" not in err
    bucket = Bucket(f"{cluster.connstr}/beer-sample", username=cluster.username,
                    password=cluster.password)
    try:
        assert bucket.get("21st_amendment_brewery_cafe").value["type"] == "brewery"
    finally:
        bucket.close()
    assert cluster.cluster.buckets["beer-sample"] is not None


def test_already_loaded_is_one_line_exit_1(load: Any) -> None:
    load("beer-sample")  # (loaded by the test before, or now)
    code, out, err = load("beer-sample")
    assert (code, out) == (1, "")
    assert err == "cbcp: sample-load: Sample bucket beer-sample is already loaded.\n"


def test_unknown_sample_names_it_and_installs_nothing(load: Any, cluster: MockCluster) -> None:
    code, out, err = load("gamesim-sample", "no-such-sample")
    assert (code, out) == (1, "")
    assert err == "cbcp: sample-load: Sample no-such-sample is not a valid sample.\n"
    assert "gamesim-sample" not in cluster.cluster.buckets


def test_json_summary(load: Any) -> None:
    code, out, err = load("gamesim-sample", "--json")
    assert code == 0, err
    summary = json.loads(out)["samples"]
    assert list(summary) == ["gamesim-sample"]
    assert summary["gamesim-sample"]["documents"] == 586
    assert summary["gamesim-sample"]["seconds"] > 0


def test_progress_lines_and_tasks_while_travel_sample_loads(load: Any,
                                                             cluster: MockCluster) -> None:
    """A load of a few seconds: a plain progress line a second with the total, and the
    cluster's task list names the load while it runs (what the command follows)."""
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def watch() -> None:
        request = urllib.request.Request(cluster.mgmt_url + "/pools/default/tasks")
        token = base64.b64encode(f"{cluster.username}:{cluster.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        while not stop.is_set():
            with urllib.request.urlopen(request, timeout=10) as answer:
                tasks = json.loads(answer.read())
            assert tasks[0]["type"] == "rebalance"
            seen.extend(t for t in tasks if t["type"] == "loadingSampleBucket")
            stop.wait(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        code, out, err = load("travel-sample")
    finally:
        stop.set()
        watcher.join()
    assert code == 0, err
    total = int(out.split(": ")[1].split()[0])
    assert out == f"travel-sample: {total} documents in {out.split(' in ')[1]}"
    lines = err.splitlines()
    assert len(lines) >= 2 and all(line.endswith(" docs/s") for line in lines)
    # the total shows once the cluster knows it (its loader counts the sample's documents
    # first: a poll before that, on a busy machine, gets a count without one), then stays
    with_total = [i for i, line in enumerate(lines) if f"/{total} docs (" in line]
    assert with_total and with_total == list(range(with_total[0], len(lines)))
    assert all(" docs, " in line for line in lines[:with_total[0]])
    assert lines[-1].startswith(f"travel-sample: {total}/{total} docs (100%) in ")
    assert seen and {(t["bucket"], t["status"]) for t in seen} == {("travel-sample", "running")}
    assert max(t["docsLoaded"] for t in seen) <= total
    assert {t["docsTotal"] for t in seen} <= {None, total}


def test_bad_credentials_exit_4(run_cli: Any, cluster: MockCluster) -> None:
    code, out, err = run_cli(["sample-load", "beer-sample", "-U", cluster.connstr,
                              "-u", cluster.username, "-P", "wrong"])
    assert (code, out) == (4, "") and len(err.splitlines()) == 1
    assert "authentication failed" in err


def test_unreachable_exit_3(run_cli: Any) -> None:
    code, out, err = run_cli(["sample-load", "beer-sample", "-U", "couchbase://127.0.0.1:1",
                              "--timeout", "1"])
    assert (code, out) == (3, "") and len(err.splitlines()) == 1
    assert err.startswith("cbcp: sample-load: cannot connect to couchbase://127.0.0.1:1")


def test_needs_a_name(run_cli: Any) -> None:
    assert run_cli(["sample-load"])[0] == 2
