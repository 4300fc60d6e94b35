"""View query options: :class:`Query`, checked as they are set and encoded once.

Options can be keyword arguments of :meth:`~couchbase.bucket.Bucket.query`,
properties of a :class:`Query`, or a raw query string::

    q = Query(limit=10, stale=False)
    q.mapkey_range = ["abbaye", "abbaye" + Query.STRING_RANGE_END]
    cb.query("beer", "by_name", query=q)
    cb.query("beer", "by_name", limit=3, skip=1, stale=False)
    cb.query("beer", "by_name", query="limit=3&skip=1&stale=false")

Keys (``key``, ``keys``, ``startkey``, ``endkey``) are JSON-encoded; a bad
value raises :class:`~couchbase.exceptions.ArgumentError` when it is set.

>>> Query(limit=2, startkey="a", stale="update_after").encoded
'limit=2&startkey=%22a%22&stale=update_after'
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Optional, Union
from urllib import parse as ulp  # (2.x's name for urllib.parse, kept for its users)
from urllib.parse import quote

from ..exceptions import ArgumentError

STALE_OK = "ok"
STALE_UPDATE_BEFORE = "false"
STALE_UPDATE_AFTER = "update_after"
ONERROR_CONTINUE = "continue"
ONERROR_STOP = "stop"


class _Unspec:
    """The value of an option that is not set (``UNSPEC``); it is false."""

    _instance: Optional[_Unspec] = None

    def __new__(cls) -> _Unspec:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSPEC"

    def __copy__(self) -> _Unspec:
        return self

    def __deepcopy__(self, memo: Any) -> _Unspec:
        return self


UNSPEC = _Unspec()


# -- how each kind of option becomes its query-string text ------------------------------
def _boolean(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value in ("true", "false"):
        return value
    if isinstance(value, int):
        return "true" if value else "false"
    raise ArgumentError(f"{name} must be a boolean, not {value!r}", objextra=value)


def _count(name: str, value: Any) -> str:
    if isinstance(value, str) and value.isdigit():
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"{name} must be a whole number, not {value!r}", objextra=value)
    if value < 0:
        raise ArgumentError(f"{name} must not be negative, not {value}", objextra=value)
    return str(value)


def _text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentError(f"{name} must be a string, not {value!r}", objextra=value)
    return str(value)


def _json(name: str, value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{name} must be JSON-encodable: {exc}", objextra=value) from None


def _json_array(name: str, value: Any) -> str:
    if not isinstance(value, (list, tuple)):
        raise ArgumentError(f"{name} must be a list of keys, not {value!r}", objextra=value)
    return _json(name, list(value))


def _stale(name: str, value: Any) -> str:
    if value in (STALE_OK, STALE_UPDATE_BEFORE, STALE_UPDATE_AFTER):
        return str(value)
    if value is True or value == "true":
        return STALE_OK
    if value is False:
        return STALE_UPDATE_BEFORE
    raise ArgumentError(f"stale must be True, False, 'ok', 'false' or 'update_after', "
                        f"not {value!r}", objextra=value)


def _on_error(name: str, value: Any) -> str:
    if value not in (ONERROR_CONTINUE, ONERROR_STOP):
        raise ArgumentError(f"on_error must be 'continue' or 'stop', not {value!r}",
                            objextra=value)
    return str(value)


# option name -> encoder; the server's names, in the order the query string lists them
_OPTIONS: dict[str, Callable[[str, Any], str]] = {
    "descending": _boolean,
    "endkey": _json,
    "endkey_docid": _text,
    "full_set": _boolean,
    "group": _boolean,
    "group_level": _count,
    "inclusive_end": _boolean,
    "key": _json,
    "keys": _json_array,
    "limit": _count,
    "on_error": _on_error,
    "reduce": _boolean,
    "skip": _count,
    "stale": _stale,
    "startkey": _json,
    "startkey_docid": _text,
    "debug": _boolean,
    "connection_timeout": _count,
}
_JSON_OPTIONS = frozenset(("key", "keys", "startkey", "endkey"))
_ALIASES = {"mapkey_single": "key", "mapkey_multi": "keys", "start_key": "startkey",
            "end_key": "endkey"}
_RANGES = {"mapkey_range": ("startkey", "endkey"),
           "dockey_range": ("startkey_docid", "endkey_docid")}


def _option(name: str, doc: str) -> property:
    def get(self: Query) -> Any:
        return self._values.get(name, UNSPEC)

    def set_(self: Query, value: Any) -> None:
        self._set(name, value)

    return property(get, set_, doc=doc)


def _range(name: str, doc: str) -> property:
    def get(self: Query) -> Any:
        return self._ranges.get(name, UNSPEC)

    def set_(self: Query, value: Any) -> None:
        self._set_range(name, value)

    return property(get, set_, doc=doc)


class Query:
    """Options of one view query. Set them as keyword arguments or properties.

    ``passthrough=True`` sends every value as given, unchecked and not
    JSON-encoded; ``unrecognized_ok=True`` lets options this class does not
    know through (as strings).
    """

    STRING_RANGE_END = "\u0fff"
    """Append to a prefix to end a key range after every string starting with it."""

    descending = _option("descending", "Return rows in reverse key order.")
    startkey = _option("startkey", "First key of the range (any JSON value).")
    endkey = _option("endkey", "Last key of the range (any JSON value).")
    startkey_docid = _option("startkey_docid", "First document id among rows of startkey.")
    endkey_docid = _option("endkey_docid", "Last document id among rows of endkey.")
    key = _option("key", "Only rows with exactly this key.")
    keys = _option("keys", "Only rows with one of these keys (sent in a POST body).")
    inclusive_end = _option("inclusive_end", "Whether endkey's rows are included.")
    skip = _option("skip", "Rows to skip before the first one returned.")
    limit = _option("limit", "The most rows to return.")
    on_error = _option("on_error", "'continue' or 'stop' when a node fails.")
    stale = _option("stale", "True/'ok', False/'false' or 'update_after'.")
    debug = _option("debug", "Ask the view engine for debugging information.")
    connection_timeout = _option("connection_timeout", "Server-side timeout in ms.")
    full_set = _option("full_set", "Query every node's index of a development view.")
    reduce = _option("reduce", "Whether to run the view's reduce function.")
    group = _option("group", "Group reduce results by key.")
    group_level = _option("group_level", "Group reduce results by this many key elements.")
    mapkey_single = _option("key", "Alias of :attr:`key`.")
    mapkey_multi = _option("keys", "Alias of :attr:`keys`.")
    mapkey_range = _range("mapkey_range", "``[startkey, endkey]`` (endkey optional).")
    dockey_range = _range("dockey_range", "``[startkey_docid, endkey_docid]``.")

    def __init__(self, passthrough: bool = False, unrecognized_ok: bool = False,
                 **params: Any) -> None:
        self.passthrough = passthrough
        self.unrecognized_ok = unrecognized_ok
        self._values: dict[str, Any] = {}  # option -> the value the application gave
        self._encoded_values: dict[str, str] = {}  # option -> its query-string text
        self._ranges: dict[str, list[Any]] = {}
        self._extra: dict[str, str] = {}  # unrecognized options
        self._base = ""  # a raw query string given to from_any
        self.update(**params)

    # -- setting ---------------------------------------------------------------------
    def _set(self, name: str, value: Any, from_range: bool = False) -> None:
        encode = _OPTIONS[name]
        if not from_range:
            for range_name, (start, end) in _RANGES.items():
                if name in (start, end) and range_name in self._ranges:
                    raise ArgumentError(f"{name} cannot be set together with {range_name}")
        if value is UNSPEC or (value is None and name not in _JSON_OPTIONS):
            self._values.pop(name, None)
            self._encoded_values.pop(name, None)
            return
        if self.passthrough:
            text = value if isinstance(value, str) else str(value)
        else:
            text = encode(name, value)
        self._values[name] = value
        self._encoded_values[name] = text

    def _set_range(self, name: str, value: Any) -> None:
        start, end = _RANGES[name]
        if value is UNSPEC or value is None or (isinstance(value, (list, tuple)) and not value):
            if name in self._ranges:
                del self._ranges[name]
                self._set(start, UNSPEC, True)
                self._set(end, UNSPEC, True)
            return
        if not isinstance(value, (list, tuple)) or len(value) not in (1, 2):
            raise ArgumentError(f"{name} must be a list of one or two elements, not {value!r}",
                                objextra=value)
        if name not in self._ranges and (start in self._values or end in self._values):
            raise ArgumentError(f"{name} cannot be set together with {start} or {end}")
        self._set(start, value[0], True)
        self._set(end, value[1] if len(value) == 2 else UNSPEC, True)
        self._ranges[name] = list(value)

    def update(self, copy: bool = False, **params: Any) -> Query:
        """Set several options; with ``copy=True`` on a copy. Returns the query changed.

        >>> Query(limit=5).update(copy=True, skip=5).encoded
        'limit=5&skip=5'
        """
        target = self._copy() if copy else self
        for name, value in params.items():
            name = _ALIASES.get(name, name)
            if name in _OPTIONS:
                target._set(name, value)
            elif name in _RANGES:
                target._set_range(name, value)
            elif target.unrecognized_ok:
                if value is UNSPEC:
                    target._extra.pop(name, None)
                else:
                    target._extra[name] = value if isinstance(value, str) else str(value)
            else:
                raise ArgumentError(f"unknown view option {name!r}", objextra=value)
        return target

    def _copy(self) -> Query:
        return copy.deepcopy(self)

    @classmethod
    def from_any(cls, params: Union[Query, dict[str, Any], str, None]) -> Query:
        """A new Query from a Query (copied), a dict of options or a raw query string."""
        if isinstance(params, cls):
            return params._copy()
        if isinstance(params, dict):
            return cls(**params)
        if isinstance(params, str):
            query = cls()
            query._base = params.lstrip("?")
            return query
        if params is None:
            return cls()
        raise ArgumentError(f"view options must be a Query, a dict or a string, not {params!r}",
                            objextra=params)

    # -- encoding ----------------------------------------------------------------------
    def _pairs(self, without: tuple[str, ...] = ()) -> list[str]:
        out = [self._base] if self._base else []
        quote_value = (lambda v: v) if self.passthrough else (lambda v: quote(v, safe=""))
        for name in _OPTIONS:
            if name in self._encoded_values and name not in without:
                out.append(f"{name}={quote_value(self._encoded_values[name])}")
        for name, value in self._extra.items():
            out.append(f"{quote(name, safe='')}={quote(value, safe='')}")
        return out

    @property
    def encoded(self) -> str:
        """The options as a URL query string (without the leading ``?``)."""
        return "&".join(self._pairs())

    def _for_request(self, path_length: int = 0) -> tuple[str, Optional[bytes]]:
        """The query string, and the POST body for ``keys`` when the URI (``path_length``
        characters of path, then the query string) would be longer than
        ``views.iterator.MAX_URI_LENGTH`` with them in it (as SDK 2.x did)."""
        from .iterator import MAX_URI_LENGTH  # (a module attribute: tests may lower it)

        encoded = self.encoded
        if "keys" not in self._encoded_values or self.passthrough or \
                path_length + 1 + len(encoded) <= MAX_URI_LENGTH:
            return encoded, None
        body = '{"keys":' + self._encoded_values["keys"] + "}"
        return "&".join(self._pairs(("keys",))), body.encode("utf-8")

    @property
    def has_blob(self) -> bool:
        """Whether options this class could not check are included."""
        return bool(self._base or self._extra or self.passthrough)

    @property
    def _reduces(self) -> bool:
        """Whether the options ask for reduced rows (which have no documents)."""
        values = self._values
        return bool(values.get("reduce") in (True, "true", 1) or
                    values.get("group") in (True, "true", 1) or
                    values.get("group_level"))

    def __repr__(self) -> str:
        return f"Query({self.encoded!r})"

    __str__ = __repr__


ViewQuery = Query  # the 2.x name


def make_options_string(options: Union[Query, dict[str, Any], str, None],
                        unrecognized_ok: bool = False, passthrough: bool = False) -> str:
    """The URL query string of view options given as a Query, a dict or a
    string (the 2.x helper); a dict is checked as :class:`Query` checks its
    keywords, ``unrecognized_ok`` and ``passthrough`` as for :class:`Query`."""
    if isinstance(options, dict):
        return Query(passthrough=passthrough, unrecognized_ok=unrecognized_ok,
                     **options).encoded
    return Query.from_any(options).encoded


def make_dvpath(doc: str, view: str) -> str:
    """The path of view ``view`` of design document ``doc``, ready for options."""
    return f"_design/{doc}/_view/{view}?"


__all__ = ["ulp", "ONERROR_CONTINUE", "ONERROR_STOP", "STALE_OK", "STALE_UPDATE_AFTER",
           "STALE_UPDATE_BEFORE", "UNSPEC", "Query", "ViewQuery", "make_dvpath",
           "make_options_string"]
