"""The "Using the APIs" examples of the SDK 1.2 developer guide.

Connecting, return values, counters, append/prepend, expiration, deleting,
retrieving and both kinds of locking. Examples whose code was cut short in
the captured guide (missing ``try:`` lines, loop exits) are completed the way
their text describes. Tests that move the server clock (expiry, lock
timeouts) use a private cluster (``fresh_connect``/``fresh_mock``) so the
shared one keeps real time.
"""

# ruff: noqa: UP008, UP018, UP030, UP032 - the guide's Python 2-era code is kept verbatim

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from couchbase import FMT_BYTES, FMT_JSON, FMT_UTF8
from couchbase.exceptions import (
    CouchbaseError,
    DeltaBadvalError,
    KeyExistsError,
    KeyNotFoundError,
    NotFoundError,
    TemporaryFailError,
    TemporaryFailureError,
    ValueFormatError,
)
from couchbase.result import ValueResult


# -- Connecting ----------------------------------------------------------------------------
def test_connect_timeout_in_constructor_and_property(connect):
    c = connect(bucket='default', timeout=5.5)
    assert c.timeout == 5.5

    c.timeout = 4.2
    assert c.timeout == 4.2
    assert connect(bucket='default').timeout == 2.5  # "By default, this timeout value is 2.5"


def test_connect_sasl_bucket_with_password(connect, key_prefix):
    c = connect(bucket='protected', password='secret')

    c.set(key_prefix + "k", "v")
    assert c.get(key_prefix + "k").value == "v"
    assert c.bucket == 'protected'


def test_connect_to_multiple_nodes(mock_cluster, connect, key_prefix):
    """The constructor tries each node of the list until one answers."""
    mgmt = urlsplit(mock_cluster.mgmt_url)
    hosts = [f"{mgmt.hostname}:{node.mgmt_port}" for node in mock_cluster.nodes]

    c = connect(bucket='default', host=["127.0.0.1:1"] + hosts)

    c.set(key_prefix + "k", 1)
    assert c.get(key_prefix + "k").value == 1


# -- API Return Values ---------------------------------------------------------------------
def test_result_success_rc_and_str(c, key_prefix, capsys):
    client = c

    result = client.get(key_prefix + "key", quiet=True)
    if not result.success:
        print("Got error code", result.rc)

    assert capsys.readouterr().out == "Got error code 13\n"
    stored = client.set(key_prefix + "key", 1)
    assert stored.success and stored.rc == 0
    assert str(stored).startswith("OperationResult<RC=0x0, Key=" + key_prefix + "key, CAS=0x")


# -- Setting Values ------------------------------------------------------------------------
def test_set_add_replace(c, key_prefix):
    key = key_prefix + "doc"
    with pytest.raises(NotFoundError):
        c.replace(key, "v")
    c.add(key, "first")
    with pytest.raises(KeyExistsError):
        c.add(key, "second")
    c.replace(key, "third")
    c.set(key, "fourth")
    assert c.get(key).value == "fourth"
    # "These methods, if successful, set the value of their respective keys.
    # If they fail, they raise an exception (and are not affected by the quiet property)."
    c.quiet = True
    with pytest.raises(KeyExistsError):
        c.add(key, "fifth")


# -- Arithmetic and Counter Operations -----------------------------------------------------
def test_counter_using_set(c, forget):
    forget("counter")
    seen = []

    for _ in range(2):
        key = "counter"
        try:
            result = c.get("counter")
            c.set(key, result.value + 1)
        except KeyNotFoundError:
            c.add(key, 10)
        seen.append(c.get(key).value)

    assert seen == [10, 11]


def test_counter_using_incr(c, forget):
    forget("counter")

    key = "counter"
    first = c.incr(key, initial=10)
    second = c.incr(key, initial=10)

    # "Arithmetic methods return a ValueResult object"
    assert isinstance(first, ValueResult)
    assert (first.value, second.value) == (10, 11)
    assert c.get(key).value == 11
    assert c.incr(key, amount=5).value == 16
    assert c.decr(key, amount=6).value == 10
    assert c.decr(key).value == 9


def test_counter_needs_initial_or_a_number(c, key_prefix):
    key = key_prefix + "counter"
    # "If an initial argument is not provided and the key does not exist, an exception is raised."
    with pytest.raises(NotFoundError):
        c.incr(key)
    # "If using the default FMT_JSON, then your integers are already compliant."
    c.set(key, 41)
    assert c.incr(key).value == 42
    assert c.get(key).value == 42
    # "If the existing value is not already a number, the server raises ... DeltaBadvalError"
    c.set(key, "forty-two")
    with pytest.raises(DeltaBadvalError):
        c.incr(key)


def test_counter_ttl(fresh_connect, fresh_mock):
    c = fresh_connect(bucket='default')
    c.incr("counter", initial=1, ttl=10)
    fresh_mock.advance_time(11)
    with pytest.raises(NotFoundError):
        c.get("counter")


# -- Append and Prepend --------------------------------------------------------------------
def test_append_and_prepend(c, forget):
    forget("greeting")

    c.set("greeting", "Hello", format=FMT_UTF8)
    c.append("greeting", " World!")
    assert c.get("greeting").value == "Hello World!"
    c.prepend("greeting", "Why, ")
    assert c.get("greeting").value == "Why, Hello World!"

    assert c.get("greeting").flags == FMT_UTF8  # appending keeps the stored format


def test_append_formats(c, key_prefix):
    key = key_prefix + "blob"
    c.set(key, b"\x01", format=FMT_BYTES)
    c.append(key, b"\x02", format=FMT_BYTES)
    assert c.get(key).value == b"\x01\x02"
    # "the value must be either FMT_UTF8 or FMT_BYTES"
    with pytest.raises(CouchbaseError):
        c.append(key, {"a": 1}, format=FMT_JSON)


def test_prepend_to_a_json_dict_breaks_get(c, forget):
    forget("a_dict")

    c.set("a_dict", { "key for" : "a dictionary" })

    # The key a_dict now looks like this on the server:
    assert c.get("a_dict", no_format=True).value == b'{"key for":"a dictionary"}'

    # Now, prepend the following to it.
    # (The guide writes c.prepend("a dict", ...) -- a typo for "a_dict", which the
    # text and the failing get below are about.)
    c.prepend("a_dict", "blah blah blah")

    # The value for a_dict looks like this now:
    raw = c.get("a_dict", no_format=True).value
    assert raw == b'blah blah blah{"key for":"a dictionary"}'

    # Now, when you try to get it back, you see this happen:
    with pytest.raises(ValueFormatError) as info:
        c.get("a_dict")

    # <Failed to decode bytes, Results=1, inner_cause=No JSON object could be decoded,
    #  C Source=(src/convert.c,215), OBJ='blah blah blah{"key for": "a dictionary"}'>
    e = info.value
    assert isinstance(e, CouchbaseError)
    assert isinstance(e.inner_cause, json.JSONDecodeError)
    assert e.objextra == raw
    assert "decode" in e.message.lower()
    assert e.key == "a_dict"
    text = str(e)
    assert "inner_cause=" in text and "blah blah blah" in text


# -- Expiration Operations -----------------------------------------------------------------
def test_touch_sets_an_expiry(fresh_connect, fresh_mock):
    c = fresh_connect(bucket='default')
    c.set("key", "value")

    c.touch("key", 10)

    fresh_mock.advance_time(5)
    assert c.get("key").value == "value"
    fresh_mock.advance_time(6)
    with pytest.raises(NotFoundError):
        c.get("key")


def test_touch_zero_clears_the_expiry(fresh_connect, fresh_mock):
    c = fresh_connect(bucket='default')
    c.set("key", "value", ttl=10)

    c.touch("key", 0)

    fresh_mock.advance_time(3600)
    assert c.get("key").value == "value"


def test_touch_with_a_unix_timestamp(fresh_connect, fresh_mock):
    """Expirations over 30 days (in seconds) are absolute Unix times."""
    c = fresh_connect(bucket='default')
    c.set("key", "value")

    c.touch("key", int(time.time()) + 60)

    assert 60 * 60 * 24 * 30 < int(time.time()) + 60
    fresh_mock.advance_time(30)
    assert c.get("key").value == "value"
    fresh_mock.advance_time(40)
    with pytest.raises(NotFoundError):
        c.get("key")


# -- Deleting Data -------------------------------------------------------------------------
def test_delete(c, key_prefix):
    client = c
    key = key_prefix + "doomed"
    client.set(key, "v")

    client.delete(key)

    with pytest.raises(NotFoundError):
        client.get(key)
    with pytest.raises(NotFoundError):
        client.delete(key)
    result = client.delete(key, quiet=True)
    assert not result.success and result.rc == 0xD


# -- Retrieving Data -----------------------------------------------------------------------
def test_get_with_ttl_touches(fresh_connect, fresh_mock):
    client = fresh_connect(bucket='default')
    client.set("key", "value")

    result = client.get("key", ttl=10)

    assert isinstance(result, ValueResult) and result.value == "value"
    fresh_mock.advance_time(11)
    with pytest.raises(NotFoundError):
        client.get("key")
    assert not client.get("key", quiet=True).success


# -- Opportunistic Locking -----------------------------------------------------------------
class _Interfering:
    """The guide's ``c``, with another client modifying the user once between
    our get and our set -- the race the example guards against."""

    def __init__(self, conn, other) -> None:
        self._conn = conn
        self._other = other
        self.interfered = False

    def get(self, key, *args, **kwargs):
        result = self._conn.get(key, *args, **kwargs)
        if not self.interfered:
            self.interfered = True
            doc = self._other.get(key).value
            doc['friends']['carol'] = {'added': 0}
            self._other.set(key, doc)
        return result

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_opportunistic_locking_add_friend(connect, key_prefix, capsys):
    user_id = key_prefix + "alice"
    first = connect(bucket='default')
    first.set("user_id-" + user_id, {'friends': {}})
    c = _Interfering(first, connect(bucket='default'))

    def add_friend(user_id, friend):

        while True:
            result = c.get("user_id-" + user_id)
            result.value['friends'][friend] = { 'added' : time.time() }

            try:
                c.set("user_id-" + user_id, result.value, cas=result.cas)
                break

            except KeyExistsError:
                print("It seems someone tried to modify our user at the same time!")
                print("Trying again")

    add_friend(user_id, 'bob')

    assert capsys.readouterr().out == (
        "It seems someone tried to modify our user at the same time!\nTrying again\n")
    # neither write was lost: the concurrent friend and ours are both there
    assert set(first.get("user_id-" + user_id).value['friends']) == {'bob', 'carol'}


def test_set_with_stale_cas_fails(c, key_prefix):
    key = key_prefix + "doc"
    old = c.set(key, 1)
    c.set(key, 2)
    with pytest.raises(KeyExistsError):
        c.set(key, 3, cas=old.cas)
    assert c.get(key).value == 2


# -- Pessimistic Locking -------------------------------------------------------------------
def test_lock_and_unlock(c, key_prefix):
    key = key_prefix + "locked"
    c.set(key, {"n": 1})

    result = c.lock(key, ttl=10)

    assert isinstance(result, ValueResult) and result.value == {"n": 1}
    # "further attempts to access the key without passing the proper CAS fail
    # with a TemporaryFailureError"
    assert TemporaryFailureError is TemporaryFailError
    with pytest.raises(TemporaryFailError):
        c.set(key, {"n": 2})
    with pytest.raises(TemporaryFailError):
        c.lock(key, ttl=10)

    c.unlock(key, result.cas)

    c.set(key, {"n": 3})
    assert c.get(key).value == {"n": 3}


def test_set_with_the_lock_cas_unlocks(c, key_prefix):
    key = key_prefix + "locked"
    c.set(key, 1)
    result = c.lock(key, ttl=10)

    c.set(key, 2, cas=result.cas)

    # "Calling any of the set methods with a valid CAS implicitly unlocks the
    # key ... calling unlock on a key that is not currently locked raises an exception."
    c.set(key, 3)
    with pytest.raises(CouchbaseError):
        c.unlock(key, result.cas)


def test_default_lock_time_is_15_seconds(fresh_connect, fresh_mock):
    c = fresh_connect(bucket='default')
    c.set("key", "value")

    c.lock("key")

    fresh_mock.advance_time(14)
    with pytest.raises(TemporaryFailError):
        c.set("key", "other")
    fresh_mock.advance_time(2)  # 16 s in all: the server's 15 s lock has run out
    c.set("key", "other")
    assert c.get("key").value == "other"


def test_pessimistic_locking_add_friend(connect, key_prefix):
    user_id = key_prefix + "alice"
    other = connect(bucket='default')
    conn = connect(bucket='default')
    conn.set("user_id-" + user_id, {'friends': {}})
    held = other.lock("user_id-" + user_id, ttl=10)  # someone else holds the lock
    attempts = []

    class Contended:
        """``c``: the other holder lets go after our first failed attempt."""

        def lock(self, key, *args, **kwargs):
            attempts.append(key)
            try:
                return conn.lock(key, *args, **kwargs)
            except TemporaryFailError:
                other.unlock(held.key, held.cas)
                raise

        def __getattr__(self, name):
            return getattr(conn, name)

    c = Contended()

    def add_friend(user_id, friend):
        while True:
            try:
                result = c.lock("user_id-" + user_id)
                break

            except TemporaryFailError:
                # Someone else has locked the key..
                continue
        try:
            result.value['friends'][friend] = { 'added' : time.time() }
            c.set("user_id-" + user_id, result.value, cas=result.cas)

        except Exception:
            # We want to unlock if anything happens, rather than waiting
            # for it to time out
            c.unlock(result.key, result.cas)

            # then, raise the exception
            raise

    add_friend(user_id, 'bob')

    assert len(attempts) == 2
    assert set(conn.get("user_id-" + user_id).value['friends']) == {'bob'}
    conn.set("user_id-" + user_id, conn.get("user_id-" + user_id).value)  # not locked

    # a friend id JSON can't store: the set fails, the handler unlocks, re-raises
    with pytest.raises(CouchbaseError):
        add_friend(user_id, ('not', 'a', 'string'))
    conn.set("user_id-" + user_id, {'friends': {}})  # unlocked, not left to time out
