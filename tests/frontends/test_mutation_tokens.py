"""Mutation tokens on results, MutationState, and queries bounded by them (at_plus)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from couchbase._core.vbucket import vbucket_for_key
from couchbase.exceptions import ArgumentError
from couchbase.mutation_state import MissingTokenError, MutationState, MutationToken
from couchbase.n1ql import N1QLQuery


def _vbucket_of(cb: Any, key: str) -> int:
    return vbucket_for_key(key.encode(), cb._live().router.config.num_vbuckets)


def test_a_mutation_result_names_where_it_landed(cb: Any, key: str) -> None:
    first = cb.upsert(key, {"n": 1})
    second = cb.replace(key, {"n": 2})
    token = second._mutinfo
    assert isinstance(token, MutationToken)
    vb, uuid, seqno, _bucket = token  # the 2.x tuple shape
    assert vb == _vbucket_of(cb, key)
    assert uuid != 0
    assert seqno > first._mutinfo.sequence_number
    assert second.mutation_token() == token  # (3.x's spelling)


def test_counters_and_removals_carry_tokens_reads_do_not(cb: Any, key: str) -> None:
    assert cb.counter(key, initial=5)._mutinfo is not None
    assert cb.get(key)._mutinfo is None
    removed = cb.remove(key)
    assert removed._mutinfo.vbucket_id == _vbucket_of(cb, key)


def test_multi_results_carry_tokens(cb: Any, key: str) -> None:
    rvs = cb.upsert_multi({f"{key}-{i}": i for i in range(5)})
    state = MutationState(rvs)
    assert len(state) == len({_vbucket_of(cb, k) for k in rvs})


def test_tokens_can_be_turned_off(connect: Callable[..., Any], mock_cluster: Any,
                                  key: str) -> None:
    cb = connect(f"{mock_cluster.connstr}/default?fetch_mutation_tokens=false",
                 username="Administrator", password="password")
    rv = cb.upsert(key, 1)
    assert rv._mutinfo is None
    with pytest.raises(MissingTokenError):
        MutationState(rv)
    assert MutationState().add_results(rv, quiet=True) is False


def test_state_keeps_the_newest_token_per_vbucket(cb: Any, key: str) -> None:
    a = cb.upsert(key, 1)
    b = cb.upsert(key, 2)
    state = MutationState(b, a)  # out of order: the newer seqno stays
    (only,) = list(state)
    assert only.sequence_number == b._mutinfo.sequence_number


def test_state_encodes_and_decodes() -> None:
    state = MutationState()
    state.add_mutation_token(MutationToken(7, 1234567890123, 42, "default"))
    state.add_mutation_token(MutationToken(9, 55, 3, "default"))
    state.add_mutation_token("not a token")  # ignored, as documented
    again = MutationState.decode(state.encode())
    assert again == state
    assert state.scan_vectors() == {"default": {"7": [42, "1234567890123"], "9": [3, "55"]}}
    with pytest.raises(ArgumentError):
        MutationState.decode("{not json")
    with pytest.raises(ArgumentError):
        MutationState().add_results()


def test_consistent_with_refuses_what_is_not_a_state() -> None:
    q = N1QLQuery("SELECT 1")
    with pytest.raises(ArgumentError):
        q.consistent_with({"default": {}})
    with pytest.raises(ArgumentError):
        q.consistent_with(MutationState())  # nothing to wait for


def test_a_query_consistent_with_a_write_sees_it(mock_cluster: Any, key: str) -> None:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password")
    try:
        cb.bucket_manager().n1ql_index_create_primary(ignore_exists=True)
        rv = cb.upsert(key, {"token_test": key})
        q = N1QLQuery("SELECT RAW token_test FROM default WHERE token_test = $1", key)
        q.consistent_with(MutationState(rv))
        body = q._body
        assert body["scan_consistency"] == "at_plus"
        req = cb.n1ql_query(q)
        sent = req._body()
        assert list(sent["scan_vectors"]) == ["default"]  # the bucket's name filled in
        assert list(req) == [key]
    finally:
        cb.close()


def test_add_bucket_creds_go_with_queries(cb: Any) -> None:
    """2.x: cross-bucket N1QL on pre-RBAC clusters sent the other buckets' passwords."""
    q = N1QLQuery("SELECT 1")
    assert "creds" not in cb.n1ql_query(q)._body()
    cb.add_bucket_creds("other", "s3cret")
    assert cb.n1ql_query(q)._body()["creds"] == [{"user": "local:other", "pass": "s3cret"}]
    with pytest.raises(ArgumentError):
        cb.add_bucket_creds("", "pw")
    with pytest.raises(ArgumentError):
        cb.add_bucket_creds("b", None)
