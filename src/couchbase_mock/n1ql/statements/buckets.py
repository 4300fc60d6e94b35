"""CREATE/ALTER/DROP BUCKET (DATABASE is a synonym).

Syntax (createbucket.adoc, alterbucket.adoc, dropbucket.adoc)::

    CREATE BUCKET [IF NOT EXISTS] name [WITH {"ramQuota": 512, ...}]
    ALTER BUCKET name [WITH {...}]
    DROP BUCKET [IF EXISTS] name

The WITH object's fields are the bucket REST API's parameters (Bucket
Parameter Groups): each statement goes, on the cluster's loop, through the
same handlers as ``POST /pools/default/buckets[/<name>]`` and ``DELETE``
(:mod:`couchbase_mock.bucket_rest`), so the bucket is there for the SDK at
once, defaults and validation are the REST API's, and a refusal carries its
message (code 5218); without a ``ramQuota`` the bucket gets 100 MiB (1024 for
magma, this cluster's minimum for it). ``bucketType``, ``storageBackend``, ``replicaIndex`` and
``conflictResolutionType`` cannot be altered (alterbucket.adoc).

Who may: as for the REST API, creating needs the Full or Cluster Admin,
altering also a Bucket Admin of the bucket, dropping the Full or Cluster
Admin; anyone else gets 13014. A missing bucket is 12003, one that exists is
5218 with the REST API's message.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlencode

from ... import bucket_rest
from .. import ast as A
from ..errors import N1QLError, keyspace_not_found
from ..evaluator import CTX, Compiler, Scope
from . import runner, statement
from .users import E_REFUSED, on_cluster, refused, require

FIXED = ("bucketType", "storageBackend", "replicaIndex", "conflictResolutionType")
ONE_ZERO = ("flushEnabled", "replicaIndex")
"""Flags the REST API takes as 1/0 (the others as true/false)."""


class BucketStatement(A.Node):
    __slots__ = ("verb", "name", "if_flag", "with_")

    def __init__(self, verb: str, name: str, if_flag: bool, with_: Optional[A.Node]) -> None:
        self.verb = verb
        self.name = name
        self.if_flag = if_flag
        self.with_ = with_


def _parse(p: Any) -> BucketStatement:
    verb = p.expect_kw("CREATE", "ALTER", "DROP")
    p.expect_kw("BUCKET", "DATABASE")
    if_flag = False
    if verb != "ALTER" and p.accept_kw("IF"):
        if verb == "CREATE":
            p.expect_kw("NOT")
        p.expect_kw("EXISTS")
        if_flag = True
    name = p.ident_or_word()
    with_ = p.expr() if verb != "DROP" and p.accept_kw("WITH") else None
    return BucketStatement(verb, name, if_flag, with_)


for _verb in ("CREATE", "ALTER", "DROP"):
    for _word in ("BUCKET", "DATABASE"):
        statement(_verb, _word)(_parse)


def _form(stmt: BucketStatement, ctx: Any) -> dict[str, str]:
    """The WITH object as the REST API's form fields."""
    if stmt.with_ is None:
        return {}
    value = Compiler(Scope()).compile(stmt.with_)({CTX: ctx})
    if not isinstance(value, dict):
        raise N1QLError(E_REFUSED, f"{stmt.verb} BUCKET {stmt.name} failed: the WITH "
                                   "clause must be an object of bucket settings")
    form = {}
    for key, v in value.items():
        if isinstance(v, bool):
            text = ("1" if v else "0") if key in ONE_ZERO else ("true" if v else "false")
        elif isinstance(v, float) and v.is_integer():
            text = str(int(v))
        elif isinstance(v, (int, float, str)):
            text = str(v)
        else:
            raise N1QLError(E_REFUSED, f"{stmt.verb} BUCKET {stmt.name} failed: setting "
                                       f"{key} must be a number, a string or a boolean")
        form[key] = text
    return form


@runner(BucketStatement)
def run(engine: Any, stmt: BucketStatement, ctx: Any) -> tuple:
    what = f"{stmt.verb} BUCKET"
    form = _form(stmt, ctx)
    if stmt.verb == "ALTER":
        fixed = [k for k in FIXED if k in form]
        if fixed:
            raise N1QLError(E_REFUSED, f"{what} {stmt.name} failed: {', '.join(fixed)} "
                                       "cannot be changed")

    def change(cluster: Any) -> None:
        name = stmt.name
        if stmt.verb == "CREATE":
            require(cluster, ctx, "buckets.create", what, "cluster_admin")
            if name in cluster.buckets and stmt.if_flag:
                return
            fields = dict(form, name=name)
            if "ramQuota" not in fields and "ramQuotaMB" not in fields:
                # createbucket.adoc (WITH Clause): 100 MiB, or 1024 for magma
                magma = fields.get("storageBackend") == "magma"
                fields["ramQuota"] = str(bucket_rest.MAGMA_MIN_RAM_MB if magma else 100)
            answer = bucket_rest.create(cluster, _encode(fields), {})
        else:
            action = "bucket.settings" if stmt.verb == "ALTER" else "bucket.delete"
            require(cluster, ctx, action, what,
                    "bucket_admin" if stmt.verb == "ALTER" else "cluster_admin", name)
            bucket = cluster.buckets.get(name)
            if bucket is None:
                if stmt.if_flag:
                    return
                raise keyspace_not_found(f"default:{name}", name, False)
            if stmt.verb == "ALTER":
                answer = bucket_rest.edit(cluster, bucket, _encode(form), {})
            else:
                answer = bucket_rest.delete(cluster, name)
        err = refused(answer, f"{what} {name}")
        if err is not None:
            raise err

    on_cluster(engine, what, change)
    return [], None, None


def _encode(form: dict[str, str]) -> bytes:
    return urlencode(form).encode()
