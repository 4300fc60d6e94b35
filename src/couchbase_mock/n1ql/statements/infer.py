"""INFER: the schema of a keyspace's documents, as flavors (infer.adoc).

Syntax::

    INFER [COLLECTION | KEYSPACE] keyspace-ref [WITH {"sample_size": n,
        "num_sample_values": n, "similarity_metric": x, "dictionary_threshold": n}]

The result is one row: an array of flavors, most documents first. A flavor
groups the sampled documents whose top-level field names are alike (the share
of names two documents have in common, of all the names either has, is at
least ``similarity_metric``); it reads like the server's (``#docs``,
``$schema``, ``Flavor``, ``properties``, ``type``), each property with
``#docs``, ``%docs``, ``samples`` and ``type`` (lists of these, one entry per
type, when a field has values of several types), arrays with ``items``,
``minItems`` and ``maxItems``, objects with their own ``properties``.
``Flavor`` names the string fields every document of the flavor has with the
same value (```type` = "beer"``).

The sample is the first ``sample_size`` documents in key order (the server
samples at random; a fixed choice keeps results repeatable).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from .. import ast as A
from ..errors import N1QLError
from ..evaluator import CTX, Compiler, Scope
from ..indexes import decode
from ..lexer import EOF
from ..planner import require_keyspace
from ..values import collation_key
from . import runner, statement

SCHEMA = "http://json-schema.org/draft-06/schema"
DEFAULTS = {"sample_size": 1000, "num_sample_values": 5, "similarity_metric": 0.6,
            "dictionary_threshold": 10}


class Infer(A.Node):
    __slots__ = ("ref", "with_")

    def __init__(self, ref: A.KeyspaceRef, with_: Optional[A.Node]) -> None:
        self.ref = ref
        self.with_ = with_


@statement("INFER")
def parse(p: Any) -> Infer:
    p.expect_kw("INFER")
    if p.is_kw("COLLECTION", "KEYSPACE") and p.peek().kind != EOF and \
            not p.is_kw("WITH", tok=p.peek()):
        p.i += 1
    ref = p.keyspace_ref()
    with_ = p.expr() if p.accept_kw("WITH") else None
    return Infer(ref, with_)


def _options(stmt: Infer, ctx: Any) -> dict:
    opts = dict(DEFAULTS)
    if stmt.with_ is None:
        return opts
    given = Compiler(Scope()).compile(stmt.with_)({CTX: ctx})
    if type(given) is not dict:
        raise N1QLError(7014, "INFER options must be an object")
    for name, value in given.items():
        if name not in DEFAULTS:
            raise N1QLError(7014, f"Unknown INFER option: {name}")
        if type(value) not in (int, float) or value < 0 or \
                (name != "similarity_metric" and value != int(value)) or \
                (name == "similarity_metric" and value > 1):
            raise N1QLError(7014, f"Invalid value for INFER option {name}: "
                                  f"{json.dumps(value)}")
        opts[name] = value
    return opts


@runner(Infer, explain=lambda engine, stmt: {"#operator": "InferKeyspace"})
def run(engine: Any, stmt: Infer, ctx: Any) -> tuple:
    if stmt.ref.namespace == "system":
        raise N1QLError(7014, "INFER is not available on system keyspaces")
    path = require_keyspace(engine.datastore, stmt.ref)
    opts = _options(stmt, ctx)
    records = sorted(engine.datastore.scan(path), key=lambda r: r.key)
    docs: list = []
    for rec in records:
        if len(docs) >= opts["sample_size"]:
            break
        value = decode(rec)
        if type(value) is dict:
            docs.append(value)
        ctx.cancel.check()
    flavors = _flavors(docs, float(opts["similarity_metric"]))
    out = [_flavor_schema(group, int(opts["num_sample_values"])) for group in flavors]
    out.sort(key=lambda f: -f["#docs"])
    return [out], None, None


def _flavors(docs: list, metric: float) -> list:
    groups: list[tuple[set, list]] = []
    for doc in docs:
        names = set(doc)
        for fields, members in groups:
            union = fields | names
            if not union or len(fields & names) / len(union) >= metric:
                fields |= names
                members.append(doc)
                break
        else:
            groups.append((set(names), [doc]))
    return [members for _f, members in groups]


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if type(v) is bool:
        return "boolean"
    if type(v) in (int, float):
        return "number"
    if type(v) is str:
        return "string"
    if type(v) is list:
        return "array"
    return "object"


SAMPLE_STRING = 30
"""Longer sample strings are cut to this many characters and ``...``."""


def _samples(values: list, limit: int) -> list:
    seen: dict[str, Any] = {}
    for v in values:
        if type(v) is str and len(v) > SAMPLE_STRING:
            v = v[:SAMPLE_STRING] + "..."

        if len(seen) >= limit:
            break
        seen.setdefault(json.dumps(v, sort_keys=True), v)
    return sorted(seen.values(), key=collation_key)


def _flavor_schema(docs: list, num_samples: int) -> dict:
    out: dict[str, Any] = {"#docs": len(docs), "$schema": SCHEMA}
    common = []
    for name in sorted(docs[0]):
        first = docs[0][name]
        if type(first) is str and all(d.get(name) == first for d in docs):
            common.append(f"`{name}` = {json.dumps(first)}")
    out["Flavor"] = " AND ".join(common)
    out["properties"] = _properties(docs, num_samples)
    out["type"] = "object"
    return out


def _properties(objects: list, num_samples: int) -> dict:
    names = sorted({k for o in objects for k in o})
    return {name: _field([o[name] for o in objects if name in o], len(objects), num_samples)
            for name in names}


def _field(values: list, total: int, num_samples: int) -> dict:
    by_type: dict[str, list] = {}
    for v in values:
        by_type.setdefault(_type_name(v), []).append(v)
    types = sorted(by_type)
    counts = [len(by_type[t]) for t in types]
    percents = [round(100.0 * c / total, 2) for c in counts]
    percents = [int(p) if p == int(p) else p for p in percents]
    samples = [_samples(by_type[t], num_samples) for t in types]
    out: dict[str, Any] = {}
    if len(types) == 1:
        out.update({"#docs": counts[0], "%docs": percents[0], "samples": samples[0],
                    "type": types[0]})
    else:
        out.update({"#docs": counts, "%docs": percents, "samples": samples, "type": types})
    if "object" in by_type:
        out["properties"] = _properties(by_type["object"], num_samples)
    if "array" in by_type:
        arrays = by_type["array"]
        items = [x for a in arrays for x in a]
        out["items"] = _items(items, num_samples)
        out["maxItems"] = max(len(a) for a in arrays)
        out["minItems"] = min(len(a) for a in arrays)
    return dict(sorted(out.items()))


def _items(items: list, num_samples: int) -> dict:
    if not items:
        return {}
    types = sorted({_type_name(x) for x in items})
    out: dict[str, Any] = {"#docs": len(items), "$schema": SCHEMA}
    objects = [x for x in items if type(x) is dict]
    if objects:
        out["properties"] = {name: {"type": _type_name(next(o[name] for o in objects
                                                            if name in o))}
                             for name in sorted({k for o in objects for k in o})}
    out["type"] = types[0] if len(types) == 1 else types
    return out
