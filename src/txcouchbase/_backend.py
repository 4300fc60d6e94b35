"""The Twisted backend of the multiplexing core: connections and timers."""

from __future__ import annotations

from typing import Any, Callable, Optional

from twisted.internet import error as twisted_errors
from twisted.internet.interfaces import IAddress, ISSLTransport
from twisted.internet.protocol import ClientFactory, Protocol
from twisted.python.failure import Failure

from couchbase._core.connstr import ConnectionString
from couchbase._io.mux import StreamProtocol
from couchbase._settings import tls_files
from couchbase.exceptions import ArgumentError, ConnectError, CouchbaseError, NetworkError

_CLEAN = Failure(twisted_errors.ConnectionDone())


class _Link:
    """What a core protocol writes to: the Twisted transport's own methods, unwrapped."""

    __slots__ = ("write", "close", "pause_reading", "resume_reading")

    def __init__(self, transport: Any) -> None:
        self.write: Callable[[bytes], None] = transport.write
        self.close: Callable[[], Any] = transport.loseConnection
        self.pause_reading: Callable[[], Any] = transport.pauseProducing
        self.resume_reading: Callable[[], Any] = transport.resumeProducing


class _NodeProtocol(Protocol):
    """Feeds a core protocol (a KV node or an HTTP link) from a Twisted connection."""

    def __init__(self, node: StreamProtocol) -> None:
        self.node = node
        self.received = False

    def connectionMade(self) -> None:
        transport: Any = self.transport
        try:
            transport.setTcpNoDelay(True)  # requests are small and latency-bound
        except (AttributeError, OSError):
            pass
        self.node.connection_made(_Link(transport))

    def dataReceived(self, data: bytes) -> None:
        self.received = True
        self.node.data_received(data)

    def connectionLost(self, reason: Failure = _CLEAN) -> None:
        clean = reason.check(twisted_errors.ConnectionDone) is not None
        if (not clean and not self.received and reason.check(twisted_errors.ConnectionLost)
                and ISSLTransport.providedBy(self.transport)):
            clean = True  # TLS ended without close_notify before any answer: the core
            # names it (a server requiring a client certificate does this)
        error = None if clean else _exception(reason)
        if error is not None and not self.received and _is_tls_error(error):
            transport: Any = self.transport
            peer = transport.getPeer() if transport is not None else None
            where = f"{peer.host}:{peer.port}" if peer is not None else "the node"
            error = ConnectError(f"TLS handshake with {where} failed: {_tls_reason(error)}",
                                 inner_cause=error)  # as the stdlib-ssl front ends say it
        self.node.connection_lost(error)


class _NodeFactory(ClientFactory):
    def __init__(self, node: StreamProtocol) -> None:
        self.node = node

    def buildProtocol(self, addr: Optional[IAddress]) -> _NodeProtocol:
        return _NodeProtocol(self.node)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.node.connection_lost(_exception(reason))


def _exception(reason: Any) -> BaseException:
    if isinstance(reason, Failure):
        value = reason.value
        return value if isinstance(value, BaseException) else NetworkError(str(value))
    return reason if isinstance(reason, BaseException) else NetworkError(str(reason))


def _is_tls_error(error: BaseException) -> bool:
    try:
        from OpenSSL.SSL import Error as OpenSSLError
    except ImportError:  # pragma: no cover - no pyOpenSSL: no TLS connection either
        return False
    return isinstance(error, OpenSSLError)


def _tls_reason(error: BaseException) -> str:
    """pyOpenSSL's ``[('SSL routines', '', 'certificate verify failed')]`` as its reasons."""
    stack = error.args[0] if error.args else None
    if isinstance(stack, list) and all(isinstance(e, tuple) and len(e) == 3 for e in stack):
        reasons = [str(e[2]) for e in stack if e[2]]
        if reasons:
            return "; ".join(reasons)
    return str(error)


class _Timer:
    """A DelayedCall that may be cancelled after it fired (MuxCluster does that)."""

    __slots__ = ("call",)

    def __init__(self, call: Any) -> None:
        self.call = call

    def cancel(self) -> None:
        if self.call.active():
            self.call.cancel()


class TwistedBackend:
    """Opens connections with ``connectTCP``/``connectSSL`` on ``reactor``."""

    def __init__(self, reactor: Any, connstr: ConnectionString, connect_timeout: float) -> None:
        self.reactor = reactor
        self.options = connstr.options
        self.connect_timeout = connect_timeout

    def connect(self, host: str, port: int, tls: Any, node: StreamProtocol) -> None:
        factory = _NodeFactory(node)
        if tls is None:
            self.reactor.connectTCP(host, port, factory, timeout=self.connect_timeout)
            return
        try:
            creator = self._tls_options(host)
        except CouchbaseError as exc:
            node.connection_lost(exc)
            return
        self.reactor.connectSSL(host, port, factory, creator, timeout=self.connect_timeout)

    def _tls_options(self, host: str) -> Any:
        """Twisted's TLS (pyOpenSSL) options, from the same reading of the connection
        string (couchbase._settings.tls_files) as the stdlib context of the other front
        ends: CA, client certificate and key, verification."""
        try:
            from twisted.internet import ssl
        except ImportError as exc:  # pragma: no cover - depends on pyOpenSSL being present
            raise ConnectError("TLS with Twisted needs pyOpenSSL: pip install 'twisted[tls]'",
                               inner_cause=exc) from None
        files = tls_files(self.options)
        client = None
        if files.client_cert is not None:
            cert, key = files.client_cert
            try:
                with open(cert, "rb") as f, open(key, "rb") as k:
                    client = ssl.PrivateCertificate.loadPEM(f.read() + b"\n" + k.read())
            except Exception as exc:  # unreadable, or not a PEM certificate and its key
                raise ArgumentError(f"cannot load the client certificate {cert!r} with the "
                                    f"key {key!r}: {exc}", inner_cause=exc) from None
        if not files.verify:
            if client is None:
                return ssl.CertificateOptions(verify=False)
            return ssl.CertificateOptions(verify=False, privateKey=client.privateKey.original,
                                          certificate=client.original)
        trust = None
        if files.cafile:
            try:
                with open(files.cafile, "rb") as f:
                    trust = ssl.Certificate.loadPEM(f.read())
            except Exception as exc:
                raise ArgumentError(f"cannot read the CA certificates in cert_path "
                                    f"{files.cafile!r}: {exc}", inner_cause=exc) from None
        return ssl.optionsForClientTLS(host, trustRoot=trust, clientCertificate=client)

    def call_later(self, delay: float, fn: Callable[[], None]) -> _Timer:
        return _Timer(self.reactor.callLater(delay, fn))

    def run_blocking(self, fn: Callable[[], Any],
                     done: Callable[[Any, Optional[BaseException]], None]) -> None:
        """``fn`` on the reactor's thread pool; ``done`` back in the reactor thread."""
        from twisted.internet.threads import deferToThreadPool

        d = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), fn)
        d.addCallbacks(lambda result: done(result, None),
                       lambda failure: done(None, _exception(failure)))
