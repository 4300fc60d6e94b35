"""Full-text query objects: each one a JSON object of the search service's query syntax.

>>> q = MatchQuery("nosql", field="description", fuzziness=1)
>>> q.encodable
{'match': 'nosql', 'field': 'description', 'fuzziness': 1}

Attributes read and write the JSON (``q.boost = 2``); keyword arguments of
the constructors set attributes, and an unknown one raises AttributeError,
as in the 2.x SDK. Compound queries check their children when encoded
(:class:`NoChildrenError`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Union

from ..exceptions import CouchbaseError

__all__ = [
    "BooleanFieldQuery", "BooleanQuery", "ConjunctionQuery", "DateRangeQuery",
    "DisjunctionQuery", "DocIdQuery", "GeoBoundingBoxQuery", "GeoDistanceQuery",
    "GeoPolygonQuery", "MatchAllQuery", "MatchNoneQuery", "MatchPhraseQuery", "MatchQuery",
    "NoChildrenError", "NumericRangeQuery", "PhraseQuery", "PrefixQuery", "Query",
    "QueryStringQuery", "RawQuery", "RegexQuery", "RegexpQuery", "SearchError",
    "SearchQuery", "StringQuery", "TermQuery", "TermRangeQuery", "WildcardQuery",
]


class SearchError(CouchbaseError):
    """The search service refused or failed a query (its ``error`` text in the message;
    ``objextra`` holds the response)."""


class NoChildrenError(CouchbaseError):
    """A compound query without the sub-queries it needs."""

    def __init__(self, msg: str = "No child queries") -> None:
        super().__init__({"message": msg})


def _same(value: Any) -> Any:
    return value


class JsonField:
    """An attribute kept in the object's ``_json_`` at ``path`` (``None`` deletes it)."""

    def __init__(self, *path: str, convert: Callable[[Any], Any] = _same, doc: str = "") -> None:
        self.path = path
        self.convert = convert
        self.__doc__ = doc or f"The ``{'.'.join(path)}`` field."

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        d = obj._json_
        for key in self.path:
            if not isinstance(d, dict) or key not in d:
                return None
            d = d[key]
        return d

    def __set__(self, obj: Any, value: Any) -> None:
        if value is None:
            self.__delete__(obj)
            return
        d = obj._json_
        for key in self.path[:-1]:
            d = d.setdefault(key, {})
        d[self.path[-1]] = self.convert(value)

    def __delete__(self, obj: Any) -> None:
        d = obj._json_
        for key in self.path[:-1]:
            d = d.get(key)
            if not isinstance(d, dict):
                return
        d.pop(self.path[-1], None)


def assign(obj: Any, kwargs: dict[str, Any]) -> None:
    """Set keyword arguments as attributes; AttributeError for a name the class lacks."""
    for name, value in kwargs.items():
        if not hasattr(type(obj), name):
            raise AttributeError(name, "Not valid for", type(obj).__name__)
        setattr(obj, name, value)


def _location(value: Any) -> list[float]:
    """``[lon, lat]`` (or the 2.x ``(lat, lon)``-documented pair) as two floats."""
    try:
        first, second = value
        return [float(first), float(second)]
    except (TypeError, ValueError):
        raise ValueError(f"a location is a pair of numbers, not {value!r}") from None


class SearchQuery:
    """Base query object; use one of the subclasses."""

    def __init__(self) -> None:
        self._json_: dict[str, Any] = {}

    boost = JsonField("boost", convert=float, doc=(
        "Weight of this query among its siblings in a compound query."))

    def validate(self) -> None:
        """Checked before encoding (compound queries need children)."""

    @property
    def encodable(self) -> dict[str, Any]:
        """The query's JSON, ready for ``json.dumps``."""
        self.validate()
        return self._json_

    def __repr__(self) -> str:
        return f"{type(self).__name__}<{self._json_!r}>"


Query = SearchQuery  # the 2.0-2.2 name


class RawQuery(SearchQuery):
    """A query given as its JSON, for types this module has no class for."""

    def __init__(self, obj: dict[str, Any]) -> None:
        super().__init__()
        self._json_ = obj


class _Single(SearchQuery):
    """A query with one mandatory value, stored at ``_term`` in the JSON."""

    _term = ""

    def __init__(self, value: Any = None, **kwargs: Any) -> None:
        super().__init__()
        self._json_[self._term] = value
        assign(self, kwargs)


_FIELD = JsonField("field", convert=str, doc="The document field to search (default: all).")
_ANALYZER = JsonField("analyzer", convert=str, doc="The analyzer applied to the input.")
_FUZZINESS = JsonField("fuzziness", convert=int, doc=(
    "Edit distance within which terms match (0-2)."))
_PREFIX_LENGTH = JsonField("prefix_length", convert=int, doc=(
    "Leading characters that must match exactly when fuzziness is used."))


class QueryStringQuery(_Single):
    """The query string syntax: ``QueryStringQuery('+description:water -name:tap')``."""

    _term = "query"
    query = JsonField("query", convert=str)


StringQuery = QueryStringQuery


class MatchQuery(_Single):
    """An analysed match on one field or all: ``MatchQuery('nosql', field='title')``."""

    _term = "match"
    match = JsonField("match", convert=str)
    field = _FIELD
    analyzer = _ANALYZER
    fuzziness = _FUZZINESS
    prefix_length = _PREFIX_LENGTH


class MatchPhraseQuery(_Single):
    """Documents containing the analysed phrase: ``MatchPhraseQuery('hello world')``."""

    _term = "match_phrase"
    match_phrase = JsonField("match_phrase", convert=str)
    field = _FIELD
    analyzer = _ANALYZER


class TermQuery(_Single):
    """An exact term, not analysed: ``TermQuery('lcb_cntl_string')``."""

    _term = "term"
    term = JsonField("term", convert=str)
    field = _FIELD
    fuzziness = _FUZZINESS
    prefix_length = _PREFIX_LENGTH


class PhraseQuery(_Single):
    """Exact terms at consecutive positions: ``PhraseQuery('couchbase', 'nosql')``."""

    _term = "terms"
    terms = JsonField("terms", convert=list)
    field = _FIELD

    def __init__(self, *terms: str, **kwargs: Any) -> None:
        super().__init__(list(terms), **kwargs)

    def validate(self) -> None:
        if not self.terms:
            raise NoChildrenError("Missing terms")


class PrefixQuery(_Single):
    """Terms starting with a prefix (type-ahead)."""

    _term = "prefix"
    prefix = JsonField("prefix", convert=str)
    field = _FIELD


class RegexQuery(_Single):
    """Terms matching a regular expression as a whole."""

    _term = "regexp"
    regex = JsonField("regexp", convert=str)
    regexp = regex
    field = _FIELD


RegexpQuery = RegexQuery


class WildcardQuery(_Single):
    """Terms matching a pattern where ``*`` is any run of characters and ``?`` one."""

    _term = "wildcard"
    wildcard = JsonField("wildcard", convert=str)
    field = _FIELD


class BooleanFieldQuery(_Single):
    """Documents whose boolean ``field`` is ``value``."""

    _term = "bool"
    bool = JsonField("bool", convert=bool)
    field = _FIELD


class DocIdQuery(_Single):
    """Documents with the given ids (most useful inside a compound query)."""

    _term = "ids"
    ids = JsonField("ids", convert=list)

    def __init__(self, ids: Iterable[str], **kwargs: Any) -> None:
        super().__init__(list(ids), **kwargs)

    def validate(self) -> None:
        if not self.ids:
            raise NoChildrenError("`ids` must contain at least one ID")


class _Range(SearchQuery):
    _bounds = ("min", "max")

    def __init__(self, low: Any, high: Any, **kwargs: Any) -> None:
        super().__init__()
        if low is None and high is None:
            raise TypeError(f"At least one of {self._bounds[0]} or {self._bounds[1]} "
                            f"should be specified")
        assign(self, kwargs)
        setattr(self, self._bounds[0], low)
        setattr(self, self._bounds[1], high)


class NumericRangeQuery(_Range):
    """Numbers in ``[min, max)`` by default: ``NumericRangeQuery(min=2, max=5, field='abv')``."""

    def __init__(self, min: Optional[float] = None, max: Optional[float] = None,
                 **kwargs: Any) -> None:
        super().__init__(min, max, **kwargs)

    min = JsonField("min", convert=float)
    max = JsonField("max", convert=float)
    min_inclusive = JsonField("inclusive_min", convert=bool)
    max_inclusive = JsonField("inclusive_max", convert=bool)
    field = _FIELD


class DateRangeQuery(_Range):
    """Dates (RFC 3339) in a range: ``DateRangeQuery(start='2014-12-25', end='2016-01-01')``."""

    _bounds = ("start", "end")

    def __init__(self, start: Optional[str] = None, end: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(start, end, **kwargs)

    start = JsonField("start", convert=str)
    end = JsonField("end", convert=str)
    start_inclusive = JsonField("inclusive_start", convert=bool)
    end_inclusive = JsonField("inclusive_end", convert=bool)
    datetime_parser = JsonField("datetime_parser", convert=str)
    field = _FIELD


class TermRangeQuery(_Range):
    """Terms in a lexical range (the service's ``min``/``max`` keys)."""

    _bounds = ("start", "end")

    def __init__(self, start: Optional[str] = None, end: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(start, end, **kwargs)

    start = JsonField("min", convert=str)
    end = JsonField("max", convert=str)
    start_inclusive = JsonField("inclusive_min", convert=bool)
    end_inclusive = JsonField("inclusive_max", convert=bool)
    field = _FIELD


class GeoDistanceQuery(SearchQuery):
    """Points within ``distance`` (``"10mi"``, ``"5km"``) of ``location`` (lon, lat)."""

    def __init__(self, distance: str, location: Any, **kwargs: Any) -> None:
        super().__init__()
        self.distance = distance
        self.location = location
        assign(self, kwargs)

    location = JsonField("location", convert=_location)
    distance = JsonField("distance", convert=str)
    field = _FIELD


class GeoBoundingBoxQuery(SearchQuery):
    """Points inside the box from ``top_left`` to ``bottom_right`` (each lon, lat)."""

    def __init__(self, top_left: Any, bottom_right: Any, **kwargs: Any) -> None:
        super().__init__()
        self.top_left = top_left
        self.bottom_right = bottom_right
        assign(self, kwargs)

    top_left = JsonField("top_left", convert=_location)
    bottom_right = JsonField("bottom_right", convert=_location)
    field = _FIELD


def _polygon(value: Any) -> list[list[float]]:
    try:
        points = [_location(p) for p in value]
    except TypeError:
        raise ValueError(f"polygon points are (lon, lat) pairs, not {value!r}") from None
    if len(points) < 3:
        raise ValueError(f"a polygon needs at least 3 points, not {len(points)}")
    return points


class GeoPolygonQuery(SearchQuery):
    """Points inside the polygon of ``polygon_points``, each (lon, lat) (SDK 4.x)."""

    def __init__(self, polygon_points: Any = None, **kwargs: Any) -> None:
        super().__init__()
        if polygon_points is not None:
            self.polygon_points = polygon_points
        assign(self, kwargs)
        if self.polygon_points is None:
            raise ValueError("GeoPolygonQuery needs polygon_points")

    polygon_points = JsonField("polygon_points", convert=_polygon)
    field = _FIELD


class _Compound(SearchQuery):
    _key = ""

    def __init__(self, *queries: SearchQuery, **kwargs: Any) -> None:
        super().__init__()
        self.children: list[SearchQuery] = list(queries)
        assign(self, kwargs)

    @property
    def encodable(self) -> dict[str, Any]:
        self.validate()
        return {**self._json_, self._key: [q.encodable for q in self.children]}


class ConjunctionQuery(_Compound):
    """Every sub-query must match."""

    _key = "conjuncts"

    @property
    def conjuncts(self) -> list[SearchQuery]:
        return self.children

    @conjuncts.setter
    def conjuncts(self, value: Iterable[SearchQuery]) -> None:
        self.children = list(value)

    def validate(self) -> None:
        if not self.children:
            raise NoChildrenError("No sub-queries")


def _positive(value: Any) -> int:
    value = int(value)
    if value <= 0:
        raise ValueError("Must be > 0")
    return value


class DisjunctionQuery(_Compound):
    """At least :attr:`min` (default 1) of the sub-queries must match."""

    _key = "disjuncts"
    min = JsonField("min", convert=_positive, doc="How many sub-queries must match.")

    def __init__(self, *queries: SearchQuery, **kwargs: Any) -> None:
        super().__init__(*queries, **kwargs)
        if self.min is None:
            self.min = 1

    @property
    def disjuncts(self) -> list[SearchQuery]:
        return self.children

    @disjuncts.setter
    def disjuncts(self, value: Iterable[SearchQuery]) -> None:
        self.children = list(value)

    def validate(self) -> None:
        if not self.children or len(self.children) < self.min:
            raise NoChildrenError("No children specified, or min is too big")


Clause = Union[None, SearchQuery, Iterable[SearchQuery]]


def _as(kind: type, value: Clause) -> Optional[Any]:
    if value is None or isinstance(value, kind):
        return value
    if isinstance(value, SearchQuery):
        return kind(value)
    queries = list(value)
    if not all(isinstance(q, SearchQuery) for q in queries):
        raise TypeError("Item is not a query!", queries)
    return kind(*queries)


class BooleanQuery(SearchQuery):
    """``must`` (a ConjunctionQuery), ``should`` and ``must_not`` (DisjunctionQuery);
    a query or a list of queries given for one is wrapped in its class."""

    def __init__(self, must: Clause = None, should: Clause = None,
                 must_not: Clause = None) -> None:
        super().__init__()
        self.must = must
        self.should = should
        self.must_not = must_not

    @property
    def must(self) -> Optional[ConjunctionQuery]:
        return self._must

    @must.setter
    def must(self, value: Clause) -> None:
        self._must = _as(ConjunctionQuery, value)

    @property
    def should(self) -> Optional[DisjunctionQuery]:
        return self._should

    @should.setter
    def should(self, value: Clause) -> None:
        self._should = _as(DisjunctionQuery, value)

    @property
    def must_not(self) -> Optional[DisjunctionQuery]:
        return self._must_not

    @must_not.setter
    def must_not(self, value: Clause) -> None:
        self._must_not = _as(DisjunctionQuery, value)

    def validate(self) -> None:
        if not self.must and not self.should and not self.must_not:
            raise ValueError("No sub-queries specified", self)

    @property
    def encodable(self) -> dict[str, Any]:
        self.validate()
        out = dict(self._json_)
        for name in ("must", "should", "must_not"):
            clause = getattr(self, name)
            if clause is not None:
                out[name] = clause.encodable
        return out


class MatchAllQuery(SearchQuery):
    """Every document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._json_["match_all"] = None
        assign(self, kwargs)


class MatchNoneQuery(SearchQuery):
    """No document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._json_["match_none"] = None
        assign(self, kwargs)
