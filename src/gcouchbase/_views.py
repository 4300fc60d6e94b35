"""Views on gevent: the sync driver with gevent's sockets and sleep, so a query blocks
only its greenlet."""

from __future__ import annotations

from typing import Any

import gevent
from gevent import socket as gsocket

from couchbase._http.blocking import BlockingIO
from couchbase._http.commands import Endpoint
from couchbase.exceptions import NotSupportedError


class GeventIO(BlockingIO):
    def __init__(self) -> None:
        super().__init__(gsocket.create_connection, gevent.sleep)

    def connect(self, endpoint: Endpoint) -> Any:
        if endpoint.tls is not None:
            raise NotSupportedError("views over TLS are not supported by gcouchbase yet")
        return super().connect(endpoint)


GEVENT_IO = GeventIO()
