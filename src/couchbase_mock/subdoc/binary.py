"""Binary XATTR values: the BINARY_VALUE path flag (0x20, kv_engine
``cb::mcbp::subdoc::PathFlag::BinaryValue``, Couchbase Server 7.6.2+; bucket
capability ``subdoc.BinaryXattr``).

With the flag a mutation's value is any bytes, not JSON; a GET with the flag reads
those bytes back, and REPLACE_BODY_WITH_XATTR with it makes them the (non-JSON)
body. The flag needs XATTR_PATH and excludes EXPAND_MACROS
(``SUBDOC_XATTR_INVALID_FLAG_COMBO``, kv_engine subdocument_validators.cc).

Transactions stage a binary document this way: ``txn.op.bin`` with BINARY_VALUE,
read back with a flagged GET, committed with a flagged REPLACE_BODY_WITH_XATTR
(couchbase-cxx-client core/transactions/attempt_context_impl.cxx
``create_staged_replace``/``create_staged_insert``; an older server answers
``SUBDOC_VALUE_CANTINSERT`` there and the SDK reports FeatureNotAvailable).

How the server keeps such a value inside the XATTR's JSON is not in what we read;
this mock keeps it as ``{"<binary>": "<base64>"}``, which a lookup without the flag
shows as is.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Optional

BINARY_VALUE = 0x20
_KEY = "<binary>"


def wrap(raw: bytes) -> bytes:
    """The JSON text an XATTR path holds for the binary value ``raw``."""
    return json.dumps({_KEY: base64.b64encode(raw).decode("ascii")}).encode()


def unwrap(value: Any) -> Optional[bytes]:
    """The bytes a wrapped value holds, or None if ``value`` is not one."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(_KEY), str):
        try:
            return base64.b64decode(value[_KEY], validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def read(json_text: bytes) -> bytes:
    """What a flagged GET answers for the JSON text a path holds: the bytes of a
    binary value, else the JSON text itself."""
    raw = unwrap(json.loads(json_text)) if json_text else None
    return json_text if raw is None else raw
