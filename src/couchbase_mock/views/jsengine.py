"""Running the JavaScript of design documents, in V8 through ``mini-racer``.

``mini-racer`` (the ``views`` extra) embeds V8 over ctypes: one wheel for
every CPython and PyPy from 3.10, no compiler, and V8's JIT makes map
functions cheap. The cost that matters is crossing between Python and
JavaScript, so documents go in batches: Python sends one JSON text holding
a few thousand ``[doc, meta]`` pairs, the engine runs every map function of
the design document on each and sends back one JSON text of the emitted
rows. Reduces work the same way, one call for all the groups of a query.

The environment map functions see is the one of Couchbase views: ``emit``,
``sum``, ``log``, ``isArray``, ``toJSON``, ``dateToArray``,
``decodeBase64``. A map function that throws for a document skips that
document in that view (the error is counted, as the server logs it).
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

MiniRacer: Any
try:  # the optional ``views`` extra
    from py_mini_racer import MiniRacer
except ImportError:  # pragma: no cover - depends on the environment
    MiniRacer = None

CALL_TIMEOUT = 60.0
"""Seconds one batch may run before the engine stops it (endless loops)."""

# JavaScript runs on this thread: the mock's event loop goes on meanwhile, and
# the engine applies its timeout only to calls made outside an event loop.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="couchbase-mock-js")

_RUNTIME = r"""
var __maps = [], __reduces = {}, __out = null;
function emit(key, value) {
  __out.push([key === undefined ? null : key, value === undefined ? null : value]);
}
function sum(values) {
  var total = 0;
  for (var i = 0; i < values.length; i++) { total += values[i]; }
  return total;
}
function log(message) {}
function isArray(value) { return Array.isArray(value); }
function toJSON(value) { return JSON.stringify(value); }
function dateToArray(date) {
  var d = (date instanceof Date) ? date : new Date(date);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(),
          d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
}
var __B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function decodeBase64(text) {
  var out = [], bits = 0, count = 0;
  for (var i = 0; i < text.length; i++) {
    var c = __B64.indexOf(text.charAt(i));
    if (c < 0) { continue; }
    bits = (bits << 6) | c; count += 6;
    if (count >= 8) { count -= 8; out.push(String.fromCharCode((bits >> count) & 0xff)); }
  }
  return out.join("");
}
function __compile(src) {
  var fn = (0, eval)("(" + src + ")");
  if (typeof fn !== "function") { throw new TypeError("not a function"); }
  return fn;
}
function __check(src) {
  try { __compile(src); return ""; } catch (e) { return String(e); }
}
function __setMaps(sources) {
  __maps = [];
  for (var i = 0; i < sources.length; i++) { __maps.push(__compile(sources[i])); }
  return __maps.length;
}
function __setReduce(name, src) { __reduces[name] = __compile(src); return 1; }
function __utf8Base64(text) {
  var bytes, out = [];
  try { bytes = unescape(encodeURIComponent(text)); } catch (e) { return ""; }
  for (var i = 0; i < bytes.length; i += 3) {
    var b1 = i + 1 < bytes.length ? bytes.charCodeAt(i + 1) : 0;
    var b2 = i + 2 < bytes.length ? bytes.charCodeAt(i + 2) : 0;
    var n = (bytes.charCodeAt(i) << 16) | (b1 << 8) | b2;
    out.push(__B64.charAt((n >> 18) & 63), __B64.charAt((n >> 12) & 63),
             i + 1 < bytes.length ? __B64.charAt((n >> 6) & 63) : "=",
             i + 2 < bytes.length ? __B64.charAt(n & 63) : "=");
  }
  return out.join("");
}
function __mapBatch(text) {
  var items = JSON.parse(text), result = new Array(items.length);
  for (var i = 0; i < items.length; i++) {
    var doc = items[i][0], meta = items[i][1];
    if (meta.type === "json") {
      try { doc = JSON.parse(doc); } catch (e) { doc = __utf8Base64(doc); meta.type = "base64"; }
    }
    var perView = new Array(__maps.length);
    for (var v = 0; v < __maps.length; v++) {
      __out = [];
      try {
        __maps[v](doc, meta);
        var rows = __out;
        for (var r = 0; r < rows.length; r++) {
          var kj = JSON.stringify(rows[r][0]), vj = JSON.stringify(rows[r][1]);
          rows[r] = [rows[r][0], rows[r][1], kj === undefined ? "null" : kj,
                     vj === undefined ? "null" : vj];
        }
        perView[v] = rows;
      } catch (e) {
        perView[v] = String(e);
      }
    }
    result[i] = perView;
  }
  __out = null;
  return JSON.stringify(result);
}
function __reduceBatch(name, text, chunk) {
  var fn = __reduces[name], groups = JSON.parse(text), result = new Array(groups.length);
  for (var g = 0; g < groups.length; g++) {
    var rows = groups[g], partial = [];
    for (var i = 0; i < rows.length; i += chunk) {
      var keys = [], values = [];
      for (var j = i; j < rows.length && j < i + chunk; j++) {
        keys.push([rows[j][0], rows[j][1]]);
        values.push(rows[j][2]);
      }
      partial.push(fn(keys, values, false));
    }
    while (partial.length > 1) {
      var next = [];
      for (var k = 0; k < partial.length; k += chunk) {
        next.push(fn(null, partial.slice(k, k + chunk), true));
      }
      partial = next;
    }
    var value = partial.length ? partial[0] : null;
    result[g] = value === undefined ? null : value;
  }
  return JSON.stringify(result);
}
"""


class JSError(Exception):
    """A JavaScript error (syntax, exception, timeout), with the engine's text."""


def available() -> bool:
    """Whether the JavaScript engine is installed."""
    return MiniRacer is not None


def _require() -> Any:
    if MiniRacer is None:
        raise JSError(
            "views need a JavaScript engine: pip install 'couchbase-pure[views]' (mini-racer)"
        )
    return MiniRacer


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():
        if "Error" in line and ":" in line:
            return line.strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Runtime:
    """One V8 context with the views environment loaded."""

    def __init__(self) -> None:
        self._ctx = _EXECUTOR.submit(self._create).result()

    @staticmethod
    def _create() -> Any:
        ctx = _require()()
        ctx.eval(_RUNTIME)
        return ctx

    def _run(self, name: str, *args: Any) -> Any:
        try:
            return self._ctx.call(name, *args, timeout_sec=CALL_TIMEOUT)
        except Exception as exc:  # the engine's errors have no public base class
            raise JSError(_first_line(exc)) from None

    def _call(self, name: str, *args: Any) -> Any:
        """Call a function and wait (blocking the caller)."""
        return _EXECUTOR.submit(self._run, name, *args).result()

    async def _acall(self, name: str, *args: Any) -> Any:
        """Call a function without blocking the event loop."""
        return await asyncio.wrap_future(_EXECUTOR.submit(self._run, name, *args))

    def check(self, source: str) -> Optional[str]:
        """``None`` if ``source`` is a function expression, else the error."""
        if not isinstance(source, str):
            return "not a string"
        error = self._call("__check", source)
        return error or None

    def close(self) -> None:
        close = getattr(self._ctx, "close", None)
        if close is not None:
            _EXECUTOR.submit(close)


class MapRunner(Runtime):
    """The map functions of one design document (and its custom reduces)."""

    def __init__(self, maps: list[str], reduces: dict[str, str]) -> None:
        super().__init__()
        self._call("__setMaps", maps)
        for name, source in reduces.items():
            self._call("__setReduce", name, source)

    async def map_batch(self, items_json: str) -> str:
        """Run every map on each ``[doc, meta]`` of a JSON array.

        ``doc`` is the document's text; when ``meta.type`` is ``"json"`` the
        engine parses it, and if it is not JSON passes it in base64 with
        type ``"base64"`` (a value that is not UTF-8 comes in base64 already).
        Returns JSON: one entry per document, one per view in it: the emitted rows as
        ``[key, value, key as JSON, value as JSON]``, or a string, the error
        the map function threw.
        """
        return await self._acall("__mapBatch", items_json)

    async def reduce_batch(self, view: str, groups_json: str, chunk: int) -> list[Any]:
        """Reduce each group of ``[key, docid, value]`` rows: the function runs
        on chunks of ``chunk`` rows, then re-reduces the partial results."""
        return json.loads(
            await self._acall("__reduceBatch", view, groups_json, chunk)
        )


_checker: Optional[Runtime] = None
_checker_lock = threading.Lock()


def check_function(source: Any) -> Optional[str]:
    """Compile ``source`` alone: ``None`` if it is a JavaScript function."""
    global _checker
    with _checker_lock:
        if _checker is None:
            _checker = Runtime()
        return _checker.check(source)
