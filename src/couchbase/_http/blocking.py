"""Driving HTTP flows in the caller's thread: the sync API, and gevent's with its sockets."""

from __future__ import annotations

import socket
import time
from typing import Any, Callable, Generator, Optional

from ..exceptions import ConnectError, CouchbaseError, NetworkError
from ..exceptions import TimeoutError as CBTimeoutError
from .commands import Connect, Emit, Endpoint, Receive, Wait

_READ_SIZE = 65536


class BlockingIO:
    """How connections are opened and time passes (gevent gives its own functions)."""

    def __init__(self, create_connection: Callable[..., Any] = socket.create_connection,
                 sleep: Callable[[float], Any] = time.sleep) -> None:
        self.create_connection = create_connection
        self.sleep = sleep

    def connect(self, endpoint: Endpoint) -> Any:
        host, port = endpoint.host, endpoint.port
        try:
            sock = self.create_connection((host, port), timeout=endpoint.timeout)
        except socket.timeout:
            raise CBTimeoutError(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise ConnectError(f"could not connect to {host}:{port}: {exc}",
                               inner_cause=exc) from None
        if endpoint.tls is not None:
            try:
                sock = endpoint.tls.wrap_socket(sock, server_hostname=host)
            except OSError as exc:
                sock.close()
                raise ConnectError(f"TLS with {host}:{port} failed: {exc}",
                                   inner_cause=exc) from None
        return sock


def drive_rows(flow: Generator[Any, Any, Any], bucket: Any,
               io: BlockingIO) -> Generator[Any, None, Any]:
    """Run ``flow``, yielding the rows it emits; returns the flow's result.

    Stopping the iteration early closes the connection.
    """
    sock: Optional[Any] = None
    where = ""
    reply: Any = None
    error: Optional[BaseException] = None
    try:
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                return stop.value
            reply = error = None
            if isinstance(command, Emit):
                yield from command.rows
                continue
            try:
                if isinstance(command, Receive):
                    assert sock is not None
                    try:
                        reply = sock.recv(_READ_SIZE)
                    except socket.timeout:
                        raise CBTimeoutError(f"no response from {where} in time") from None
                    except OSError as exc:
                        raise NetworkError(f"HTTP connection to {where} failed: {exc}",
                                           inner_cause=exc) from None
                elif isinstance(command, Connect):
                    if sock is not None:
                        sock.close()
                        sock = None
                    endpoint = command.endpoint
                    where = f"{endpoint.host}:{endpoint.port}"
                    sock = io.connect(endpoint)
                    try:
                        sock.sendall(command.data)
                    except OSError as exc:
                        raise NetworkError(f"sending to {where} failed: {exc}",
                                           inner_cause=exc) from None
                elif isinstance(command, list):
                    reply = bucket._complete(command)
                elif isinstance(command, Wait):
                    io.sleep(command.seconds)
                else:
                    raise TypeError(f"unknown HTTP flow command {command!r}")
            except CouchbaseError as exc:
                error = exc
    finally:
        if sock is not None:
            sock.close()
        flow.close()


def drive(flow: Generator[Any, Any, Any], bucket: Any, io: BlockingIO) -> Any:
    """Run a flow that emits no rows (design documents) to its result."""
    rows = drive_rows(flow, bucket, io)
    while True:
        try:
            next(rows)
        except StopIteration as stop:
            return stop.value
