"""The "Advanced Usage" and "Exception Handling" examples of the SDK 1.2 guide.

Batched operations and their exceptions, thread lock modes, the custom
ZlibTranscoder, data_passthrough, the Item API, durability requirements,
replica reads and the attributes of CouchbaseError.
"""

# ruff: noqa: UP008, UP018, UP030, UP032 - the guide's Python 2-era code is kept verbatim

from __future__ import annotations

import re
import threading
import zlib
from pprint import pprint

import pytest

import couchbase
from couchbase import FMT_BYTES, FMT_JSON, FMT_MASK, FMT_UTF8, LOCKMODE_EXC, LOCKMODE_NONE
from couchbase.exceptions import (
    CouchbaseError,
    KeyExistsError,
    NotFoundError,
    ObjectThreadError,
    ValueFormatError,
)
from couchbase.items import Item, ItemOptionDict, ItemSequence
from couchbase.result import MultiResult, ValueResult
from couchbase.transcoder import Transcoder

# -- Batched (Bulk) Operations -------------------------------------------------------------
SINGLE_KEY_METHODS = ("set", "add", "replace", "append", "prepend", "get", "touch", "lock",
                      "unlock", "delete", "incr", "decr", "observe", "endure", "rget")


def test_every_operation_has_a_multi_variant(c):
    """"The batched variant has the same name as the single-key variant, but its
    method name has _multi appended to it." """
    assert [name for name in SINGLE_KEY_METHODS if not hasattr(c, name)] == []
    missing = [name + "_multi" for name in SINGLE_KEY_METHODS if not hasattr(c, name + "_multi")]
    assert missing == []


def test_batched_operations_return_a_dict_of_results(c, key_prefix):
    keys = [key_prefix + "key1", key_prefix + "key2", key_prefix + "key3"]

    stored = c.set_multi({k: k.upper() for k in keys})
    fetched = c.get_multi(keys)

    # {"key1" : FooResult(...), "key2" : FooResult(...), "key3" : FooResult(...)}
    for results in (stored, fetched):
        assert isinstance(results, MultiResult) and isinstance(results, dict)
        assert sorted(results) == sorted(keys)
        assert results.all_ok
    assert {k: r.value for k, r in fetched.items()} == {k: k.upper() for k in keys}
    assert all(fetched[k].cas == stored[k].cas for k in keys)


def test_exceptions_in_batched_operations(c, forget, capsys):
    forget("foo", "bar", "baz")
    succeeded = []

    c.set("foo", "foo value")

    try:
        c.add_multi({
            "foo" : "foo value",
            "bar" : "bar value",
            "baz" : "baz value"
        })
    except CouchbaseError as exc:
        for k, res in exc.all_results.items():
            if res.success:
                # Handle successful operation
                succeeded.append(k)
            else:
                print("Key {0} failed with error code {1}".format(k, res.rc))
                print("Exception {0} would have been thrown".format(
                    CouchbaseError.rc_to_exctype(res.rc)))

    assert capsys.readouterr().out == (
        "Key foo failed with error code 12\n"
        "Exception <class 'couchbase.exceptions.KeyExistsError'> would have been thrown\n")
    assert sorted(succeeded) == ["bar", "baz"]
    assert c.get("bar").value == "bar value"


def test_all_results_of_a_failed_get_multi(c, key_prefix):
    there, missing = key_prefix + "there", key_prefix + "missing"
    c.set(there, 1)

    with pytest.raises(NotFoundError) as info:
        c.get_multi([there, missing])

    results = info.value.all_results
    assert results[there].success and results[there].value == 1
    assert results[missing].rc == 0xD
    assert not results.all_ok


# -- Using With and Without Threads --------------------------------------------------------
def test_unlock_gil_false_is_accepted(connect, key_prefix):
    c = connect(unlock_gil=False, bucket='default')

    c.set(key_prefix + "k", "v")
    assert c.get(key_prefix + "k").value == "v"


def test_lockmode_none(connect, key_prefix):
    from couchbase import LOCKMODE_NONE, Couchbase  # noqa: F401 - the guide's import
    c = connect(bucket='default', lockmode=LOCKMODE_NONE)

    c.set(key_prefix + "k", "v")
    assert c.get(key_prefix + "k").value == "v"


def _hold_connection_busy(c):
    """Make the next operation on ``c`` sit on the wire until released.

    Simulates a slow server deterministically: the connection's network call
    waits for ``release`` after signalling ``entered``.
    """
    cluster = c._cluster
    real_execute = cluster.execute
    entered, release = threading.Event(), threading.Event()

    def slow_execute(req, *args, **kwargs):
        if not entered.is_set():
            entered.set()
            assert release.wait(10)
        return real_execute(req, *args, **kwargs)

    cluster.execute = slow_execute
    return entered, release


def _run_in_thread(fn):
    outcome = {}

    def target():
        try:
            outcome["result"] = fn()
        except BaseException as exc:  # reported to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_lockmode_exc_detects_concurrent_use(connect, key_prefix):
    from couchbase import LOCKMODE_EXC, Couchbase  # noqa: F401 - the guide's import
    c = connect(bucket='default', lockmode=LOCKMODE_EXC)
    c.set(key_prefix + "k", "v")
    entered, release = _hold_connection_busy(c)

    thread, outcome = _run_in_thread(lambda: c.get(key_prefix + "k"))
    assert entered.wait(10)
    try:
        with pytest.raises(ObjectThreadError):
            c.get(key_prefix + "k")
    finally:
        release.set()
        thread.join(10)

    assert "error" not in outcome and outcome["result"].value == "v"
    assert c.get(key_prefix + "k").value == "v"  # usable again once the other thread is done


def test_lockmode_wait_is_the_default_and_waits(connect, key_prefix):
    c = connect(bucket='default')
    c.set(key_prefix + "k", "v")
    entered, release = _hold_connection_busy(c)

    first, first_outcome = _run_in_thread(lambda: c.get(key_prefix + "k"))
    assert entered.wait(10)
    second, second_outcome = _run_in_thread(lambda: c.set(key_prefix + "k", "w"))
    second.join(0.2)
    assert second.is_alive()  # waiting silently for the first thread
    release.set()
    first.join(10)
    second.join(10)

    assert first_outcome["result"].value == "v"
    assert second_outcome["result"].success
    assert c.get(key_prefix + "k").value == "w"
    assert couchbase.LOCKMODE_WAIT not in (LOCKMODE_EXC, LOCKMODE_NONE)


# -- Custom Transcoder Objects -------------------------------------------------------------
# We'll define our own flag: one bit above the legacy format bits that FMT_MASK covers.
FMT_ZLIB = 0x08


class ZlibTranscoder(Transcoder):
    def encode_value(self, value, format):
        converted, flags = super(ZlibTranscoder, self).encode_value(value, format & FMT_MASK)
        if (format & FMT_ZLIB):
            flags |= FMT_ZLIB
            converted = zlib.compress(converted)
        return (converted, flags)

    def decode_value(self, value, flags):
        if (flags & FMT_ZLIB):
            value = zlib.decompress(value)
            flags &= FMT_MASK
        return super(ZlibTranscoder, self).decode_value(value, flags)


def test_fmt_zlib_is_above_fmt_mask():
    assert FMT_ZLIB & FMT_MASK == 0
    assert FMT_BYTES & FMT_MASK == FMT_BYTES
    assert ((FMT_BYTES | FMT_ZLIB) & FMT_MASK) == FMT_BYTES


def test_zlib_transcoder(connect, forget):
    forget("foo")

    # assuming the ZlibTrancoder class is defined above

    c = connect(transcoder=ZlibTranscoder(), bucket='default')
    c.set("foo", b"long value" * 1000, format=FMT_BYTES|FMT_ZLIB)

    got = c.get("foo")
    assert got.value == b"long value" * 1000
    assert got.flags == FMT_BYTES | FMT_ZLIB
    raw = c.get("foo", no_format=True)
    assert raw.value == zlib.compress(b"long value" * 1000)  # stored compressed
    assert len(raw.value) < 100
    assert raw.flags == FMT_BYTES | FMT_ZLIB


def test_zlib_transcoder_leaves_other_formats_alone(connect, key_prefix):
    c = connect(transcoder=ZlibTranscoder, bucket='default')  # a class works too (PYCBC-135)

    c.set(key_prefix + "doc", {"a": [1, 2]})

    assert c.get(key_prefix + "doc").value == {"a": [1, 2]}
    assert c.get(key_prefix + "doc", no_format=True).value == b'{"a":[1,2]}'
    assert isinstance(c.transcoder, ZlibTranscoder)


# -- Bypassing Conversion ------------------------------------------------------------------
def test_data_passthrough(c, forget):
    forget("a_dict")

    c.set("a_dict", {"foo":"bar"})
    c.data_passthrough = True
    assert c.get("a_dict").value == b'{"foo":"bar"}'

    c.data_passthrough = False
    assert c.get("a_dict").value == {"foo": "bar"}


def test_data_passthrough_in_constructor(connect, key_prefix):
    c = connect(bucket='default', data_passthrough=True)
    c.set(key_prefix + "k", "text", format=FMT_UTF8)
    assert c.get(key_prefix + "k").value == b"text"
    assert c.get_multi([key_prefix + "k"])[key_prefix + "k"].value == b"text"


# -- Item API ------------------------------------------------------------------------------
def test_item_api(connect, forget, capsys):
    forget("simple_key")

    # The Item API allows subclassing.
    class MyItem(Item):
        def print_value(self):
            pprint(self.value, indent=4)

    cb = connect(bucket='default')

    # Create blank item
    itm = MyItem()

    # Must set a key before we do anything with it
    itm.key = "simple_key"

    # We'll first store it
    itm.value = "Hello World"

    # Now, we need a sequence for the item.
    itmcoll = ItemSequence([itm])
    cb.set_multi(itmcoll, format=FMT_UTF8)

    # Let's get it back
    cb.get_multi(itmcoll)
    itm.print_value()

    # Let's append some data to it. We use the special 'append_items' method
    # However, append requires a 'fragment' option for each item, so we need
    # to make 'itmcoll' an ItemOptionsDict

    itmcoll = ItemOptionDict()
    itmcoll.add(itm, fragment=" ..again")
    cb.append_items(itmcoll, format=FMT_UTF8)

    cb.get_multi(itmcoll)
    itm.print_value()

    # Let's get the key using a normal 'get' this time
    print(cb.get(itm.key).value)

    assert capsys.readouterr().out == (
        "'Hello World'\n"
        "'Hello World ..again'\n"
        "Hello World ..again\n")
    assert isinstance(itm, ValueResult)  # "the Item object itself is a subclass of ValueResult"
    assert itm.success and itm.cas == cb.get(itm.key).cas


# -- Persistence/Durability Requirements ---------------------------------------------------
def test_set_with_persist_to_and_replicate_to(mock_cluster, c, key_prefix):
    key = key_prefix + "durable"

    result = c.set(key, "v", persist_to=1, replicate_to=1)

    assert result.success
    roles = sorted(mock_cluster.stored_on("default", key).values())
    assert roles == ["active", "replica"]  # on the master and its one replica


def test_durability_on_delete_and_negative_means_all(mock_cluster, c, key_prefix):
    key = key_prefix + "durable"
    c.set(key, "v", persist_to=-1, replicate_to=-1)  # PYCBC-200: negative is "all nodes"
    assert len(mock_cluster.stored_on("default", key)) == 2

    c.delete(key, persist_to=1, replicate_to=1)  # PYCBC-195: delete takes them too

    assert mock_cluster.stored_on("default", key) == {}


def test_durability_beyond_the_replicas_fails(c, key_prefix):
    with pytest.raises(CouchbaseError):
        c.set(key_prefix + "k", "v", replicate_to=2)  # the bucket has one replica


# -- Replicas and Data Availability --------------------------------------------------------
def test_replica_read(c, key_prefix):
    cb = c
    key = key_prefix + "tag cloud"
    cb.set(key, {"tags": ["a", "b"]}, replicate_to=1)

    try:
        rv = cb.get(key)
    except CouchbaseError:
        rv = cb.get(key, replica=True)

    assert rv.value == {"tags": ["a", "b"]}
    replica = cb.get(key, replica=True)
    assert replica.value == {"tags": ["a", "b"]} and replica.cas == rv.cas
    assert cb.rget(key).value == {"tags": ["a", "b"]}
    assert cb.rget(key, replica_index=0).value == {"tags": ["a", "b"]}
    assert cb.get_multi([key], replica=True)[key].value == {"tags": ["a", "b"]}


def test_replica_read_of_a_missing_key_raises(c, key_prefix):
    cb = c
    key = key_prefix + "missing"

    with pytest.raises(NotFoundError):
        try:
            cb.get(key)
        except CouchbaseError:
            cb.get(key, replica=True)
    assert not cb.get(key, replica=True, quiet=True).success


# -- Exception Handling --------------------------------------------------------------------
def test_exception_attributes(connect, capsys):
    c = connect(bucket='default')
    value = object()
    caught = []

    try:
        # Will fail because 'object' is not JSON-serializable
        c.set("key", value)
    except CouchbaseError as e:
        caught.append(e)
        print(e)

    # <Couldn't encode value,
    #     inner_cause=<object object at 0x7f873cf220d0> is not JSON serializable,
    #     C Source=(src/convert.c,131),
    #     OBJ=<object object at 0x7f873cf220d0>
    out = capsys.readouterr().out
    assert re.fullmatch(r"<.*inner_cause=.*not JSON serializable.*"
                        r"OBJ=<object object at 0x[0-9a-f]+>.*>\n", out), out
    (e,) = caught
    assert isinstance(e, ValueFormatError)
    # message: "always a string"; >>> e.message  "Couldn't encode value"
    assert isinstance(e.message, str)
    assert "couldn't encode value" in e.message.lower()
    # >>> e.inner_cause  TypeError('<object object at 0x7f873cf220d0> is not JSON serializable',)
    assert isinstance(e.inner_cause, TypeError)
    assert "not JSON serializable" in str(e.inner_cause)
    # >>> e.objextra  <object object at 0x7f873cf220d0>
    assert e.objextra is value
    # csrc_info: "only present for exceptions raised from within the C extension"
    assert not e.csrc_info
    assert e.key == "key"


def test_exception_rc_and_format_errors(c, key_prefix):
    with pytest.raises(NotFoundError) as info:
        c.get(key_prefix + "missing")
    assert info.value.rc == 0xD and info.value.key == key_prefix + "missing"
    with pytest.raises(KeyExistsError) as info:
        c.set(key_prefix + "k", 1)
        c.add(key_prefix + "k", 2)
    assert info.value.rc == 0xC
    assert FMT_JSON == couchbase.FMT_JSON
