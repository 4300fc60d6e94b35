"""Bucket, scope and collection names: the server's rules and messages, over
REST and from Python (couchbase_mock.names)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from mock_http import fetch

from couchbase_mock.names import MAX_BUCKET_NAME_LENGTH, MAX_COLLECTION_NAME_LENGTH

INVALID_CHARS = ("Bucket name can only contain characters in range A-Z, a-z, 0-9 as well as "
                 "underscore, period, dash & percent. Consult the documentation.")
BAD_BUCKET_NAMES = [
    ("", "Bucket name cannot be empty"),
    ("x" * 300, "Bucket name cannot exceed 100 characters"),
    ("../x y", "Bucket name cannot start with dot."),
    (".hidden", "Bucket name cannot start with dot."),
    ("x y", INVALID_CHARS),
    ("a/b", INVALID_CHARS),
    ("caf\u00e9", INVALID_CHARS),
    ("_users.couch.x", "This name is reserved for the internal use."),
    ("_Replicator.couch.1", "This name is reserved for the internal use."),
    ("DEFAULT", "Bucket with given name already exists"),
]


def _create(mock, name: str) -> tuple[int, object]:
    body = f"name={quote(name, safe='')}&bucketType=couchbase&ramQuotaMB=100&replicaNumber=0"
    return fetch(mock, "/pools/default/buckets", method="POST", body=body)


@pytest.mark.parametrize("name, message", BAD_BUCKET_NAMES)
def test_rest_refuses_bad_bucket_names_with_the_servers_error(mock_cluster, name, message):
    status, doc = _create(mock_cluster, name)
    assert (status, doc["errors"]) == (400, {"name": message})  # and the server's "summaries"
    assert name not in mock_cluster.bucket_names


def test_rest_needs_a_name(mock_cluster):
    body = "bucketType=couchbase&ramQuotaMB=100"
    status, doc = fetch(mock_cluster, "/pools/default/buckets", method="POST", body=body)
    assert (status, doc["errors"]) == (400, {"name": "Bucket name needs to be specified"})


@pytest.mark.parametrize("name, message", BAD_BUCKET_NAMES)
def test_create_bucket_refuses_bad_names_with_value_error(mock_cluster, name, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        mock_cluster.create_bucket(name)


def test_the_longest_and_oddest_valid_names_are_accepted(fresh_mock):
    longest = "b" * MAX_BUCKET_NAME_LENGTH
    assert _create(fresh_mock, longest)[0] == 202
    fresh_mock.create_bucket("a.b-c_d%e")
    assert {longest, "a.b-c_d%e"} <= set(fresh_mock.bucket_names)
    fresh_mock.create_scope("default", "s" * MAX_COLLECTION_NAME_LENGTH)
    with pytest.raises(ValueError, match="must be in the range from 1 to 251"):
        fresh_mock.create_scope("default", "s" * (MAX_COLLECTION_NAME_LENGTH + 1))
    with pytest.raises(ValueError, match="First character must not be _ or %"):
        fresh_mock.create_collection("default", "_default", "_hidden")
