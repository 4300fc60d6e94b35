"""What one N1QL request asks for: :class:`N1QLQuery` (2.x) and :class:`QueryOptions` (3.x).

A query is the JSON body POSTed to the query service's ``/query/service``:
``statement``, positional ``args`` for ``$1, $2...``, ``$name`` members for
named placeholders, and request options (``scan_consistency``, ``timeout``...).

>>> q = N1QLQuery("SELECT name FROM `beer-sample` WHERE abv > $1 AND type = $type",
...               5.5, type="beer")
>>> q.consistency = REQUEST_PLUS
>>> q.encoded
'{"statement": "SELECT name FROM `beer-sample` WHERE abv > $1 AND type = $type", \
"args": [5.5], "$type": "beer", "scan_consistency": "request_plus"}'
"""

from __future__ import annotations

import copy
import datetime
import json
from enum import Enum
from typing import Any, Optional

from ..exceptions import ArgumentError
from ..options import QueryOptions  # the one QueryOptions of SDK 3.x/4.x

NOT_BOUNDED = "not_bounded"
"""Consistency: answer from the indexes as they are (fastest; may miss recent writes)."""
REQUEST_PLUS = "request_plus"
"""Consistency: the indexes first catch up with every write made before the request."""
STATEMENT_PLUS = "statement_plus"
"""Consistency: as REQUEST_PLUS, per statement."""
UNBOUNDED = NOT_BOUNDED  # deprecated 2.x names
CONSISTENCY_NONE = NOT_BOUNDED
CONSISTENCY_REQUEST = REQUEST_PLUS

_CONSISTENCIES = (NOT_BOUNDED, REQUEST_PLUS, STATEMENT_PLUS)
DEFAULT_TIMEOUT = 75.0  # seconds, as the official SDKs


def _seconds(value: Any, what: str = "timeout") -> float:
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ArgumentError(f"{what} must be a positive number of seconds, not {value!r}",
                            objextra=value)
    return float(value)


def go_duration(seconds: float) -> str:
    """``seconds`` as the service reads durations (``"75000ms"``)."""
    return f"{max(1, round(seconds * 1000))}ms"


_UNITS = (("ns", 1e-9), ("us", 1e-6), ("\u00b5s", 1e-6), ("\u03bcs", 1e-6), ("ms", 1e-3),
          ("s", 1.0), ("m", 60.0), ("h", 3600.0))


def parse_duration(text: Any) -> Optional[float]:
    """Seconds in a Go duration (``"1.2ms"``, ``"1m3.5s"``); None if it is not one.

    >>> parse_duration("1m3.5s"), parse_duration("250us")
    (63.5, 0.00025)
    """
    if not isinstance(text, str) or not text:
        return None
    rest = text
    sign = 1.0
    if rest[0] in "+-":
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    total = 0.0
    while rest:
        i = 0
        while i < len(rest) and (rest[i].isdigit() or rest[i] == "."):
            i += 1
        if i == 0:
            return None
        try:
            number = float(rest[:i])
        except ValueError:
            return None
        rest = rest[i:]
        for unit, scale in sorted(_UNITS, key=lambda u: -len(u[0])):
            if rest.startswith(unit):
                total += number * scale
                rest = rest[len(unit):]
                break
        else:
            return None
    return sign * total


class N1QLQuery:
    """One N1QL statement and its parameters and options.

    :param query: the statement
    :param args: values of the positional placeholders ``$1``, ``$2``...
    :param kwargs: values of the named placeholders, without the ``$``
        (``type="beer"`` for ``$type``)

    Placeholder values are Python values (they are sent as JSON):
    ``N1QLQuery("SELECT * FROM b WHERE tag IN $1", ["sale", "new"])``.
    """

    def __init__(self, query: str, *args: Any, **kwargs: Any) -> None:
        if not isinstance(query, str) or not query.strip():
            raise ArgumentError(f"a N1QL statement must be a non-empty string, not {query!r}",
                                objextra=query)
        self._body: dict[str, Any] = {"statement": query}
        self._adhoc = True
        self._cross_bucket = False
        if args:
            self.add_args(*args)
        if kwargs:
            self.set_named_args(**kwargs)

    # -- the statement and its parameters --------------------------------------------
    @property
    def statement(self) -> str:
        return str(self._body["statement"])

    def add_args(self, *args: Any) -> N1QLQuery:
        """Append values for the next positional placeholders."""
        self._body.setdefault("args", []).extend(args)
        return self

    def set_args(self, *args: Any) -> N1QLQuery:
        """Replace the positional placeholder values."""
        self._body.pop("args", None)
        return self.add_args(*args)

    def set_named_args(self, **kwargs: Any) -> N1QLQuery:
        """Set named placeholder values (``name=value`` for ``$name``)."""
        for name, value in kwargs.items():
            self._body[name if name.startswith("$") else "$" + name] = value
        return self

    @property
    def positional_args(self) -> list[Any]:
        return list(self._body.get("args", ()))

    @property
    def named_args(self) -> dict[str, Any]:
        return {k[1:]: v for k, v in self._body.items() if k.startswith("$")}

    # -- options ------------------------------------------------------------------------
    def set_option(self, name: str, value: Any) -> N1QLQuery:
        """Set a raw member of the request body (the service's name for it)."""
        self._body[name] = value
        return self

    def get_option(self, name: str, default: Any = None) -> Any:
        return self._body.get(name, default)

    @property
    def consistency(self) -> str:
        """:data:`NOT_BOUNDED` (the default), :data:`REQUEST_PLUS` or :data:`STATEMENT_PLUS`."""
        return str(self._body.get("scan_consistency", NOT_BOUNDED))

    @consistency.setter
    def consistency(self, value: Any) -> None:
        value = getattr(value, "value", value)  # a QueryScanConsistency
        if value == "none":  # the 2.0 spelling of not_bounded
            value = NOT_BOUNDED
        if value not in _CONSISTENCIES:
            raise ArgumentError(f"consistency must be one of {_CONSISTENCIES}, not {value!r}",
                                objextra=value)
        self._body["scan_consistency"] = value

    def consistent_with(self, state: Any) -> None:
        """Bound the query by the mutations in ``state`` (a
        :class:`~couchbase.mutation_state.MutationState`): the index waits until
        it has seen each of them ("at_plus"). Replaces :attr:`consistency`."""
        from ..mutation_state import MutationState

        if not isinstance(state, MutationState):
            raise ArgumentError(f"consistent_with takes a MutationState, not {state!r}",
                                objextra=state)
        if not state:
            raise ArgumentError("the MutationState holds no mutation tokens")
        self._body["scan_consistency"] = "at_plus"
        self._body["scan_vectors"] = state.scan_vectors()

    @property
    def adhoc(self) -> bool:
        """True (default): send the statement each time. False: PREPARE it once per
        bucket connection and EXECUTE the prepared plan by name."""
        return self._adhoc

    @adhoc.setter
    def adhoc(self, value: bool) -> None:
        self._adhoc = bool(value)

    @property
    def timeout(self) -> float:
        """Seconds the service may spend on the request (default 75)."""
        value = parse_duration(self._body.get("timeout"))
        return value if value is not None else DEFAULT_TIMEOUT

    @timeout.setter
    def timeout(self, value: Any) -> None:
        self._body["timeout"] = go_duration(_seconds(value))

    @property
    def cross_bucket(self) -> bool:
        """Whether the statement reaches several buckets (the cluster's credentials
        are sent, so nothing else is needed)."""
        return self._cross_bucket

    @cross_bucket.setter
    def cross_bucket(self, value: bool) -> None:
        self._cross_bucket = bool(value)

    @property
    def readonly(self) -> bool:
        return bool(self._body.get("readonly", False))

    @readonly.setter
    def readonly(self, value: bool) -> None:
        self._body["readonly"] = bool(value)

    @property
    def metrics(self) -> bool:
        """Whether the response carries ``metrics`` (the service's default: yes)."""
        return bool(self._body.get("metrics", True))

    @metrics.setter
    def metrics(self, value: bool) -> None:
        self._body["metrics"] = bool(value)

    @property
    def client_context_id(self) -> Optional[str]:
        return self._body.get("client_context_id")

    @client_context_id.setter
    def client_context_id(self, value: str) -> None:
        self._body["client_context_id"] = str(value)

    # -- encoding ---------------------------------------------------------------------
    @property
    def encoded(self) -> str:
        """The request body, as JSON text."""
        try:
            return json.dumps(self._body)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"query parameters must be JSON-encodable: {exc}",
                                objextra=self._body) from None

    def _copy(self) -> N1QLQuery:
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return f"N1QLQuery({self.encoded})"

    __str__ = __repr__


class QueryScanConsistency(Enum):
    """4.x names of the consistencies (their values as the service spells them)."""

    NOT_BOUNDED = NOT_BOUNDED
    REQUEST_PLUS = REQUEST_PLUS
    AT_PLUS = "at_plus"


class QueryStatus(str, Enum):
    """A response's ``status`` (4.x ``QueryMetaData.status()``); equal to the service's
    word for it (``QueryStatus.SUCCESS == "success"``)."""

    RUNNING = "running"
    SUCCESS = "success"
    ERRORS = "errors"
    COMPLETED = "completed"
    STOPPED = "stopped"
    TIMEOUT = "timeout"
    CLOSED = "closed"
    FATAL = "fatal"
    ABORTED = "aborted"
    UNKNOWN = "unknown"


class QueryProfile(Enum):
    """What ``profile`` adds to a response (4.x ``QueryOptions(profile=...)``)."""

    OFF = "off"
    PHASES = "phases"
    TIMINGS = "timings"


def query_from_options(statement: str, positional: tuple[Any, ...],
                       options: dict[str, Any], named: dict[str, Any]) -> N1QLQuery:
    """A N1QLQuery from ``Cluster.query``'s arguments."""
    query = N1QLQuery(statement, *positional, **named)
    if "positional_parameters" in options:
        query.add_args(*options["positional_parameters"])
    if "named_parameters" in options:
        query.set_named_args(**options["named_parameters"])
    for name, value in options.items():
        if value is None or name in ("positional_parameters", "named_parameters"):
            continue
        if name == "scan_consistency":
            query.consistency = value
        elif name == "adhoc":
            query.adhoc = value
        elif name == "timeout":
            query.timeout = value
        elif name in ("read_only", "readonly"):
            query.readonly = value
        elif name == "metrics":
            query.metrics = value
        elif name == "consistent_with":
            query.consistent_with(value)
        elif name == "scan_wait":
            query.set_option("scan_wait", go_duration(_seconds(value, "scan_wait")))
        elif name == "profile":
            query.set_option("profile", getattr(value, "value", value))
        elif name == "raw":
            for key, raw in dict(value).items():
                query.set_option(key, raw)
        elif name == "flex_index":
            query.set_option("use_fts", bool(value))
        elif name == "use_replica":
            query.set_option("use_replica", "on" if value else "off")
        elif name in ("serializer", "send_to_node", "span", "parent_span"):
            continue  # (how rows are decoded / where they go: not the request's)
        else:  # client_context_id, max_parallelism, scan_cap, pipeline_*, query_context
            query.set_option(name, value)
    return query


__all__ = ["CONSISTENCY_NONE", "CONSISTENCY_REQUEST", "NOT_BOUNDED", "REQUEST_PLUS",
           "STATEMENT_PLUS", "UNBOUNDED", "N1QLQuery", "QueryOptions", "QueryProfile",
           "QueryScanConsistency",
           "parse_duration"]
