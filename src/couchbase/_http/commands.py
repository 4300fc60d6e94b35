"""What an HTTP flow asks its driver for, and the endpoint it talks to.

A flow yields, and the driver answers:

- :class:`Connect` -> ``None``: open a new connection to the endpoint (closing
  the flow's previous one) and write ``data`` on it;
- :class:`Receive` -> ``bytes``: the next bytes of that connection, ``b""``
  once the server closed it;
- a list of key-value entries -> ``(results, first error)``: run them as one
  batch (as ``BucketBase._drive`` does: include_docs uses it);
- :class:`Emit` -> ``None``: hand ``rows`` to the application (the sync
  iterator yields them, asyncio's ``async for``, Twisted's ``on_rows``);
- :class:`Wait` -> ``None``: sleep, the driver's way.

Network failures are thrown into the flow as CouchbaseError.
"""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple


class Endpoint(NamedTuple):
    """A node's HTTP service and the credentials to use on it."""

    host: str
    port: int
    tls: Any  # the ssl.SSLContext of the bucket's connections, or None
    username: str
    password: str
    timeout: float  # seconds without any bytes from the server before giving up


class Connect:
    __slots__ = ("endpoint", "data")

    def __init__(self, endpoint: Endpoint, data: bytes) -> None:
        self.endpoint = endpoint
        self.data = data


class Receive:
    __slots__ = ()


RECEIVE = Receive()


class Emit:
    __slots__ = ("rows",)

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows = rows


class Wait:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
