"""What the TLS tests share (tests/, imported by name): a CA that signed none of the
local cluster's certificates, and another name of 127.0.0.1 for host-name checks."""

from __future__ import annotations

import socket

import pytest


def make_other_ca(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A CA file that did not sign the cluster's certificates (a module fixture's body)."""
    trustme = pytest.importorskip("trustme")  # the 'mock-tls' extra
    path = tmp_path_factory.mktemp("other-ca") / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


def other_name_of_loopback() -> str:
    """This machine's host name when it resolves to 127.0.0.1 (the node certificate
    names only 127.0.0.1 and localhost); the test is skipped when there is none."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip("this machine's host name does not resolve")
    if name in ("localhost", "127.0.0.1") or address != "127.0.0.1":
        pytest.skip("no other name of 127.0.0.1 here")
    return name
