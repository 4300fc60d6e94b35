"""Search functions (searchfun.adoc): SEARCH, SEARCH_META, SEARCH_SCORE.

The reference: "If no suitable Search index can be selected, or no Search index
exists, the Query engine falls back on a Primary index or qualified GSI index
to produce document keys, and then fetches the documents. The Search Service
then creates a temporary index in memory to perform the search." That is what
happens here, always: each document the query reads is put in a temporary
index of its own (the local Search service's analysis, mapping and query
engine, src/couchbase_mock/search; the default dynamic mapping with the
standard analyzer) and the search runs on it.

So a SEARCH() filter gives the same documents as the Search service would,
but no Search index is ever chosen (no ``index`` hint is checked) and scores
are those of a one-document index: SEARCH_SCORE() orders hits of one query,
it is not the Search service's number. ``knn`` (vector) searches need a vector
index and are refused.

``SEARCH(t1.country, "+United +States")``: a path's value is indexed as the
only content, so a query string with no field searches it (the path is the
default field, as the page says); a field named in the query string is
looked up within that value.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import N1QLError
from ..values import MISSING
from . import register

_ROW_KEY = "\x00search:"  # env[_ROW_KEY + out name]: this row's hit {"id", "score"}
_META = "\x00meta:"  # (evaluator.META: the row's document metadata by alias)


class _NoBucket:
    """The temporary index reads no bucket: documents are added to it directly."""

    num_vbuckets = 1


def _mapping_params(options: dict) -> dict:
    index = options.get("index")
    if isinstance(index, dict):  # "an example of a Search index mapping"
        return index.get("params", index) if "mapping" not in index else index
    return {}


def _request(query: Any) -> dict:
    """The query object of a SEARCH() query: a query string, a query object,
    or a whole search request (whose ``query`` it takes)."""
    if type(query) is str:
        return {"query": query}
    if type(query) is not dict:
        raise N1QLError(5010, "SEARCH() query must be a string or an object")
    if "knn" in query:
        raise N1QLError(5010, "SEARCH() with knn needs a vector Search index, which the "
                              "local cluster's query service does not use")
    inner = query.get("query")
    return inner if isinstance(inner, dict) else query


def _doc_id(env: dict) -> str:
    metas = [v for k, v in env.items() if type(k) is str and k.startswith(_META)]
    if len(metas) == 1 and isinstance(metas[0], dict) and type(metas[0].get("id")) is str:
        return str(metas[0]["id"])
    return "doc"


@register("SEARCH", context=True)
def search(env: dict, target: Any, query: Any, options: Any = None) -> Any:
    """True if the document (or the value at a path of it) matches the search."""
    from ...search.index import SearchIndex
    from ...search.mapping import DefinitionError, IndexDef
    from ...search.query import Ctx, QueryError, parse_query

    if target is MISSING or query is MISSING:
        return MISSING
    if target is None:
        return None
    opts = options if isinstance(options, dict) else {}
    out = opts.get("out", "out")
    try:
        definition = IndexDef({"name": "n1ql_search", "sourceName": "",
                               "params": _mapping_params(opts)}, "")
        raw = _request(query)
        node = parse_query(raw, definition.mapping)
    except (QueryError, DefinitionError) as e:
        raise N1QLError(5010, f"SEARCH() query: {e}") from None
    docid = _doc_id(env)
    body = target if isinstance(target, dict) else {"value": target}
    values = definition.mapping.values(docid, body)
    index = SearchIndex(definition, _NoBucket())  # type: ignore[arg-type]
    if values:
        index._add(docid, 0, 0, 0, values)
    hit = node.run(Ctx(index)).get(docid)
    if hit is None:
        env.pop(_ROW_KEY + str(out), None)
        return False
    env[_ROW_KEY + str(out)] = {"id": docid, "score": hit.score}
    return True


def _row_hit(env: dict) -> Optional[dict]:
    hits = [v for k, v in env.items() if type(k) is str and k.startswith(_ROW_KEY)]
    if len(hits) == 1:
        return dict(hits[0])
    found = env.get(_ROW_KEY + "out")
    return dict(found) if found is not None else None


@register("SEARCH_META", context=True)
def search_meta(env: dict, ident: Any = MISSING) -> Any:
    """The row's search metadata (``id``, ``score``); MISSING without a SEARCH()
    match. The identifier names an out name; with one SEARCH() in the query it
    may be left out (with several, the one named "out" answers)."""
    hit = _row_hit(env)
    return MISSING if hit is None else hit


@register("SEARCH_SCORE", context=True)
def search_score(env: dict, ident: Any = MISSING) -> Any:
    """SEARCH_META().score."""
    hit = _row_hit(env)
    return MISSING if hit is None else hit["score"]
