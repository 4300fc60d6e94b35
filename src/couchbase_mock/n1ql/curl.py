"""CURL(url[, options]) (curl.adoc): an HTTP GET or POST from the query node,
with the standard library, behind the cluster's CURL access list.

The access list is the cluster-wide ``queryCurlWhitelist`` setting
(``{"all_access": false, "allowed_urls": [], "disallowed_urls": []}`` by
default, so CURL() reaches nothing until a Full Administrator allows URLs
through ``/settings/querySettings/curlWhitelist``). A URL is allowed when
``all_access`` is true or a prefix of it is in ``allowed_urls``, and no prefix
of it is in ``disallowed_urls``. Only http:// and https:// URLs, no redirects;
the answer must be JSON ("Not a JSON endpoint" otherwise) of at most
``result-cap`` bytes (20 MB by default); ``max-time`` and ``connect-timeout``
bound the transfer. Every failure is error 5010 with the cause.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

from .errors import N1QLError
from .values import MISSING, is_number

AGENT = "couchbase/n1ql/1.7.0-N1QL"
RESULT_CAP = 20 * 1024 * 1024
MAX_TIME = 60.0  # seconds, when the options set no bound

_BOOLEAN = ("get", "basic", "insecure", "anyauth", "silent", "show-error", "show_error")
_NUMBER = ("connect-timeout", "max-time", "keepalive-time", "result-cap")
_STRINGS = ("data", "header", "data-urlencode")
_STRING = ("request", "user", "user-agent", "cacert", "cert", "key", "passphrase")
_FILES = ("cacert", "cert", "key", "passphrase")  # certificates the local cluster does not hold


class CurlAccess:
    """The ``queryCurlWhitelist`` setting (thread-safe; shared by the engine's requests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.all_access = False
        self.allowed: list[str] = []
        self.disallowed: list[str] = []

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {"all_access": self.all_access, "allowed_urls": list(self.allowed),
                    "disallowed_urls": list(self.disallowed)}

    def update(self, doc: Any) -> None:
        """Apply a posted setting; ``ValueError`` says what is wrong with it.
        ``all_access`` is required; a list left out keeps its value."""
        if not isinstance(doc, dict):
            raise ValueError("The value must be a JSON object")
        unknown = sorted(set(doc) - {"all_access", "allowed_urls", "disallowed_urls"})
        if unknown:
            raise ValueError(f"Unsupported key {unknown[0]}")
        if type(doc.get("all_access")) is not bool:
            raise ValueError("all_access - The value must be a boolean")
        lists = {}
        for name in ("allowed_urls", "disallowed_urls"):
            value = doc.get(name)
            if name in doc and not (isinstance(value, list)
                                    and all(type(v) is str for v in value)):
                raise ValueError(f"{name} - The value must be an array of strings")
            lists[name] = value
        with self._lock:
            allowed = lists["allowed_urls"] if lists["allowed_urls"] is not None else self.allowed
            disallowed = (lists["disallowed_urls"] if lists["disallowed_urls"] is not None
                          else self.disallowed)
            both = sorted(set(allowed) & set(disallowed))
            if both:
                raise ValueError(f"{both[0]} is both allowed and disallowed")
            self.all_access = doc["all_access"]
            self.allowed, self.disallowed = list(allowed), list(disallowed)

    def permits(self, url: str) -> bool:
        with self._lock:
            if any(url.startswith(p) for p in self.disallowed):
                return False
            return self.all_access or any(url.startswith(p) for p in self.allowed)


def access_of(engine: Any) -> CurlAccess:
    """The engine's CURL access list (made on first use)."""
    found = getattr(engine, "curl_access", None)
    if found is None:
        found = engine.__dict__.setdefault("curl_access", CurlAccess())
    return found


def _fail(cause: str) -> N1QLError:
    return N1QLError(5010, f"Error evaluating CURL() - cause: curl: {cause}")


def _strings(name: str, value: Any) -> list[str]:
    if type(value) is str:
        return [value]
    if isinstance(value, list) and all(type(v) is str for v in value):
        return list(value)
    raise _fail(f"Incorrect type for {name} option. It should be a string or an array of "
                "strings.")


def _options(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if type(options) is not dict:
        raise _fail("The options argument must be an object.")
    for name, value in options.items():
        if name in _BOOLEAN:
            ok = type(value) is bool
            kind = "a boolean"
        elif name in _NUMBER:
            ok = is_number(value) and value > 0
            kind = "a positive number"
        elif name in _STRINGS:
            _strings(name, value)
            continue
        elif name in _STRING:
            ok = type(value) is str
            kind = "a string"
        else:
            raise _fail(f"Unsupported option {name}.")
        if not ok:
            raise _fail(f"Incorrect type for {name} option. It should be {kind}.")
        if name in _FILES:
            raise _fail(f"The {name} option needs certificate files in n1qlcerts, which the "
                        "local cluster does not have.")
    method = options.get("request")
    if method is not None and method not in ("GET", "POST"):
        raise _fail(f"Request method {method} is not supported: only GET and POST (case "
                    "sensitive).")
    return options


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer comes back as it is: redirection is not allowed


def request(url: Any, options: Any = None, deadline: Optional[float] = None) -> Any:
    """Fetch ``url`` as the options say; the JSON answer as a value (an empty
    body: MISSING). ``deadline``: the statement's (time.monotonic()) end."""
    opts = _options(options)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(f"Unsupported protocol or URL {url}: only http:// and https:// URLs "
                    "are allowed.")
    user = opts.get("user") or (urllib.parse.unquote(parts.username or "") + (
        ":" + urllib.parse.unquote(parts.password or "") if parts.password else ""))
    if parts.username is not None:  # credentials travel in a header, not the URL
        url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    data = [urllib.parse.quote(s, safe="=&") for s in
            _strings("data-urlencode", opts.get("data-urlencode", []))]
    data = _strings("data", opts.get("data", [])) + data
    method = opts.get("request") or ("GET" if opts.get("get") or not data else "POST")
    body: Optional[bytes] = None
    if data and method == "GET":
        url += ("&" if parts.query else "?") + "&".join(data)
    elif data:
        body = "&".join(data).encode()
    headers = {"X-N1QL-User-Agent": AGENT, "User-Agent": opts.get("user-agent", AGENT)}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    for line in _strings("header", opts.get("header", [])):
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise _fail(f"Invalid header {line!r}: a header is 'Name: value'.")
        headers[name.strip()] = value.strip()
    if user:
        headers["Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
    cap = int(opts.get("result-cap", RESULT_CAP))
    limit = float(opts.get("max-time", MAX_TIME))
    end = time.monotonic() + limit
    if deadline is not None:
        end = min(end, deadline)
    connect = min(float(opts.get("connect-timeout", limit)), max(end - time.monotonic(), 0.001))
    handlers: list[Any] = [_NoRedirect()]
    if url.startswith("https") and opts.get("insecure"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        try:
            answer = opener.open(req, timeout=connect)
        except urllib.error.HTTPError as err:  # a 4xx/5xx/3xx answer: its body, as curl
            answer = err
        with answer:
            if 300 <= answer.getcode() < 400:
                raise _fail(f"Redirection is not allowed: {url} answered {answer.getcode()}.")
            raw = _read(answer, cap, end)
    except N1QLError:
        raise
    except (TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise _fail(f"Operation timed out after {limit:g} seconds: {url}") from None
        raise _fail(f"Failed to connect to {parts.hostname}: {reason}") from None
    if not raw.strip():
        return MISSING
    try:
        return json.loads(raw)
    except ValueError:
        raise _fail(f"Not a JSON endpoint: {url}") from None


def _read(answer: Any, cap: int, end: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > end:
            raise TimeoutError("timed out")
        chunk = answer.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > cap:
            raise _fail(f"Response size limit of {cap} bytes exceeded (result-cap).")
        chunks.append(chunk)
