"""Where the core's log lines go: nowhere until the client connects :mod:`logging`.

The core imports no :mod:`logging` (it brings :mod:`threading` with it, and
the core touches no thread). Its few log lines (the bootstrap walk, HELLO
and SASL choices) are handed to :data:`sink`, which
:mod:`couchbase._logging` points at the standard loggers when it is imported.
"""

from __future__ import annotations

from typing import Any, Callable

DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
"""The standard levels' numbers."""

Sink = Callable[[str, int, str, "tuple[Any, ...]"], None]
"""``sink(logger name, level, message, args)``; the message is %-formatted with args."""


def _nowhere(name: str, level: int, msg: str, args: tuple[Any, ...]) -> None:
    pass


sink: Sink = _nowhere


def emit(name: str, level: int, msg: str, *args: Any) -> None:
    """Log ``msg % args`` at ``level`` on logger ``name`` (if anything listens)."""
    sink(name, level, msg, args)


__all__ = ["DEBUG", "ERROR", "INFO", "WARNING", "Sink", "emit", "sink"]
