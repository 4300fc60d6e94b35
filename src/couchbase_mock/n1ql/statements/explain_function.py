"""EXPLAIN FUNCTION: the plans of the statements inside a user-defined function.

Syntax (explainfunction.adoc)::

    EXPLAIN FUNCTION [namespace:[bucket.scope.]]name

For an inline function the result is one object: ``function`` (its path,
``default:bucket.scope.name`` or ``default:name``) and ``plans``, one per
subquery of the body (``plan``, the EXPLAIN plan, and ``statement``, its text),
as the page's inline example shows. Nested calls of other functions are not
followed ("Purpose"). A JavaScript function's body is not kept here (the
local cluster runs no JavaScript in the query service), so its entry has no
plans and no line numbers. A one-word name is one of the query_context's scope;
an unknown function fails with 10101.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import ast as A
from . import runner, statement
from .functions import _scoped_body, function_name, key_of
from .udf import registry_of


class ExplainFunction(A.Node):
    __slots__ = ("ref",)

    def __init__(self, ref: A.KeyspaceRef) -> None:
        self.ref = ref


@statement("EXPLAIN", "FUNCTION")
def _parse(p: Any) -> ExplainFunction:
    p.expect_kw("EXPLAIN")
    p.expect_kw("FUNCTION")
    return ExplainFunction(function_name(p))


def _subqueries(node: Any) -> list:
    """The body's subqueries, outermost first, in the order they are written."""
    found: list = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Subquery):
            found.append(n)
            continue  # its own subqueries are part of its plan
        if isinstance(n, A.Node):
            stack.extend(reversed(n.children()))
    return found


@runner(ExplainFunction)
def run(engine: Any, stmt: ExplainFunction, ctx: Any) -> tuple:
    udf = registry_of(engine).get(key_of(stmt.ref))
    entry: dict[str, Any] = {"function": udf.path()}
    if udf.body is None:  # JavaScript: no embedded statements are kept
        entry["line_numbers"] = []
        entry["plans"] = []
        return [entry], None, None
    plans = []
    bucket, scope, _name = udf.key
    for sub in _subqueries(udf.body):
        query = copy.deepcopy(sub.query)
        if bucket is not None:  # one-word keyspaces are collections of the function's scope
            _scoped_body(query, bucket, scope)
        plans.append({"plan": engine.explain(query), "statement": A.to_n1ql(sub)})
    entry["plans"] = plans
    return [entry], None, None
