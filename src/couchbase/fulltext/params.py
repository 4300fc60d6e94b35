"""Search options: :class:`Params`, the facets and the sorts, and the request body.

>>> p = Params(limit=10, explain=True, sort=["-_score", "name"])
>>> p.facets["by_type"] = TermFacet("type", limit=5)
>>> p.facets["strong"] = NumericFacet("abv").add_range("strong", min=8)
>>> body = make_search_body("beers", MatchQuery("ale"), p)
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from .queries import JsonField, QueryStringQuery, SearchQuery, assign

__all__ = ["DateFacet", "Facet", "NumericFacet", "Params", "Sort", "SortField",
           "SortGeoDistance", "SortID", "SortRaw", "SortScore", "SortString", "TermFacet",
           "make_search_body"]


class Facet:
    """A facet: an aggregation over one field of the matching documents."""

    def __init__(self, field: str) -> None:
        self._json_: dict[str, Any] = {"field": field}

    field = JsonField("field", convert=str, doc="The field aggregated.")

    @property
    def encodable(self) -> dict[str, Any]:
        return self._json_

    def __repr__(self) -> str:
        return f"{type(self).__name__}<{self._json_!r}>"


class TermFacet(Facet):
    """The most frequent terms of a field (``limit`` of them)."""

    def __init__(self, field: str, limit: int = 0) -> None:
        super().__init__(field)
        if limit:
            self.limit = limit

    limit = JsonField("size", convert=int, doc="How many terms to return.")


def _range(name: str, low_key: str, high_key: str, low: Any, high: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if low is not None:
        d[low_key] = low
    if high is not None:
        d[high_key] = high
    if not d:
        raise TypeError("Must specify at least one range boundary!")
    d["name"] = name
    return d


class _RangeFacet(Facet):
    _key = ""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self._json_[self._key] = []

    @property
    def _ranges(self) -> list[dict[str, Any]]:
        return self._json_[self._key]


class DateFacet(_RangeFacet):
    """Counts per named date range; call :meth:`add_range` at least once."""

    _key = "date_ranges"

    def add_range(self, name: str, start: Optional[str] = None,
                  end: Optional[str] = None) -> DateFacet:
        """Add a range (RFC 3339 bounds, either may be omitted); returns self."""
        self._ranges.append(_range(name, "start", "end", start, end))
        return self


class NumericFacet(_RangeFacet):
    """Counts per named numeric range; call :meth:`add_range` at least once."""

    _key = "numeric_ranges"

    def add_range(self, name: str, min: Optional[float] = None,
                  max: Optional[float] = None) -> NumericFacet:
        """Add a range ``[min, max)`` (either may be omitted); returns self."""
        self._ranges.append(_range(name, "min", "max", min, max))
        return self


class _FacetDict(dict):
    """Facets by name: only facets, and range facets only with ranges."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.update(*args, **kwargs)

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(value, Facet):
            raise ValueError("Can only add facet")
        if isinstance(value, _RangeFacet) and not value._ranges:
            raise ValueError(f"{type(value).__name__} object must have at least one range. "
                             f"Use add_range")
        super().__setitem__(key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > 1:
            raise TypeError("only one merge at a time!")
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: str, value: Any = None) -> Any:
        if key not in self:
            self[key] = value
        return self[key]


class Sort:
    """One sort key (``by``: score, id, field, geo_distance); ``desc`` reverses it."""

    def __init__(self, by: str, **kwargs: Any) -> None:
        self._json_: Any = {"by": by}
        if "descending" in kwargs:
            kwargs["desc"] = kwargs.pop("descending")
        assign(self, kwargs)

    desc = JsonField("desc", convert=bool, doc="Sort in descending order.")
    descending = desc

    def as_encodable(self) -> Any:
        return self._json_


class SortString(Sort):
    """Sort by field names (``"-name"`` descending, ``"_score"``, ``"_id"``)."""

    def __init__(self, *fields: str) -> None:
        self._json_ = list(fields)


class SortScore(Sort):
    """By score (best last unless ``desc=True``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("score", **kwargs)


class SortID(Sort):
    """By document id."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("id", **kwargs)


class SortField(Sort):
    """By a field's value: ``SortField('name', missing='first', type='string')``."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        super().__init__("field", field=field, **kwargs)

    field = JsonField("field", convert=str)
    type = JsonField("type", convert=str, doc="auto, string, number or date.")
    mode = JsonField("mode", convert=str, doc="default, min or max (for several values).")
    missing = JsonField("missing", convert=str, doc="first or last.")


class SortGeoDistance(Sort):
    """By distance from ``location`` (lon, lat) of the points in ``field``."""

    def __init__(self, location: Any, field: str, **kwargs: Any) -> None:
        super().__init__("geo_distance", location=location, field=field, **kwargs)

    location = JsonField("location", convert=lambda v: [float(v[0]), float(v[1])])
    field = JsonField("field", convert=str)
    unit = JsonField("unit", convert=str)


class SortRaw(Sort):
    """A sort given as its JSON."""

    def __init__(self, raw: Any) -> None:
        self._json_ = raw


def _highlight(value: str) -> str:
    if value not in ("html", "ansi"):
        raise ValueError(f'Highlight must be "html" or "ansi", got {value}')
    return value


def _consistency(value: str) -> str:
    if value and value.lower() not in ("", "not_bounded"):
        raise ValueError("Invalid value!")
    return value


def _sort(value: Union[Sort, Iterable[Any]]) -> Any:
    return value if isinstance(value, Sort) else list(value)


class Params:
    """Options of a search; keyword arguments set the attributes.

    ``facets`` is a dictionary of :class:`Facet` by name (results come back
    under the same names)::

        params.facets['term_analysis'] = TermFacet('author', limit=10)
        params.facets['view_count'] = NumericFacet('views').add_range('low', max=50)
    """

    def __init__(self, **kwargs: Any) -> None:
        self._json_: dict[str, Any] = {}
        self._ms: Any = None
        self.facets = _FacetDict(kwargs.pop("facets", {}))
        consistent_with = kwargs.pop("consistent_with", None)
        assign(self, kwargs)
        if consistent_with is not None:
            self.consistent_with(consistent_with)

    limit = JsonField("size", convert=int, doc="Most hits to return.")
    skip = JsonField("from", convert=int, doc="Hits to skip (paging).")
    explain = JsonField("explain", convert=bool, doc="Explain each hit's score.")
    fields = JsonField("fields", convert=list, doc="Stored fields to return in each hit.")
    timeout = JsonField("ctl", "timeout", convert=lambda x: int(x * 1000),
                        doc="The server's time limit for the query, in seconds (sent in ms).")
    highlight_style = JsonField("highlight", "style", convert=_highlight,
                                doc="``html`` or ``ansi`` highlighting of matches.")
    highlight_fields = JsonField("highlight", "fields", convert=list,
                                 doc="Fields whose matches are highlighted.")
    sort = JsonField("sort", convert=_sort, doc="Field names or a :class:`Sort`.")
    consistency = JsonField("ctl", "consistency", convert=_consistency,
                            doc="Fixed consistency (only not_bounded); see consistent_with.")

    def consistent_with(self, ms: Any) -> None:
        """Search only once the index holds the mutations of ``ms`` (a
        :class:`~couchbase.mutation_state.MutationState`)."""
        if self.consistency:
            raise ValueError('Clear "consistency" before specifying "consistent_with"')
        self._ms = ms

    def as_encodable(self, index_name: str) -> dict[str, Any]:
        """The options as request JSON for a search of ``index_name``."""
        out = dict(self._json_)
        if self.facets:
            out["facets"] = {name: facet.encodable for name, facet in self.facets.items()}
        if self._ms is not None:
            vectors = {f"{t.vbucket_id}/{t.vbucket_uuid}": t.sequence_number for t in self._ms}
            out["ctl"] = {**out.get("ctl", {}), "consistency": {
                "level": "at_plus", "vectors": {index_name: vectors}}}
        sort = out.get("sort")
        if isinstance(sort, Sort):
            out["sort"] = [sort.as_encodable()] if isinstance(sort.as_encodable(), dict) \
                else sort.as_encodable()
        elif isinstance(sort, list):
            out["sort"] = [s.as_encodable() if isinstance(s, Sort) else s for s in sort]
        return out


def make_search_body(index: str, query: Any, params: Optional[Params] = None) -> dict[str, Any]:
    """The JSON body of a search: ``query`` (a :class:`SearchQuery`, or a string
    for a :class:`QueryStringQuery`) with ``params``' options."""
    if not isinstance(query, SearchQuery):
        query = QueryStringQuery(query)
    body: dict[str, Any] = {"query": query.encodable}
    if params is not None:
        body.update(params.as_encodable(index))
    body["indexName"] = index
    return body
