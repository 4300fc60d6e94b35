"""Result objects returned by every key-value operation."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional


class Result:
    """Base of all results: ``rc`` (0 on success), ``success`` and ``key``."""

    __slots__ = ("rc", "key")

    def __init__(self, key: Any = None, rc: int = 0) -> None:
        self.key = key
        self.rc = rc

    @property
    def success(self) -> bool:
        return not self.rc

    @property
    def errstr(self) -> str:
        from .exceptions import _RC_TEXT

        return _RC_TEXT.get(self.rc, "Unknown error")

    def __repr__(self) -> str:
        return f"{type(self).__name__}<RC=0x{self.rc:X}, Key={self.key}>"

    __str__ = __repr__


class OperationResult(Result):
    """The result of a mutation: adds ``cas``, and the mutation token if the
    server sent one (``_mutinfo``, see :mod:`couchbase.mutation_state`)."""

    __slots__ = ("cas", "_token")
    _token: Any  # the response with the token, then the MutationToken; unset if none

    def __init__(self, key: Any = None, rc: int = 0, cas: int = 0) -> None:
        self.key = key
        self.rc = rc
        self.cas = cas

    @property
    def _mutinfo(self) -> Any:
        """The mutation token, a :class:`~couchbase.mutation_state.MutationToken`
        (a ``(vbucket, uuid, seqno, bucket)`` tuple), or None."""
        return self.mutation_token()

    def mutation_token(self) -> Any:
        """The mutation token (SDK 3.x's name), or None."""
        token = getattr(self, "_token", None)  # (the slot is only set when there is one)
        if token is not None and not isinstance(token, tuple):  # the response, kept
            from ._kv import token_of_packet

            token = self._token = token_of_packet(token)
        return token

    def __repr__(self) -> str:
        return f"{type(self).__name__}<RC=0x{self.rc:X}, Key={self.key}, CAS=0x{self.cas:x}>"

    __str__ = __repr__


class ValueResult(OperationResult):
    """The result of a retrieval or counter: adds ``value`` and ``flags``."""

    __slots__ = ("value", "flags")

    def __init__(
        self, key: Any = None, rc: int = 0, cas: int = 0, value: Any = None, flags: int = 0
    ) -> None:
        self.key = key
        self.rc = rc
        self.cas = cas
        self.value = value
        self.flags = flags

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}<RC=0x{self.rc:X}, Key={self.key}, Value={self.value!r}, "
            f"CAS=0x{self.cas:x}, Flags=0x{self.flags:x}>"
        )

    __str__ = __repr__


class ObserveInfo(Result):
    """One node's view of a key: ``flags`` (the state), ``cas``, ``from_master``."""

    __slots__ = ("flags", "cas", "from_master", "ttp", "ttr")

    def __init__(self, key: Any, flags: int, cas: int, from_master: bool) -> None:
        self.key = key
        self.rc = 0
        self.flags = flags
        self.cas = cas
        self.from_master = from_master
        self.ttp = 0
        self.ttr = 0

    def __repr__(self) -> str:
        return (f"ObserveInfo<Status=[{self.flags}], Master={self.from_master}, "
                f"CAS=0x{self.cas:x}>")

    __str__ = __repr__


class MultiResult(dict):
    """Results of a ``*_multi`` call, keyed by the keys given.

    ``all_ok`` is true when every operation succeeded.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.all_ok = True

    def _add(self, key: Any, result: Result) -> None:
        self[key] = result
        if result.rc:
            self.all_ok = False

    def first_error(self) -> Optional[Result]:
        for result in self.values():
            if result.rc:
                return result
        return None


class Headers(Mapping[str, str]):
    """HTTP response headers: a mapping whose keys match whatever their case
    (``'X-Couchbase-Meta' in rv.headers`` and ``rv.headers['x-couchbase-meta']``),
    iterating with the case the server sent."""

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._items = {name.lower(): (name, value) for name, value in headers.items()}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class HttpResult(Result):
    """The answer to an HTTP request (design documents): ``value`` holds the decoded
    JSON body, ``http_status`` the status code, ``url`` the path asked for."""

    __slots__ = ("value", "http_status", "url", "headers")

    def __init__(self, url: str, http_status: int, value: Any = None,
                 headers: Optional[dict[str, str]] = None) -> None:
        self.key = None
        self.url = url
        self.http_status = http_status
        self.value = value
        self.headers = Headers(headers or {})
        self.rc = 0 if 200 <= http_status < 300 else 0x3B  # libcouchbase's HTTP error

    @property
    def success(self) -> bool:
        return 200 <= self.http_status < 300

    def __repr__(self) -> str:
        return (f"HttpResult<rc=0x{self.rc:X}, http_status={self.http_status}, "
                f"url={self.url}, value={self.value!r}>")

    __str__ = __repr__


def __getattr__(name: str) -> Any:
    # 2.x applications import SubdocResult from here; it lives with the sub-document
    # code, which imports this module (hence the late import)
    if name == "SubdocResult":
        from ._subdoc_result import SubdocResult

        return SubdocResult
    where = _SERVICE_RESULTS.get(name)  # the 4.x service results (their modules import this)
    if where is not None:
        import importlib

        return getattr(importlib.import_module(where, __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SERVICE_RESULTS = {
    "QueryResult": "._query4x", "AnalyticsResult": "._query4x", "SearchResult": ".search",
    "ViewResult": "._views4x", "PingResult": "._health4x", "DiagnosticsResult": "._health4x",
    "ClusterInfoResult": "._health4x", "ScanResultIterable": "._scan4x",
}

# The 4.x results (GetResult, MutationResult...), beside the 2.x ones above
from ._results4x import *  # noqa: E402,F401,F403
from .mutation_state import MutationToken  # noqa: E402,F401 - the 4.x import home
