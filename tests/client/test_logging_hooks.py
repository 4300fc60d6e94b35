"""The documented logging hooks and the events issue 15 asks to be logged.

Hooks: the 2.x ``couchbase.enable_logging()`` / ``disable_logging()`` (the
client's records reach :mod:`logging`, or not) and the 4.x
``couchbase.configure_logging(name, level=logging.INFO, parent_logger=None)``
(the client's records go to the logger ``name``). Events: the retry decision
and its reason (``couchbase.retry``), each new cluster map revision with the
nodes it added and removed (``couchbase.config``, DEBUG), connections made
and closed (``couchbase.io``, DEBUG). Nothing is printed unless the
application configures logging.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Iterator

import pytest
from test_logging import key_on, messages, unused_port  # tests/client, shared helpers

import couchbase
from couchbase._core.retry import ExponentialBackoff, RetryPolicy
from couchbase.bucket import Bucket
from couchbase_mock.mock import MockCluster


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    """The hooks change process-wide loggers: put them back after each test."""
    root = logging.getLogger("couchbase")
    saved = root.level, root.propagate, list(root.handlers)
    yield
    couchbase.enable_logging()
    root.setLevel(saved[0])
    root.propagate = saved[1]
    root.handlers[:] = saved[2]


def dead_seed_bootstrap(mock: MockCluster) -> None:
    node = mock.nodes[0]
    Bucket(f"couchbase://{mock.host}:{unused_port()},{mock.host}:{node.kv_port}/default",
           password="").close()


# -- the hooks -------------------------------------------------------------------------------
def test_the_hooks_are_exported_by_the_package():
    assert {"enable_logging", "disable_logging", "configure_logging"} <= set(couchbase.__all__)


def test_disable_logging_drops_the_clients_records_and_enable_brings_them_back(
        mock_cluster, caplog):
    caplog.set_level(logging.DEBUG)
    couchbase.disable_logging()
    couchbase.disable_logging()  # (twice is once)
    dead_seed_bootstrap(mock_cluster)
    assert [r for r in caplog.records if r.name.split(".")[0] == "couchbase"] == []
    couchbase.enable_logging()
    dead_seed_bootstrap(mock_cluster)
    assert any("bootstrap: seed" in m for m in messages(caplog, "couchbase.bootstrap"))


def test_configure_logging_sends_records_to_the_named_logger_at_its_level(mock_cluster):
    target = logging.getLogger("myapp-hooks")
    seen = Collect()
    target.addHandler(seen)
    target.propagate = False
    try:
        couchbase.configure_logging("myapp-hooks", level=logging.WARNING)
        dead_seed_bootstrap(mock_cluster)
        assert seen.records and {r.levelno for r in seen.records} == {logging.WARNING}
        assert seen.records[0].name == "couchbase.bootstrap"  # records keep their names
        seen.records.clear()
        couchbase.configure_logging("myapp-hooks", level="DEBUG")  # replaces the first
        dead_seed_bootstrap(mock_cluster)
        names = {r.name for r in seen.records}
        assert {"couchbase.bootstrap", "couchbase.io"} <= names
        assert len(target.handlers) == 1
        assert len([h for h in logging.getLogger("couchbase").handlers
                    if type(h).__name__ == "_Forward"]) == 1
    finally:
        target.removeHandler(seen)
        target.propagate = True
        target.setLevel(logging.NOTSET)


def test_configure_logging_under_a_parent_and_to_the_root_logger(mock_cluster, caplog):
    parent = logging.getLogger("myapp-parent")
    seen = Collect()
    child = parent.getChild("sdk")
    child.addHandler(seen)
    child.propagate = False
    try:
        couchbase.configure_logging("sdk", level=logging.INFO, parent_logger=parent)
        dead_seed_bootstrap(mock_cluster)
        assert any("failed" in r.getMessage() for r in seen.records)
    finally:
        child.removeHandler(seen)
        child.propagate = True
        child.setLevel(logging.NOTSET)
    # the 4.x documentation's example: the root logger's name; records already go
    # there, once each
    caplog.clear()
    couchbase.configure_logging(logging.getLogger().name, level=logging.WARNING)
    dead_seed_bootstrap(mock_cluster)
    failed = [m for m in messages(caplog, "couchbase.bootstrap") if "failed" in m]
    assert len(failed) == 1


@pytest.mark.parametrize("name, level, error", [
    ("", logging.INFO, ValueError),
    (None, logging.INFO, ValueError),
    ("myapp", "LOUD", ValueError),
    ("myapp", 2.5, TypeError),
    ("myapp", True, TypeError),
])
def test_configure_logging_refuses_bad_arguments(name, level, error):
    with pytest.raises(error):
        couchbase.configure_logging(name, level=level)


def test_nothing_is_printed_unless_the_application_configures_logging(mock_cluster):
    """A dead seed is a WARNING record: without a configured handler it must not
    reach stderr through logging's last-resort handler."""
    code = ("import sys; from couchbase.bucket import Bucket; "
            f"Bucket('couchbase://127.0.0.1:{unused_port()},"
            f"127.0.0.1:{mock_cluster.nodes[0].kv_port}/default', password='').close(); "
            "import couchbase; couchbase.enable_logging(); "
            "couchbase.configure_logging('myapp', level=10); print('ok')")
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "ok", "")


# -- retries with reasons ----------------------------------------------------------------------
def test_each_retry_decision_says_why(caplog):
    caplog.set_level(logging.DEBUG, "couchbase.retry")
    policy = RetryPolicy(ExponentialBackoff(base=0.01, cap=1.0))
    assert policy.not_my_vbucket(0, True, 1.0) == 0.0
    assert policy.not_my_vbucket(1, False, 1.0) == 0.02
    assert policy.not_my_vbucket(5, False, 0.1) is None
    at_once, later, given_up = caplog.records
    assert "attempt 1" in at_once.getMessage() and "at once" in at_once.getMessage()
    assert "attempt 2" in later.getMessage() and "in 0.02s" in later.getMessage()
    assert later.levelno == logging.DEBUG
    assert given_up.levelno == logging.INFO and "giving up" in given_up.getMessage()
    assert "0.1s left" in given_up.getMessage()


@pytest.fixture
def two_nodes() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


def test_a_failover_logs_the_retry_and_the_new_revision(
        two_nodes, caplog):
    caplog.set_level(logging.DEBUG, "couchbase")
    cb = Bucket(f"{two_nodes.connstr}/default", password="")
    key = key_on(two_nodes, 1)
    cb.upsert(key, 1)
    caplog.clear()
    two_nodes.failover(1)
    assert cb.get(key).value == 1
    cb.close()
    retry = messages(caplog, "couchbase.retry")
    assert retry and retry[0].startswith("NOT_MY_VBUCKET (attempt 1): sending again at once")
    (revision,) = [m for m in messages(caplog, "couchbase.config")
                   if m.startswith("cluster map revision")]
    # (a failed-over node stays in the map, holding no vbucket, until it is rebalanced out)
    assert " replaces " in revision and "2 nodes, added none, removed none" in revision
    (nmvb,) = messages(caplog, "couchbase.config")[1:]
    assert nmvb.endswith(f"now on cluster map revision {revision.split()[3]}")


# -- node connects and disconnects ------------------------------------------------------------
def test_connections_made_and_closed_are_logged(mock_cluster, caplog, key):
    caplog.set_level(logging.DEBUG, "couchbase.io")
    cb = Bucket(f"{mock_cluster.connstr}/default", password="")
    cb.upsert_multi({f"{key}-{i}": i for i in range(40)})  # (a connection to every node)
    ports = {n.kv_port for n in mock_cluster.nodes}
    connected = {m for m in messages(caplog, "couchbase.io") if m.startswith("connected to")}
    assert {f"connected to 127.0.0.1:{p}" for p in ports} <= connected
    caplog.clear()
    cb.close()
    closed = set(messages(caplog, "couchbase.io"))
    assert {f"closing the connection to 127.0.0.1:{p}" for p in ports} <= closed
