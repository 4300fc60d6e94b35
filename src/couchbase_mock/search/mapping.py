"""Index definitions and their mappings: which fields of a document are indexed, how.

An index definition is the JSON of ``PUT /api/index/{name}``::

    {"type": "fulltext-index", "name": "hotels", "sourceType": "gocbcore",
     "sourceName": "travel-sample",
     "params": {"doc_config": {"mode": "type_field", "type_field": "type"},
                "mapping": {"default_analyzer": "standard",
                            "default_mapping": {"enabled": true, "dynamic": true},
                            "types": {"hotel": {"enabled": true, "dynamic": false,
                                      "properties": {"name": {"fields": [
                                          {"name": "name", "type": "text",
                                           "analyzer": "en", "store": true}]}}}}}}}

:func:`parse_definition` checks one (:class:`DefinitionError` says what is
wrong, as the server's 400 answers do) and :meth:`IndexMapping.values`
turns a document into the :class:`Value` objects to index: the default
mapping indexes every field (``dynamic``), a type mapping only the
properties it names unless it is dynamic too. Documents pick their type
mapping by ``doc_config``: the ``type_field`` of the document (mode
``type_field``, the default) or the start of its id (``docid_prefix``).
Dynamic strings that read as dates (RFC 3339 or ``YYYY-MM-DD``) are
indexed as dates, the rest as text; numbers as numbers; booleans as terms
``T`` and ``F``, as the server does.
"""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any, NamedTuple, Optional

from .analysis import known_analyzer
from .geo import parse_point

__all__ = ["ALL_FIELD", "DefinitionError", "IndexDef", "IndexMapping", "Value",
           "parse_date", "parse_definition"]

ALL_FIELD = "_all"
"""The field holding every field whose mapping says ``include_in_all``."""

INDEX_NAME = re.compile(r"^[A-Za-z][0-9A-Za-z_\-]*$")
FIELD_TYPES = ("text", "number", "datetime", "boolean", "geopoint")
SOURCE_TYPES = ("couchbase", "gocbcore")


class DefinitionError(ValueError):
    """An index definition the service refuses (400)."""


class Value(NamedTuple):
    """One value of a document to index."""

    field: str
    kind: str  # "text", "number", "datetime", "boolean", "geopoint"
    value: Any  # str / float / epoch seconds / bool / (lon, lat)
    analyzer: str
    store: bool
    in_all: bool
    array_positions: tuple[int, ...]
    original: Any  # the document's value (returned by "fields")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                   r"(Z|[+-]\d{2}:?\d{2})?)?$")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_date(text: Any) -> Optional[float]:
    """Epoch seconds of a date in the server's default ``dateTimeOptional``
    forms (UTC when no zone is given); ``None`` if ``text`` is not one."""
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    t = text.replace(" ", "T", 1)
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", t) and "T" in t:
        t = t[:-2] + ":" + t[-2:]
    if "." in t:  # fromisoformat (3.9) takes 3 or 6 fraction digits only
        head, _, rest = t.partition(".")
        digits = re.match(r"\d+", rest)
        assert digits is not None
        t = head + "." + digits.group()[:6].ljust(6, "0") + rest[digits.end():]
    try:
        when = datetime.datetime.fromisoformat(t)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return (when - _EPOCH).total_seconds()


def format_date(seconds: float) -> str:
    """RFC 3339 text of epoch seconds (how dates come back in fields and facets)."""
    when = _EPOCH + datetime.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class FieldMapping(NamedTuple):
    name: str
    type: str
    analyzer: Optional[str]
    indexed: bool
    store: bool
    include_in_all: bool


class DocMapping:
    """A document or sub-document mapping: its properties and fields."""

    def __init__(self, enabled: bool, dynamic: bool, analyzer: Optional[str],
                 properties: dict[str, DocMapping], fields: list[FieldMapping]) -> None:
        self.enabled = enabled
        self.dynamic = dynamic
        self.analyzer = analyzer
        self.properties = properties
        self.fields = fields


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DefinitionError(f"{where} must be a JSON object")
    return value


def _analyzer(name: Any, where: str) -> Optional[str]:
    if name in (None, ""):
        return None
    if not isinstance(name, str) or not known_analyzer(name):
        raise DefinitionError(f"{where}: no analyzer with name or type '{name}' registered")
    return name


def _doc_mapping(raw: Any, where: str) -> DocMapping:
    raw = _obj(raw, where)
    props = {name: _doc_mapping(sub, f"{where}.properties.{name}")
             for name, sub in _obj(raw.get("properties"), where).items()}
    fields = []
    for i, f in enumerate(raw.get("fields") or []):
        f = _obj(f, f"{where}.fields[{i}]")
        kind = f.get("type", "text")
        if kind not in FIELD_TYPES:
            raise DefinitionError(f"{where}.fields[{i}]: unknown field type: '{kind}'")
        fields.append(FieldMapping(
            str(f.get("name") or ""), kind, _analyzer(f.get("analyzer"), where),
            bool(f.get("index", True)), bool(f.get("store", False)),
            bool(f.get("include_in_all", True))))
    return DocMapping(bool(raw.get("enabled", True)), bool(raw.get("dynamic", True)),
                      _analyzer(raw.get("default_analyzer"), where), props, fields)


class IndexMapping:
    """The ``params`` of an index definition, checked."""

    def __init__(self, params: Any) -> None:
        params = _obj(params, "params")
        raw = _obj(params.get("mapping"), "params.mapping")
        doc_config = _obj(params.get("doc_config"), "params.doc_config")
        self.default_analyzer = _analyzer(raw.get("default_analyzer"),
                                          "default_analyzer") or "standard"
        self.default_field = str(raw.get("default_field") or ALL_FIELD)
        self.store_dynamic = bool(raw.get("store_dynamic", False))
        self.index_dynamic = bool(raw.get("index_dynamic", True))
        self.default_mapping = _doc_mapping(
            raw.get("default_mapping", {"enabled": True, "dynamic": True}), "default_mapping")
        self.types = {name: _doc_mapping(m, f"types.{name}")
                      for name, m in _obj(raw.get("types"), "types").items()}
        self.mode = str(doc_config.get("mode") or "type_field")
        if self.mode not in ("type_field", "docid_prefix"):
            raise DefinitionError(f"doc_config mode '{self.mode}' is not supported")
        self.type_field = str(doc_config.get("type_field") or raw.get("type_field") or "type")
        self.prefix_delim = str(doc_config.get("docid_prefix_delim") or "")

    def analyzer_of(self, field: str) -> str:
        """The analyzer a query on ``field`` uses (its mapping's, else the default)."""
        for mapping in [*self.types.values(), self.default_mapping]:
            found = _field_analyzer(mapping, field.split("."))
            if found:
                return found
        return self.default_analyzer

    def type_of(self, docid: str, body: Any) -> Optional[DocMapping]:
        """The mapping for a document (``None``: the index leaves it out)."""
        if self.mode == "docid_prefix":
            name: Any = docid.split(self.prefix_delim, 1)[0] if self.prefix_delim else None
        else:
            name = body.get(self.type_field) if isinstance(body, dict) else None
        mapping = self.types.get(name) if isinstance(name, str) else None
        if mapping is None:
            mapping = self.default_mapping
        return mapping if mapping.enabled else None

    def values(self, docid: str, body: Any) -> Optional[list[Value]]:
        """What to index of a document (``None``: not indexed at all)."""
        mapping = self.type_of(docid, body)
        if mapping is None or not isinstance(body, dict):
            return None
        out: list[Value] = []
        self._walk(mapping, body, [], (), mapping.analyzer or self.default_analyzer, out)
        return out

    def _walk(self, mapping: DocMapping, value: Any, path: list[str], ap: tuple[int, ...],
              analyzer: str, out: list[Value]) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self._walk(mapping, item, path, ap + (i,), analyzer, out)
            return
        if not isinstance(value, dict):
            return
        for name, item in value.items():
            sub = mapping.properties.get(name)
            here = path + [name]
            if sub is None:
                if mapping.dynamic and self.index_dynamic:
                    self._dynamic(item, here, ap, analyzer, out)
                continue
            if not sub.enabled:
                continue
            for f in sub.fields:
                self._explicit(f, item, ".".join(path + [f.name or name]), ap, analyzer, out)
            if sub.properties or sub.dynamic:
                if isinstance(item, (dict, list)):
                    self._walk(sub, item, here, ap, sub.analyzer or analyzer, out)
                elif sub.dynamic and not sub.fields:
                    self._dynamic(item, here, ap, sub.analyzer or analyzer, out)

    def _dynamic(self, value: Any, path: list[str], ap: tuple[int, ...], analyzer: str,
                 out: list[Value]) -> None:
        if isinstance(value, (dict, list)):
            dyn = DocMapping(True, True, None, {}, [])
            if isinstance(value, list):
                for i, item in enumerate(value):
                    self._dynamic(item, path, ap + (i,), analyzer, out)
            else:
                self._walk(dyn, value, path, ap, analyzer, out)
            return
        field, store = ".".join(path), self.store_dynamic
        if isinstance(value, bool):
            out.append(Value(field, "boolean", value, analyzer, store, True, ap, value))
        elif isinstance(value, (int, float)):
            out.append(Value(field, "number", float(value), analyzer, store, True, ap, value))
        elif isinstance(value, str):
            when = parse_date(value)
            if when is not None:
                out.append(Value(field, "datetime", when, analyzer, store, True, ap, value))
            else:
                out.append(Value(field, "text", value, analyzer, store, True, ap, value))

    @staticmethod
    def _explicit(f: FieldMapping, value: Any, field: str, ap: tuple[int, ...],
                  analyzer: str, out: list[Value]) -> None:
        if f.type == "geopoint" and (f.indexed or f.store):
            where = parse_point(value)  # ([lon, lat] is a list: read before the items)
            if where is not None:
                out.append(Value(field, "geopoint" if f.indexed else "stored", where,
                                 analyzer, f.store, False, ap, value))
                return
        if isinstance(value, list):
            for i, item in enumerate(value):
                IndexMapping._explicit(f, item, field, ap + (i,), analyzer, out)
            return
        if not f.indexed and not f.store:
            return
        kind, converted = f.type, None  # type: tuple[str, Any]
        if kind == "text" and isinstance(value, str):
            converted = value
        elif kind == "number" and isinstance(value, (int, float)) and \
                not isinstance(value, bool):
            converted = float(value)
        elif kind == "boolean" and isinstance(value, bool):
            converted = value
        elif kind == "datetime":
            converted = parse_date(value)
        if converted is None:
            return
        out.append(Value(field, kind if f.indexed else "stored", converted,
                         f.analyzer or analyzer, f.store, f.include_in_all, ap, value))


def _field_analyzer(mapping: DocMapping, parts: list[str]) -> Optional[str]:
    sub = mapping.properties.get(parts[0])
    if sub is None:
        return None
    if len(parts) == 1:
        for f in sub.fields:
            if f.analyzer:
                return f.analyzer
        return sub.analyzer
    return _field_analyzer(sub, parts[1:]) or sub.analyzer


class IndexDef:
    """A checked index definition, as the service keeps and returns it."""

    def __init__(self, raw: dict[str, Any], uuid: str) -> None:
        self.raw = raw
        self.name: str = raw["name"]
        self.source_name: str = raw["sourceName"]
        self.uuid = uuid
        self.mapping = IndexMapping(raw.get("params"))
        parts = self.name.split(".")
        # a scope-level index (bucket.scope.name) reads its scope's collections
        self.scope: Optional[str] = parts[1] if len(parts) == 3 else None

    def to_json(self, source_uuid: str = "") -> dict[str, Any]:
        return {
            "type": "fulltext-index",
            "name": self.name,
            "uuid": self.uuid,
            "sourceType": self.raw.get("sourceType", "gocbcore"),
            "sourceName": self.source_name,
            "sourceUUID": source_uuid,
            "planParams": self.raw.get("planParams") or {
                "maxPartitionsPerPIndex": 1024, "indexPartitions": 1},
            "params": self.raw.get("params") or {},
            "sourceParams": self.raw.get("sourceParams") or {},
        }


def parse_definition(name: str, body: Any, buckets: Any,
                     scope: Optional[tuple[str, str]] = None) -> IndexDef:
    """Check the JSON of ``PUT /api/index/{name}`` (``buckets``: the names that exist);
    ``scope``: (bucket, scope) of a scope-level index, whose ``name`` is then
    ``bucket.scope.index`` and whose source is that bucket."""
    short = name.rsplit(".", 1)[-1] if scope is not None else name
    if not INDEX_NAME.match(short):
        raise DefinitionError(f"manager_api: CreateIndex, indexName is invalid, "
                              f"indexName: {name!r}")
    if not isinstance(body, dict):
        raise DefinitionError("rest_create_index: index definition must be a JSON object")
    raw = dict(body)
    raw["name"] = name
    if scope is not None:
        raw.setdefault("sourceName", scope[0])
        if raw["sourceName"] != scope[0]:
            raise DefinitionError(f"rest_create_index: error creating index: {name}, err: "
                                  f"sourceName {raw['sourceName']!r} is not the bucket "
                                  f"{scope[0]!r} of the scope")
    kind = raw.get("type", "fulltext-index")
    if kind != "fulltext-index":
        raise DefinitionError(f"rest_create_index: error creating index: {name}, "
                              f"err: manager_api: CreateIndex, unknown indexType: {kind}")
    source_type = raw.get("sourceType", "gocbcore")
    if source_type not in SOURCE_TYPES:
        raise DefinitionError(f"rest_create_index: error creating index: {name}, err: "
                              f"unknown sourceType: {source_type}")
    source = raw.get("sourceName")
    if not isinstance(source, str) or source not in buckets:
        raise DefinitionError(
            f"rest_create_index: error creating index: {name}, err: manager_api: failed to "
            f"connect to or retrieve information from source, sourceType: {source_type}, "
            f"sourceName: {source}, err: bucket not found")
    raw["sourceName"] = source
    try:
        return IndexDef(raw, secrets.token_hex(8))
    except DefinitionError as exc:
        raise DefinitionError(f"rest_create_index: error creating index: {name}, err: "
                              f"bleve: index mapping: {exc}") from None
