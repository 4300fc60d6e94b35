"""The query service's catalog in the data directory: what a restart keeps.

A local cluster with a data directory keeps, besides documents and index
definitions (:mod:`couchbase_mock.persistence`), the query service's own
state in ``<data_dir>/query/``, one JSON file per kind:

- ``functions.json``: user-defined functions (N1QL and JavaScript, global and
  scoped) and the JavaScript libraries (``/evaluator/v1/libraries``);
- ``sequences.json``: each sequence's definition and the first value of its
  next block (``~next_block``);
- ``settings.json``: the completed-requests log's settings (``/admin/settings``)
  and the CURL() access list (``/settings/querySettings/curlWhitelist``).

Each change is written before the statement or request that made it is
answered: a temporary file, ``fsync``, ``rename`` over the old one, ``fsync``
of the directory, so a crash leaves the old file or the new one, never half of
one. A sequence reserves its values a block at a time, as the server does, and
the end of a block is on disk before the block's first value is handed out:
after a crash (SIGKILL) the next value is past every value given out before
it, never a repeat (the rest of the block is skipped).

Loading (when the cluster's query engine starts): a missing file is an empty
catalog; an unreadable one is renamed ``<kind>.json.corrupt`` and the kind
starts empty with a logged warning, never a failed start; an entry that cannot
be restored (a function whose text no longer parses) is skipped with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from typing import Any, Callable, Optional

from .n1ql import ast as A
from .n1ql.curl import access_of
from .n1ql.errors import N1QLError
from .n1ql.parser import parse, parse_expression
from .n1ql.statements.functions import CreateFunction, _scoped_body
from .n1ql.statements.sequences import Sequence, store_of
from .n1ql.statements.udf import UDF, registry_of

log = logging.getLogger(__name__)

SUBDIR = "query"
"""The catalog's folder inside the data directory."""
KINDS = ("functions", "sequences", "settings")


class CatalogStore:
    """The catalog files of one data directory (thread-safe)."""

    def __init__(self, data_dir: str) -> None:
        self.dir = os.path.join(data_dir, SUBDIR)
        os.makedirs(self.dir, exist_ok=True)
        self._lock = threading.Lock()
        self.writes = 0

    def path(self, kind: str) -> str:
        return os.path.join(self.dir, f"{kind}.json")

    def load(self, kind: str) -> Optional[dict[str, Any]]:
        """The saved document of ``kind`` (``None``: none, or unreadable: then
        the file is moved aside and a warning logged)."""
        path = self.path(kind)
        try:
            with open(path, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            return doc
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # (UnicodeDecodeError, JSONDecodeError)
            log.warning("query catalog %s is unreadable (%s): starting without its %s; "
                        "the file is kept as %s.corrupt", path, exc, kind, path)
            try:
                os.replace(path, path + ".corrupt")
            except OSError:
                pass
            return None

    def save(self, kind: str, dump: Callable[[], dict[str, Any]]) -> None:
        """Write ``dump()`` (taken under the store's lock, so the last write has
        the latest state) atomically and durably."""
        with self._lock:
            data = json.dumps(dump(), separators=(",", ":")).encode("utf-8")
            fd, tmp = tempfile.mkstemp(prefix=f".{kind}.", dir=self.dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path(kind))
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            _fsync_dir(self.dir)
            self.writes += 1


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # (a platform without directory handles)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def data_dir_of(cluster: Any) -> Optional[str]:
    """The cluster's data directory (``None``: it keeps everything in memory)."""
    flusher = getattr(cluster, "flusher", None)
    return None if flusher is None else os.path.dirname(flusher.store.path)


def attach(engine: Any, data_dir: str) -> CatalogStore:
    """Restore ``engine``'s catalog from ``data_dir``, then save every later change."""
    store = CatalogStore(data_dir)
    for kind, restore in (("functions", _restore_functions), ("sequences", _restore_sequences),
                          ("settings", _restore_settings)):
        doc = store.load(kind)
        if doc is not None:
            restore(engine, doc)
    registry, sequences, monitor = registry_of(engine), store_of(engine), engine.monitor
    registry.on_change = lambda: store.save("functions", lambda: _dump_functions(engine))
    sequences.on_change = lambda: store.save("sequences", lambda: _dump_sequences(engine))

    def settings_changed() -> None:
        store.save("settings", lambda: _dump_settings(engine))

    monitor.on_change = settings_changed
    access_of(engine).on_change = settings_changed  # type: ignore[attr-defined]
    engine.catalog_store = store
    return store


# -- functions and JavaScript libraries ------------------------------------------------


def _dump_functions(engine: Any) -> dict[str, Any]:
    registry = registry_of(engine)
    functions = []
    for key, udf in sorted(list(registry.functions.items()), key=lambda kv: str(kv[0])):
        functions.append({
            "key": list(key), "params": udf.params, "language": udf.language,
            "object": udf.js_object, "library": udf.js_library, "text": udf.text,
            "body": None if udf.body is None else A.to_n1ql(udf.body)})
    libraries = [{"bucket": k[0], "scope": k[1], "name": k[2], "code": code}
                 for k, code in sorted(list(registry.libraries.items()), key=lambda kv: str(kv[0]))]
    return {"functions": functions, "libraries": libraries}


def _restore_functions(engine: Any, doc: dict[str, Any]) -> None:
    registry = registry_of(engine)
    for lib in doc.get("libraries", []):
        try:
            registry.libraries[(lib["bucket"], lib["scope"], lib["name"])] = str(lib["code"])
        except (KeyError, TypeError) as exc:
            log.warning("query catalog: a JavaScript library not restored (%r): %s", lib, exc)
    for entry in doc.get("functions", []):
        try:
            udf = _udf_of(entry)
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the start
            log.warning("query catalog: function %r not restored: %s", entry.get("key"), exc)
            continue
        registry.functions[udf.key] = udf
        udf.registry = registry


def _udf_of(entry: dict[str, Any]) -> UDF:
    bucket, scope, name = entry["key"]
    key = (bucket, scope, name)
    body: Optional[A.Node] = None
    if entry["language"] == "inline":
        try:  # the statement as written; else the body as the engine printed it
            stmt = parse(entry["text"]) if entry.get("text") else None
        except N1QLError:
            stmt = None
        if isinstance(stmt, CreateFunction) and stmt.body is not None:
            body = stmt.body
        else:
            body = parse_expression(entry["body"])
        if bucket is not None:
            _scoped_body(body, bucket, scope)
    return UDF(key, entry["params"], body, entry["language"], entry.get("object", ""),
               entry.get("library", ""), entry.get("text", ""))


# -- sequences --------------------------------------------------------------------------

_SEQUENCE_FIELDS = ("start", "increment", "min", "max", "cycle", "cache", "next_block")


def _dump_sequences(engine: Any) -> dict[str, Any]:
    """(Called under the sequences' lock.)"""
    seqs = store_of(engine).sequences
    return {"sequences": [dict({f: getattr(s, f) for f in _SEQUENCE_FIELDS}, key=list(k))
                          for k, s in sorted(seqs.items())]}


def _restore_sequences(engine: Any, doc: dict[str, Any]) -> None:
    sequences = store_of(engine).sequences
    for entry in doc.get("sequences", []):
        try:
            key = tuple(entry["key"])
            seq = Sequence(key, entry["start"], entry["increment"], entry["min"],
                           entry["max"], bool(entry["cycle"]), entry["cache"])
            seq.next_block = int(entry["next_block"])
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("query catalog: a sequence not restored (%r): %s", entry, exc)
            continue
        sequences[key] = seq


# -- settings ----------------------------------------------------------------------------


def _dump_settings(engine: Any) -> dict[str, Any]:
    monitor = engine.monitor
    return {"completed": {"threshold": monitor.threshold_ms, "limit": monitor.limit,
                          "aborted": monitor.aborted,
                          "lists": {k: list(v) for k, v in monitor.lists.items()}},
            "curl": access_of(engine).to_json()}


def _restore_settings(engine: Any, doc: dict[str, Any]) -> None:
    completed = doc.get("completed")
    monitor = engine.monitor
    try:
        if isinstance(completed, dict):
            monitor.threshold_ms = int(completed["threshold"])
            monitor.limit = int(completed["limit"])
            monitor.aborted = bool(completed["aborted"])
            for name, values in completed["lists"].items():
                if name in monitor.lists and isinstance(values, list):
                    monitor.lists[name] = list(values)
        if "curl" in doc:
            access_of(engine).update(doc["curl"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("query catalog: settings not fully restored: %s", exc)
