"""Analytics queries: SQL++ SELECTs run by the N1QL engine over the datasets.

The statement is parsed by the N1QL parser, then every dataset it names is
pointed at the dataset's shadow keyspace (:mod:`.datasets`):

- ``FROM ds``: the dataset ``ds`` of the active dataverse (``USE``, the
  request's ``query_context``, else ``Default``);
- ``FROM dv.ds`` (N1QL reads a path expression there): the dataset ``ds``
  of the dataverse ``dv``, if ``dv`` is one;
- ``FROM a.b.c``: the dataset ``c`` of the dataverse ``a/b`` (a scope's);
- ``Metadata.`Dataverse``` / ``Dataset`` / ``Index`` / ``Link``: the catalog.

Only SELECT runs here: the analytics service has no DML on datasets.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ..n1ql import ast as A
from ..n1ql.cancel import Cancel
from ..n1ql.errors import N1QLError
from ..n1ql.indexes import PrimaryIndex
from ..n1ql.parser import parse
from .datasets import DATASET_SCOPE, METADATA, AnalyticsState
from .errors import AnalyticsError, syntax_error

JSON_FLAGS = 0x02000000
_TIMEOUT = 1080  # the N1QL engine's code for a request past its deadline


def _children(node: Any) -> list[tuple[Any, Any, Any]]:
    """``(holder, slot or list index, child)`` for every node under ``node``."""
    out = []
    for cls in type(node).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            value = getattr(node, slot, None)
            if isinstance(value, A.Node):
                out.append((node, slot, value))
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, A.Node):
                        out.append((value, i, item))
    return out


def _replace(holder: Any, where: Any, new: Any) -> None:
    if isinstance(holder, list):
        holder[where] = new
    elif isinstance(holder, tuple):
        raise AnalyticsError(24000, "unsupported FROM term")
    else:
        setattr(holder, where, new)


def _bound_names(stmt: A.Node) -> set[str]:
    """Every alias and variable a statement binds (its FROM, LET, WITH, UNNEST...)."""
    names: set[str] = set()
    stack: list[Any] = [stmt]
    while stack:
        node = stack.pop()
        for attr in ("alias", "name", "var", "variable"):
            value = getattr(node, attr, None)
            if isinstance(value, str) and not isinstance(node, (A.Ident, A.Field)):
                names.add(value)
        stack.extend(child for _, _, child in _children(node))
    return names


class Resolver:
    """Points a parsed statement's dataset names at the shadow keyspaces."""

    def __init__(self, state: AnalyticsState, dataverse: str) -> None:
        self.state = state
        self.dataverse = dataverse
        self.scanned: list[tuple[str, str]] = []

    def resolve(self, stmt: A.Node) -> None:
        self.bound = _bound_names(stmt)
        stack = [stmt]
        while stack:
            node = stack.pop()
            for holder, where, child in _children(node):
                if isinstance(child, A.ExprTerm):
                    term = self._two_part(child)
                    if term is not None:
                        _replace(holder, where, term)
                        child = term
                if isinstance(child, A.KeyspaceTerm):
                    self._point(child.ref)
                stack.append(child)

    def _two_part(self, term: A.ExprTerm) -> Optional[A.KeyspaceTerm]:
        expr = term.expr
        if not (isinstance(expr, A.Field) and isinstance(expr.base, A.Ident)):
            return None
        if expr.base.name in self.bound and expr.base.name not in self.state.dataverses:
            return None  # a variable's field (FROM ds d, d.items i): not a dataset
        ref = A.KeyspaceRef("default", expr.base.name, None, expr.name)
        return A.KeyspaceTerm(ref, term.alias or expr.name)

    def _point(self, ref: A.KeyspaceRef) -> None:
        if ref.namespace == "system":
            raise AnalyticsError(24045, f"Cannot find analytics collection with name "
                                        f"{ref.collection or ref.bucket}")
        if ref.scope is None and ref.collection is not None:  # dv.ds (from _two_part)
            dataverse, name = ref.bucket, ref.collection
        elif ref.scope is None:
            dataverse, name = self.dataverse, ref.bucket
        else:
            dataverse, name = f"{ref.bucket}/{ref.scope}", str(ref.collection)
        if dataverse == METADATA:
            self._metadata(name)
        else:
            self.state.dataset(dataverse, name)  # (24045 also when the dataverse is unknown)
        self.scanned.append((dataverse, name))
        ref.namespace, ref.bucket, ref.scope, ref.collection = \
            "default", dataverse, DATASET_SCOPE, name

    def _metadata(self, name: str) -> None:
        """Fill the shadow keyspace of ``Metadata.`name``` with the catalog as it is."""
        rows = self.state.metadata_rows(name)
        store, path = self.state.store, (METADATA, DATASET_SCOPE, name)
        if path not in store.keyspaces():
            store.create_collection(*path)
            index = PrimaryIndex("#primary", path)
            index.build([])
            self.state.engine.catalog.add(index)
        for rec in list(store.scan(path)):
            store.remove(path, rec.key)
        for i, row in enumerate(rows):
            store.upsert(path, f"{i:08d}", json.dumps(row).encode(), JSON_FLAGS, 0)


def run_query(state: AnalyticsState, text: str, dataverse: str, positional: Optional[list],
              named: Optional[dict], cancel: Cancel) -> tuple[list[Any], int]:
    """The rows of one SELECT, and how many dataset records it could read."""
    try:
        stmt = parse(text, cancel)
    except N1QLError as exc:
        raise syntax_error(exc.msg) from None
    if not isinstance(stmt, A.Select):
        raise AnalyticsError(24000, f"Syntax error: {text.split()[0] if text.split() else ''}"
                                    " statements are not supported by the analytics service")
    resolver = Resolver(state, dataverse)
    resolver.resolve(stmt)
    try:
        result = state.engine.query(text, positional, named, cancel=cancel, parsed=stmt)
    except N1QLError as exc:
        if exc.code == _TIMEOUT:
            raise AnalyticsError(21002, "Request timed out and will be cancelled",
                                 500) from None
        raise AnalyticsError(24000 if exc.code in (3000, 3010) else 24001,
                             exc.msg) from None
    processed = sum(len(list(state.store.scan((dv, DATASET_SCOPE, name))))
                    for dv, name in resolver.scanned)
    return result.results, processed


__all__ = ["Resolver", "run_query"]
