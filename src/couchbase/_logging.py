"""The client's loggers, and log redaction.

Everything the client logs goes through the standard :mod:`logging` module,
under one hierarchy, so an application picks what it wants to see with the
usual configuration (nothing is printed unless it configures logging):

``couchbase``
    the root of the client's loggers (a NullHandler hangs here, as libraries do)
``couchbase.bootstrap``
    finding the cluster: which seed, which mechanism, why the walk moved on
``couchbase.io``
    connections: opened, connected, lost, replaced, closed; operations that timed out (which
    node, which operation); internal errors that failed an operation
``couchbase.config``
    cluster map changes (a NOT_MY_VBUCKET that brought a newer map; at DEBUG
    each new revision with the nodes it added and removed)
``couchbase.retry``
    why a request goes again and when (NOT_MY_VBUCKET: at once with a new map,
    after a backoff, or given up before the deadline)
``couchbase.tracing`` / ``couchbase.tracing.orphaned``
    the threshold and orphan reports (:mod:`couchbase._tracing`)

Nothing is logged on the success path of an operation; lines that are
built on a path operations take check :meth:`logging.Logger.isEnabledFor`
first. No log line holds a password.

The documented hooks are thin names over these loggers:
:func:`enable_logging`/:func:`disable_logging` (2.x) and
:func:`configure_logging` (4.x), exported by the ``couchbase`` package.

Log redaction (Couchbase's convention, libcouchbase's ``log_redaction``,
the 2.x ``Bucket.redaction``): user data in a log line (document keys and
values, user names) is wrapped in ``<ud>...</ud>`` so that a tool can strip
it before the log leaves the site. :func:`redact` does the wrapping when the
bucket's redaction is on.
"""

from __future__ import annotations

import logging
from typing import Any

from ._core import logsink

log = logging.getLogger("couchbase")
log.addHandler(logging.NullHandler())
bootstrap_log = logging.getLogger("couchbase.bootstrap")
io_log = logging.getLogger("couchbase.io")
config_log = logging.getLogger("couchbase.config")
retry_log = logging.getLogger("couchbase.retry")
tracing_log = logging.getLogger("couchbase.tracing")
orphan_log = logging.getLogger("couchbase.tracing.orphaned")



def _to_logging(name: str, level: int, msg: str, args: tuple[Any, ...]) -> None:
    logger = logging.getLogger(name)
    if logger.isEnabledFor(level):
        logger.log(level, msg, *args)


logsink.sink = _to_logging  # the core's log lines (it imports no logging itself)


# -- the documented hooks: couchbase.enable_logging() (2.x), configure_logging() (4.x) --------
_OFF = logging.CRITICAL + 1
_saved_level: list[int] = []  # the root logger's level before disable_logging()


def enable_logging() -> None:
    """The 2.x hook: let the client's log records reach Python's :mod:`logging`.

    They do by default (this client has no C library whose logging must be
    routed); this undoes :func:`disable_logging`. Like the 2.x function it
    configures no handler: records are printed only where the application
    configured logging (``logging.basicConfig(level=logging.DEBUG)``...). The
    root of the client's loggers is ``couchbase``.
    """
    if _saved_level:
        log.setLevel(_saved_level.pop())


def disable_logging() -> None:
    """The 2.x hook: drop every record of the ``couchbase`` loggers (until
    :func:`enable_logging`); loggers given a level of their own keep it."""
    if not _saved_level:
        _saved_level.append(log.level)
        log.setLevel(_OFF)


class _Forward(logging.Handler):
    """Hands each record to another logger (configure_logging's target)."""

    def __init__(self, target: logging.Logger, level: int) -> None:
        super().__init__(level)
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        self.target.handle(record)


def configure_logging(name: str, level: int = logging.INFO,
                      parent_logger: logging.Logger | None = None) -> None:
    """The 4.x hook: send the client's log records at ``level`` and above to the
    logger ``name`` (a child of ``parent_logger`` when given), whose handlers
    (and its ancestors') print them.

    >>> import logging, couchbase
    >>> logging.basicConfig(level=logging.DEBUG)       # doctest: +SKIP
    >>> couchbase.configure_logging("myapp", level=logging.DEBUG)

    A second call replaces the first. The records keep their own names
    (``couchbase.bootstrap``, ``couchbase.io``...), so a formatter's
    ``%(name)s`` still says where they come from. When ``name`` is the root
    logger (``logging.getLogger().name``, as the 4.x documentation's example
    passes) or another ancestor of ``couchbase``, records already propagate
    there and only the level is set. ``name`` must be a non-empty string and
    ``level`` a logging level (int or name such as ``"DEBUG"``): else
    :class:`ValueError`/:class:`TypeError`.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"configure_logging: name must be a non-empty string, not {name!r}")
    if isinstance(level, str):
        number = logging.getLevelName(level.upper())
        if not isinstance(number, int):
            raise ValueError(f"configure_logging: unknown level {level!r}")
        level = number
    elif not isinstance(level, int) or isinstance(level, bool):
        raise TypeError(f"configure_logging: level must be a logging level, not {level!r}")
    root = logging.getLogger()
    if parent_logger is not None:
        target = parent_logger.getChild(name)
    else:
        target = root if name == root.name else logging.getLogger(name)
    for handler in [h for h in log.handlers if isinstance(h, _Forward)]:
        log.removeHandler(handler)
    del _saved_level[:]
    log.setLevel(level)
    if target.level == logging.NOTSET or target.level > level:
        target.setLevel(level)
    ancestor = target is root or log.name.startswith(target.name + ".")
    log.propagate = ancestor
    if not ancestor:
        log.addHandler(_Forward(target, level))

UD_OPEN = "<ud>"
UD_CLOSE = "</ud>"


def redact(text: object, on: bool = True) -> str:
    """``text`` as it may appear in a log line: ``<ud>text</ud>`` when redaction is
    ``on``, else ``text`` itself. Bytes are decoded (undecodable bytes escaped).

    >>> redact(b"user::42"), redact("user::42", on=False)
    ('<ud>user::42</ud>', 'user::42')
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    return f"{UD_OPEN}{text}{UD_CLOSE}" if on else text


__all__ = ["UD_CLOSE", "UD_OPEN", "bootstrap_log", "config_log", "configure_logging",
           "disable_logging", "enable_logging", "io_log", "log", "orphan_log", "redact",
           "retry_log", "tracing_log"]
