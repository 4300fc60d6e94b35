"""Client-certificate authentication (mutual TLS) in the local cluster.

Facts from Couchbase Server's documentation ("Enable Client-Certificate
Handling", docs.couchbase.com/server/current/manage/manage-security/
enable-client-certificate-handling.html, and "Certificates", learn/security/
certificates.html#identifying-certificate-based-usernames-on-couchbase-server):

- ``GET``/``POST /settings/clientCertAuth`` hold ``{"state": ..., "prefixes":
  [{"path", "prefix", "delimiter"}...]}``; ``state`` is ``disable`` (the
  default: user name and password only), ``enable`` (a client that presents a
  certificate is authenticated by it; one that does not authenticates some other
  way), ``hybrid`` (as ``enable`` for clients) or ``mandatory`` (clients must
  present a certificate: "no other form of client-authentication is handled
  over the secure connection").
- ``path`` is one of ``subject.cn``, ``san.uri``, ``san.email``, ``san.dns``;
  ``prefix`` and ``delimiter`` are strings, empty for none; at most 10 tuples,
  no two with the same ``path`` and ``prefix``, every field given.
- The user name: each tuple in order, each value found at its path; a matching
  prefix is removed (a value without it is used whole); the part before the
  first delimiter character is kept. The first name of an existing user wins;
  the certificate must chain to the cluster's CA.

What the documentation leaves open, decided here: a certificate whose names
match no user is refused (HTTP 401; on KV every command, SASL included, gets
an access error, so a client names the cause instead of seeing a dropped
connection); a KV connection authenticated by its certificate takes no SASL.
"""

from __future__ import annotations

import ssl
from typing import Any, Callable, Optional

STATES = ("disable", "enable", "hybrid", "mandatory")
PATHS = ("subject.cn", "san.uri", "san.email", "san.dns")
MAX_PREFIXES = 10
DEFAULT_PREFIXES = ({"path": "subject.cn", "prefix": "", "delimiter": ""},)
_SAN_TYPE = {"san.uri": "URI", "san.email": "email", "san.dns": "DNS"}  # ssl's peercert names


class ClientCertAuth:
    """The cluster's ``/settings/clientCertAuth``, and who a certificate is."""

    def __init__(self, on_change: Optional[Callable[[str], None]] = None) -> None:
        self.state = "disable"
        self.prefixes: list[dict[str, str]] = [dict(p) for p in DEFAULT_PREFIXES]
        self._on_change = on_change

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "prefixes": [dict(p) for p in self.prefixes]}

    def update(self, state: Any, prefixes: Any = None) -> None:
        """Set ``state`` and (if given) ``prefixes``; ``ValueError`` saying what
        is wrong, as the server's 400 does, changing nothing."""
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {state!r}")
        checked = self.prefixes if prefixes is None else check_prefixes(prefixes)
        self.state, self.prefixes = state, checked
        if self._on_change is not None:
            self._on_change(state)

    @property
    def active(self) -> bool:
        return self.state != "disable"

    def user_for(self, peercert: dict[str, Any], exists: Callable[[str], bool]
                 ) -> Optional[str]:
        """The user a verified certificate (``SSLSocket.getpeercert()``) names,
        or ``None`` when none of its names is a user."""
        for rule in self.prefixes:
            for value in _values(peercert, rule["path"]):
                name = _strip(value, rule["prefix"], rule["delimiter"])
                if name and exists(name):
                    return name
        return None

    def verify_mode(self) -> ssl.VerifyMode:
        """What a TLS port asks of clients in this state."""
        if self.state == "mandatory":
            return ssl.CERT_REQUIRED
        return ssl.CERT_OPTIONAL if self.active else ssl.CERT_NONE


def check_prefixes(prefixes: Any) -> list[dict[str, str]]:
    if not isinstance(prefixes, list) or not prefixes:
        raise ValueError("prefixes must be a non-empty list")
    if len(prefixes) > MAX_PREFIXES:
        raise ValueError(f"at most {MAX_PREFIXES} prefixes")
    out, seen = [], set()
    for item in prefixes:
        if not isinstance(item, dict) or set(item) != {"path", "prefix", "delimiter"}:
            raise ValueError("each prefix must have exactly path, prefix and delimiter")
        if item["path"] not in PATHS:
            raise ValueError(f"path must be one of {', '.join(PATHS)}, not {item['path']!r}")
        if not isinstance(item["prefix"], str) or not isinstance(item["delimiter"], str):
            raise ValueError("prefix and delimiter must be strings")
        key = (item["path"], item["prefix"])
        if key in seen:
            raise ValueError(f"two prefixes with path {key[0]!r} and prefix {key[1]!r}")
        seen.add(key)
        out.append({"path": item["path"], "prefix": item["prefix"],
                    "delimiter": item["delimiter"]})
    return out


def _values(peercert: dict[str, Any], path: str) -> list[str]:
    if path == "subject.cn":
        return [value for rdn in peercert.get("subject", ()) for name, value in rdn
                if name == "commonName"]
    kind = _SAN_TYPE[path]
    return [value for name, value in peercert.get("subjectAltName", ()) if name == kind]


def _strip(value: str, prefix: str, delimiters: str) -> str:
    if prefix and value.startswith(prefix):
        value = value[len(prefix):]
    cut = [i for i in (value.find(d) for d in delimiters) if i >= 0]
    return value[:min(cut)] if cut else value


def identify(cluster: Any, transport: Any) -> tuple[bool, Optional[str]]:
    """``(presented, user)`` for a new connection: whether it came over TLS with
    a client certificate the cluster handles, and the user it names (``None``:
    refused)."""
    tls = getattr(cluster, "tls", None)
    if tls is None or not tls.client_auth.active:
        return False, None
    peercert = transport.get_extra_info("peercert")
    if not peercert:
        return False, None
    return True, tls.client_auth.user_for(
        peercert, lambda name: cluster.password_for(name) is not None)


def handle(cluster: Any, is_admin: bool, method: str, body: bytes) -> tuple[int, Any]:
    """``GET``/``POST /settings/clientCertAuth`` (security settings: the
    administrator only). ``POST`` takes the JSON document above; a bad one is a
    400 naming the problem (its shape, ``{"errors": [...]}``, is ours)."""
    if not is_admin:
        return 403, {"message": "Forbidden. User needs the following permissions",
                     "permissions": ["cluster.admin.security!read"]}
    tls = getattr(cluster, "tls", None)
    settings = tls.client_auth if tls is not None else ClientCertAuth()
    if method == "GET":
        return 200, settings.to_json()
    if method != "POST":
        return 405, {"errors": [f"method {method} not allowed"]}
    import json

    try:
        doc = json.loads(body or b"null")
    except ValueError:
        return 400, {"errors": ["the body must be a JSON document"]}
    if not isinstance(doc, dict) or set(doc) - {"state", "prefixes"} or "state" not in doc:
        return 400, {"errors": ["the body must be {\"state\": ..., \"prefixes\": [...]}"]}
    if tls is None and doc["state"] != "disable":
        return 400, {"errors": ["client certificates need TLS (start the cluster with --tls)"]}
    try:
        settings.update(doc["state"], doc.get("prefixes"))
    except ValueError as exc:
        return 400, {"errors": [str(exc)]}
    return 200, {}


def http_headers(cluster: Any, transport: Any, headers: list[tuple[bytes, bytes]]
                 ) -> Optional[list[tuple[bytes, bytes]]]:
    """A request's headers on a connection that presented a client certificate:
    its own credentials dropped, its certificate user's put in their place (so
    every service's password check sees that user), none when the certificate
    names no user (401). ``None`` without a certificate: unchanged."""
    presented, user = identify(cluster, transport)
    if not presented:
        return None
    kept = [(name, value) for name, value in headers if name.lower() != b"authorization"]
    if user is not None:
        import base64

        token = base64.b64encode(f"{user}:{cluster.password_for(user)}".encode())
        kept.append((b"authorization", b"Basic " + token))
    return kept
