"""CREATE [OR REPLACE] FUNCTION, DROP FUNCTION, EXECUTE FUNCTION.

Syntax (createfunction.adoc, dropfunction.adoc, execfunction.adoc)::

    CREATE [OR REPLACE] FUNCTION name '(' [param, ... | '...'] ')' [IF NOT EXISTS]
        ( '{' expr '}' | LANGUAGE INLINE AS expr
        | LANGUAGE JAVASCRIPT AS "object" AT "library" | LANGUAGE JAVASCRIPT AS "code" )
    DROP FUNCTION name [IF EXISTS]
    EXECUTE FUNCTION name '(' [expr, ...] ')'

``name`` is ``fn``, ``namespace:fn`` or ``[namespace:]bucket.scope.fn``. It is
held as a :class:`~..ast.KeyspaceRef`, so the query service's query_context
makes a one-word name a function of the context's scope, as it does for
collection names. The functions live in :mod:`.udf`.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import ast as A
from ..errors import N1QLError
from ..evaluator import CTX, Compiler, Scope
from ..lexer import STRING
from . import runner, statement
from .udf import UDF, Key, registry_of


class CreateFunction(A.Node):
    __slots__ = ("ref", "params", "body", "language", "js_object", "js_library", "replace",
                 "if_not_exists", "text")

    def __init__(self, ref: A.KeyspaceRef, params: Optional[list], body: Optional[A.Node],
                 language: str, js_object: str, js_library: str, replace: bool,
                 if_not_exists: bool, text: str) -> None:
        self.ref = ref
        self.params = params
        self.body = body
        self.language = language
        self.js_object = js_object
        self.js_library = js_library
        self.replace = replace
        self.if_not_exists = if_not_exists
        self.text = text


class DropFunction(A.Node):
    __slots__ = ("ref", "if_exists")

    def __init__(self, ref: A.KeyspaceRef, if_exists: bool) -> None:
        self.ref = ref
        self.if_exists = if_exists


class ExecuteFunction(A.Node):
    __slots__ = ("ref", "args")

    def __init__(self, ref: A.KeyspaceRef, args: list) -> None:
        self.ref = ref
        self.args = args


# -- parsing ----------------------------------------------------------------------


def function_name(p: Any) -> A.KeyspaceRef:
    """``[namespace:]fn`` or ``[namespace:]bucket.scope.fn`` (any word is a name)."""
    return p.object_path((1, 3), p.any_name)


def key_of(ref: A.KeyspaceRef) -> Key:
    if ref.namespace != "default":
        raise N1QLError(10100, f"Invalid function namespace {ref.namespace}: "
                               "only default has functions")
    if ref.scope is None or ref.collection is None:
        return (None, None, ref.bucket)
    return (ref.bucket, ref.scope, ref.collection)


def _params(p: Any) -> Optional[list]:
    p.expect_op("(")
    if p.accept_op(")"):
        return []
    if p.is_op("."):
        for _ in range(3):
            p.expect_op(".")
        p.expect_op(")")
        return None
    names = [p.ident()]
    while p.accept_op(","):
        names.append(p.ident())
    p.expect_op(")")
    if len(set(names)) != len(names):
        raise N1QLError(3000, "Duplicate parameter names in function definition")
    return names


def _string(p: Any) -> str:
    t = p.tok
    if t.kind != STRING:
        raise p.error()
    p.i += 1
    return str(t.value)


@statement("CREATE", "FUNCTION")
@statement("CREATE", "OR")
def parse_create(p: Any) -> CreateFunction:
    start = p.tok.offset
    p.expect_kw("CREATE")
    replace = False
    if p.accept_kw("OR"):
        if not p.is_kw("REPLACE"):
            raise p.error()
        p.i += 1
        replace = True
    if not p.is_kw("FUNCTION"):
        raise p.error()
    p.i += 1
    ref = function_name(p)
    params = _params(p)
    if_not_exists = False
    if p.is_kw("IF"):
        p.i += 1
        p.expect_kw("NOT")
        p.expect_kw("EXISTS")
        if_not_exists = True
    if replace and if_not_exists:
        raise N1QLError(3000, "syntax error - OR REPLACE and IF NOT EXISTS are exclusive")
    body: Optional[A.Node] = None
    language, js_object, js_library = "inline", "", ""
    if p.accept_op("{"):
        body = p.expr()
        p.expect_op("}")
    else:
        if not p.is_kw("LANGUAGE"):
            raise p.error()
        p.i += 1
        if p.is_kw("INLINE"):
            p.i += 1
            p.expect_kw("AS")
            body = p.expr()
        elif p.is_kw("JAVASCRIPT"):
            p.i += 1
            language = "javascript"
            p.expect_kw("AS")
            js_object = _string(p)
            if p.is_kw("AT"):
                p.i += 1
                js_library = _string(p)
        else:
            raise p.error()
    text = p.text[start:p.tok.offset].strip().rstrip(";").strip()
    return CreateFunction(ref, params, body, language, js_object, js_library, replace,
                          if_not_exists, text)


@statement("DROP", "FUNCTION")
def parse_drop(p: Any) -> DropFunction:
    p.expect_kw("DROP")
    p.i += 1  # FUNCTION
    ref = function_name(p)
    if_exists = False
    if p.is_kw("IF"):
        p.i += 1
        p.expect_kw("EXISTS")
        if_exists = True
    return DropFunction(ref, if_exists)


@statement("EXECUTE", "FUNCTION")
def parse_execute(p: Any) -> ExecuteFunction:
    p.expect_kw("EXECUTE")
    p.i += 1  # FUNCTION
    ref = function_name(p)
    p.expect_op("(")
    args = []
    if not p.is_op(")"):
        args.append(p.expr())
        while p.accept_op(","):
            args.append(p.expr())
    p.expect_op(")")
    return ExecuteFunction(ref, args)


# -- running --------------------------------------------------------------------------


def _scoped_body(body: A.Node, bucket: str, scope: str) -> None:
    """One-word keyspaces in the body's subqueries become collections of the
    function's scope."""
    stack: list = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, A.KeyspaceRef):
            if n.namespace != "system" and n.scope is None:
                n.bucket, n.scope, n.collection = bucket, scope, n.bucket
        elif isinstance(n, A.Subquery):
            stack.append(n.query)
        if isinstance(n, A.Node):
            stack.extend(n.children())


def _check_scope(engine: Any, key: Key) -> None:
    bucket, scope, _name = key
    if bucket is None:
        return
    scopes = getattr(engine.datastore, "scopes", None)
    if scopes is None:
        known = {s for b, s, _c in engine.datastore.keyspaces() if b == bucket}
    else:
        try:
            known = set(scopes(bucket))
        except KeyError:
            known = set()
    if scope not in known:
        raise N1QLError(12021, f"Scope not found in CB datastore default:{bucket}.{scope}")


@runner(CreateFunction)
def run_create(engine: Any, stmt: CreateFunction, ctx: Any) -> tuple:
    key = key_of(stmt.ref)
    _check_scope(engine, key)
    body = stmt.body
    if body is not None and key[0] is not None:
        _scoped_body(body, key[0], key[1])
    udf = UDF(key, stmt.params, body, stmt.language, stmt.js_object, stmt.js_library,
              stmt.text)
    registry = registry_of(engine)
    before = registry.functions.get(key)
    if not registry.add(udf, stmt.replace, stmt.if_not_exists):
        return [], None, None
    if body is not None:
        try:  # unknown functions and misplaced aggregates fail now (it may call itself)
            udf.compiled()
        except N1QLError:
            registry.restore(key, before)
            raise
    return [], None, None


@runner(DropFunction)
def run_drop(engine: Any, stmt: DropFunction, ctx: Any) -> tuple:
    registry_of(engine).drop(key_of(stmt.ref), stmt.if_exists)
    return [], None, None


@runner(ExecuteFunction)
def run_execute(engine: Any, stmt: ExecuteFunction, ctx: Any) -> tuple:
    udf = registry_of(engine).get(key_of(stmt.ref))
    compiler = Compiler(Scope())
    env = {CTX: ctx}
    args = [compiler.compile(a)(env) for a in stmt.args]
    return [udf.invoke(ctx, args)], None, None
