"""Runs under the OFFICIAL Couchbase Python SDK (4.x), not under this project.

Usage: python official_sdk_subdoc.py CONNSTR USERNAME PASSWORD PREFIX < steps.json
Runs sub-document steps (lookup_in / mutate_in, with xattrs, macros, store
semantics, access_deleted) given as JSON on stdin, on keys PREFIX + name, and
prints ``RESULTS <json>``: one outcome per step (values, CAS, or the exception
class's name), then ALL OK. test_official_subdoc.py runs the same steps with
this project's client and compares. The step vocabulary is described there.
"""

import json
import sys
from datetime import timedelta

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import CouchbaseException
from couchbase.options import (
    ClusterOptions,
    GetOptions,
    LookupInOptions,
    MutateInOptions,
    UpsertOptions,
)
from couchbase.subdocument import MutationMacro, StoreSemantics
from couchbase.transcoder import RawBinaryTranscoder

LOOKUPS = {"get": SD.get, "exists": SD.exists, "count": SD.count}
MACROS = {"cas": MutationMacro.cas, "seq_no": MutationMacro.seq_no,
          "value_crc32c": MutationMacro.value_crc32c}
STORE = {"replace": StoreSemantics.REPLACE, "upsert": StoreSemantics.UPSERT,
         "insert": StoreSemantics.INSERT}
TIMEOUT = timedelta(seconds=10)


def value_of(value):
    if isinstance(value, dict) and "$macro" in value:
        return MACROS[value["$macro"]]()
    return value


def mutation_spec(op, path, value=None, flags=None):
    flags = flags or {}
    if op == "remove":
        return SD.remove(path, **flags)
    if op in ("array_append", "array_prepend", "array_insert"):
        return getattr(SD, op)(path, *value, **flags)
    if op in ("increment", "decrement"):
        return getattr(SD, op)(path, value, **flags)
    return getattr(SD, op)(path, value_of(value), **flags)


def lookup(coll, key, specs, opts):
    built = [LOOKUPS[op](path, **(rest[0] if rest else {})) for op, path, *rest in specs]
    res = coll.lookup_in(key, built, LookupInOptions(timeout=TIMEOUT, **opts))
    values = []
    for i, (op, _path, *_rest) in enumerate(specs):
        try:
            if op == "exists":
                values.append({"exists": res.exists(i)})
            else:
                values.append({"value": res.content_as[lambda x: x](i)})
        except CouchbaseException as exc:
            values.append({"error": type(exc).__name__})
    return {"cas": res.cas, "results": values}


def mutate(coll, key, specs, opts, cas_of):
    options = {"timeout": TIMEOUT}
    if "store" in opts:
        options["store_semantics"] = STORE[opts["store"]]
    if opts.get("access_deleted"):
        options["access_deleted"] = True
    if "cas_of" in opts:
        options["cas"] = cas_of[opts["cas_of"]]
    res = coll.mutate_in(key, [mutation_spec(*spec) for spec in specs],
                         MutateInOptions(**options))
    values = []
    for i, spec in enumerate(specs):
        values.append(res.content_as[int](i) if spec[0] in ("increment", "decrement") else None)
    return {"cas": res.cas, "results": values}


def run(coll, prefix, step, cas_of):
    kind, name = step[0], step[1]
    key = prefix + name
    try:
        if kind == "doc":
            out = {"cas": coll.upsert(key, step[2], UpsertOptions(timeout=TIMEOUT)).cas}
        elif kind == "raw":
            out = {"cas": coll.upsert(key, step[2].encode(), UpsertOptions(
                timeout=TIMEOUT, transcoder=RawBinaryTranscoder())).cas}
        elif kind == "get":
            got = coll.get(key, GetOptions(timeout=TIMEOUT))
            out = {"cas": got.cas, "value": got.content_as[dict]}
        elif kind == "remove":
            out = {"cas": coll.remove(key).cas}
        elif kind == "lookup":
            out = lookup(coll, key, step[2], step[3] if len(step) > 3 else {})
        else:
            out = mutate(coll, key, step[2], step[3] if len(step) > 3 else {}, cas_of)
    except CouchbaseException as exc:
        return {"error": type(exc).__name__}
    cas_of.setdefault(name, out["cas"])
    return out


def main():
    connstr, username, password, prefix = sys.argv[1:5]
    steps = json.load(sys.stdin)
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    coll = cluster.bucket("default").default_collection()
    cas_of = {}  # the first CAS each document had (for stale-CAS steps)
    outcomes = [run(coll, prefix, step, cas_of) for step in steps]
    print("RESULTS " + json.dumps(outcomes), flush=True)
    cluster.close()
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
