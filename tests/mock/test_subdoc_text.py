"""Sub-document mutations edit the document's text in place, as kv_engine does.

The server splices the client's value bytes into the stored text at the
path (kv_engine's subjson library): spacing, number spelling (``1.50``,
``1e3``, ``-0``), escapes and key order outside the changed path stay byte
for byte. Where it puts things: a new member last, before the ``}``, as
``,"key":value``; a deleted member goes with the comma before it when it is
the last, else with the comma after it; ``[ ]`` becomes ``[value]``.
COUNTER counts only integers: a number written ``1.0`` or ``1e3`` is a
float to the server (its parser flags it so) and the answer is
PATH_MISMATCH, as for a string.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from mock_kvclient import connect, key_with_active
from subdoc_wire import MKDIR_P, lookup_in, lookup_results, mutate_in, single, single_extras

from couchbase._core.feature import Datatype
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock.subdoc.body import Body
from couchbase_mock.subdoc.errors import SubdocError
from couchbase_mock.subdoc.spec import decode_single

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

UPSERT, ADD, REPLACE, DELETE = (Opcode.SUBDOC_DICT_UPSERT, Opcode.SUBDOC_DICT_ADD,
                                Opcode.SUBDOC_REPLACE, Opcode.SUBDOC_DELETE)
LAST, FIRST, INSERT, UNIQUE, COUNTER = (
    Opcode.SUBDOC_ARRAY_PUSH_LAST, Opcode.SUBDOC_ARRAY_PUSH_FIRST, Opcode.SUBDOC_ARRAY_INSERT,
    Opcode.SUBDOC_ARRAY_ADD_UNIQUE, Opcode.SUBDOC_COUNTER)


@pytest.fixture(scope="module")
def kv0(mock_cluster):
    with connect(mock_cluster, node=0) as kv:
        yield kv


@pytest.fixture
def stored(kv0, mock_cluster, request):
    """Store a body as given (bytes) under a fresh key; return the key."""
    def store(text: str) -> bytes:
        key = key_with_active(mock_cluster, 0, request.node.name)
        assert kv0.set(key, text.encode(), datatype=Datatype.JSON).status == Status.SUCCESS
        return key
    return store


CASES = [
    # (document, opcode, path, value, path flags, document afterwards)
    ('{ "a" : 1.50 ,\n  "b": [1, 2] }', UPSERT, "a", "2", 0, '{ "a" : 2 ,\n  "b": [1, 2] }'),
    ('{"a": 1 }', UPSERT, "c", '"x"', 0, '{"a": 1 ,"c":"x"}'),
    ('{ }', ADD, "c", "1", 0, '{ "c":1}'),
    ('{"z": 1, "a": 2}', ADD, "m", "3", 0, '{"z": 1, "a": 2,"m":3}'),
    ('{"a": 1, "b": 2}', DELETE, "a", "", 0, '{ "b": 2}'),
    ('{"a": 1, "b": 2, "c": 3}', DELETE, "b", "", 0, '{"a": 1,  "c": 3}'),
    ('{"a": 1, "b": 2}', DELETE, "b", "", 0, '{"a": 1}'),
    ('{ "a" : 1 }', DELETE, "a", "", 0, '{  }'),
    ('[1, 2, 3]', DELETE, "[1]", "", 0, '[1,  3]'),
    ('[1 ,\n 2]', DELETE, "[-1]", "", 0, '[1 ]'),
    ('{"a": {"b": [10, 20]}}', REPLACE, "a.b[-1]", "  21 ", 0, '{"a": {"b": [10,   21 ]}}'),
    ('{"x": 1e3, "y": -0, "z": 1.50}', UPSERT, "y", "0", 0, '{"x": 1e3, "y": 0, "z": 1.50}'),
    ('{"\\u00e9t\\u00e9": "caf\\u00e9", "n": 1}', UPSERT, "été", '"ok"', 0,
     '{"\\u00e9t\\u00e9": "ok", "n": 1}'),
    ('{"\\u00e9": "caf\\u00e9", "n": 1}', COUNTER, "n", "41", 0,
     '{"\\u00e9": "caf\\u00e9", "n": 42}'),
    ('{"n": -0 }', COUNTER, "n", "1", 0, '{"n": 1 }'),
    ('{"a": 1 }', COUNTER, "n", "-5", 0, '{"a": 1 ,"n":-5}'),
    ('[ 1 , 2 ]', INSERT, "[0]", "0", 0, '[ 0,1 , 2 ]'),
    ('[ 1 , 2 ]', INSERT, "[1]", "0", 0, '[ 1 , 0,2 ]'),
    ('[ 1 , 2 ]', INSERT, "[2]", "0", 0, '[ 1 , 2 ,0]'),
    ('{"l": [ ]}', INSERT, "l[0]", "7", 0, '{"l": [7]}'),
    ('{"l": [ 1 ]}', FIRST, "l", "0", 0, '{"l": [ 0,1 ]}'),
    ('{"l": [ 1 ]}', LAST, "l", "2, 3", 0, '{"l": [ 1 ,2, 3]}'),
    ('{"l": [\n]}', LAST, "l", "2", 0, '{"l": [2]}'),
    ('  [1, 2 ]  \n', LAST, "", "3", 0, '  [1, 2,3]'),
    ('[ ]', LAST, "", "3", 0, '[3]'),
    ('[1, 2 ]', UNIQUE, "", "3", 0, '[1, 2 ,3]'),
    ('[1.50, "a"]', UNIQUE, "", "1.5", 0, '[1.50, "a",1.5]'),
    ('{"a": 1 }', UPSERT, "b.c.d", "true", MKDIR_P, '{"a": 1 ,"b":{"c":{"d":true}}}'),
    ('{"a": {} }', LAST, "a.x.y", "1", MKDIR_P, '{"a": {"x":{"y":[1]}} }'),
    ('{"a": 1 }', FIRST, "l", '"v"', MKDIR_P, '{"a": 1 ,"l":["v"]}'),
    ('{"s": "}]\\\\\\",", "t": [1]}', LAST, "t", "2", 0, '{"s": "}]\\\\\\",", "t": [1,2]}'),
    ('{"`q`": {"x.y": [ {"k" : 1} ]}}', UPSERT, "```q```.`x.y`[0].k", "2", 0,
     '{"`q`": {"x.y": [ {"k" : 2} ]}}'),
]


@pytest.mark.parametrize("doc,opcode,path,value,flags,after", CASES)
def test_a_mutation_changes_only_the_bytes_of_its_path(kv0, stored, doc, opcode, path, value,
                                                       flags, after):
    key = stored(doc)
    resp = single(kv0, opcode, key, path, value, flags=flags)
    assert resp.status == Status.SUCCESS, hex(resp.status)
    assert kv0.get(key).value == after.encode()


@pytest.mark.parametrize("doc,path,value,status", [
    ('{"n": 1.0}', "n", "1", Status.SUBDOC_PATH_MISMATCH),
    ('{"n": 1e3}', "n", "1", Status.SUBDOC_PATH_MISMATCH),
    ('{"n": "1"}', "n", "1", Status.SUBDOC_PATH_MISMATCH),
    ('{"n": 99999999999999999999}', "n", "1", Status.SUBDOC_NUM_ERANGE),
    ('{"n": 1}', "n", "007", Status.SUBDOC_DELTA_EINVAL),
    ('{"n": 1}', "n", "0", Status.SUBDOC_DELTA_EINVAL),
])
def test_counter_counts_integers_only_and_leaves_the_text_alone(kv0, stored, doc, path, value,
                                                                status):
    key = stored(doc)
    assert single(kv0, COUNTER, key, path, value).status == status
    assert kv0.get(key).value == doc.encode()


def test_add_unique_compares_the_bytes_of_each_element(kv0, stored):
    key = stored('[1.50, "a", 1]')
    assert single(kv0, UNIQUE, key, "", '"a"').status == Status.SUBDOC_PATH_EEXISTS
    assert single(kv0, UNIQUE, key, "", "1").status == Status.SUBDOC_PATH_EEXISTS
    assert single(kv0, UNIQUE, key, "", "1.0").status == Status.SUCCESS
    assert kv0.get(key).value == b'[1.50, "a", 1,1.0]'


def test_a_lookup_answers_the_value_bytes_as_stored(kv0, stored):
    key = stored('{"a": {"b" :  1.50 , "e": "\\u00e9"}, "l": [ 1e3 ]}')
    got = lookup_results(lookup_in(kv0, key, [
        (Opcode.SUBDOC_GET, 0, b"a"), (Opcode.SUBDOC_GET, 0, b"a.b"),
        (Opcode.SUBDOC_GET, 0, b"a.e"), (Opcode.SUBDOC_GET, 0, b"l[-1]"),
    ]).value)
    assert got == [(0, b'{"b" :  1.50 , "e": "\\u00e9"}'), (0, b"1.50"), (0, b'"\\u00e9"'),
                   (0, b"1e3")]
    assert single(kv0, Opcode.SUBDOC_GET, key, "l").value == b"[ 1e3 ]"


def test_a_multi_mutation_edits_the_text_spec_after_spec(kv0, stored):
    key = stored('{\n  "name": "Juleøl",\n  "abv": 5.50,\n  "tags": [ "x" ]\n}\n')
    resp = mutate_in(kv0, key, [
        (UPSERT, 0, b"name", b'"Julebrygg"'),
        (LAST, 0, b"tags", b'"y"'),
        (DELETE, 0, b"tags[0]", b""),
        (COUNTER, 0, b"year", b"2024"),
    ])
    assert resp.status == Status.SUCCESS, hex(resp.status)
    assert kv0.get(key).value.decode() == (
        '{\n  "name": "Julebrygg",\n  "abv": 5.50,\n  "tags": [ "y"]\n,"year":2024}\n')


def test_a_failed_multi_mutation_leaves_the_text_as_it_was(kv0, stored):
    doc = '{ "a" : 1.50 }'
    key = stored(doc)
    resp = mutate_in(kv0, key, [(UPSERT, 0, b"b", b"1"), (REPLACE, 0, b"nope", b"2")])
    assert resp.status == Status.SUBDOC_MULTI_PATH_FAILURE
    assert kv0.get(key).value == doc.encode()


def test_a_value_that_is_not_utf8_cannot_be_inserted(kv0, stored):
    key = stored('{"a": 1}')
    resp = single(kv0, UPSERT, key, "b", b'"\xff"')
    assert resp.status == Status.SUBDOC_VALUE_CANTINSERT
    assert kv0.get(key).value == b'{"a": 1}'


def test_a_large_document_keeps_its_text(kv0, stored):
    rows = ",\n".join(f'  "k{i}" : [ {i}.0, "v\\u00e9{i}" ]' for i in range(20000))
    doc = "{\n" + rows + "\n}"
    key = stored(doc)
    assert single(kv0, REPLACE, key, "k19999[0]", "1").status == Status.SUCCESS
    after = kv0.get(key).value.decode()
    assert after == doc.replace('[ 19999.0, "v', '[ 1, "v')


# -- property: random documents, random single mutations ----------------------------

LEAVES = ["1", "1.50", "1e3", "-0", "-12", "0.1E-2", "true", "false", "null", '"a"', '"é"',
          '"\\u00e9"', '"}]\\\\\\",:"', '""', '"x y"', "9007199254740993"]
KEYS = ["a", "b", "é", "x.y", "k k", "n1", "[", "`"]
VALUES = ["2", " 2 ", "1.50", '"new"', '{"k" : [1, 2]}', "[ ]", "null", '"\\u00e9"', "-7"]
SPACES = ["", "", " ", "  ", "\n", "\t", " \r\n "]
_INTEGER = re.compile(r"-?[0-9]+\Z")


class Emitter:
    """JSON text with random spacing and key spelling, and where each value lies."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.out: list[str] = []
        self.size = 0
        self.spans: dict[tuple, tuple[int, int]] = {}

    def put(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text)

    def space(self) -> None:
        self.put(self.rnd.choice(SPACES))

    def key(self, key: str) -> str:
        if self.rnd.random() < 0.3:
            return '"' + "".join(f"\\u{ord(c):04x}" for c in key) + '"'
        return json.dumps(key, ensure_ascii=False)

    def value(self, node, path: tuple) -> None:
        start = self.size
        if isinstance(node, dict):
            self.put("{")
            for i, (k, v) in enumerate(node.items()):
                self.space()
                self.put(("," if i else "") + self.key(k))
                self.space()
                self.put(":")
                self.space()
                self.value(v, path + (k,))
                self.space()
            self.put("}")
        elif isinstance(node, list):
            self.put("[")
            for i, v in enumerate(node):
                self.space()
                if i:
                    self.put(",")
                    self.space()
                self.value(v, path + (i,))
                self.space()
            self.put("]")
        else:
            self.put(node)
        self.spans[path] = (start, self.size)

    def text(self) -> str:
        return "".join(self.out)


def path_text(path: tuple) -> str:
    out = ""
    for comp in path:
        if isinstance(comp, int):
            out += f"[{comp}]"
        else:
            key = comp.replace("`", "``")
            out += ("." if out else "") + (f"`{key}`" if set(comp) & set(".[]`") else key)
    return out


def run(text: str, opcode: int, path: tuple, value: str, flags: int = 0) -> tuple[str, Body]:
    raw = path_text(path).encode()
    spec = decode_single(opcode, single_extras(raw, flags), raw + value.encode(), 0).specs[0]
    body = Body.parse(text.encode())
    body.mutate(spec, spec.mkdir)
    return body.text, body


def at(tree, path: tuple):
    for comp in path:
        tree = tree[comp]
    return tree


LEAF = st.sampled_from(LEAVES)
TREES = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4), max_leaves=14)
DOCS = st.lists(TREES, max_size=4) | st.dictionaries(st.sampled_from(KEYS), TREES, max_size=5)


@hypothesis.settings(max_examples=400)
@hypothesis.given(doc=DOCS, rnd=st.randoms(use_true_random=False), data=st.data())
def test_random_mutations_match_a_reference_and_keep_other_bytes(doc, rnd, data):
    em = Emitter(rnd)
    em.space()
    em.value(doc, ())
    em.space()
    old = em.text()
    tree = json.loads(old)
    path = data.draw(st.sampled_from(sorted(em.spans, key=repr)))
    start, end = em.spans[path]
    target = at(doc, path)
    value = data.draw(st.sampled_from(VALUES))
    choices = ["replace", "delete"] if path else []
    if isinstance(target, dict):
        choices += ["add", "counter-new"]
    if isinstance(target, list):
        choices += ["last", "first", "insert", "unique"]
    if isinstance(target, str) and _INTEGER.match(target):
        choices.append("counter")
    if path and isinstance(at(doc, path[:-1]), dict):
        choices.append("upsert")
    if not choices:
        return
    op = data.draw(st.sampled_from(choices))
    parent = at(tree, path[:-1]) if path else None
    node = at(tree, path)
    exact = None  # the whole expected text, where it is fixed
    if op in ("replace", "upsert"):
        new, _ = run(old, REPLACE if op == "replace" else UPSERT, path, value)
        parent[path[-1]] = json.loads(value)
        exact = old[:start] + value + old[end:]
    elif op == "counter":
        delta = data.draw(st.sampled_from([1, -1, 1000]))
        new, _ = run(old, COUNTER, path, str(delta))
        parent[path[-1]] = int(target) + delta
        exact = old[:start] + str(int(target) + delta) + old[end:]
    elif op == "delete":
        new, _ = run(old, DELETE, path, "")
        del parent[path[-1]]
        start, end = em.spans[path[:-1]]  # the container's bytes change
    elif op in ("add", "counter-new"):
        name = data.draw(st.sampled_from(["new", "a", "x.y"]))
        if name in node:
            return
        stored = value if op == "add" else "5"
        new, _ = run(old, ADD if op == "add" else COUNTER, path + (name,), stored)
        node[name] = json.loads(stored)
    elif op == "unique":
        if value.strip() != value or value[0] in "[{" or any(
                not isinstance(x, str) for x in target):
            return
        if value in target:  # the same bytes as an element
            with pytest.raises(SubdocError):
                run(old, UNIQUE, path, value)
            return
        new, _ = run(old, UNIQUE, path, value)
        node.append(json.loads(value))
    else:
        index = data.draw(st.integers(0, len(node)))
        opcode = {"last": LAST, "first": FIRST}.get(op, INSERT)
        new, _ = run(old, opcode, path + (index,) if op == "insert" else path, value)
        position = {"last": len(node), "first": 0}.get(op, index)
        node[position:position] = [json.loads(value)]
    assert json.dumps(json.loads(new)) == json.dumps(tree)  # (order of keys included)
    if exact is not None:
        assert new == exact
    assert new[:start] == old[:start]
    tail = len(old) - end
    if path or op not in ("last",):  # (appending to the whole document re-ends it)
        assert new[len(new) - tail:] == old[end:] if tail else True
