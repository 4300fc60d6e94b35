"""``couchbase.experimental``: the 1.x switch for the then-experimental front ends.

The Twisted and gevent front ends needed ``enable()`` in SDK 1.x; here they
are always available, so it does nothing. It stays for the code that calls it.
"""

from __future__ import annotations

_enabled = True


def enable() -> None:
    """Does nothing: every front end is enabled."""


def enabled() -> bool:
    """Always True."""
    return _enabled
