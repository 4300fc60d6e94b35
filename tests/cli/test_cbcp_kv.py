"""cbcp's key-value and query commands against the local cluster (docs/cli.md)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from couchbase.bucket import Bucket


@pytest.fixture
def cb(mock_cluster: Any) -> Any:
    bucket = Bucket(f"{mock_cluster.connstr}/default")
    yield bucket
    bucket.close()


def test_create_then_cat_prints_value_on_stdout_and_meta_on_stderr(cbcp: Any, key: str) -> None:
    code, out, _ = cbcp("create", key, "-V", '{"a": 1}')
    assert code == 0 and "Stored" in out
    code, out, err = cbcp("cat", key)
    assert code == 0
    assert json.loads(out) == {"a": 1}
    assert key in err and "CAS=0x" in err


def test_create_text_value_and_modes(cbcp: Any, cb: Any, key: str) -> None:
    assert cbcp("create", key, "-V", "hello")[0] == 0
    assert cb.get(key).value == "hello"
    code, _, err = cbcp("create", key, "-V", "again", "-M", "insert")
    assert code == 1 and err.count("\n") == 1
    assert f"cbcp: create: {key}: document exists" in err
    assert cbcp("create", key, "-V", " world", "-M", "append")[0] == 0
    assert cb.get(key).value == "hello world"


def test_cat_missing_key_is_one_line_and_exit_1(cbcp: Any, cb: Any, key: str) -> None:
    cb.upsert(key, "here")
    code, out, err = cbcp("cat", key, "no-such-key")
    assert code == 1
    assert out == "here\n"  # the other key is still printed
    errors = [line for line in err.splitlines() if line.startswith("cbcp:")]
    assert errors == ["cbcp: cat: no-such-key: document not found (KEY_ENOENT)"]


def test_cat_json_output_parses(cbcp: Any, cb: Any, key: str) -> None:
    cas = cb.upsert(key, {"n": 2}).cas
    code, out, _ = cbcp("cat", key, "missing-" + key, "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc[key] == {"cas": cas, "flags": cb.get(key).flags, "value": {"n": 2}}
    assert doc["missing-" + key]["error"].startswith("document not found")


def test_cp_stores_files_under_their_names(cbcp: Any, cb: Any, tmp_path: Path,
                                           key: str) -> None:
    (tmp_path / f"{key}.json").write_text('{"from": "file"}')
    (tmp_path / f"{key}.txt").write_text("plain text")
    code, _, err = cbcp("cp", str(tmp_path / f"{key}.json"), str(tmp_path / f"{key}.txt"),
                        str(tmp_path / "absent"))
    assert code == 1 and "absent" in err  # the unreadable file fails, the others are stored
    assert cb.get(f"{key}.json").value == {"from": "file"}
    assert cb.get(f"{key}.txt").value == "plain text"


def test_rm(cbcp: Any, cb: Any, key: str) -> None:
    cb.upsert(key, 1)
    assert cbcp("rm", key)[0] == 0
    assert not cb.get(key, quiet=True).success
    code, _, err = cbcp("rm", key)
    assert code == 1 and "document not found (KEY_ENOENT)" in err


def test_incr_decr(cbcp: Any, key: str) -> None:
    code, _, err = cbcp("incr", key)
    assert code == 1 and "document not found" in err  # no initial: missing is an error
    code, out, _ = cbcp("incr", key, "-d", "5", "-i", "10")
    assert code == 0 and "Current value is 10" in out
    assert "Current value is 15" in cbcp("incr", key, "-d", "5")[1]
    code, out, _ = cbcp("decr", key, "-d", "3", "--json")
    assert json.loads(out)[key]["value"] == 12


def test_incr_bad_delta_is_usage_error(cbcp: Any, key: str) -> None:
    code, _, err = cbcp("incr", key, "-d", "many")
    assert code == 2 and "not an integer" in err


def test_lock_then_unlock(cbcp: Any, cb: Any, key: str) -> None:
    cb.upsert(key, "v")
    code, out, _ = cbcp("lock", key, "-t", "10", "--json")
    assert code == 0
    cas = json.loads(out)[key]["cas"]
    code, _, err = cbcp("create", key, "-V", "w")
    assert code == 1 and ("LOCKED" in err or "TMPFAIL" in err)
    assert cbcp("unlock", key, hex(cas))[0] == 0
    assert cbcp("create", key, "-V", "w")[0] == 0


def test_hash_matches_the_cluster_map(cbcp: Any, mock_cluster: Any, key: str) -> None:
    code, out, _ = cbcp("hash", key, "--json")
    assert code == 0
    [row] = json.loads(out)["keys"]
    vb, active, replicas = mock_cluster.locate("default", key)
    ports = {n.index: n.kv_port for n in mock_cluster.nodes} if hasattr(
        mock_cluster.nodes[0], "index") else {i: n.kv_port for i, n in
                                              enumerate(mock_cluster.nodes)}
    assert row["vbucket"] == vb
    assert row["master"].endswith(f":{ports[active]}")
    assert row["replicas"] == ",".join(f"{mock_cluster.host}:{ports[r]}" for r in replicas)


def test_stats_general_and_keystats(cbcp: Any, cb: Any, key: str) -> None:
    code, out, _ = cbcp("stats", "--json")
    assert code == 0 and "uptime" in json.loads(out)["stats"]
    cas = cb.upsert(key, 1).cas
    code, out, _ = cbcp("stats", "-k", key, "--json")
    assert list(json.loads(out)["stats"]["key_cas"].values()) == [cas]
    code, _, err = cbcp("stats", "-k", "missing-" + key)
    assert code == 1 and err.startswith("cbcp: stats:")


def test_ping_and_version(cbcp: Any, mock_cluster: Any) -> None:
    code, out, _ = cbcp("ping", "--json")
    assert code == 0
    kv = [row for row in json.loads(out)["ping"] if row["service"] == "kv"]
    assert len(kv) == len(mock_cluster.nodes) and {r["status"] for r in kv} == {"ok"}
    code, out, _ = cbcp("version")
    assert code == 0 and out.startswith("client: couchbase-pure ")
    assert len(out.splitlines()) == 1 + len(mock_cluster.nodes)


def test_query_with_named_and_positional_parameters(cbcp: Any) -> None:
    code, out, err = cbcp("query", "SELECT $n AS n, $s AS s", "--param", "n=5",
                          "--param", "s=text")
    assert code == 0 and json.loads(out) == {"n": 5, "s": "text"} and "1 row(s)" in err
    code, out, _ = cbcp("n1ql", "SELECT $1 AS a", "--param", "[1,2]", "--json")
    assert json.loads(out)["rows"] == [{"a": [1, 2]}]


def test_query_syntax_error_is_one_line(cbcp: Any) -> None:
    code, out, err = cbcp("query", "SELEKT nonsense")
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("cbcp: query: ")


def test_view_rows(cbcp: Any, cb: Any, key: str) -> None:
    pytest.importorskip("py_mini_racer")  # the local cluster's JavaScript engine
    design = {"views": {"ids": {"map": "function (doc, meta) { emit(meta.id, doc.n); }"}}}
    cb.design_create("cbcp", design, use_devmode=False, syncwait=10)
    cb.upsert(key, {"n": 7})
    code, out, _ = cbcp("view", "cbcp/ids", "--param", "stale=false", "--param",
                        f'key="{key}"', "--json")
    assert code == 0
    assert json.loads(out)["rows"] == [{"id": key, "key": key, "value": 7}]
    assert cbcp("view", "no-slash")[0] == 2


def test_timings_go_to_stderr(cbcp: Any, cb: Any, key: str) -> None:
    cb.upsert(key, 1)
    code, out, err = cbcp("cat", key, "-T")
    assert code == 0 and out == "1\n"
    assert "timings: 1 ops, p50 " in err


def test_verbose_logs_through_the_couchbase_logger(cbcp: Any, key: str) -> None:
    import logging

    logger = logging.getLogger("couchbase")
    before = list(logger.handlers)
    try:
        code, _, err = cbcp("cat", key, "-v")
        assert code == 1 and logger.level == logging.DEBUG
        assert "couchbase.bootstrap DEBUG" in err  # the bootstrap's steps, on stderr
    finally:
        logger.handlers[:] = before
        logger.setLevel(logging.NOTSET)


def test_bad_credentials_exit_4_with_one_line(run_cli: Any, mock_cluster: Any) -> None:
    code, out, err = run_cli(["cat", "k", "-U", f"{mock_cluster.connstr}/protected",
                              "-u", "protected", "-P", "wrong"])
    assert code == 4 and out == ""
    assert err.splitlines() == [err.strip()] and "authentication failed" in err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_host_exit_3_within_the_timeout(run_cli: Any) -> None:
    port = _closed_port()
    start = time.monotonic()
    code, _, err = run_cli(["cat", "k", "-U", f"couchbase://127.0.0.1:{port}/default",
                            "--timeout", "2"])
    assert code == 3 and time.monotonic() - start < 5
    assert err.startswith("cbcp: cat: cannot connect to ") and len(err.splitlines()) == 1


def test_unroutable_host_gives_up_at_the_timeout(run_cli: Any) -> None:
    # 192.0.2.0/24 is TEST-NET-1: nothing answers, so only the bootstrap timeout ends it
    start = time.monotonic()
    code, _, _ = run_cli(["cat", "k", "-U", "couchbase://192.0.2.1/default", "--timeout", "1"])
    assert code == 3 and time.monotonic() - start < 4


def test_usage_errors_exit_2(run_cli: Any) -> None:
    assert run_cli(["cat"])[0] == 2
    assert run_cli(["no-such-command"])[0] == 2
    assert run_cli(["cat", "k", "--timeout", "-1"])[0] == 2
    code, out, _ = run_cli(["--help"])
    assert code == 0 and "exit codes:" in out and "4  authentication failed" in out


def test_installed_entry_point(mock_cluster: Any, key: str) -> None:
    cbcp = Path(sys.executable).with_name("cbcp")
    if not cbcp.exists():
        pytest.skip("cbcp is not installed in this environment (pip install -e .)")
    spec = f"{mock_cluster.connstr}/default"
    done = subprocess.run([str(cbcp), "create", key, "-U", spec, "-V", "[1]"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(cbcp), "cat", key, "missing-" + key, "-U", spec],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == "[1]\n"
    assert done.stderr.splitlines()[-1] == \
        f"cbcp: cat: missing-{key}: document not found (KEY_ENOENT)"


def test_import_couchbase_does_not_import_the_cli_or_rich() -> None:
    code = ("import sys, couchbase, couchbase.bucket; "
            "print('rich' in sys.modules, 'couchbase.cli' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["False", "False"]
