"""The "Getting Started" examples of the SDK 1.2 developer guide, run verbatim.

Each test is the guide's code with the Python 2 ``print`` statements turned
into calls and ``Couchbase.connect(...)`` pointed at the local cluster (the
``connect`` fixture adds the management host and port). Printed output is
checked against the output the guide shows, translated to Python 3 reprs
('x' rather than u'x') and this SDK's 2.x common flags (FMT_JSON is
0x2000000, FMT_UTF8 0x4000004). Error strings differ from the C
extension's, so for exceptions only the parts that matter are compared:
the class, the key and ``RC=0x..[text]``.
"""

# ruff: noqa: UP008, UP018, UP030, UP032 - the guide's Python 2-era code is kept verbatim

from __future__ import annotations

import pprint
import re

from couchbase import FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, Couchbase
from couchbase.bucket import Bucket
from couchbase.exceptions import CouchbaseError, KeyExistsError, NotFoundError

CAS = r"CAS=0x[0-9a-f]+"

# examples/demo.py loads this document for Hello Couchbase
JULEOL = {
    "name": "Juleøl",
    "abv": 5.9,
    "ibu": 0,
    "srm": 0,
    "upc": 0,
    "type": "beer",
    "brewery_id": "aass_brewery",
    "updated": "2010-07-22 20:00:20",
    "description": "",
    "style": "American-Style Lager",
    "category": "North American Lager",
}


def _load_beer_sample(mock_cluster) -> None:
    """The guide assumes the beer-sample bucket the server installs; make it."""
    if "beer-sample" not in mock_cluster.bucket_names:
        mock_cluster.create_bucket("beer-sample")
    with Bucket(f"{mock_cluster.connstr}/beer-sample") as loader:
        loader.upsert("aass_brewery-juleol", JULEOL)


# -- Hello Couchbase -----------------------------------------------------------------------
def test_hello_couchbase(mock_cluster, connect, capsys):
    _load_beer_sample(mock_cluster)

    c = connect(bucket='beer-sample')

    try:
        beer = c.get("aass_brewery-juleol")

    except CouchbaseError as e:
        print("Couldn't retrieve value for key", e)
        # Rethrow the exception, making the application exit
        raise

    doc = beer.value

    # Because Python 2.x will complain if an ASCII format string is used
    # with Unicode format values, we make the format string unicode as well.

    print(str("{name}, ABV: {abv}").format(name=doc['name'], abv=doc['abv']))

    doc['comment'] = "Random beer from Norway"

    try:
        result = c.replace("aass_brewery-juleol", doc)
        print(result)

    except CouchbaseError:
        print("Couldn't replace key")
        raise

    # "The first line outputs the name field of the document, and the second
    # line outputs the Result object of the replace operation."
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Juleøl, ABV: 5.9"
    assert re.fullmatch(rf"OperationResult<RC=0x0, Key=aass_brewery-juleol, {CAS}>", out[1])
    assert len(out) == 2
    stored = c.get("aass_brewery-juleol")
    assert stored.value == {**JULEOL, "comment": "Random beer from Norway"}
    assert stored.cas == result.cas


# -- CRUD Example --------------------------------------------------------------------------
def test_crud_example(connect, forget, capsys):
    forget("demo_key")
    raised = []  # the exception classes the example's except blocks saw

    key = "demo_key"
    value = "demo_value"

    # We use the 'default' bucket.
    c = connect(bucket='default')

    print("Setting key {0} with value {1}".format(key, value))
    result = c.set(key, value)
    print("...", result)

    print("")
    print("Getting value for key {0}".format(key))
    result = c.get(key)
    print("...", result)

    print("")
    print("Creating new key {0} with value 'new_value'".format(key))
    print("This will fail as '{0}' already exists".format(key))
    try:
        c.add(key, "another value")
    except CouchbaseError as e:
        raised.append(type(e))
        print(e)

    print("Replacing existing key {0} with new value".format(key))
    result = c.replace(key, "new value")
    print("...", "result")

    print("")
    print("Getting new value for key {0}".format(key))
    result = c.get(key)
    print("...", result)

    print("")
    print("Deleting key", key)
    result = c.delete(key)
    print("...", result)

    print("")
    print("Getting value for key {0}. This will fail as it has been deleted".format(key))
    try:
        c.get(key)
    except CouchbaseError as e:
        raised.append(type(e))
        print(e)

    print("")
    print("Creating new key {0} with value 'added_value'".format(key))
    result = c.add(key, "added_value")
    print("...", result)

    print("Getting the new value")
    result = c.get(key)
    print("...", result)

    out = capsys.readouterr().out.splitlines()
    flags = f"Flags=0x{FMT_JSON:x}"
    expected = [
        r"Setting key demo_key with value demo_value",
        rf"\.\.\. OperationResult<RC=0x0, Key=demo_key, (?P<cas1>{CAS})>",
        r"",
        r"Getting value for key demo_key",
        rf"\.\.\. ValueResult<RC=0x0, Key=demo_key, Value='demo_value', (?P<cas2>{CAS}), {flags}>",
        r"",
        r"Creating new key demo_key with value 'new_value'",
        r"This will fail as 'demo_key' already exists",
        r"<.*Key='demo_key'.*RC=0xC\[Key exists \(with a different CAS value\)\].*>",
        r"Replacing existing key demo_key with new value",
        r"\.\.\. result",
        r"",
        r"Getting new value for key demo_key",
        rf"\.\.\. ValueResult<RC=0x0, Key=demo_key, Value='new value', {CAS}, {flags}>",
        r"",
        r"Deleting key demo_key",
        rf"\.\.\. OperationResult<RC=0x0, Key=demo_key, {CAS}>",
        r"",
        r"Getting value for key demo_key\. This will fail as it has been deleted",
        r"<.*Key='demo_key'.*RC=0xD\[No such key\].*>",
        r"",
        r"Creating new key demo_key with value 'added_value'",
        rf"\.\.\. OperationResult<RC=0x0, Key=demo_key, (?P<cas3>{CAS})>",
        r"Getting the new value",
        rf"\.\.\. ValueResult<RC=0x0, Key=demo_key, Value='added_value', (?P<cas4>{CAS}), {flags}>",
    ]
    assert len(out) == len(expected), out
    groups = {}
    for line, pattern in zip(out, expected):
        match = re.fullmatch(pattern, line)
        assert match, f"{line!r} does not match {pattern!r}"
        groups.update(match.groupdict())
    # as in the guide's output: a get shows the CAS the preceding store returned
    assert groups["cas1"] == groups["cas2"]
    assert groups["cas3"] == groups["cas4"]
    assert raised == [KeyExistsError, NotFoundError]


# -- Getting Documents By Key --------------------------------------------------------------
def test_getting_a_single_document(c, forget):
    forget("my list")
    client = c

    client.set("my list", [])
    result = client.get("my list")
    doc = result.value

    assert doc == []
    assert result.success and result.rc == 0


def test_getting_multiple_documents(c, forget):
    forget("sheep_counting", "famous_sheep")
    client = c
    docs = {}

    client.set_multi({
        'sheep_counting' : ['first sheep', 'second sheep'],
        'famous_sheep' : {'sherry lewis' : 'Lamb Chop'}
    })

    keys = ('sheep_counting', 'famous_sheep')
    results = client.get_multi(keys)
    for key, result in results.items():
        doc = result.value
        docs[key] = doc

    # "MultiResult is a subclass of dict"
    assert isinstance(results, dict)
    assert docs == {
        'sheep_counting': ['first sheep', 'second sheep'],
        'famous_sheep': {'sherry lewis': 'Lamb Chop'},
    }


# -- Error Handling ------------------------------------------------------------------------
def test_passing_quiet_to_get(c, forget, capsys):
    forget("non-exist-key")
    client = c

    result = client.get("non-exist-key", quiet=True)
    if result.success:
        print("Got document OK")
    else:
        print(("Couldn't retrieve document. "
               "Result was received with code"), result.rc)

    assert capsys.readouterr().out == (
        "Couldn't retrieve document. Result was received with code 13\n")
    assert result.rc == 0xD


def test_setting_quiet_in_the_constructor(connect, forget, capsys):
    forget("non-exist-key")

    client = connect(bucket='default', quiet=True)
    result = client.get("non-exist-key")
    if result.success:
        print("Got document OK")
    else:
        print("Couldn't retrieve document")

    assert capsys.readouterr().out == "Couldn't retrieve document\n"
    assert client.quiet is True


def test_rc_to_exctype(c, forget):
    forget("non-exist-key")
    result = c.get("non-exist-key", quiet=True)

    # >>> CouchbaseError.rc_to_exctype(result.rc)
    # <class 'couchbase.exceptions.NotFoundError'>
    assert repr(CouchbaseError.rc_to_exctype(result.rc)) == (
        "<class 'couchbase.exceptions.NotFoundError'>")
    assert issubclass(NotFoundError, CouchbaseError)
    assert CouchbaseError.rc_to_exctype(0) is not NotFoundError


def test_get_multi_quiet_all_ok(c, forget, capsys):
    forget("i exist", "but i don't")
    client = c
    client.set("i exist", "yes")

    results = client.get_multi(("i exist", "but i don't"), quiet=True)
    if not results.all_ok:
        print("Couldn't get all keys")

    assert capsys.readouterr().out == "Couldn't get all keys\n"
    assert results["i exist"].success and results["i exist"].value == "yes"
    assert not results["but i don't"].success
    assert results["but i don't"].rc == 0xD
    everything = client.get_multi(("i exist",), quiet=True)
    assert everything.all_ok


# -- Encoding and Serialization ------------------------------------------------------------
def test_json_is_the_default_format(connect, forget, capsys):
    forget("a_key")

    client = connect(bucket='default')
    value = {
        "this is a" : "dictionary",
        "and this is a list" : ["with", "some", "elements"],
        "and this is a tuple" : ("with", "more", "elements"),
        "you can also use floats" : 3.14,
        "integers" : 42,
        "strings" : "hello",
        "unicode" : "שלום!",
        "blobs" : "\x00",
        "or a None" : None
    }

    client.set("a_key", value)
    result = client.get("a_key")
    print(result.value['unicode'])
    pprint.pprint(result.value)

    # JSON has no tuples: the tuple comes back as a list
    expected = {
        'and this is a list': ['with', 'some', 'elements'],
        'and this is a tuple': ['with', 'more', 'elements'],
        'blobs': '\x00',
        'integers': 42,
        'or a None': None,
        'strings': 'hello',
        'this is a': 'dictionary',
        'unicode': '\u05e9\u05dc\u05d5\u05dd!',
        'you can also use floats': 3.14,
    }
    assert result.value == expected
    assert result.flags == FMT_JSON
    assert capsys.readouterr().out == "שלום!\n" + pprint.pformat(expected) + "\n"


def test_pickle_format(connect, forget, capsys):
    forget("a_python_object", "a_python_set")

    c = connect(bucket='default')
    c.set("a_python_object", object(), format=FMT_PICKLE)
    c.set("a_python_set", set([1,2,3]), format=FMT_PICKLE)

    pprint.pprint(c.get("a_python_object").value)
    pprint.pprint(c.get("a_python_set").value)

    # <object object at 0x7fa7d0ad80e0> set([1, 2, 3])
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"<object object at 0x[0-9a-f]+>", out[0])
    assert out[1] == "{1, 2, 3}"
    assert type(c.get("a_python_object").value) is object
    assert c.get("a_python_set").flags == FMT_PICKLE


def test_bytes_format(connect, forget, capsys):
    forget("blob")

    c = connect(bucket='default')
    c.set("blob", b"\x01\x02\x03\x04", format=FMT_BYTES)

    pprint.pprint(c.get("blob").value)

    assert capsys.readouterr().out == "b'\\x01\\x02\\x03\\x04'\n"
    assert c.get("blob").flags == FMT_BYTES


def test_utf8_format(connect, forget, capsys):
    forget("EXCALIBUR")

    c = connect(bucket='default')
    c.set("EXCALIBUR", "\u03EE", format=FMT_UTF8)
    print(c.get("EXCALIBUR"))

    # ValueResult<RC=0x0, Key=EXCALIBUR, Value=u'\u03ee', CAS=0x6552956a925e0400, Flags=0x4>
    out = capsys.readouterr().out
    assert re.fullmatch(rf"ValueResult<RC=0x0, Key=EXCALIBUR, Value='\u03ee', {CAS}, "
                        rf"Flags=0x{FMT_UTF8:x}>\n", out), out
    assert c.get("EXCALIBUR", no_format=True).value == "\u03ee".encode("utf-8")


def test_setting_the_default_format(connect, key_prefix):
    c = connect(bucket='default', default_format=FMT_UTF8)

    assert c.default_format == FMT_UTF8
    c.set(key_prefix + "text", "plain text")
    got = c.get(key_prefix + "text")
    assert (got.value, got.flags) == ("plain text", FMT_UTF8)
    assert c.get(key_prefix + "text", no_format=True).value == b"plain text"

    c.default_format = FMT_PICKLE

    assert c.default_format == FMT_PICKLE
    c.set(key_prefix + "pickled", {1, 2})
    got = c.get(key_prefix + "pickled")
    assert (got.value, got.flags) == ({1, 2}, FMT_PICKLE)
    # the Couchbase class carries the format constants too
    assert Couchbase.FMT_UTF8 == FMT_UTF8 and Couchbase.FMT_PICKLE == FMT_PICKLE
