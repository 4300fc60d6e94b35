"""Connection settings of a Bucket, read once from its arguments and connection string."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any, Optional

from ._core.compression import Compression
from ._core.connstr import ConnectionString, parse_connection_string, parse_duration
from ._core.connstr_options import unknown_options
from ._core.dnssrv import DnsSrvOptions
from ._logging import log
from ._tracing import TracingSettings
from .exceptions import ArgumentError, InvalidError, NotSupportedError

DEFAULT_TIMEOUT = 2.5
DEFAULT_BOOTSTRAP_TIMEOUT = 5.0
# Per node: connect + HELLO + auth + bucket + config must finish within this
# (libcouchbase's config_node_timeout, 2 s by default), else the node is
# given up: the bootstrap walks on to the next seed, an operation gets a new
# connection on its next attempt.
DEFAULT_NODE_TIMEOUT = 2.0
NETWORKS = ("default", "external", "auto")
TLS_VERIFY_MODES = ("peer", "none", "no_verify")  # 4.x TLSVerifyMode values


@dataclass
class Settings:
    connstr: ConnectionString
    bucket: Optional[str]  # None: a cluster-level connection (no SELECT_BUCKET)
    username: str
    password: str
    timeout: float
    bootstrap_timeout: float
    tls: Optional[ssl.SSLContext]
    node_timeout: float = DEFAULT_NODE_TIMEOUT
    compression: Compression = field(default_factory=Compression)
    tracing: TracingSettings = field(default_factory=TracingSettings)  # and log redaction


def _parse(text: Any) -> ConnectionString:
    from .connstr import ConnectionString as PublicConnectionString  # (2.x's helper)

    if isinstance(text, PublicConnectionString):
        text = text.encode()
    if not isinstance(text, str):
        raise ArgumentError(f"the connection string must be a str, not {type(text).__name__}")
    try:
        return parse_connection_string(text)
    except ValueError as exc:  # (2.x: lcb_create's EINVAL, an InvalidError)
        raise InvalidError(f"bad connection string {text!r}: {exc}", inner_cause=exc) from None


def _seconds(options: dict[str, str], names: tuple[str, ...], default: float) -> float:
    """The last of ``names`` given in the connection string wins."""
    value = default
    for name in names:
        raw = options.get(name)
        if raw is None:
            continue
        try:
            value = parse_duration(raw)
        except ValueError as exc:
            raise ArgumentError(f"bad value for {name}: {raw!r}", inner_cause=exc) from None
    return value


def _client_certificate(options: dict[str, str]) -> Optional[tuple[str, str]]:
    """``(certificate, key)`` files of a client certificate (libcouchbase's options,
    as 4.x CertificateAuthenticator passes them): with ``keypath``, ``certpath`` is
    the client certificate (and ``truststorepath`` or ``cert_path`` the CA);
    without it, ``certpath`` is the CA."""
    key = options.get("keypath")
    if key is None:
        return None
    cert = options.get("certpath")
    if not cert:
        raise ArgumentError("keypath (a client certificate's key) needs certpath, the "
                            "client certificate")
    return cert, key


@dataclass(frozen=True)
class TlsFiles:
    """What the connection string asks of TLS, read in one place: the stdlib context
    below and the Twisted front end's pyOpenSSL options are both built from it."""

    cafile: Optional[str]  # None: the system trust store
    client_cert: Optional[tuple[str, str]]  # (certificate, key)
    verify: bool
    disabled_by: str = ""  # the option that turned verification off, for the warning


def tls_files(options: dict[str, str]) -> TlsFiles:
    client_cert = _client_certificate(options)
    if client_cert is not None:
        cafile = options.get("cert_path") or options.get("truststorepath")
    else:
        cafile = (options.get("cert_path") or options.get("certpath")
                  or options.get("truststorepath"))
    verify = options.get("tls_verify", "peer")
    if verify not in TLS_VERIFY_MODES:
        raise ArgumentError(f"tls_verify must be peer or none, not {verify!r}")
    disabled_by = ("ssl=no_verify" if options.get("ssl") == "no_verify"
                   else f"tls_verify={verify}" if verify in ("none", "no_verify") else "")
    return TlsFiles(cafile or None, client_cert, not disabled_by, disabled_by)


def _tls_context(cs: ConnectionString) -> Optional[ssl.SSLContext]:
    if not cs.tls:
        if _client_certificate(cs.options) is not None:
            raise ArgumentError("a client certificate (keypath, CertificateAuthenticator) "
                                "needs TLS: use a couchbases:// connection string")
        return None
    files = tls_files(cs.options)
    cafile, client_cert = files.cafile, files.client_cert
    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:  # no such file, or not PEM certificates
        raise ArgumentError(f"cannot read the CA certificates in cert_path {cafile!r}: {exc}",
                            inner_cause=exc) from None
    if client_cert is not None:
        try:
            context.load_cert_chain(*client_cert)
        except (OSError, ssl.SSLError) as exc:  # unreadable, or not a certificate and its key
            raise ArgumentError(f"cannot load the client certificate {client_cert[0]!r} with "
                                f"the key {client_cert[1]!r}: {exc}", inner_cause=exc) from None
    if not files.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        log.warning("TLS CERTIFICATE VERIFICATION IS DISABLED (%s): the client accepts any "
                    "server certificate and host name; use only for testing",
                    files.disabled_by)
    return context


def take_bucket_kwargs(kwargs: dict[str, Any], lockmode: Any) -> Optional[str]:
    """The ``bucket`` keyword; refuses a bad ``lockmode`` and any unknown keyword."""
    from ._locking import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT

    bucket = kwargs.pop("bucket", None)
    if kwargs:
        raise ArgumentError(f"unknown arguments: {', '.join(sorted(kwargs))}")
    if lockmode not in (LOCKMODE_NONE, LOCKMODE_EXC, LOCKMODE_WAIT):
        raise ArgumentError(f"unknown lockmode {lockmode!r}", objextra=lockmode)
    return bucket


def read_settings(
    connection_string: Optional[str],
    password: Optional[str],
    username: Optional[str],
    timeout: Optional[float],
    bootstrap_timeout: Optional[float],
    bucket: Optional[str] = None,
) -> Settings:
    """Everything a front end needs to connect, validated before any I/O."""
    cs = _parse(connection_string or "couchbase://localhost/default")
    unknown = unknown_options(cs.options)
    if unknown:  # (2.x: libcouchbase refused to create the instance)
        raise NotSupportedError(f"unknown connection string option(s): {', '.join(unknown)}",
                                objextra=unknown)
    if cs.options.get("network", "default") not in NETWORKS:
        raise ArgumentError(f"network must be default, external or auto, "
                            f"not {cs.options['network']!r}")
    name = bucket or cs.bucket or "default"
    op_timeout = _seconds(cs.options, ("operation_timeout", "kv_timeout"), DEFAULT_TIMEOUT)
    if timeout is not None:
        op_timeout = float(timeout)
    boot_timeout = _seconds(
        cs.options, ("config_total_timeout", "bootstrap_timeout", "connect_timeout"),
        DEFAULT_BOOTSTRAP_TIMEOUT,
    )
    if bootstrap_timeout is not None:
        boot_timeout = float(bootstrap_timeout)
    node_timeout = _seconds(cs.options, ("config_node_timeout",), DEFAULT_NODE_TIMEOUT)
    if node_timeout <= 0:
        raise ArgumentError(f"config_node_timeout must be positive, not {node_timeout}")
    try:
        compression = Compression.from_options(cs.options)
    except ValueError as exc:
        raise ArgumentError(str(exc), inner_cause=exc) from None
    try:
        tracing = TracingSettings.from_options(cs.options)
    except ValueError as exc:
        raise ArgumentError(str(exc), inner_cause=exc) from None
    try:
        DnsSrvOptions.from_options(cs.options)  # checked now, used at bootstrap
    except ValueError as exc:
        raise ArgumentError(str(exc), inner_cause=exc) from None
    tls = _tls_context(cs)
    if _client_certificate(cs.options) is not None:
        username, password = "", ""  # the certificate authenticates: no SASL, no Basic auth
    return Settings(
        cs, name, username if username is not None else name, password or "", op_timeout,
        boot_timeout, tls, node_timeout, compression, tracing,
    )
