"""TLS for the local cluster: certificates, the server's SSLContext, and the
handshake on every TLS port.

As on Couchbase Server, a cluster CA (the "root certificate") signs one node
certificate whose subject alternative names are the names clients reach the
nodes by (``127.0.0.1``, ``localhost``, the cluster's host and alternate host
name). :meth:`ServerTLS.generate` makes them with ``trustme`` (the optional
extra ``mock-tls``); :meth:`ServerTLS.load` reads them from a directory laid
out like a node's certificate inbox: ``ca.pem`` (the CA), ``chain.pem`` (the
node certificate, then any intermediates) and ``pkey.key`` (its private key).

Every service of every node listens on a TLS port too (``kvSSL``, ``mgmtSSL``,
``capiSSL``, ``n1qlSSL``, ``ftsSSL`` in the config's ``nodesExt``). A
connection is handed to its service only once the handshake is done; one
that sends plain bytes, or stalls, is dropped after
:attr:`ServerTLS.handshake_timeout` seconds and frees its place under the
port's connection cap.

Client certificates (:mod:`couchbase_mock.client_cert`): with
``client_auth.state`` ``enable`` the TLS ports ask for a client certificate
signed by the cluster CA, with ``mandatory`` they refuse a handshake without
one; :meth:`ServerTLS.issue_client_cert` makes one for a user.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import shutil
import ssl
import tempfile
from typing import Any, Callable, Iterable, Optional

from .client_cert import ClientCertAuth

DEFAULT_HANDSHAKE_TIMEOUT = 10.0
"""Seconds a client has to finish the TLS handshake before it is dropped."""

CA_FILE, CHAIN_FILE, KEY_FILE = "ca.pem", "chain.pem", "pkey.key"

STANDARD_TLS_PORTS: dict[str, int] = {"mgmtSSL": 18091, "capiSSL": 18092, "n1qlSSL": 18093,
                                      "ftsSSL": 18094, "cbasSSL": 18095, "kvSSL": 11207}
"""The TLS ports of a Couchbase Server node, by their name in ``nodesExt``."""


def tls_name(service: str) -> str:
    """The ``nodesExt`` name of a service's TLS port: ``kv`` -> ``kvSSL``."""
    return service + "SSL"


class ServerTLS:
    """The cluster CA and the node certificate, and how TLS ports accept."""

    def __init__(self, ca_pem: bytes, chain_pem: bytes, key_pem: bytes,
                 handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT) -> None:
        self.ca_pem = ca_pem
        self.chain_pem = chain_pem
        self.key_pem = key_pem
        self.handshake_timeout = handshake_timeout
        self.context = _server_context(chain_pem, key_pem)
        self.context.load_verify_locations(cadata=ca_pem.decode("ascii"))  # client certs
        self.client_auth = ClientCertAuth(self._client_auth_changed)
        self._ca_dir: Optional[str] = None
        self.ca_path: Optional[str] = None
        self.issuer: Any = None  # the trustme CA, when generated: issues client certificates

    def _client_auth_changed(self, state: str) -> None:
        # new handshakes only, as on the server: open connections keep their identity
        self.context.verify_mode = self.client_auth.verify_mode()

    def issue_client_cert(self, username: str, directory: str, email_domain: str = "client.invalid"
                          ) -> tuple[str, str]:
        """Write a client certificate for ``username`` (subject CN ``username``,
        SAN email ``username@email_domain``) and its key to ``directory``;
        ``(cert_path, key_path)``. Only for a CA this cluster generated."""
        if self.issuer is None:
            raise RuntimeError("client certificates can be issued only by a generated CA "
                               "(MockCluster(tls=True) without tls_cert_dir)")
        leaf = self.issuer.issue_cert(f"{username}@{email_domain}", common_name=username)
        cert_path = os.path.join(directory, f"{username}.pem")
        key_path = os.path.join(directory, f"{username}.key")
        leaf.cert_chain_pems[0].write_to_path(cert_path)
        leaf.private_key_pem.write_to_path(key_path)
        return cert_path, key_path

    @classmethod
    def generate(cls, hosts: Iterable[str]) -> ServerTLS:
        """A new CA and a node certificate for ``hosts`` (and ``127.0.0.1``,
        ``localhost``); ``RuntimeError`` without ``trustme``."""
        try:
            import trustme
        except ImportError as exc:
            raise RuntimeError(
                "TLS in the local cluster needs the 'trustme' package: "
                "pip install 'couchbase-pure[mock-tls]'") from exc
        names = list(dict.fromkeys(["127.0.0.1", "localhost", *hosts]))
        ca = trustme.CA(organization_name="couchbase-mock",
                        organization_unit_name="local cluster CA")
        leaf = ca.issue_cert(*names, common_name=names[-1] if len(names) > 2 else "localhost")
        made = cls(ca.cert_pem.bytes(), b"".join(b.bytes() for b in leaf.cert_chain_pems),
                   leaf.private_key_pem.bytes())
        made.issuer = ca
        return made

    @classmethod
    def load(cls, directory: str) -> ServerTLS:
        """The certificates in ``directory`` (``ca.pem``, ``chain.pem``,
        ``pkey.key``); ``ValueError`` naming what is missing or unusable."""
        found = {}
        for name in (CA_FILE, CHAIN_FILE, KEY_FILE):
            path = os.path.join(directory, name)
            try:
                with open(path, "rb") as f:
                    found[name] = f.read()
            except OSError as exc:
                raise ValueError(f"TLS certificate directory {directory!r}: cannot read "
                                 f"{name} ({exc.strerror})") from exc
        try:
            return cls(found[CA_FILE], found[CHAIN_FILE], found[KEY_FILE])
        except ssl.SSLError as exc:
            raise ValueError(f"TLS certificate directory {directory!r}: {CHAIN_FILE} and "
                             f"{KEY_FILE} are not a certificate and its key ({exc})") from exc

    @classmethod
    def from_options(cls, tls: bool, cert_dir: Optional[str], hosts: Iterable[str]
                     ) -> Optional[ServerTLS]:
        """What ``tls``/``tls_cert_dir`` (``--tls``/``--tls-cert-dir``) ask for:
        the certificates in ``cert_dir``, new ones, or none."""
        if cert_dir is not None:
            return cls.load(cert_dir)
        return cls.generate(hosts) if tls else None

    # -- the CA file users point cert_path at ------------------------------

    def write_ca(self, directory: Optional[str] = None) -> str:
        """Write the CA PEM to ``directory`` (default: a temporary directory that
        :meth:`remove_ca` deletes) and return its path."""
        if directory is None:
            directory = self._ca_dir = tempfile.mkdtemp(prefix="couchbase-mock-tls-")
        path = os.path.join(directory, CA_FILE)
        with open(path, "wb") as f:
            f.write(self.ca_pem)
        self.ca_path = path
        return path

    def remove_ca(self) -> None:
        """Delete the temporary CA directory, if :meth:`write_ca` made one."""
        directory, self._ca_dir = self._ca_dir, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
            self.ca_path = None

    def trusted_cas(self) -> list[dict[str, Any]]:
        """``GET /pools/default/trustedCAs``: the one CA, as the server lists it."""
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(self.ca_pem)
        return [{
            "id": 0,
            "type": "generated",
            "subject": cert.subject.rfc4514_string(),
            "notBefore": _iso(getattr(cert, "not_valid_before_utc", None)
                              or cert.not_valid_before),
            "notAfter": _iso(getattr(cert, "not_valid_after_utc", None)
                             or cert.not_valid_after),
            "pem": self.ca_pem.decode(),
        }]

    # -- accepting ------------------------------------------------------------

    def guarded(self, make: Callable[[], asyncio.BaseProtocol]
                ) -> Callable[[], asyncio.BaseProtocol]:
        """``make`` (a port's protocol factory) for a TLS port: asyncio calls
        a protocol's ``connection_made`` only once the handshake is done, and
        nothing at all when it fails, so a connection that never got there
        gives back its place under the port's cap (its ``on_close``) once the
        handshake timeout is past."""

        def build() -> asyncio.BaseProtocol:
            app = make()
            if getattr(app, "on_close", None) is not None:  # not refused over the cap
                asyncio.get_running_loop().call_later(
                    self.handshake_timeout + 1.0, _release_if_never_made, app)
            return app

        return build


def _release_if_never_made(app: Any) -> None:
    on_close = app.on_close
    if app.transport is None and on_close is not None:  # never made (made ones clear it)
        app.on_close = None
        on_close()


def _server_context(chain_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """A server context for the node certificate (TLS 1.2 or later, as the
    server's default minimum)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="couchbase-mock-tls-") as tmp:
        chain, key = os.path.join(tmp, CHAIN_FILE), os.path.join(tmp, KEY_FILE)
        for path, data in ((chain, chain_pem), (key, key_pem)):
            with open(path, "wb") as f:
                f.write(data)
        context.load_cert_chain(chain, key)
    return context


def _iso(moment: datetime.datetime) -> str:
    return moment.replace(tzinfo=datetime.timezone.utc).isoformat().replace("+00:00", "Z")
