"""Miscellaneous utility functions of the request and the node (metafun.adoc):
CURRENT_USERS, EVALUATE, HASHBYTES, NODE_NAME, NODE_UUID, REDACT, VERSION,
FLATTEN_KEYS; and the JSON functions ENCODED_SIZE and POLY_LENGTH (jsonfun.adoc).

ABORT, BASE64*, DS_VERSION, LEN, PAIRS, RANDOM and UUID are in objects.py and
the core; META() is compiled by the evaluator (it reads the row's metadata).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Optional

from ..errors import N1QLError
from ..regex import Regex, RegexError
from ..regex import compile as compile_regex
from ..values import MISSING, Binary, is_number
from . import encode_json, register, request_of, utf8

# -- the request and the node -------------------------------------------------


def _node(env: dict) -> str:
    ctx = request_of(env)
    directory = getattr(ctx.executor, "directory", None)
    if directory is not None:
        return str(directory.node)
    host = str(getattr(ctx.executor, "datastore_id", "")).split("://", 1)[-1]
    return host if ":" in host else "127.0.0.1:8091"


@register("NODE_NAME", context=True)
def node_name(env: dict) -> str:
    """The node the query runs on, ``host:port`` of its cluster manager."""
    return _node(env)


@register("NODE_UUID", context=True)
def node_uuid(env: dict, name: Any) -> Any:
    """The node's UUID (a stable 32-hex-digit name); ``""`` is this node; not a string -> NULL."""
    if name is MISSING:
        return MISSING
    if type(name) is not str:
        return None
    node = _node(env)
    if name not in ("", node):
        return None
    return uuid.uuid5(uuid.NAMESPACE_URL, f"couchbase-node://{node}").hex


@register("CURRENT_USERS", context=True)
def current_users(env: dict) -> list:
    """The authenticated users of the statement, ``domain:name`` (the
    administrator is ``builtin:Administrator``)."""
    ctx = request_of(env)
    user = getattr(ctx, "user", None)
    if not user:
        return []
    domain = "local"
    directory = getattr(ctx.executor, "directory", None)
    found = directory.user(user) if directory is not None else None
    if found is not None:
        domain = found.get("domain", domain)
    return [f"{domain}:{user}"]


@register("VERSION")
def version() -> str:
    """The SQL++ language version: the server's release with ``-N1QL`` (7.6.0-N1QL)."""
    from ...configjson import SERVER_VERSION

    return SERVER_VERSION.split("-", 1)[0] + "-N1QL"


_READ_ONLY = frozenset(["Select", "Explain", "Infer", "Advise", "ExplainFunction"])


@register("EVALUATE", context=True)
def evaluate(env: dict, statement: Any, params: Any = None) -> Any:
    """The results of a read-only ``statement`` (a string), with named
    (object) or positional (array) parameters; a statement that writes is
    error 5010 "not a readonly request"."""
    if statement is MISSING or params is MISSING:
        return MISSING
    if type(statement) is not str or (params is not None and type(params) not in (dict, list)):
        return None
    from ..parser import parse

    ctx = request_of(env)
    stmt = parse(statement, ctx.cancel)
    if type(stmt).__name__ not in _READ_ONLY:
        raise N1QLError(5010, "Error evaluating statement - cause: not a readonly request")
    named = params if type(params) is dict else None
    positional = params if type(params) is list else None
    return ctx.executor.query(statement, positional, named, now=ctx.now, cancel=ctx.cancel,
                              may_read=ctx.may_read, parsed=stmt).results


# -- hashing ------------------------------------------------------------------

_CRC_POLYNOMIALS = {"ieee": 0xEDB88320, "castagnoli": 0x82F63B78, "koopman": 0xEB31D82E}
_CRC_TABLES: dict[int, list[int]] = {}


def _crc32(data: bytes, poly: int) -> int:
    """CRC-32 over ``data`` with ``poly`` in its reversed (LSB-first) form."""
    table = _CRC_TABLES.get(poly)
    if table is None:
        table = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ poly if c & 1 else c >> 1
            table.append(c)
        _CRC_TABLES[poly] = table
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _polynomial(value: Any) -> Optional[int]:
    if value is None:
        return _CRC_POLYNOMIALS["ieee"]
    if type(value) is str:
        if value.lower() in _CRC_POLYNOMIALS:
            return _CRC_POLYNOMIALS[value.lower()]
        try:
            value = int(value, 0)
        except ValueError:
            return None
    if is_number(value) and type(value) is not bool and value == int(value) \
            and 0 < value < 2**32:
        return int(value)
    return None


_HASHES = {"md4": "md4", "md5": "md5", "sha224": "sha224", "sha256": "sha256",
           "sha384": "sha384", "sha512": "sha512", "sha512/224": "sha512_224",
           "sha512/256": "sha512_256"}


@register("HASHBYTES")
def hashbytes(value: Any, options: Any = None) -> Any:
    """The hash of ``value`` as lowercase hex: a string's bytes, a binary's
    bytes, any other value's JSON text; ``options.algorithm`` one of crc32,
    md4, md5, sha224, sha256 (default), sha384, sha512, sha512/224, sha512/256;
    ``options.polynomial`` for crc32: ieee (default), castagnoli, koopman or a
    32-bit number."""
    if value is MISSING or options is MISSING:
        return MISSING
    if options is None:
        options = {}
    if type(options) is not dict:
        return None
    if type(value) is str:
        data = utf8(value)
    elif isinstance(value, Binary):
        data = value.data
    else:
        data = utf8(encode_json(value))
    algorithm = options.get("algorithm", "sha256")
    if type(algorithm) is not str:
        return None
    algorithm = algorithm.lower()
    if algorithm == "crc32":
        poly = _polynomial(options.get("polynomial"))
        return None if poly is None else format(_crc32(data, poly), "08x")
    name = _HASHES.get(algorithm)
    if name is None:
        return None
    try:
        return hashlib.new(name, data).hexdigest()
    except ValueError:  # an algorithm this Python's hashlib lacks (md4 on OpenSSL 3)
        return None


# -- JSON values (jsonfun.adoc) -----------------------------------------------


@register("ENCODED_SIZE")
def encoded_size(value: Any) -> int:
    """Bytes of the value's compact JSON text; MISSING is 0 (never NULL or MISSING)."""
    if value is MISSING:
        return 0
    if isinstance(value, Binary):
        return len(value.data)
    return len(utf8(encode_json(value)))


@register("POLY_LENGTH")
def poly_length(value: Any) -> Any:
    """Characters of a string, elements of an array, fields of an object;
    MISSING -> MISSING; any other value -> NULL."""
    if value is MISSING:
        return MISSING
    if type(value) in (str, list, dict):
        return len(value)
    return None


# -- redaction ----------------------------------------------------------------


class _Filter:
    """One REDACT filter object (metafun.adoc REDACT, its options table)."""

    def __init__(self, spec: dict) -> None:
        pattern = spec.get("pattern")
        self.ok = pattern is None or type(pattern) is str
        self.regex = spec.get("regex") is True
        self.ignorecase = spec.get("ignorecase") is True
        self.exact = spec.get("exact") is True
        self.matcher: Optional[Regex] = None  # (a regex: Go's syntax, linear time)
        self.literal: Optional[str] = None
        if type(pattern) is str and self.regex:
            text = f"^(?:{pattern})$" if self.exact else pattern
            try:
                self.matcher = compile_regex(("(?i)" if self.ignorecase else "") + text)
            except RegexError:
                self.ok = False
        elif type(pattern) is str:
            self.literal = pattern.lower() if self.ignorecase else pattern
        self.name = spec.get("name") is True
        self.strict = spec.get("strict") is True
        self.omit = spec.get("omit") is True
        mask = spec.get("mask", "x")
        self.mask = mask if type(mask) is str else "x"
        self.fixed = spec.get("fixedlength") is True
        self.exclude = spec.get("exclude") is True

    def matches(self, field: str) -> bool:
        if self.matcher is not None:
            hit = self.matcher.search(field) is not None
        elif self.literal is None:
            hit = True
        else:
            text = field.lower() if self.ignorecase else field
            hit = text == self.literal if self.exact else self.literal in text
        return hit != self.exclude

    def redact(self, text: str) -> str:
        if self.fixed:
            return self.mask
        if self.strict:
            return self.mask * len(text)
        return "".join(self.mask if c.isalnum() else c for c in text)


_DEFAULT_FILTER = _Filter({})


@register("REDACT")
def redact(value: Any, *filters: Any) -> Any:
    """``value`` with field values (and names, with ``name``) masked or omitted.
    Each field takes the first filter that matches its name (none given: every
    field, values only); masking applies to strings; ``exclude`` turns a
    filter round; nested fields follow their parent's filter unless a filter
    names them."""
    if value is MISSING or any(f is MISSING for f in filters):
        return MISSING
    if any(type(f) is not dict for f in filters):
        return None
    parsed = [_Filter(f) for f in filters] or [_DEFAULT_FILTER]
    if not all(f.ok for f in parsed):
        return None
    counter = [0]
    if type(value) not in (dict, list):
        return None
    return _redact(value, parsed, None, counter)


def _redact(v: Any, filters: list, inherited: Optional[_Filter], counter: list) -> Any:
    if type(v) is list:
        return [_redact(x, filters, inherited, counter) for x in v]
    if type(v) is dict:
        out = {}
        for k in v:  # (field numbers, f0004, count in the object's order)
            counter[0] += 1
            chosen = next((f for f in filters if f.matches(k)), inherited)
            if chosen is not None and chosen.omit:
                continue
            name = k
            if chosen is not None and chosen.name:
                name = f"f{counter[0]:04d}"
            out[name] = _redact(v[k], filters, chosen, counter)
        return out
    if type(v) is str and inherited is not None:
        return inherited.redact(v)
    return v


# -- DDL of the buckets -----------------------------------------------------------

_DDL_FLAGS = {"bucket": 1, "scope": 2, "collection": 4, "index": 8, "sequence": 16}


def _ddl_flags(options: Any) -> Optional[int]:
    if options is None:
        return 31
    if type(options) is not dict:
        return None
    flags = options.get("flags", 31)
    if type(flags) is list:
        if not all(type(f) is str and f.lower() in _DDL_FLAGS for f in flags):
            return None
        return sum({_DDL_FLAGS[f.lower()] for f in flags})
    if is_number(flags) and type(flags) is not bool and flags == int(flags) and flags >= 0:
        return int(flags)
    return None


def _quoted(*parts: str) -> str:
    return ".".join("`" + p.replace("`", "``") + "`" for p in parts)


@register("EXTRACTDDL", context=True)
def extractddl(env: dict, pattern: Any, options: Any = None) -> Any:
    """The DDL statements that recreate the buckets whose names match the LIKE
    ``pattern`` ("" matches all): CREATE BUCKET, SCOPE, COLLECTION and INDEX, as
    ``options.flags`` selects (1, 2, 4, 8, 16 or their names; default all).
    The local cluster's query engine knows bucket names, not their settings:
    CREATE BUCKET carries no WITH clause. There are no sequences."""
    if pattern is MISSING or options is MISSING:
        return MISSING
    flags = _ddl_flags(options)
    if type(pattern) is not str or flags is None:
        return None
    from ..evaluator import like

    ctx = request_of(env)
    engine = ctx.executor
    may_read = getattr(ctx, "may_read", None)
    keyspaces = sorted(engine.datastore.keyspaces())
    buckets = sorted({b for b, _s, _c in keyspaces if (pattern == "" or like(b, pattern) is True)
                      and (may_read is None or may_read(b))})
    out: list = []
    for bucket in buckets:
        if flags & 1:
            out.append(f"CREATE BUCKET {_quoted(bucket)};")
        spaces = [(s, c) for b, s, c in keyspaces if b == bucket]
        if flags & 2:
            out.extend(f"CREATE SCOPE {_quoted(bucket, s)};"
                       for s in sorted({s for s, _c in spaces if s != "_default"}))
        if flags & 4:
            out.extend(f"CREATE COLLECTION {_quoted(bucket, s, c)};"
                       for s, c in spaces if c != "_default")
        if flags & 8:
            indexes = sorted((ix for ix in engine.catalog.all() if ix.path[0] == bucket),
                             key=lambda ix: (ix.path, ix.name))
            for ix in indexes:
                b, s, c = ix.path
                on = _quoted(b) if (s, c) == ("_default", "_default") else _quoted(b, s, c)
                row = ix.system_row("")
                if ix.primary:
                    out.append(f"CREATE PRIMARY INDEX {_quoted(ix.name)} ON {on} ;")
                    continue
                where = f" WHERE {row['condition']}" if "condition" in row else ""
                out.append(f"CREATE INDEX {_quoted(ix.name)} ON {on}"
                           f"({', '.join(row['index_key'])}){where} ;")
    return out


# -- UNNEST positions -----------------------------------------------------------

UNNEST_POS = "\x00unnest-pos:"
"""env[UNNEST_POS + alias]: the position of the element UNNEST bound to ``alias`` (executor.py)."""


@register("UNNEST_POS", "UNNEST_POSITION", context=True)
def unnest_pos(env: dict, element: Any) -> Any:
    """The position (from 0) in its array of the element an UNNEST bound to an
    alias (metafun.adoc UNNEST_POS: ``UNNEST_POS(u)`` for ``UNNEST a1 AS u``);
    anything else -> NULL, MISSING -> MISSING."""
    if element is MISSING:
        return MISSING
    for key, pos in env.items():
        if type(key) is str and key.startswith(UNNEST_POS):
            if env.get(key[len(UNNEST_POS):], MISSING) is element:
                return pos
    return None


# -- index definitions only ---------------------------------------------------


@register("FLATTEN_KEYS")
def flatten_keys(*keys: Any) -> list:
    """Meaningful only as an array index key (metafun.adoc FLATTEN_KEYS): the
    keys it flattens, as the index stores them side by side."""
    return list(keys)
