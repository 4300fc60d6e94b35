"""Mutation tokens of the 4.x API name their bucket, and MutationState keys them by
it; ``MutationState.add_all(bucket)`` (2.x) covers every mutation made through the
bucket, on every front end."""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.mutation_state import MissingTokenError, MutationState, MutationToken
from couchbase.subdocument import upsert as sd_upsert
from frontends.conftest import Proxy


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


def test_4x_tokens_carry_the_bucket_name(coll: Any, key: str) -> None:
    written = coll.upsert(key, {"a": 1})
    token = written.mutation_token()
    assert isinstance(token, MutationToken) and token.bucket_name == "default"
    assert token.as_dict()["bucket_name"] == "default"
    binary = Proxy(coll._target.binary(), coll._resolve)
    assert binary.increment(key + "-n", initial=1).mutation_token().bucket_name == "default"
    assert coll.mutate_in(key, [sd_upsert("b", 2)]).mutation_token().bucket_name == "default"
    state = MutationState(written)
    assert list(state.scan_vectors()) == ["default"]
    assert state.scan_vectors()["default"] == {
        str(token.vbucket_id): [token.sequence_number, str(token.vbucket_uuid)]}


def test_2x_tokens_stay_bucketless(cb: Any, key: str) -> None:
    assert cb.upsert(key, 1)._mutinfo.bucket_name == ""


def test_add_all_covers_every_mutation_made_through_the_bucket(cb: Any, key: str) -> None:
    written = [cb.upsert(f"{key}-{i}", i)._mutinfo for i in range(20)]
    state = MutationState()
    assert cb._resolve(lambda: state.add_all(cb._target)) is True
    tokens = {t.vbucket_id: t for t in state}
    assert all(t.bucket_name == "default" for t in tokens.values())
    for mine in written:
        theirs = tokens[mine.vbucket_id]
        assert theirs.vbucket_uuid == mine.vbucket_uuid
        assert theirs.sequence_number >= mine.sequence_number


def test_add_all_of_a_bucket_without_mutations(connect: Any, mock_cluster: Any) -> None:
    import uuid

    name = f"empty{uuid.uuid4().hex[:6]}"
    mock_cluster.create_bucket(name)
    try:
        bucket = connect(f"{mock_cluster.connstr}/{name}", username="Administrator",
                         password="password")
        state = MutationState()
        assert bucket._resolve(lambda: state.add_all(bucket._target, quiet=True)) is False
        with pytest.raises(MissingTokenError):
            bucket._resolve(lambda: state.add_all(bucket._target))
        assert not state
    finally:
        mock_cluster.delete_bucket(name)
