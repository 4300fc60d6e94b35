"""Authenticators for :class:`~couchbase.cluster.Cluster`: RBAC users (SDK 3.x and
2.x), the 2.x bucket passwords (:class:`ClassicAuthenticator`) and client
certificates (:class:`CertificateAuthenticator`, 2.x :class:`CertAuthenticator`)."""

from __future__ import annotations

import os
from typing import Optional

from .auth_domain import AuthDomain  # noqa: F401 - SDK 4.x's home of the enum
from .exceptions import ArgumentError


class Authenticator:
    """Base of the credentials a cluster connection presents."""

    username: str = ""
    password: str = ""

    def credentials_for(self, bucket: str) -> tuple[str, str]:
        """``(username, password)`` to open ``bucket`` with."""
        return self.username, self.password

    def cluster_credentials(self) -> tuple[str, str]:
        """``(username, password)`` for cluster management."""
        return self.username, self.password

    def connstr_options(self) -> dict[str, str]:
        """Connection-string options the authenticator brings (TLS files)."""
        return {}


class PasswordAuthenticator(Authenticator):
    """RBAC username and password (SASL SCRAM over TCP, PLAIN over TLS); ``cert_path``
    (4.x): the PEM file of the CA certificates to trust over ``couchbases://``."""

    def __init__(self, username: str, password: str, cert_path: Optional[str] = None) -> None:
        if not isinstance(username, str) or not isinstance(password, str):
            raise ArgumentError("username and password must be strings")
        if cert_path is not None and not isinstance(cert_path, str):
            raise ArgumentError("cert_path must be the path of a PEM file")
        self.username = username
        self.password = password
        self.cert_path = cert_path

    def connstr_options(self) -> dict[str, str]:
        return {"cert_path": self.cert_path} if self.cert_path is not None else {}

    def __repr__(self) -> str:
        return f"PasswordAuthenticator(username={self.username!r})"


class CertificateAuthenticator(Authenticator):
    """A client certificate instead of a password (4.x): ``cert_path`` the client
    certificate (PEM, then any intermediates), ``key_path`` its private key,
    ``trust_store_path`` the CA certificates to trust (default: the system's).

    Needs ``couchbases://`` and a cluster with client-certificate handling
    enabled; the cluster maps the certificate to a user. The key-value
    connections send no SASL and the HTTP requests no Basic auth: the TLS
    handshake authenticates. As the 2.x connection-string options
    ``certpath``/``keypath``/``truststorepath`` (libcouchbase's names).
    Files that cannot be read are an :class:`~couchbase.exceptions.ArgumentError`
    (4.x: ``InvalidArgumentException``) here, before any I/O."""

    def __init__(self, cert_path: Optional[str] = None, key_path: Optional[str] = None,
                 trust_store_path: Optional[str] = None) -> None:
        for name, value in (("cert_path", cert_path), ("key_path", key_path)):
            if not isinstance(value, str) or not value:
                raise _invalid(f"CertificateAuthenticator needs {name}, the path of a PEM "
                               f"file, not {value!r}")
        if trust_store_path is not None and not isinstance(trust_store_path, str):
            raise _invalid("trust_store_path must be the path of a PEM file")
        for name, value in (("cert_path", cert_path), ("key_path", key_path),
                            ("trust_store_path", trust_store_path)):
            if value is not None and not os.access(value, os.R_OK):
                raise _invalid(f"CertificateAuthenticator: cannot read {name} {value!r}")
        self.cert_path: str = cert_path  # type: ignore[assignment]  # (checked above)
        self.key_path: str = key_path  # type: ignore[assignment]
        self.trust_store_path = trust_store_path

    def connstr_options(self) -> dict[str, str]:
        options = {"certpath": self.cert_path, "keypath": self.key_path}
        if self.trust_store_path is not None:
            options["truststorepath"] = self.trust_store_path
        return options

    def __repr__(self) -> str:
        return f"CertificateAuthenticator(cert_path={self.cert_path!r})"


class CertAuthenticator(CertificateAuthenticator):
    """SDK 2.x's client certificate for :meth:`Cluster.authenticate
    <couchbase.cluster.Cluster.authenticate>`: the buckets it opens present
    ``cert_path``/``key_path`` (trusting ``trust_store_path``), never a password;
    ``cluster_username``/``cluster_password``, when given, are the administrator's
    for :meth:`~couchbase.cluster.Cluster.cluster_manager`."""

    def __init__(self, cert_path: Optional[str] = None, key_path: Optional[str] = None,
                 trust_store_path: Optional[str] = None,
                 cluster_username: Optional[str] = None,
                 cluster_password: Optional[str] = None) -> None:
        super().__init__(cert_path, key_path, trust_store_path)
        for value in (cluster_username, cluster_password):
            if value is not None and not isinstance(value, str):
                raise ArgumentError("cluster_username and cluster_password must be strings")
        self.username = cluster_username or ""
        self.password = cluster_password or ""

    def credentials_for(self, bucket: str) -> tuple[str, str]:
        """No password for a bucket: the certificate authenticates it."""
        return "", ""

    def __repr__(self) -> str:
        return f"CertAuthenticator(cert_path={self.cert_path!r}, " \
               f"cluster_username={self.username!r})"


def _invalid(message: str) -> ArgumentError:
    from ._errors4x import InvalidArgumentException  # (an ArgumentError too)

    return InvalidArgumentException(message=message)


class ClassicAuthenticator(Authenticator):
    """SDK 2.x credentials from before RBAC: bucket passwords, and the cluster
    administrator's for management (:meth:`~couchbase.cluster.Cluster.cluster_manager`).

    >>> auth = ClassicAuthenticator("Administrator", "password", buckets={"beer": "s3cret"})
    >>> auth.credentials_for("beer")
    ('beer', 's3cret')
    """

    def __init__(self, cluster_username: Optional[str] = None,
                 cluster_password: Optional[str] = None,
                 buckets: Optional[dict[str, str]] = None) -> None:
        if buckets is not None and not isinstance(buckets, dict):
            raise ArgumentError("buckets must be a dict of bucket name -> password")
        for value in (cluster_username, cluster_password, *(buckets or {}).values()):
            if value is not None and not isinstance(value, str):
                raise ArgumentError("user names and passwords must be strings")
        self.username = cluster_username or ""
        self.password = cluster_password or ""
        self.buckets = dict(buckets or {})

    def credentials_for(self, bucket: str) -> tuple[str, str]:
        """A bucket is opened with its own name and password (empty if not listed)."""
        return bucket, self.buckets.get(bucket, "")

    def cluster_credentials(self) -> tuple[str, str]:
        if not self.username:
            raise ArgumentError("ClassicAuthenticator has no cluster_username: management "
                                "needs the cluster's administrator credentials")
        return self.username, self.password

    def __repr__(self) -> str:
        return f"ClassicAuthenticator(cluster_username={self.username!r}, " \
               f"buckets={sorted(self.buckets)!r})"
