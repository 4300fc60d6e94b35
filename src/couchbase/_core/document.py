"""Protocol rules about documents that the client and the local cluster share.

One place for each fact, so the client's argument checks and the local
cluster's answers cannot drift apart.
"""

from __future__ import annotations

MAX_KEY_LENGTH = 250
"""A document key is 1 to 250 bytes (without the collection prefix)."""

MAX_VALUE_SIZE = 20 * 1024 * 1024
"""The largest value the data service stores (E2BIG above it)."""

RELATIVE_EXPIRY_LIMIT = 30 * 24 * 60 * 60
"""An expiry of up to 30 days (2,592,000 s) counts from now; above, it is absolute Unix time."""

MAX_EXPIRY = 0xFFFFFFFF
"""Expiry is a u32 on the wire."""

COUNTER_NO_INITIAL = 0xFFFFFFFF
"""INCR/DECR expiry meaning "fail if the document does not exist" (no initial value)."""

DEFAULT_LOCK_TIME = 15
"""Seconds a GET_LOCKED lock lasts when the request asks for 0."""

MAX_LOCK_TIME = 30
"""The longest lock a server grants, in seconds."""

LOCKED_CAS = 0xFFFFFFFFFFFFFFFF
"""The CAS a plain GET of a locked document answers with."""
