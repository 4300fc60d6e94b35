"""The child process that runs the JavaScript of views (see :mod:`.jsengine`).

Run as ``python .../jsworker.py`` (by path: the worker needs nothing of
``couchbase_mock`` and starts without importing it). It speaks frames over
its stdin and stdout: ``!II`` (header length, payload length), a JSON header,
then the payload as it is (a batch of documents, emitted rows: JSON text
that is never escaped again). Every request carries ``seq``, echoed in its
reply; replies come back in the order calls finish.

Requests (header ``op``):

- ``map`` ``{id, maps, reduces, timeout, memory, output}``, payload the
  batch: reply payload the rows (see :meth:`.jsengine.MapRunner.map_batch`);
- ``reduce`` ``{id, maps, reduces, view, chunk, timeout, memory}``, payload
  the groups: reply payload the reduced values as a JSON array;
- ``check`` ``{sources, timeout, memory}``: reply ``{errors}``, one entry
  (``""``: a function) per source;
- ``udf`` ``{id, library, object, timeout, memory}``, payload the arguments
  as a JSON array: the context runs ``library`` (JavaScript code defining
  functions) once, then each call runs ``object(...arguments)``; reply
  payload the result as JSON, empty when it is ``undefined`` (N1QL
  user-defined functions, see ``couchbase_mock.n1ql.statements.js_udf``);
- ``drop`` ``{id}``: forget a context (no reply).

A context is made on first use from the sources the request carries, so a
worker started again needs no set-up. A reply is ``{seq}`` with its payload
or ``{seq, error, kind}``; ``kind`` is ``timeout`` (the call ran past its
``timeout``), ``memory`` (V8's heap passed ``memory`` bytes, or a map batch
emitted more than ``output`` characters of JSON) or ``js`` (an error of the
code itself). After a timeout or a memory error the context is thrown away
and made again on its next use.

Each call runs on a thread of its own, so one design document's endless
loop delays neither the others' calls nor checks; calls on one context take
turns. The worker exits when its stdin closes: its parent is gone.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
import threading
import time
from typing import Any, BinaryIO, Callable, Optional

FRAME = struct.Struct("!II")
"""Frame prefix: header length, payload length."""

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
function __check(sources) {
  var list = JSON.parse(sources), errors = [];
  for (var i = 0; i < list.length; i++) {
    try { __compile(list[i]); errors.push(""); } catch (e) { errors.push(String(e)); }
  }
  return JSON.stringify(errors);
}
function __define(maps, reduces) {
  var m = JSON.parse(maps), r = JSON.parse(reduces);
  __maps = [];
  for (var i = 0; i < m.length; i++) { __maps.push(__compile(m[i])); }
  for (var name in r) { __reduces[name] = __compile(r[name]); }
  return __maps.length;
}
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
function __mapBatch(text, limit) {
  var items = JSON.parse(text), result = new Array(items.length), size = 0;
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
          kj = kj === undefined ? "null" : kj;
          vj = vj === undefined ? "null" : vj;
          size += kj.length + vj.length;
          rows[r] = [rows[r][0], rows[r][1], kj, vj];
        }
        perView[v] = rows;
      } catch (e) {
        perView[v] = String(e);
      }
      if (size > limit) {
        __out = null;
        return "!the map functions emitted more than " + limit +
               " characters of JSON for a batch of " + items.length + " documents";
      }
    }
    result[i] = perView;
  }
  __out = null;
  return JSON.stringify(result);
}
function __library(src) { (0, eval)(src); return 0; }
function __udf(name, args) {
  var fn = globalThis[name];
  if (typeof fn !== "function" && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
    try { fn = (0, eval)(name); } catch (e) { fn = undefined; }
  }
  if (typeof fn !== "function") { throw new ReferenceError(name + " is not a function"); }
  var out = fn.apply(null, JSON.parse(args));
  return out === undefined ? "" : JSON.stringify(out);
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


def frame_head(header: dict[str, Any], payload_length: int = 0) -> bytes:
    """A frame up to its payload (written next, as it is: no copy)."""
    head = json.dumps(header, separators=(",", ":")).encode()
    return FRAME.pack(len(head), payload_length) + head


def read_frame(stream: BinaryIO) -> Optional[tuple[dict[str, Any], bytes]]:
    """The next frame, or ``None`` at the end of the stream."""
    prefix = stream.read(FRAME.size)
    if len(prefix) < FRAME.size:
        return None
    head_len, payload_len = FRAME.unpack(prefix)
    head = stream.read(head_len)
    payload = stream.read(payload_len) if payload_len else b""
    if len(head) < head_len or len(payload) < payload_len:
        return None
    return json.loads(head), payload


class CallFailed(Exception):
    """A call that failed as a whole: ``kind`` is timeout, memory or js."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():
        if "Error" in line and ":" in line:
            return line.strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Context:
    """One V8 context: the views runtime and one design document's functions."""

    def __init__(self, maps: list[str], reduces: dict[str, str], library: str = "") -> None:
        self.maps = json.dumps(maps)
        self.reduces = json.dumps(reduces)
        self.library = library
        self.lock = threading.Lock()
        self._racer: Any = None
        self._functions: dict[str, Any] = {}

    def call(self, name: str, args: tuple[Any, ...], deadline: float, limit: float,
             memory: int) -> Any:
        """Call a function of the runtime by ``deadline`` (``limit``: the whole
        time allowed, for the message), the context made first if needed
        (the engine's own set-up does not count; compiling the functions does)."""
        if self._racer is None:
            from py_mini_racer import MiniRacer

            started = time.monotonic()
            racer: Any = MiniRacer()
            racer.set_hard_memory_limit(memory)
            racer.eval(_RUNTIME)
            deadline += time.monotonic() - started
            self._racer = racer
            try:  # compiling runs code: ``function(){} || (function(){...})()``
                self._run(racer.eval("__define"), (self.maps, self.reduces), deadline, limit)
                if self.library:
                    self._run(racer.eval("__library"), (self.library,), deadline, limit)
            except CallFailed:
                self.discard()
                raise
        fn = self._functions.get(name)
        if fn is None:
            fn = self._functions[name] = self._racer.eval(name)
        return self._run(fn, args, deadline, limit)

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...], deadline: float,
             limit: float) -> Any:
        from py_mini_racer import JSOOMException, JSTimeoutException

        racer = self._racer
        timeout = deadline - time.monotonic()
        try:
            if timeout <= 0:
                raise JSTimeoutException
            return fn(*args, timeout_sec=timeout)
        except JSTimeoutException:
            self.discard()
            raise CallFailed("timeout", f"the JavaScript ran for more than {limit:g} s") from None
        except Exception as exc:  # the engine's errors have no public base class
            if isinstance(exc, JSOOMException) or racer.was_hard_memory_limit_reached():
                self.discard()
                raise CallFailed(
                    "memory", "the JavaScript used more memory than its limit"
                ) from None
            raise CallFailed("js", _first_line(exc)) from None

    def discard(self) -> None:
        racer, self._racer, self._functions = self._racer, None, {}
        if racer is not None:
            racer.close()


class Worker:
    """The contexts of one process, and the requests it is serving."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.write_lock = threading.Lock()
        self.contexts: dict[int, Context] = {}
        self.checker = Context([], {})
        self.table_lock = threading.Lock()

    def reply(self, header: dict[str, Any], payload: bytes = b"") -> None:
        head = frame_head(header, len(payload))
        with self.write_lock:
            self.out.write(head)
            self.out.write(payload)
            self.out.flush()

    def context(self, header: dict[str, Any]) -> Context:
        if header["op"] == "check":
            return self.checker
        with self.table_lock:
            ctx = self.contexts.get(header["id"])
            if ctx is None:
                ctx = self.contexts[header["id"]] = Context(header["maps"], header["reduces"],
                                                            header.get("library", ""))
            return ctx

    def serve(self, header: dict[str, Any], payload: bytes) -> None:
        if header["op"] == "drop":
            self.drop(header["id"])
            return
        seq = header["seq"]
        try:
            out_header, out = self.call(header, payload)
        except CallFailed as exc:
            self.reply({"seq": seq, "error": str(exc), "kind": exc.kind})
        except Exception as exc:  # a bug here must fail the call, not hang it
            self.reply({"seq": seq, "error": f"{type(exc).__name__}: {exc}", "kind": "js"})
        else:
            out_header["seq"] = seq
            self.reply(out_header, out)

    def call(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        op, limit, memory = header["op"], header["timeout"], header["memory"]
        deadline = time.monotonic() + limit
        ctx = self.context(header)
        # Waiting for another call on this context counts: the time limit is
        # the caller's, from the request to the reply.
        if not ctx.lock.acquire(timeout=limit):
            raise CallFailed("timeout", f"the JavaScript ran for more than {limit:g} s")
        try:
            if op == "check":
                args: tuple[Any, ...] = (json.dumps(header["sources"]),)
                errors = ctx.call("__check", args, deadline, limit, memory)
                return {"errors": json.loads(errors)}, b""
            if op == "map":
                args = (payload.decode(), header["output"])
                text = ctx.call("__mapBatch", args, deadline, limit, memory)
                if text.startswith("!"):
                    raise CallFailed("memory", text[1:])
                return {}, text.encode()
            if op == "reduce":
                args = (header["view"], payload.decode(), header["chunk"])
                return {}, ctx.call("__reduceBatch", args, deadline, limit, memory).encode()
            if op == "udf":
                args = (header["object"], payload.decode())
                return {}, ctx.call("__udf", args, deadline, limit, memory).encode()
            raise CallFailed("js", f"unknown request {op!r}")
        finally:
            ctx.lock.release()

    def drop(self, context_id: int) -> None:
        with self.table_lock:
            ctx = self.contexts.pop(context_id, None)
        if ctx is not None:
            with ctx.lock:
                ctx.discard()


def main() -> None:
    # The parent decides when this process ends (Ctrl-C reaches the whole
    # process group), and only frames may go to the real stdout.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    worker = Worker(out)
    stdin = sys.stdin.buffer
    while True:
        frame = read_frame(stdin)
        if frame is None:
            os._exit(0)  # threads may be running JavaScript: do not wait for them
        header, payload = frame
        threading.Thread(target=worker.serve, args=(header, payload), daemon=True).start()


if __name__ == "__main__":
    main()
