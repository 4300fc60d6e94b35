"""Answers for flows that only make HTTP requests and sleep, on an event loop.

A cluster object with no open bucket has no key-value connections, yet its
managers (``cluster.buckets()``...) run REST flows: this
:class:`~couchbase._waiting.CallbackIO` opens their HTTP connections on the
front end's backend (asyncio, Twisted) and refuses key-value commands. The
blocking counterpart is :class:`couchbase.admin._HttpOnly`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from .._core.commands import Endpoint
from ..exceptions import NotSupportedError
from .mux_http import MuxHttpLink

if TYPE_CHECKING:
    from .mux import Backend

Done = Callable[[Any, Optional[BaseException]], None]


class HttpOnlyIO:
    """A CallbackIO over ``backend`` for HTTP flows."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def sleep(self, seconds: float, done: Done) -> None:
        self.backend.call_later(seconds, lambda: done(None, None))

    def open_http(self, endpoint: Endpoint, data: bytes, done: Done) -> None:
        MuxHttpLink(self.backend, endpoint, data, done).start()

    def _no_kv(self, *args: Any) -> None:
        done = args[-1]
        done(None, NotSupportedError("no key-value connection here: open a bucket"))

    execute = execute_multi = each_node = open_node = _no_kv


__all__ = ["HttpOnlyIO"]
