"""The client's loggers, and log redaction.

Everything the client logs goes through the standard :mod:`logging` module,
under one hierarchy, so an application picks what it wants to see with the
usual configuration (nothing is printed unless it configures logging):

``couchbase``
    the root of the client's loggers (a NullHandler hangs here, as libraries do)
``couchbase.bootstrap``
    finding the cluster: which seed, which mechanism, why the walk moved on
``couchbase.io``
    connections: opened, lost, replaced; operations that timed out (which
    node, which operation); internal errors that failed an operation
``couchbase.config``
    cluster map changes (a NOT_MY_VBUCKET that brought a newer map)
``couchbase.tracing`` / ``couchbase.tracing.orphaned``
    the threshold and orphan reports (:mod:`couchbase._tracing`)

Nothing is logged on the success path of an operation; lines that are
built on a path operations take check :meth:`logging.Logger.isEnabledFor`
first. No log line holds a password.

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
tracing_log = logging.getLogger("couchbase.tracing")
orphan_log = logging.getLogger("couchbase.tracing.orphaned")



def _to_logging(name: str, level: int, msg: str, args: tuple[Any, ...]) -> None:
    logger = logging.getLogger(name)
    if logger.isEnabledFor(level):
        logger.log(level, msg, *args)


logsink.sink = _to_logging  # the core's log lines (it imports no logging itself)

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


__all__ = ["UD_CLOSE", "UD_OPEN", "bootstrap_log", "config_log", "io_log", "log",
           "orphan_log", "redact", "tracing_log"]
