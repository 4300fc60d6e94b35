"""The shared h11 server plumbing (couchbase_mock.httpserver), on its own."""

from __future__ import annotations

import asyncio
import base64

import h11

from couchbase_mock.httpserver import HTTPProtocol, credentials


class Echo(HTTPProtocol):
    """Asynchronous: ``/chunks`` streams three chunks, ``/boom`` fails, the
    rest echo method, target and body."""

    async def respond(self, request: h11.Request, body: bytes) -> None:
        if request.target == b"/boom":
            raise ValueError("boom")
        if request.target == b"/chunks":
            await self.send_chunked(200, [], [b"a", b"b", b"c"])
            return
        await asyncio.sleep(0.01)  # a later request must wait for this one
        out = request.method + b" " + request.target + b" " + body
        self.send_whole(200, [("Content-Length", str(len(out)))], out)

    async def respond_error(self, request: h11.Request, exc: Exception) -> None:
        text = str(exc).encode()
        self.send_whole(500, [("Content-Length", str(len(text)))], text)


class Sync(HTTPProtocol):
    """Synchronous: answers in request_complete."""

    def request_complete(self) -> None:
        assert self._request is not None
        out = self._request.target
        self.send_whole(200, [("Content-Length", str(len(out)))], out)
        self.next_cycle()


async def _exchange(factory: type, payload: bytes, until: bytes = b"") -> bytes:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        await writer.drain()
        read = reader.readuntil(until) if until else reader.read()
        data = await asyncio.wait_for(read, 5)
        writer.close()
        return data
    finally:
        server.close()
        await server.wait_closed()


def _run(factory: type, payload: bytes, until: bytes = b"") -> bytes:
    return asyncio.run(_exchange(factory, payload, until))


def test_pipelined_requests_are_answered_in_order():
    payload = (b"POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
               b"GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    for factory in (Echo, Sync):
        data = _run(factory, payload)
        assert data.count(b"HTTP/1.1 200") == 2
        if factory is Echo:
            assert data.index(b"POST /one abc") < data.index(b"GET /two ")
        else:
            assert data.index(b"/one") < data.index(b"/two")


def test_chunked_response_on_http_11_and_plain_on_http_10():
    data = _run(Echo, b"GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"transfer-encoding: chunked" in data.lower()
    assert data.endswith(b"1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n")
    data = _run(Echo, b"GET /chunks HTTP/1.0\r\n\r\n")
    assert b"chunked" not in data.lower()
    assert data.endswith(b"\r\n\r\nabc")


def test_handler_failure_before_the_response_is_answered():
    # (the connection is left as it is afterwards: read up to the body)
    data = _run(Echo, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n", until=b"boom")
    assert data.startswith(b"HTTP/1.1 500") and data.endswith(b"boom")


def test_protocol_error_answers_400_and_closes():
    for factory in (Echo, Sync):
        data = _run(factory, b"NOT HTTP AT ALL\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 400")


def test_credentials():
    def auth(value: bytes) -> list[tuple[bytes, bytes]]:
        return [(b"Host", b"x"), (b"Authorization", value)]

    good = b"Basic " + base64.b64encode(b"user:pa:ss")
    assert credentials(auth(good)) == ("user", "pa:ss")
    assert credentials(auth(b"Bearer abc")) is None
    assert credentials(auth(b"Basic !!!")) is None
    assert credentials(auth(b"Basic " + base64.b64encode(b"nocolon"))) is None
    assert credentials([(b"Host", b"x")]) is None
