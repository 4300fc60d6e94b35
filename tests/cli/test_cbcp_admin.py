"""cbcp's bucket management commands against a local cluster of their own (they add and
remove buckets, which the session cluster's other users must not see)."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from couchbase.bucket import Bucket
from couchbase_mock.mock import MockCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


@pytest.fixture
def admin(run_cli: Any, cluster: MockCluster) -> Any:
    def run(*argv: str) -> tuple[int, str, str]:
        return run_cli([*argv, "-U", cluster.connstr, "-u", cluster.username,
                        "-P", cluster.password])

    return run


def _names(out: str) -> list[str]:
    return [b["name"] for b in json.loads(out)["buckets"]]


def test_bucket_list(admin: Any) -> None:
    code, out, _ = admin("bucket-list", "--json")
    assert code == 0 and _names(out) == ["default"]
    code, out, _ = admin("bucket-list")
    assert code == 0 and "default" in out


def test_create_flush_delete(admin: Any, cluster: MockCluster) -> None:
    code, out, _ = admin("bucket-create", "cli-b1", "--ram-quota", "128", "--enable-flush")
    assert code == 0 and out == "cli-b1: created\n"
    code, out, _ = admin("bucket-list", "--json")
    [row] = [b for b in json.loads(out)["buckets"] if b["name"] == "cli-b1"]
    assert row["ram_quota_mb"] == 128 and row["flush"] is True
    cb = Bucket(f"{cluster.connstr}/cli-b1", username=cluster.username,
                password=cluster.password)
    try:
        cb.upsert("doc", 1)
        assert admin("bucket-flush", "cli-b1")[0] == 0
        assert not cb.get("doc", quiet=True).success
    finally:
        cb.close()
    assert admin("admin", "bucket-delete", "cli-b1")[0:2] == (0, "cli-b1: deleted\n")
    assert "cli-b1" not in _names(admin("bucket-list", "--json")[1])


def test_admin_group_spelling(run_cli: Any, cluster: MockCluster) -> None:
    code, out, _ = run_cli(["admin", "bucket-list", "-U", cluster.connstr, "-u",
                            cluster.username, "-P", cluster.password, "--json"])
    assert code == 0 and "default" in _names(out)


def test_failures_are_one_line(admin: Any) -> None:
    code, _, err = admin("bucket-delete", "no-such-bucket")
    assert code == 1 and len(err.splitlines()) == 1
    assert err.startswith("cbcp: bucket-delete: ") and "404" in err
    assert admin("bucket-create", "cli-b2")[0] == 0
    try:
        code, _, err = admin("bucket-flush", "cli-b2")  # flush not enabled
        assert code == 1 and err.startswith("cbcp: bucket-flush: ")
        code, _, err = admin("bucket-create", "cli-b2")
        assert code == 1 and err.startswith("cbcp: bucket-create: ")
    finally:
        admin("bucket-delete", "cli-b2")
    assert admin("bucket-create", "x", "--bucket-type", "nonsense")[0] == 2


def test_bad_credentials_exit_4(run_cli: Any, cluster: MockCluster) -> None:
    code, out, err = run_cli(["bucket-list", "-U", cluster.connstr, "-u", cluster.username,
                              "-P", "wrong"])
    assert code == 4 and out == "" and len(err.splitlines()) == 1
    assert "authentication failed" in err


def test_plain_tables_without_rich(admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBCP_PLAIN", "1")
    code, out, _ = admin("bucket-list")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "buckets"
    assert lines[1].split() == ["name", "type", "ram_quota_mb", "replicas", "flush"]
    assert lines[2].split()[0] == "default"
