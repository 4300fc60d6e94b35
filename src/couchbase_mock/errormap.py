"""The KV error map (GET_ERROR_MAP, version 2) for every status this mock returns.

Names, descriptions and attributes follow kv_engine's ``error_map_v2.json``;
clients use the attributes (``item-locked``, ``retry-now``, ``fetch-config``
...) to decide how to react to a status they do not know by number.
"""

from __future__ import annotations

import json

from couchbase._core.status import Status

REVISION = 1

_ENTRIES: list[tuple[int, str, str, tuple[str, ...]]] = [
    (Status.SUCCESS, "SUCCESS", "Success", ("success",)),
    (Status.KEY_ENOENT, "KEY_ENOENT", "Not Found", ("item-only",)),
    (Status.KEY_EEXISTS, "KEY_EEXISTS", "key already exists, or CAS mismatch", ("item-only",)),
    (Status.E2BIG, "E2BIG", "Value is too big", ("item-only", "invalid-input")),
    (Status.EINVAL, "EINVAL", "Invalid packet", ("internal", "invalid-input")),
    (Status.NOT_STORED, "NOT_STORED", "Not Stored", ("internal", "item-only")),
    (Status.DELTA_BADVAL, "DELTA_BADVAL", "Existing document not a number",
     ("item-only", "invalid-input")),
    (Status.NOT_MY_VBUCKET, "NOT_MY_VBUCKET", "Server does not know about this vBucket",
     ("fetch-config", "invalid-input")),
    (Status.NO_BUCKET, "NO_BUCKET", "Not connected to any bucket", ("conn-state-invalidated",)),
    (Status.LOCKED, "LOCKED", "Requested resource is locked",
     ("item-locked", "item-only", "retry-now")),
    (Status.NOT_LOCKED, "NOT_LOCKED", "Requested resource is not locked", ("item-only",)),
    (Status.AUTH_ERROR, "AUTH_ERROR", "Authentication failed", ("conn-state-invalidated", "auth")),
    (Status.AUTH_CONTINUE, "AUTH_CONTINUE", "Continue authentication processs",
     ("special-handling",)),
    (Status.ERANGE, "ERANGE", "Invalid range requested", ("invalid-input",)),
    (Status.EACCESS, "EACCESS", "Not authorized for command", ("support",)),
    (Status.UNKNOWN_FRAME_INFO, "UNKNOWN_FRAME_INFO",
     "Unknown frame info identifier encountered. Maybe a newer server version knows about it",
     ("support",)),
    (Status.UNKNOWN_COMMAND, "UNKNOWN_COMMAND",
     "Unknown command. Maybe a newer server version knows about it", ("support",)),
    (Status.NOT_SUPPORTED, "NOT_SUPPORTED",
     "Command not supported with current bucket type/configuration", ("support",)),
    (Status.EINTERNAL, "EINTERNAL", "Internal error. Reconnect recommended",
     ("internal", "conn-state-invalidated")),
    (Status.EBUSY, "EBUSY", "Busy, try again", ("temp", "retry-now")),
    (Status.ETMPFAIL, "ETMPFAIL", "Temporary failure. Try again", ("temp", "retry-now")),
    (Status.UNKNOWN_COLLECTION, "UNKNOWN_COLLECTION",
     "Operation specified an unknown collection.", ("invalid-input",)),
    (Status.UNKNOWN_SCOPE, "UNKNOWN_SCOPE", "Operation specified an unknown scope.",
     ("invalid-input",)),
    (Status.DURABILITY_INVALID_LEVEL, "DurabilityInvalidLevel", "Durability level is invalid",
     ("invalid-input",)),
    (Status.DURABILITY_IMPOSSIBLE, "DurabilityImpossible",
     "Durability requirements are impossible to achieve", ("item-only", "invalid-input")),
    (Status.SYNC_WRITE_IN_PROGRESS, "SyncWriteInProgress",
     "The requested key has a pending synchronous write", ("item-only", "retry-later")),
    (Status.SYNC_WRITE_AMBIGUOUS, "SyncWriteAmbiguous",
     "The SyncWrite request has not completed in the specified time and has ambiguous "
     "result - it may Succeed or Fail; but the final value is not yet known", ("item-only",)),
    (Status.RANGE_SCAN_CANCELLED, "RangeScanCancelled",
     "The requested range-scan has been cancelled.", ("success",)),
    (Status.RANGE_SCAN_MORE, "RangeScanMore", "The range scan has more data available.",
     ("success",)),
    (Status.RANGE_SCAN_COMPLETE, "RangeScanComplete", "The range scan has completed",
     ("success",)),
    (Status.VBUUID_NOT_EQUAL, "VbUuidNotEqual",
     "The provided vbucket uuid does not equal the server's vbucket uuid", ("invalid-input",)),
]


def error_map(version: int = 2) -> bytes:
    """The error map JSON. Versions above 2 get version 2; version 1 is the
    same document labelled 1 (its format is a subset)."""
    version = 1 if version == 1 else 2
    errors = {
        format(code, "x"): {"name": name, "desc": desc, "attrs": list(attrs)}
        for code, name, desc, attrs in _ENTRIES
    }
    doc = {"version": version, "revision": REVISION, "errors": errors}
    return json.dumps(doc, separators=(",", ":")).encode()


def known_statuses() -> frozenset[int]:
    """Every status the error map describes."""
    return frozenset(int(code) for code, _n, _d, _a in _ENTRIES)
