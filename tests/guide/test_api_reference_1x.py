"""Examples of the 1.x ``couchbase`` package API reference that still hold in 1.2.

The reference predates 1.0 (``get`` returned bare values, ``set`` took a
dict for multi-set, ``extended=True``); only the examples whose meaning is
unchanged in 1.2 are run here, written with the 1.2 calls (results with
``.value``/``.cas``, ``*_multi`` for several keys).
"""

# ruff: noqa: UP031 - the reference's %-formatting is kept verbatim

from __future__ import annotations

import socket

import pytest

import couchbase
from couchbase import Couchbase
from couchbase import exceptions as exc
from couchbase.exceptions import (
    AuthError,
    BucketNotFoundError,
    ConnectError,
    CouchbaseError,
    KeyExistsError,
    NotFoundError,
    NotStoredError,
    ValueFormatError,
)


# -- connect -------------------------------------------------------------------------------
def test_connect_with_admin_credentials(mock_cluster, connect, key_prefix):
    cb = connect(username=mock_cluster.username, password=mock_cluster.password,
                 bucket='default')
    cb.set(key_prefix + "k", 1)
    assert cb.get(key_prefix + "k").value == 1


def test_connect_to_protected_bucket(connect, key_prefix):
    cb = connect(password='secret', bucket='protected')
    cb.set(key_prefix + "k", 1)
    assert cb.get(key_prefix + "k").value == 1


def test_connect_errors(mock_cluster, connect):
    # couchbase.exceptions.BucketNotFoundError if there is no such bucket to connect to
    # (asked as the administrator, as the reference's examples connect: a server
    # tells anyone else only that the credentials are wrong)
    with pytest.raises(BucketNotFoundError):
        connect(username=mock_cluster.username, password=mock_cluster.password,
                bucket='no-such-bucket')
    with pytest.raises((BucketNotFoundError, AuthError)):
        connect(bucket='no-such-bucket')
    with pytest.raises(AuthError):
        connect(password='wrong', bucket='protected')


def test_connect_error_when_nothing_listens():
    with socket.socket() as sock:  # a port that is certainly closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # couchbase.exceptions.ConnectError if the socket wasn't accessible
    with pytest.raises(ConnectError):
        Couchbase.connect(bucket='default', host='127.0.0.1', port=port)


# -- set / add / replace / append / delete -------------------------------------------------
def test_set_examples(c, key_prefix):
    cb = c
    key = key_prefix + "foo"

    # Simple set:
    cb.set(key, 'value')
    # Force JSON document format for value:
    cb.set(key, {'bar': 'baz'}, format=couchbase.FMT_JSON)
    assert cb.get(key).value == {'bar': 'baz'}

    # Perform optimistic locking by specifying last known CAS version:
    cas = cb.get(key).cas
    cb.set(key, 'bar', cas=cas)
    with pytest.raises(KeyExistsError):
        cb.set(key, 'baz', cas=cas)
    assert cb.get(key).value == 'bar'

    # couchbase.exceptions.ValueFormatError if the value cannot be serialized
    with pytest.raises(ValueFormatError):
        cb.set(key, {1, 2}, format=couchbase.FMT_JSON)


def test_add_replace_append_errors(c, key_prefix):
    cb = c
    key = key_prefix + "k"
    with pytest.raises(NotFoundError):  # replace: the key does not exist
        cb.replace(key, 1)
    cb.add(key, "a", format=couchbase.FMT_UTF8)
    with pytest.raises(KeyExistsError):  # add: the key already exists
        cb.add(key, "b")
    # append: couchbase.exceptions.NotStoredError if the key does not exist
    with pytest.raises(NotStoredError):
        cb.append(key_prefix + "missing", "x")
    with pytest.raises(NotStoredError):
        cb.prepend(key_prefix + "missing", "x")


def test_delete_examples(c, key_prefix):
    cb = c
    key = key_prefix + "key"
    cb.set(key, "v")

    # Only delete if CAS matches our version:
    cas = cb.get(key).cas
    cb.set(key, "changed")
    with pytest.raises(KeyExistsError):
        cb.delete(key, cas=cas)
    cb.delete(key, cas=cb.get(key).cas)
    assert not cb.get(key, quiet=True).success

    # Don't complain if key does not exist:
    cb.delete(key, quiet=True)
    with pytest.raises(NotFoundError):
        cb.delete(key)

    # Remove multiple keys:
    keys = [key_prefix + "key1", key_prefix + "key2", key_prefix + "key3"]
    for k in keys:
        cb.set(k, 1)
    oks = cb.delete_multi(keys)
    assert all(r.success for r in oks.values()) and sorted(oks) == sorted(keys)


# -- incr ----------------------------------------------------------------------------------
def test_incr_examples(c, key_prefix, capsys):
    cb = c
    key = key_prefix + "key"
    cb.set(key, 0)

    # Simple increment:
    assert cb.incr(key).value == 1
    # Increment by 10:
    assert cb.incr(key, amount=10).value == 11
    # Increment by 20, set initial value to 5 if it does not exist:
    # ("If the key does not exist, this value is used, and amount is ignored")
    assert cb.incr(key_prefix + "new", amount=20, initial=5).value == 5
    assert cb.incr(key_prefix + "new", amount=20, initial=5).value == 25

    # Increment three keys, and use the 'extended' return value:
    keys = [key_prefix + "foo", key_prefix + "bar", key_prefix + "baz"]
    kv = cb.incr_multi(keys, initial=7)
    for key, result in kv.items():
        print("Key %s has value %d now" % (key, result.value))

    assert sorted(capsys.readouterr().out.splitlines()) == sorted(
        f"Key {k} has value 7 now" for k in keys)


# -- stats ---------------------------------------------------------------------------------
def test_stats_total_items(c, key_prefix):
    cb = c
    cb.set(key_prefix + "counted", 1)

    # Find out how many items are in the bucket:
    total = 0
    for key, value in cb.stats()['total_items'].items():  # noqa: B007 - verbatim
        total += value

    assert total >= 1


def test_stats_are_per_node(mock_cluster, c):
    stats = c.stats()
    # a dict where keys are stat keys and values are host-value pairs
    some = next(iter(stats.values()))
    assert len(some) == len(mock_cluster.nodes)


def test_stats_memory(c):
    cb = c
    # Get memory stats (works on couchbase buckets):
    stats = cb.stats('memory')
    # {'mem_used': {...}, ...}
    assert isinstance(stats['mem_used'], dict) and stats['mem_used']


# -- exceptions ----------------------------------------------------------------------------
EXCEPTIONS = ("ArgumentError", "ValueFormatError", "AuthError", "DeltaBadvalError", "TooBigError",
              "BusyError", "InternalError", "InvalidError", "NoMemoryError", "RangeError",
              "LibcouchbaseError", "TemporaryFailError", "KeyExistsError", "NotFoundError",
              "DlopenFailedError", "DlsymFailedError", "NetworkError", "NotMyVbucketError",
              "NotStoredError", "NotSupportedError", "UnknownCommandError", "UnknownHostError",
              "ProtocolError", "TimeoutError", "ConnectError", "BucketNotFoundError",
              "ClientNoMemoryError", "ClientTemporaryFailError", "BadHandleError")


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_documented_exceptions_exist(name):
    cls = getattr(exc, name)
    assert issubclass(cls, CouchbaseError)


def test_kv_error_has_no_http_status(c, key_prefix):
    """``status``: "the HTTP status code if the operation was through HTTP"."""
    with pytest.raises(NotFoundError) as info:
        c.get(key_prefix + "missing")
    assert info.value.status is None
    assert "HTTP Status" not in str(info.value)
