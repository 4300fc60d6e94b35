"""How a KV connection the server ended during the bootstrap is reported, in one place
for the blocking and the multiplexing drivers: over TLS, a server that requires a
client certificate ends the connection of a client that presented none right after
the handshake (TLS 1.3 completes the client's side first), with an alert the client
may or may not read (the local cluster closes without one). Either way the error
says so instead of a bare "closed the connection"."""

from __future__ import annotations

import ssl
from typing import Optional

from ..exceptions import NetworkError


def closed_error(host: str, port: int, tls: bool, bootstrapping: bool,
                 exc: Optional[BaseException] = None,
                 certificate: bool = False) -> NetworkError:
    """``tls``: a TLS connection; ``certificate``: the client presented one."""
    where = f"{host}:{port}"
    if bootstrapping and isinstance(exc, ssl.SSLError):  # an alert: its reason, named
        reason = exc.reason or str(exc)
        hint = (": the cluster requires a client certificate"
                if "CERTIFICATE_REQUIRED" in reason.upper() else "")
        return NetworkError(f"{where} refused the TLS connection ({reason}){hint}",
                            inner_cause=exc)
    if tls and bootstrapping and certificate:
        return NetworkError(f"{where} closed the TLS connection right after the handshake, "
                            "before answering: the server refused this client's certificate",
                            inner_cause=exc)
    if tls and bootstrapping:
        return NetworkError(
            f"{where} closed the TLS connection right after the handshake, before "
            "answering: the server refused this client (a cluster that requires client "
            "certificates does this to a client that presents none: use "
            "CertificateAuthenticator, or certpath/keypath)", inner_cause=exc)
    if exc is not None:
        return NetworkError(f"read from {where} failed: {exc}", inner_cause=exc)
    return NetworkError(f"{where} closed the connection")
