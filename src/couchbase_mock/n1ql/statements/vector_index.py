"""CREATE VECTOR INDEX and DROP VECTOR INDEX (hyperscale vector indexes).

Syntax (createvectorindex.adoc, dropvectorindex.adoc)::

    CREATE VECTOR INDEX name [IF NOT EXISTS] ON keyspace-ref (key VECTOR)
        [INCLUDE (expr, ...)] [PARTITION BY HASH (expr, ...)] [WHERE cond]
        [USING GSI] WITH {"dimension": n, "similarity": s, "description": d, ...}
    DROP VECTOR INDEX ...      (the same as DROP INDEX)

The WITH object is validated as the vector index pages document it
(hyperscale-vector-index.adoc, "Create a Hyperscale Vector Index Using SQL++";
index-algorithm-settings): ``dimension`` a positive integer, ``similarity``
one of COSINE, DOT, L2/EUCLIDEAN, L2_SQUARED/EUCLIDEAN_SQUARED (any case),
``description`` ``IVF[centroids],SQ4|SQ6|SQ8`` or ``...,PQ<m>x<bits>`` with
``m`` dividing the dimension. The local cluster has no vector index: the
definition is kept as a GSI index of the key (and the INCLUDE fields), listed
in ``system:indexes`` with ``VECTOR`` after its key and the WITH options. An
``ORDER BY APPROX_VECTOR_DISTANCE(key, v, metric) LIMIT n`` query that matches
the index (planner.use_vector_order) reads the index's entries in distance
order, with exact distances (functions/vectors.py): the true nearest documents,
where the server's quantized index gives approximate ones.

Documents without a vector: the vector key is the index's leading key and is
not INCLUDE MISSING, so a document that lacks the field has no entry, and one
whose value is not a vector of numbers (NULL, a string, another dimension) is
not indexed either (the index service cannot place it). A query answered
through the index therefore returns only documents that have a vector. The
same query with no usable vector index (primary scan, brute force) follows
ORDER BY's collation instead: APPROX_VECTOR_DISTANCE of a missing field is
MISSING and of a non-vector NULL (vectorfun.adoc), and ASC puts MISSING and
NULL first (orderby.adoc), so those documents come first. The local cluster
keeps that difference, as the server has it, rather than hiding it; the two
answers agree when every document holds a vector, or when the query filters
with ``WHERE ISVECTOR(key, dimension, 'float32')``.

Errors: a bad WITH object 19301 (the local cluster's code), a key without
VECTOR or more than one key 3000.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Optional

from .. import ast as A
from ..errors import N1QLError
from ..evaluator import CTX, Compiler, Scope
from ..index_with import GSI_WITH, VECTOR_WITH, check_with_keys
from ..indexes import key_text
from ..planner import require_keyspace
from . import runner, statement

E_VECTOR_INDEX = 19301

SIMILARITIES = {"COSINE", "DOT", "L2", "EUCLIDEAN", "L2_SQUARED", "EUCLIDEAN_SQUARED"}
_DESCRIPTION = re.compile(r"IVF(\d*),(?:SQ(4|6|8)|PQ(\d+)x(\d+))", re.IGNORECASE)


class CreateVectorIndex(A.Node):
    __slots__ = ("inner", "include")

    def __init__(self, inner: A.CreateIndex, include: list) -> None:
        self.inner = inner
        self.include = include


def _parse_create(p: Any) -> CreateVectorIndex:
    p.expect_kw("CREATE")
    p.expect_kw("VECTOR")
    p.expect_kw("INDEX")
    if_not_exists = p.if_clause(True)
    name = p.name_token()
    if_not_exists = p.if_clause(True) or if_not_exists
    p.expect_kw("ON")
    ref = p.keyspace_ref()
    p.expect_op("(")
    key = p.expr()
    if not p.accept_kw("VECTOR"):
        raise N1QLError(3000, "A vector index key must be followed by VECTOR")
    if not p.is_op(")"):
        raise N1QLError(3000, "A hyperscale vector index has one key, the vector field")
    p.expect_op(")")
    include: list = []
    if p.accept_kw("INCLUDE"):
        p.expect_op("(")
        include.append(p.expr())
        while p.accept_op(","):
            include.append(p.expr())
        p.expect_op(")")
    partition = None
    if p.accept_kw("PARTITION"):
        p.expect_kw("BY")
        if p.name_token().upper() != "HASH":
            raise p.error(p.tokens[p.i - 1])
        p.expect_op("(")
        partition = [p.expr()]
        while p.accept_op(","):
            partition.append(p.expr())
        p.expect_op(")")
    where = p.expr() if p.accept_kw("WHERE") else None
    if p.accept_kw("USING") and p.name_token().upper() != "GSI":
        raise p.error(p.tokens[p.i - 1])
    with_ = p.expr() if p.accept_kw("WITH") else None
    keys = [key] + include
    inner = A.CreateIndex(name, ref, False, keys, where, with_, if_not_exists, "gsi",
                          [""] * len(keys), partition)
    return CreateVectorIndex(inner, include)


def _parse_drop(p: Any) -> A.Node:
    del p.tokens[p.i + 1]  # DROP VECTOR INDEX is DROP INDEX (dropvectorindex.adoc)
    leading_if = p.is_kw("IF", tok=p.peek(2)) and p.is_kw("EXISTS", tok=p.peek(3))
    if leading_if:  # DROP VECTOR INDEX IF EXISTS path.name (the page's second form)
        del p.tokens[p.i + 2:p.i + 4]
    stmt = p.drop_index()
    stmt.if_exists = stmt.if_exists or leading_if
    return stmt


statement("CREATE", "VECTOR")(_parse_create)
statement("DROP", "VECTOR")(_parse_drop)


def _fail(msg: str) -> N1QLError:
    return N1QLError(E_VECTOR_INDEX, f"Invalid vector index option: {msg}")


def vector_options(options: Any) -> dict:
    """The checked WITH object of a vector index (19301 for a bad one)."""
    if type(options) is not dict:
        raise _fail("the WITH clause must be an object with dimension, similarity and "
                    "description")
    dim = options.get("dimension")
    if type(dim) is float and dim == int(dim):
        dim = int(dim)
    if type(dim) is not int or dim < 1:
        raise _fail("dimension must be a positive integer")
    similarity = options.get("similarity")
    if type(similarity) is not str or similarity.upper() not in SIMILARITIES:
        raise _fail("similarity must be one of " + ", ".join(sorted(SIMILARITIES)))
    description = options.get("description")
    if type(description) is not str:
        raise _fail("description must be a string such as IVF,SQ8 or IVF1024,PQ8x8")
    found = _DESCRIPTION.fullmatch(description.replace(" ", ""))
    if found is None:
        raise _fail(f"description {description} is not IVF[n],SQ<bits> or IVF[n],PQ<m>x<bits>")
    if found.group(3) is not None and dim % int(found.group(3)):
        raise _fail(f"PQ subquantizers {found.group(3)} must divide the dimension {dim}")
    out = dict(options)
    out["dimension"] = dim
    return out


@runner(CreateVectorIndex)
def run(engine: Any, stmt: CreateVectorIndex, ctx: Any) -> tuple:
    inner = stmt.inner
    path = require_keyspace(engine.datastore, inner.ref)
    raw = Compiler(Scope()).compile(inner.with_)({CTX: ctx}) if inner.with_ else None
    options = vector_options(raw)
    check_with_keys(options, VECTOR_WITH)
    if inner.with_ is not None:  # CREATE INDEX checks and applies the GSI part
        inner = copy.copy(inner)
        inner.with_ = A.Literal({k: v for k, v in options.items() if k in GSI_WITH})
    before = engine.catalog.get(path, inner.name)
    engine.create_index(inner, ctx)
    index = engine.catalog.get(path, inner.name)
    if index is None or index is before:
        return [], None, None  # IF NOT EXISTS and there was one
    index.vector = options
    texts = [key_text(k) for k in inner.keys]
    index.row_extra = {"index_key": [texts[0] + " VECTOR"] + texts[1:],
                       "with": {k: options[k] for k in ("dimension", "similarity",
                                                        "description") if k in options}}
    engine.catalog.changed()  # the options are part of the saved definition
    return [], None, None


def vector_index_of(engine: Any, path: tuple, field_text: str) -> Optional[Any]:
    """The online vector index of ``path`` whose key is ``field_text``, if any."""
    for ix in engine.catalog.of(path):
        if getattr(ix, "vector", None) is not None and ix.online and \
                ix.key_texts[0] == field_text:
            return ix
    return None
