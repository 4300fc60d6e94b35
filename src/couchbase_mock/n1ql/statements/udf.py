"""User-defined functions: the registry of one engine, and calling them.

A function is global (``default:fn``) or scoped (``default:bucket.scope.fn``);
:class:`Registry` keeps both kinds for one :class:`~..engine.QueryEngine`
(:func:`registry_of`). An inline function's body is a N1QL expression over its
named parameters, or over the array ``args`` when it is variadic (``...``);
keyspaces named by one word in a scoped function's subqueries are collections
of its scope (createfunction.adoc, "Global Functions and Scoped Functions").

Calls: ``EXECUTE FUNCTION f(...)`` (:mod:`.functions`), and ``f(...)`` or
``bucket.scope.f(...)`` inside any expression: the compiler asks
:func:`compile_call` about a name that is no built-in function, and the parser
hands ``bucket.scope.f(`` to :func:`parse_qualified_call`. Names are matched as
written when qualified; an unqualified call (the parser upper-cases those)
matches a function whose name is the same ignoring case.

Limits: a call with the wrong number of arguments fails with 10104; a
function calling functions more than :data:`MAX_DEPTH` deep fails with 10112
(a recursive function without a way out stops there, not in Python's stack).

Which function an unqualified ``f(...)`` names is decided when the statement
is compiled, from the request's engine and query_context (:func:`compiling`,
which :meth:`~..engine.QueryEngine.query` enters): a function of the context's
scope first, else a global one. Each engine sees only its own functions.

JavaScript functions (``LANGUAGE JAVASCRIPT AS "fn" AT "library"``, or the
code itself) run in :mod:`.js_udf`.
"""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Optional

from .. import ast as A
from .. import system
from ..errors import N1QLError
from ..evaluator import CTX, Compiler, Fn, Scope
from ..values import MISSING

MAX_DEPTH = 32
"""How deep user-defined functions may call one another."""

Key = tuple  # (bucket or None, scope or None, name)

E_FUNCTION_NOT_FOUND = 10101
E_FUNCTION_EXISTS = 10102
E_ARGUMENT_COUNT = 10104
E_FUNCTION_LANGUAGE = 10109
E_FUNCTION_DEPTH = 10112


class UDF:
    """One function: ``params`` (``None`` when variadic), and either ``body``
    (inline) or ``js_object``/``js_library`` (JavaScript)."""

    def __init__(self, key: Key, params: Optional[list], body: Optional[A.Node],
                 language: str = "inline", js_object: str = "", js_library: str = "",
                 text: str = "") -> None:
        self.key = key
        self.params = params
        self.body = body
        self.language = language
        self.js_object = js_object
        self.js_library = js_library
        self.text = text
        self.registry: Optional[Registry] = None
        """The registry holding the function (set by :meth:`Registry.add`)."""
        self._compiled: Optional[Fn] = None

    @property
    def name(self) -> str:
        return self.key[2]

    def path(self) -> str:
        bucket, scope, name = self.key
        return f"default:{bucket}.{scope}.{name}" if bucket else f"default:{name}"

    def compiled(self) -> Fn:
        if self._compiled is None:
            names = ["args"] if self.params is None else list(self.params)
            assert self.body is not None
            # unqualified calls in the body: functions of the function's own scope
            with compiling(self.registry, self.key[0], self.key[1]):
                self._compiled = Compiler(Scope(set(names))).compile(self.body)
        return self._compiled

    def invoke(self, ctx: Any, args: list) -> Any:
        if self.params is not None and len(args) != len(self.params):
            raise N1QLError(E_ARGUMENT_COUNT, "Incorrect number of arguments supplied to "
                                              f"function {self.name} - cause: {self.name}")
        depth = getattr(ctx, "udf_depth", 0)
        if depth >= MAX_DEPTH:
            raise N1QLError(E_FUNCTION_DEPTH, f"Error executing function {self.name}: "
                            f"user-defined functions nested more than {MAX_DEPTH} deep")
        ctx.cancel.check()  # each call: a recursion fanning out still meets the deadline
        env: dict = {CTX: ctx}
        if self.params is None:
            env["args"] = [None if a is MISSING else a for a in args]
        else:
            env.update(zip(self.params, args))
        ctx.udf_depth = depth + 1
        try:
            if self.language != "inline":
                from .js_udf import call_javascript

                return call_javascript(self, ctx, args)
            return self.compiled()(env)
        finally:
            ctx.udf_depth = depth

    def system_row(self) -> dict:
        """The function as ``system:functions`` lists it."""
        bucket, scope, name = self.key
        identity: dict[str, Any] = {"name": name, "namespace": "default"}
        if bucket:
            identity.update({"bucket": bucket, "scope": scope, "type": "scope"})
        else:
            identity["type"] = "global"
        definition: dict[str, Any] = {
            "#language": self.language,
            "parameters": ["..."] if self.params is None else list(self.params),
        }
        if self.language == "inline":
            definition["expression"] = A.to_n1ql(self.body) if self.body is not None else ""
            definition["text"] = self.text
        else:
            definition["library"] = self.js_library
            definition["object"] = self.js_object
        return {"definition": definition, "identity": identity}


class Registry:
    """The user-defined functions of one engine."""

    def __init__(self) -> None:
        self.functions: dict[Key, UDF] = {}
        self.lock = threading.Lock()
        self.libraries: dict[tuple, str] = {}
        """JavaScript libraries: ``(bucket or None, scope or None, name)`` -> code
        (:mod:`couchbase_mock.js_libraries_rest`)."""
        self.on_change: Optional[Callable[[], None]] = None
        """Told after a function or library changes, outside :attr:`lock` (the
        local cluster saves them: :mod:`couchbase_mock.query_catalog_store`)."""

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def add(self, udf: UDF, replace: bool, if_not_exists: bool) -> bool:
        """Whether ``udf`` was added (``False``: it exists and ``if_not_exists``)."""
        with self.lock:
            if udf.key in self.functions and not replace:
                if if_not_exists:
                    return False
                raise N1QLError(E_FUNCTION_EXISTS,
                                f"Function {udf.path()} already exists")
            self.functions[udf.key] = udf
            udf.registry = self
        self.changed()
        return True

    def restore(self, key: Key, before: Optional[UDF]) -> None:
        """Undo :meth:`add`: ``before`` back in place (or none)."""
        with self.lock:
            if before is None:
                self.functions.pop(key, None)
            else:
                self.functions[key] = before
        self.changed()

    def drop(self, key: Key, if_exists: bool) -> None:
        with self.lock:
            if self.functions.pop(key, None) is None:
                if if_exists:
                    return
                raise not_found(key)
        self.changed()

    def find(self, key: Key) -> Optional[UDF]:
        udf = self.functions.get(key)
        if udf is not None or key[0] is not None:
            return udf
        found = self.folded(None, None, key[2])
        return None if found is None else self.functions.get(found)

    def folded(self, bucket: Optional[str], scope: Optional[str], name: str) -> Optional[Key]:
        """The key of the function of that scope (``None``: global) whose name is
        ``name`` ignoring case (the first in order if several), or ``None``."""
        folded = name.upper()
        matches = [k for k in list(self.functions)
                   if k[0] == bucket and k[1] == scope and k[2].upper() == folded]
        return min(matches, key=lambda k: k[2]) if matches else None

    def get(self, key: Key) -> UDF:
        udf = self.find(key)
        if udf is None:
            raise not_found(key)
        return udf


def not_found(key: Key) -> N1QLError:
    bucket, scope, name = key
    path = f"default:{bucket}.{scope}.{name}" if bucket else f"default:{name}"
    return N1QLError(E_FUNCTION_NOT_FOUND, f"Function not found {path}")


def registry_of(engine: Any) -> Registry:
    """The engine's registry, made on first use."""
    reg = getattr(engine, "udf_registry", None)
    if reg is None:
        reg = engine.udf_registry = Registry()
    return reg


_COMPILING: ContextVar[Optional[tuple]] = ContextVar("n1ql_udf_compiling", default=None)
"""``(registry, bucket, scope)`` of the statement being compiled on this thread."""


@contextlib.contextmanager
def compiling(registry: Optional[Registry], bucket: Optional[str] = None,
              scope: Optional[str] = None) -> Iterator[None]:
    """Compile within: unqualified calls may name ``registry``'s functions, those
    of ``bucket.scope`` first (a query_context, or a scoped function's own scope)."""
    token = _COMPILING.set(None if registry is None else (registry, bucket, scope))
    try:
        yield
    finally:
        _COMPILING.reset(token)


def request_scope(engine: Any, query_context: Optional[str]) -> Any:
    """:func:`compiling` for one request of ``engine`` (its query_context's scope)."""
    bucket = scope = None
    if query_context:
        from ..contexts import split_query_context

        try:
            parts = split_query_context(query_context)[1]
        except ValueError:
            parts = []
        if len(parts) == 2:
            bucket, scope = parts
    return compiling(registry_of(engine), bucket, scope)


def call_fn(key: Key, args: list) -> Fn:
    """``fn(env)`` calling the function ``key`` of the request's engine."""

    def call(env: dict) -> Any:
        ctx = env[CTX]
        udf = registry_of(ctx.executor).get(key)
        return udf.invoke(ctx, [a(env) for a in args])

    return call


def compile_call(compiler: Compiler, node: A.Call) -> Optional[Fn]:
    """A call by a name no built-in has: the function of the compiling scope
    (:func:`compiling`) or else the global one of that name; ``None`` if the
    request's engine has neither (the caller reports the name unknown)."""
    current = _COMPILING.get()
    if current is None:
        return None
    registry, bucket, scope = current
    key = registry.folded(bucket, scope, node.name) if bucket is not None else None
    if key is None:
        if registry.folded(None, None, node.name) is None:
            return None
        key = (None, None, node.name)
    return call_fn(key, [compiler.compile(a) for a in node.args])


class UdfCall(A.Node):
    """``bucket.scope.fn(args)`` in an expression."""

    __slots__ = ("bucket", "scope", "name", "args")

    def __init__(self, bucket: str, scope: str, name: str, args: list) -> None:
        self.bucket = bucket
        self.scope = scope
        self.name = name
        self.args = args


def _c_udf_call(self: Compiler, node: UdfCall) -> Fn:
    return call_fn((node.bucket, node.scope, node.name), [self.compile(a) for a in node.args])


def parse_qualified_call(parser: Any, left: A.Node) -> A.Node:
    """``bucket.scope.fn(`` seen (``left`` the path): the call, or a syntax error."""
    names = []
    node = left
    while isinstance(node, A.Field):
        names.append(node.name)
        node = node.base
    if not isinstance(node, A.Ident) or len(names) != 2:
        raise parser.error()
    names.append(node.name)
    bucket, scope, name = reversed(names)
    parser.expect_op("(")
    args = []
    if not parser.is_op(")"):
        args.append(parser.expr())
        while parser.accept_op(","):
            args.append(parser.expr())
    parser.expect_op(")")
    return UdfCall(bucket, scope, name, args)


@system.keyspace("functions", replace=True)
def _system_functions(engine: Any, ctx: Any) -> list:
    """``system:functions``: global functions, and those of scopes the user may read."""
    may_read = getattr(ctx, "may_read", None) if ctx is not None else None
    return [(udf.path(), udf.system_row())
            for _, udf in sorted(registry_of(engine).functions.items(), key=lambda kv: str(kv[0]))
            if udf.key[0] is None or may_read is None or may_read(udf.key[0])]


Compiler.c_UdfCall = _c_udf_call  # type: ignore[attr-defined]
Compiler.udf_hook = staticmethod(compile_call)
