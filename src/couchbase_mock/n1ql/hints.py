"""Optimizer hints: hint comments, the legacy USE INDEX clause, and their report.

The reference: optimizer-hints.adoc (``/*+ ... */`` or ``--+ ...`` right after
SELECT, UPDATE, DELETE or MERGE; one hint comment per query block, a second
one is a syntax error; simple or JSON syntax, never mixed), keyspace-hints.adoc
(INDEX, INDEX_ALL/INDEX_COMBINE, INDEX_FTS, USE_NL, USE_HASH),
negative-keyspace-hints.adoc (NO_/AVOID_ forms), query-hints.adoc (ORDERED)
and hints.adoc (USE INDEX). A hint never makes a statement fail: a hint the
engine cannot follow, or an invalid one, is reported in EXPLAIN's
``optimizer_hints`` (``hints_followed``, ``hints_not_followed``,
``invalid_hints``) and otherwise ignored.

What this engine does with each: INDEX and NO_INDEX narrow the secondary
indexes the planner chooses from (planner.choose_access); INDEX_FTS and USE
INDEX (USING FTS) are followed when a Search index of the keyspace qualifies
for the query (its mapping searches the fields of the sargable predicates, see
flex_search.py), and that index then gives the document ids; otherwise the
hint is reported not followed and the planner's scan answers; joins always run
as nested loops in the order written, so USE_NL, NO_USE_HASH and ORDERED are
followed and USE_HASH and NO_USE_NL are not.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from . import ast as A

HINT = "HINT"
"""Token kind of a hint comment (its value: the text between ``/*+`` and ``*/``)."""

HINTABLE = frozenset(["SELECT", "UPDATE", "DELETE", "MERGE"])
"""The statement keywords a hint comment may follow (optimizer-hints.adoc, Placement)."""

# canonical name of each simple-syntax name and JSON property
_SIMPLE = {
    "ORDERED": "ORDERED", "INDEX": "INDEX", "INDEX_ALL": "INDEX_ALL",
    "INDEX_COMBINE": "INDEX_ALL", "INDEX_FTS": "INDEX_FTS", "USE_NL": "USE_NL",
    "USE_HASH": "USE_HASH", "NO_INDEX": "NO_INDEX", "AVOID_INDEX": "NO_INDEX",
    "NO_INDEX_FTS": "NO_INDEX_FTS", "AVOID_INDEX_FTS": "NO_INDEX_FTS",
    "NO_USE_HASH": "NO_USE_HASH", "AVOID_HASH": "NO_USE_HASH", "NO_USE_NL": "NO_USE_NL",
    "AVOID_NL": "NO_USE_NL",
}
_INDEX_KINDS = frozenset(["INDEX", "INDEX_ALL", "INDEX_FTS", "NO_INDEX", "NO_INDEX_FTS"])
_JOIN_KINDS = frozenset(["USE_NL", "USE_HASH", "NO_USE_HASH", "NO_USE_NL"])
_JOIN_FOLLOWED = frozenset(["USE_NL", "NO_USE_HASH"])


class Hint:
    """One hint on one keyspace (or ORDERED, on the block)."""

    __slots__ = ("kind", "keyspace", "indexes", "option", "text", "state", "reason",
                 "legacy")

    def __init__(self, kind: str, keyspace: Optional[str], indexes: list, text: str,
                 option: Optional[str] = None, legacy: bool = False) -> None:
        self.kind = kind
        self.keyspace = keyspace
        self.indexes = indexes
        self.option = option
        self.text = text
        self.state = ""  # "followed", "not_followed" or "invalid"
        self.reason = ""
        self.legacy = legacy

    def set(self, state: str, reason: str = "") -> None:
        self.state = state
        self.reason = reason


class HintSet:
    """The hints of one query block."""

    def __init__(self) -> None:
        self.hints: list[Hint] = []
        self.invalid: list[str] = []  # texts that are not hints at all

    def of(self, alias: str) -> list:
        return [h for h in self.hints if h.keyspace == alias and h.state != "invalid"]

    def report(self) -> dict:
        """The ``optimizer_hints`` object of an EXPLAIN result."""
        followed = [h.text for h in self.hints if h.state == "followed"]
        not_followed = [f"{h.text}: {h.reason}" for h in self.hints if h.state == "not_followed"]
        invalid = [f"{h.text}: {h.reason}" for h in self.hints if h.state == "invalid"]
        out: dict[str, Any] = {}
        if followed:
            out["hints_followed"] = followed
        if not_followed:
            out["hints_not_followed"] = not_followed
        if invalid or self.invalid:
            out["invalid_hints"] = invalid + self.invalid
        return out


# -- the lexer's side -------------------------------------------------------------


def hint_start(src: str, i: int, tokens: list) -> bool:
    """Whether the comment at ``src[i]`` is a hint comment: ``/*+`` or ``--+`` right
    after a statement keyword (elsewhere it is a plain comment)."""
    if src[i + 2:i + 3] != "+" or not tokens:
        return False
    last = tokens[-1]
    return last.kind == HINT or (last.kind == "IDENT" and last.text.upper() in HINTABLE)


def split_tokens(tokens: list) -> tuple[list, dict]:
    """The tokens without the hint comments, and each hint comment's text by the
    index of the keyword it follows."""
    out: list = []
    comments: dict[int, str] = {}
    for t in tokens:
        if t.kind == HINT:
            comments[len(out) - 1] = str(t.value)
        else:
            out.append(t)
    return out, comments


# -- parsing the hint text ----------------------------------------------------------

_WORD = re.compile(r"\s*(`(?:[^`]|``)*`|[A-Za-z_][\w$]*|[()/,])")


def _words(text: str) -> Optional[list]:
    out = []
    i = 0
    text = text.rstrip()
    while i < len(text):
        m = _WORD.match(text, i)
        if m is None:
            return None
        w = m.group(1)
        out.append(w[1:-1].replace("``", "`") if w.startswith("`") else w)
        i = m.end()
    return out


def _shown(name: str) -> str:
    """A keyspace or index name as a hint's text shows it (backticks when needed)."""
    return name if _PLAIN.fullmatch(name) else "`" + name.replace("`", "``") + "`"


_PLAIN = re.compile(r"[A-Za-z_][\w$]*")


def _simple(text: str, hs: HintSet) -> None:
    words = _words(text)
    if words is None:
        hs.invalid.append(f"{text.strip()}: Invalid hint syntax")
        return
    i = 0
    while i < len(words):
        name = words[i]
        i += 1
        args: list[str] = []
        if i < len(words) and words[i] == "(":
            i += 1
            while i < len(words) and words[i] != ")":
                args.append(words[i])
                i += 1
            if i >= len(words):  # no closing parenthesis
                hs.invalid.append(f"{text.strip()}: Invalid hint syntax")
                return
            i += 1
        shown = f"{name}({' '.join(args)})" if args or name.upper() != "ORDERED" else name
        kind = _SIMPLE.get(name.upper())
        if kind is None:
            hint = Hint(name.upper(), None, [], shown)
            hint.set("invalid", "Invalid hint name")
            hs.hints.append(hint)
            continue
        if kind == "ORDERED":
            hs.hints.append(Hint(kind, None, [], "ORDERED"))
            continue
        args = [a for a in args if a != ","]
        if not args:
            hint = Hint(kind, None, [], shown)
            hint.set("invalid", "Missing keyspace")
            hs.hints.append(hint)
        elif kind in _INDEX_KINDS:
            hs.hints.append(Hint(kind, args[0], args[1:],
                                 f"{kind}({' '.join(_shown(a) for a in args)})"))
        else:  # join hints: one per keyspace, USE_HASH(ks/BUILD)
            j = 0
            while j < len(args):
                ks, option = args[j], None
                if j + 2 < len(args) + 1 and args[j + 1:j + 2] == ["/"]:
                    option = args[j + 2].upper() if j + 2 < len(args) else ""
                    j += 2
                j += 1
                text_ = f"{kind}({_shown(ks)}/{option})" if option else f"{kind}({_shown(ks)})"
                hint = Hint(kind, ks, [], text_, option)
                if option is not None and (kind != "USE_HASH" or option not in ("BUILD",
                                                                                  "PROBE")):
                    hint.set("invalid", "Invalid hint syntax")
                hs.hints.append(hint)


def _json(text: str, hs: HintSet) -> None:
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        hs.invalid.append(f"{text.strip()}: Invalid hint syntax")
        return
    for key, value in obj.items():
        kind = _SIMPLE.get(key.upper() if isinstance(key, str) else "")
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            shown = json.dumps({key: _normal(entry)}, sort_keys=True, separators=(",", ":"))
            if kind is None:
                hint = Hint(str(key).upper(), None, [], shown)
                hint.set("invalid", "Invalid hint name")
            elif kind == "ORDERED":
                hint = Hint(kind, None, [], shown)
                if entry is not True:
                    hint.set("invalid", "Invalid hint syntax")
            elif not isinstance(entry, dict) or not isinstance(
                    entry.get("keyspace", entry.get("alias")), str):
                hint = Hint(kind, None, [], shown)
                hint.set("invalid", "Missing keyspace")
            else:
                indexes = entry.get("indexes")
                names = [] if indexes is None else [indexes] if isinstance(indexes, str) \
                    else [n for n in indexes if isinstance(n, str)] \
                    if isinstance(indexes, list) else None
                option = entry.get("option")
                hint = Hint(kind, entry.get("keyspace", entry.get("alias")), names or [],
                            shown, option.upper() if isinstance(option, str) else None)
                if names is None or (option is not None and option not in ("build", "probe")):
                    hint.set("invalid", "Invalid hint syntax")
            hs.hints.append(hint)


def _normal(entry: Any) -> Any:
    """A JSON hint as the report shows it: ``indexes`` always an array."""
    if isinstance(entry, dict) and isinstance(entry.get("indexes"), str):
        return {**entry, "indexes": [entry["indexes"]]}
    return entry


def parse_hints(text: str) -> HintSet:
    hs = HintSet()
    if text.strip().startswith("{"):
        _json(text, hs)
    else:
        _simple(text, hs)
    return hs


# -- the parser's side ----------------------------------------------------------------


def _terms(node: Any) -> tuple[list, list]:
    """The keyspace terms of a block or DML statement, and the aliases that are
    the right side of a join."""
    if isinstance(node, A.SelectBlock):
        joined = [j for j in node.joins if j.kind != "UNNEST"]
        terms = [t for t in [node.from_] + [j.term for j in joined]
                 if isinstance(t, A.KeyspaceTerm)]
        return terms, [j.alias for j in joined]
    target = getattr(node, "target", None)
    if isinstance(target, A.KeyspaceTerm):  # MERGE: the target, and the source it joins
        source = getattr(node, "source", None)
        if isinstance(source, A.KeyspaceTerm):
            return [target, source], [source.alias]
        return [target], [getattr(source, "alias", None)]
    term = getattr(node, "term", None)
    return ([term] if isinstance(term, A.KeyspaceTerm) else []), []


def attach(parser: Any, at: int, node: Any) -> None:
    """Give the hint comment after the keyword at token ``at`` (if any) and the
    legacy USE INDEX clauses to the keyspace terms of ``node``."""
    text = parser.hint_comments.get(at)
    terms, joined = _terms(node)
    legacy = [t for t in terms if t.use_index or getattr(t, "use_using", None)]
    if text is None and not legacy:
        return
    hs = parse_hints(text) if text is not None else HintSet()
    aliases = {t.alias for t in terms}
    for h in hs.hints:
        if h.state:
            continue
        if getattr(node, "on_key", None) is not None:  # a lookup MERGE (merge.adoc)
            h.set("invalid", "Optimizer hints are only allowed in ANSI MERGE")
        elif h.kind == "ORDERED":
            if isinstance(node, A.SelectBlock):
                h.set("followed")  # joins run in the order written
            else:
                h.set("invalid", "ORDERED hint is only allowed in a SELECT statement")
        elif h.keyspace not in aliases:
            h.set("invalid", f"Keyspace {h.keyspace} is not found in the query")
        elif h.kind in _JOIN_KINDS:
            if h.keyspace not in joined:
                h.set("not_followed", f"{h.kind} hint cannot be followed")
            elif h.kind in _JOIN_FOLLOWED:
                h.set("followed")
            else:
                h.set("not_followed", f"{h.kind} hint cannot be followed")
    for t in legacy:
        clashing = [h for h in hs.of(t.alias) if h.kind in _INDEX_KINDS]
        using = getattr(t, "use_using", None) or []
        fts = [n for n, u in using if u == "FTS"]
        gsi = [n for n in (t.use_index or []) if n not in fts]
        made = []
        if gsi or not fts:
            made.append(Hint("INDEX", t.alias, [n for n in gsi if n], "", legacy=True))
        if fts:
            made.append(Hint("INDEX_FTS", t.alias, [n for n in fts if n], "", legacy=True))
        for h in made:
            h.text = f"{h.kind}({' '.join(_shown(n) for n in [t.alias] + h.indexes)})"
            if clashing:
                h.set("invalid", "USE clause and hint comment on the same keyspace")
        if clashing:
            t.use_index = None
            for h in clashing:
                h.set("invalid", "USE clause and hint comment on the same keyspace")
        hs.hints.extend(made)
    for t in terms:
        t.hints = hs


# -- the planner's side -------------------------------------------------------------


def index_choices(term: Any, indexes: list) -> list:
    """The indexes the planner may choose from for ``term`` given its INDEX and
    NO_INDEX hints (the primary index stays: it is the last resort)."""
    hs = getattr(term, "hints", None)
    if hs is None:
        return indexes
    for h in hs.of(term.alias):
        if h.legacy:
            continue
        if h.kind in ("INDEX", "INDEX_ALL") and h.indexes:
            named = [ix for ix in indexes if ix.name in h.indexes]
            if named:
                indexes = named + [ix for ix in indexes if ix.primary and ix not in named]
        elif h.kind == "NO_INDEX" and h.indexes:
            indexes = [ix for ix in indexes if ix.primary or ix.name not in h.indexes]
    return indexes


def search_indexes(catalog: Any, path: tuple) -> list:
    """The names of the Search indexes over the keyspace at ``path`` (the local
    cluster sets ``catalog.search_indexes``; a bare engine has none)."""
    lookup = getattr(catalog, "search_indexes", None)
    return list(lookup(path)) if lookup is not None else []


def chosen(term: Any, access: Any, fts_names: Any = ()) -> Any:
    """Mark the index hints of ``term`` followed or not, given the access path
    the planner chose (``fts_names``: the Search indexes of the keyspace);
    returns ``access``."""
    hs = getattr(term, "hints", None)
    if hs is None:
        return access
    index = getattr(access, "index", None)
    name = getattr(index, "name", None) if access.kind != "keys" else None
    for h in hs.of(term.alias):
        if h.kind == "INDEX":
            ok = name is not None and (name in h.indexes or (
                not h.indexes and access.kind == "index"))
        elif h.kind == "NO_INDEX":
            ok = bool(h.indexes) and name not in h.indexes
        elif h.kind == "INDEX_FTS":
            usable = [n for n in fts_names if not h.indexes or n in h.indexes]
            ok = bool(usable) and access.kind != "keys"
            if ok:  # EXPLAIN shows the Search index (explain.py: IndexFtsSearch)
                access.fts = usable[0]
        elif h.kind == "NO_INDEX_FTS":
            ok = bool(h.indexes)
        elif h.kind == "INDEX_ALL":
            ok = False
        else:
            continue
        if ok:
            h.set("followed")
        else:
            h.set("not_followed", f"{h.kind} hint cannot be followed")
    return access


def merge_target(catalog: Any, term: Any, path: tuple, scan_all: bool) -> None:
    """Mark the index hints on a MERGE target: it is read by key (the ON
    clause matches its document key) or else through its primary index."""
    from .planner import Access

    if scan_all:
        access = Access("primary", path, path[-1], index=catalog.primary(path))
    else:
        access = Access("keys", path, path[-1])
    chosen(term, access)  # read by key or primary scan: no Search index answers


def fts_hinted(term: Any) -> Optional[list]:
    """The Search index names an INDEX_FTS hint or USE INDEX (USING FTS) asks for
    (empty: any), or None when the term has no such hint."""
    hs = getattr(term, "hints", None)
    if hs is None:
        return None
    found: Optional[list] = None
    for h in hs.of(term.alias):
        if h.kind == "INDEX_FTS":
            found = (found or []) + h.indexes
    return found


def report(stmt: Any) -> dict:
    """The ``optimizer_hints`` of an EXPLAIN of ``stmt`` (empty: no hints)."""
    node = stmt.body if isinstance(stmt, A.Select) else stmt
    terms, _ = _terms(node)
    for t in terms:
        hs = getattr(t, "hints", None)
        if hs is not None:
            return hs.report()
    return {}
