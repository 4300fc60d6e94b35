"""The official Couchbase SDK's sub-document calls and ours give the same results.

official_sdk_subdoc.py runs STEPS with the official SDK (4.x: ``lookup_in``,
``mutate_in``, xattrs, ``MutationMacro``, ``StoreSemantics``,
``access_deleted``) on its own keys of one couchbase_mock process; this test
runs the same STEPS with this project's 2.x API (``Bucket.lookup_in`` /
``mutate_in`` with ``couchbase.subdocument``) on other keys, then reads the
official SDK's documents back. Outcomes must agree once CAS values and
per-document figures (seqnos, CRCs) are replaced by labels that keep their
relations (the CAS a mutation returned is the one a later lookup sees and the
one ``${Mutation.CAS}`` wrote), and exception classes are mapped by meaning.

Steps (JSON): ``["doc", name, body]``, ``["raw", name, text]`` (a non-JSON
body), ``["get", name]``, ``["remove", name]``, ``["lookup", name, specs,
options]`` with specs ``[op, path, {"xattr": bool}]`` (op get, exists,
count), ``["mutate", name, specs, options]`` with specs ``[op, path, value,
flags]`` (the official SDK's function names; a value ``{"$macro": "cas"}`` is
a mutation macro) and options ``store`` (replace, upsert, insert),
``access_deleted``, ``cas_of`` (the first CAS of the named document: stale).

Lookups here name two paths or more: with one, our client sends the
single-path opcode (as libcouchbase did) whose failure carries no CAS, where
the official SDK always sends MULTI_LOOKUP, whose partial failure does.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import uuid
from pathlib import Path
from typing import Any

import couchbase.subdocument as SD
from couchbase import FMT_BYTES
from couchbase.bucket import Bucket
from couchbase.exceptions import CouchbaseError

X = {"xattr": True}
XP = {"xattr": True, "create_parents": True}
BODY = {"name": "Juleøl", "abv": 5.5, "tags": ["x"], "n": 10, "nested": {"a": {"b": 1}}}

STEPS: list[list[Any]] = [
    ["doc", "d", BODY],
    ["lookup", "d", [["get", "name"], ["exists", "tags"], ["exists", "nope"], ["count", "tags"],
                     ["count", "nested"], ["get", "nope"], ["get", "name[0]"],
                     ["get", "nested.a"], ["count", "n"], ["get", "tags[-1]"]]],
    ["mutate", "d", [["upsert", "name", "Julebrygg"], ["insert", "year", 2024],
                     ["replace", "abv", 6.25], ["remove", "nested.a.b"],
                     ["array_append", "tags", ["y", "z"]], ["array_prepend", "tags", ["w"]],
                     ["array_insert", "tags[1]", ["v"]], ["array_addunique", "tags", "u"],
                     ["increment", "n", 5], ["decrement", "n", 2],
                     ["upsert", "deep.er.path", [1, {"k": None}], {"create_parents": True}]]],
    ["get", "d"],
    # Each documented failure, on its own: the document is left as it was.
    ["mutate", "d", [["insert", "name", "again"]]],
    ["mutate", "d", [["replace", "nope", 1]]],
    ["mutate", "d", [["upsert", "name.first", "J"]]],
    ["mutate", "d", [["array_addunique", "tags", "u"]]],
    ["mutate", "d", [["array_append", "name", ["x"]]]],
    ["mutate", "d", [["increment", "name", 1]]],
    ["mutate", "d", [["upsert", "no.such.parent", 1]]],
    ["mutate", "d", [["array_insert", "tags[99]", ["x"]]]],
    ["mutate", "d", [["array_addunique", "tags", {"not": "primitive"}]]],
    ["mutate", "d", [["upsert", "ok", 1], ["remove", "nope"]]],
    ["mutate", "d", [["upsert", "stale", 1]], {"cas_of": "d"}],
    ["lookup", "d", [["get", "a[x"], ["get", "name"]]],  # (one spec: see the note below)
    ["get", "d"],
    # Extended attributes and mutation macros.
    ["mutate", "d", [["upsert", "app.by", "me", XP], ["upsert", "app.cas", {"$macro": "cas"}, XP],
                     ["upsert", "app.seq", {"$macro": "seq_no"}, XP],
                     ["upsert", "app.crc", {"$macro": "value_crc32c"}, XP],
                     ["array_append", "app.log", ["one"], XP], ["increment", "n", 1]]],
    ["lookup", "d", [["get", "app", X], ["get", "$document.CAS", X],
                     ["get", "$document.seqno", X], ["get", "$document.value_crc32c", X],
                     ["get", "$document.deleted", X], ["get", "$document.exptime", X],
                     ["get", "app.nope", X], ["exists", "app.by", X], ["get", "n"]]],
    ["mutate", "d", [["remove", "app.by", None, X], ["upsert", "app.n", 2, X]]],
    ["lookup", "d", [["get", "app", X], ["count", "app", X]]],
    # Store semantics.
    ["mutate", "ins", [["upsert", "a", 1]], {"store": "insert"}],
    ["mutate", "ins", [["upsert", "a", 2]], {"store": "insert"}],
    ["mutate", "rep", [["upsert", "a", 1]], {"store": "replace"}],
    ["mutate", "ups", [["upsert", "x.y", 1, {"create_parents": True}],
                       ["array_append", "l", ["a"], {"create_parents": True}]],
     {"store": "upsert"}],
    ["mutate", "ups", [["increment", "x.y", 1]], {"store": "upsert"}],
    ["get", "ins"],
    ["get", "ups"],
    ["lookup", "missing", [["get", "a"]]],
    ["mutate", "missing", [["upsert", "a", 1]]],
    # A document that is not JSON.
    ["raw", "bin", "not json at all"],
    ["lookup", "bin", [["get", "a"], ["exists", "a"]]],
    ["mutate", "bin", [["upsert", "a", 1]]],
    # A tombstone's system xattrs, read and written with access_deleted.
    ["doc", "tomb", {"v": 1}],
    ["mutate", "tomb", [["upsert", "_txn.state", "pending", XP]]],
    ["remove", "tomb"],
    ["lookup", "tomb", [["get", "_txn", X]]],
    ["lookup", "tomb", [["get", "_txn", X], ["get", "$document.deleted", X]],
     {"access_deleted": True}],
    ["mutate", "tomb", [["upsert", "_txn.state", "committed", X]], {"access_deleted": True}],
    ["lookup", "tomb", [["get", "_txn.state", X], ["get", "v"]], {"access_deleted": True}],
]

# The official SDK's exception names for ours, by meaning.
OFFICIAL_NAMES = {
    "SubdocPathNotFoundError": {"PathNotFoundException"},
    "SubdocPathExistsError": {"PathExistsException"},
    "SubdocPathMismatchError": {"PathMismatchException"},
    "SubdocPathInvalidError": {"PathInvalidException"},
    "SubdocCantInsertValueError": {"InvalidValueException", "SubdocCantInsertValueException"},
    "DocumentNotJsonError": {"DocumentNotJsonException"},
    "SubdocNumberTooBigError": {"NumberTooBigException"},
    "SubdocBadDeltaError": {"DeltaInvalidException"},
    "SubdocValueTooDeepError": {"ValueTooDeepException"},
    "NotFoundError": {"DocumentNotFoundException"},
    "KeyExistsError": {"DocumentExistsException", "CasMismatchException"},
}
MACRO = {"cas": "${Mutation.CAS}", "seq_no": "${Mutation.seqno}",
         "value_crc32c": "${Mutation.value_crc32c}"}
STORE = {"upsert": {"upsert_doc": True}, "insert": {"insert_doc": True}, "replace": {}}
ACCESS_DELETED = 0x04


# -- the same steps with our client ---------------------------------------------------

def _lookup_spec(op: str, path: str, flags: dict | None = None) -> Any:
    return {"get": SD.get, "exists": SD.exists, "count": SD.get_count}[op](path, **(flags or {}))


def _mutation_spec(op: str, path: str, value: Any = None, flags: dict | None = None) -> Any:
    flags = dict(flags or {})
    if op == "remove":
        return SD.remove(path, **flags)
    if op in ("array_append", "array_prepend", "array_insert"):
        return getattr(SD, op)(path, *value, **flags)
    if op in ("increment", "decrement"):
        return SD.counter(path, value if op == "increment" else -value, **flags)
    if isinstance(value, dict) and "$macro" in value:
        value, flags["_expand_macros"] = MACRO[value["$macro"]], True
    return {"upsert": SD.upsert, "insert": SD.insert, "replace": SD.replace,
            "array_addunique": SD.array_addunique}[op](path, value, **flags)


def _ours(cb: Bucket, key: str, step: list, cas_of: dict) -> dict:
    kind, specs = step[0], step[2] if len(step) > 2 else None
    opts = step[3] if len(step) > 3 else {}
    flags = ACCESS_DELETED if opts.get("access_deleted") else 0
    if kind == "doc":
        return {"cas": cb.upsert(key, step[2]).cas}
    if kind == "raw":
        return {"cas": cb.upsert(key, step[2].encode(), format=FMT_BYTES).cas}
    if kind == "get":
        got = cb.get(key)
        return {"cas": got.cas, "value": got.value}
    if kind == "remove":
        return {"cas": cb.remove(key).cas}
    if kind == "lookup":
        rv = cb.lookup_in(key, *(_lookup_spec(*s) for s in specs), _sd_doc_flags=flags)
        results = []
        for i, spec in enumerate(specs):
            try:
                results.append({"exists": rv.exists(i)} if spec[0] == "exists"
                               else {"value": rv[i]})
            except CouchbaseError as exc:
                results.append({"error": type(exc).__name__})
        return {"cas": rv.cas, "results": results}
    extra: dict = dict(STORE[opts.get("store", "replace")])
    if "cas_of" in opts:
        extra["cas"] = cas_of[opts["cas_of"]]
    rv = cb.mutate_in(key, *(_mutation_spec(*s) for s in specs), _sd_doc_flags=flags, **extra)
    return {"cas": rv.cas, "results": [rv[i] if s[0] in ("increment", "decrement") else None
                                       for i, s in enumerate(specs)]}


def run_ours(cb: Bucket, prefix: str) -> list[dict]:
    outcomes, cas_of = [], {}
    for step in STEPS:
        try:
            out = _ours(cb, prefix + step[1], step, cas_of)
        except CouchbaseError as exc:
            out = {"error": type(exc).__name__}
        if "cas" in out:
            cas_of.setdefault(step[1], out["cas"])
        outcomes.append(out)
    return outcomes


# -- comparing ---------------------------------------------------------------------

_HEX = re.compile(r"0x[0-9a-f]+\Z")


def normalise(outcomes: list[dict], official: bool) -> list:
    """Outcomes with CAS values and hex figures as labels in order of first
    appearance, and exception names as the official SDK's."""
    labels: dict[Any, str] = {}

    def label(key: Any, prefix: str) -> str:
        taken = sum(v.startswith(prefix) for v in labels.values())
        return labels.setdefault(key, f"{prefix}{taken}")

    def walk(node: Any, field: str = "") -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if field == "cas" and isinstance(node, int):
            return label(node, "cas")
        if field == "error" and not official:
            return sorted(OFFICIAL_NAMES.get(node, {node}))
        if field == "error":
            return [n for names in OFFICIAL_NAMES.values() if node in names
                    for n in sorted(names)] or [node]
        if isinstance(node, str) and _HEX.match(node) and len(node) == 18:
            number = int(node, 16)
            (swapped,) = struct.unpack("<Q", struct.pack(">Q", number))
            for cas in (number, swapped):
                if cas in labels:
                    return labels[cas] + ("" if cas == number else " as a macro")
            return label(node, "hex")
        if isinstance(node, str) and _HEX.match(node):
            return label(node, "crc")
        return node

    return walk(outcomes)


def _official(official_python: Path, mock_process: dict, prefix: str) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(official_python), str(Path(__file__).with_name("official_sdk_subdoc.py")),
         mock_process["connstr"], mock_process["username"], mock_process["password"], prefix],
        input=json.dumps(STEPS), capture_output=True, text=True, timeout=180, env=env,
    )
    assert out.returncode == 0 and "ALL OK" in out.stdout, out.stdout + out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULTS "))
    return json.loads(line[len("RESULTS "):])


def test_official_subdoc_calls_and_ours_agree(official_python, mock_process):
    official_prefix, our_prefix = f"off-{uuid.uuid4().hex[:8]}-", f"our-{uuid.uuid4().hex[:8]}-"
    official = _official(official_python, mock_process, official_prefix)
    cb = Bucket(f"{mock_process['connstr']}/default", username=mock_process["username"],
                password=mock_process["password"])
    try:
        ours = run_ours(cb, our_prefix)
        for index, (theirs, mine) in enumerate(zip(normalise(official, True),
                                                   normalise(ours, False))):
            assert theirs == mine, (index, STEPS[index], theirs, mine)
        assert len(official) == len(ours) == len(STEPS)

        # Our client reads what the official SDK wrote, xattrs included.
        key = official_prefix + "d"
        rv = cb.lookup_in(key, SD.get("app", xattr=True), SD.get("$document.CAS", xattr=True),
                          SD.get("n"), SD.get("tags"))
        assert rv[2] == 14 and rv[3] == ["w", "v", "x", "y", "z", "u"]
        assert rv[0]["n"] == 2 and "by" not in rv[0]
        assert int(rv[1], 16) == rv.cas == cb.get(key).cas
        final = next(o for s, o in zip(STEPS, official) if s[:2] == ["get", "d"])
        assert cb.get(key).value["tags"] == final["value"]["tags"]
    finally:
        cb.close()
