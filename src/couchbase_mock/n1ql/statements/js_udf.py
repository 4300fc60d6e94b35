"""JavaScript user-defined functions: running them in the views' V8 worker.

A JavaScript function is either *external* (``LANGUAGE JAVASCRIPT AS "fn" AT
"library"``: ``fn`` of a library stored through the query service's
``/evaluator/v1/libraries`` API, :mod:`couchbase_mock.js_libraries_rest`) or
*managed* (``LANGUAGE JAVASCRIPT AS "code"``: the code holds a function of
the N1QL function's own name; createfunction.adoc, "External Functions" and
"SQL++ Managed User-Defined Functions"). A library named ``bucket/scope/name``
is a scoped library; a plain name a global one.

The JavaScript runs where the map functions of views run
(:mod:`couchbase_mock.views.jsengine`, the ``views`` extra, mini-racer): a
worker process, so V8 running out of memory cannot take the cluster down.
One V8 context per library (made again when the library's code changes),
arguments and result as JSON. The worker belongs to an event loop: this
module keeps one loop on a thread of its own for every engine of the process
(query requests run on worker threads and wait for the call's reply).

Limits and errors (10109, "Error executing function «name» : «reason»"):
a function that throws, an object that is not a function, a library that
does not exist; a call running past :data:`CALL_TIMEOUT` seconds or the
request's own timeout (then the request fails as timed out, 1080) is
stopped. Without the ``views`` extra a call fails with 10109 saying which
package to install. ``N1QL()`` and embedded statements inside JavaScript
are not supported (the function sees no database).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import threading
from typing import Any, Optional

from ...views import jsengine
from ..errors import N1QLError
from ..values import MISSING

CALL_TIMEOUT = 10.0
"""Seconds one call of a JavaScript function may run (tests lower it)."""

E_FUNCTION_EXECUTION = 10109
_POLL = 0.05


def _failed(name: str, reason: str) -> N1QLError:
    return N1QLError(E_FUNCTION_EXECUTION, f"Error executing function {name} : {reason}")


class _Library(jsengine.Runtime):
    """One library's code in a V8 context of the worker."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self._sources["library"] = code

    async def call(self, name: str, args_json: str, timeout: float) -> str:
        _reply, out = await self._call("udf", args_json.encode(), object=name,
                                       timeout=timeout)
        return out.decode()


class _LoopThread:
    """The event loop the worker of JavaScript functions belongs to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="n1ql-js-udf",
                                          daemon=True)
                thread.start()
                self._loop = loop
            return self._loop


_LOOP = _LoopThread()
_RUNTIMES_LOCK = threading.Lock()


def _runtime(registry: Any, key: tuple, code: str) -> _Library:
    """The context for ``code`` under ``key`` (a library, or a managed function),
    made again when the code changed."""
    with _RUNTIMES_LOCK:
        runtimes = getattr(registry, "js_runtimes", None)
        if runtimes is None:
            runtimes = registry.js_runtimes = {}
        runtime: Optional[_Library] = runtimes.get(key)
        if runtime is not None and runtime.code == code:
            return runtime
        fresh = runtimes[key] = _Library(code)
    if runtime is not None:
        _LOOP.loop().call_soon_threadsafe(runtime.close)
    return fresh


def library_key(udf: Any) -> tuple:
    """``(bucket, scope, name)`` of an external function's library (``None``
    bucket and scope: a global library)."""
    parts = udf.js_library.split("/")
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    return (None, None, udf.js_library)


def _code_of(udf: Any) -> tuple[tuple, str, str]:
    """``(runtime key, code, function name)`` of the function to call."""
    registry = udf.registry
    if not udf.js_library:  # managed: the code holds a function of the UDF's name
        return ("\x00managed",) + tuple(udf.key), udf.js_object, udf.name
    key = library_key(udf)
    code = registry.libraries.get(key) if registry is not None else None
    if code is None:
        raise _failed(udf.name, f"library {udf.js_library} not found")
    return ("\x00library",) + key, code, udf.js_object


def _json_args(name: str, args: list) -> str:
    try:
        return json.dumps([None if a is MISSING else a for a in args], allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _failed(name, f"an argument is not JSON: {exc}") from None


def call_javascript(udf: Any, ctx: Any, args: list) -> Any:
    """Run the JavaScript function ``udf`` on ``args`` for the request ``ctx``."""
    runtime_key, code, obj = _code_of(udf)  # (a missing library first: no engine needed)
    if not jsengine.available():
        raise _failed(udf.name, "JavaScript functions need a JavaScript engine: "
                                "pip install 'couchbase-pure[views]' (mini-racer)")
    runtime = _runtime(udf.registry, runtime_key, code)
    cancel = getattr(ctx, "cancel", None)
    remaining = cancel.remaining() if cancel is not None else None
    limit = CALL_TIMEOUT if remaining is None else max(0.001, min(CALL_TIMEOUT, remaining))
    future = asyncio.run_coroutine_threadsafe(
        runtime.call(obj, _json_args(udf.name, args), limit), _LOOP.loop())
    try:
        while True:
            try:
                text = future.result(_POLL)
                break
            except concurrent.futures.TimeoutError:
                if cancel is not None:
                    try:
                        cancel.check()
                    except BaseException:
                        future.cancel()
                        raise
    except jsengine.JSTimeoutError:
        if cancel is not None:
            cancel.check()  # the request's own time is up: it fails as timed out
        raise _failed(udf.name, f"the JavaScript ran for more than {limit:g} s") from None
    except jsengine.JSError as exc:  # V8's "undefined:1: Error: ..." without the place
        raise _failed(udf.name, re.sub(r"^\S*:\d+: ", "", str(exc))) from None
    return MISSING if text == "" else json.loads(text)
