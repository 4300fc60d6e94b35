"""Analytics DDL (the SQL++ for Analytics DDL pages): dataverses (analytics scopes),
datasets (analytics collections), their indexes, ``USE`` and the ``Local`` link.

- ``CREATE DATAVERSE|ANALYTICS SCOPE name [IF NOT EXISTS]``, ``DROP ... [IF EXISTS]``;
- ``USE name``: the dataverse one-part dataset names mean for the rest of the request;
- ``CREATE DATASET|ANALYTICS COLLECTION [IF NOT EXISTS] [dv.]name [IF NOT EXISTS]
  ON bucket[.scope.collection] [AT Local] [WHERE condition]``, ``DROP ... [IF EXISTS]``;
- ``CREATE INDEX name [IF NOT EXISTS] ON [dv.]dataset(field[: type], ...)``,
  ``DROP INDEX [dv.]dataset.name [IF EXISTS]``;
- ``CONNECT LINK [dv.]Local [WITH {...}]``, ``DISCONNECT LINK [dv.]Local``.

Anything else is a query (:mod:`.query`). A request may hold several statements
separated by ``;`` (:func:`split_statements`).
"""

from __future__ import annotations

import re
import time
from typing import Callable, Optional

from ..n1ql.errors import N1QLError
from ..n1ql.parser import parse_expression
from .datasets import LOCAL_LINK, METADATA, AnalyticsState, Dataset, Index, display
from .errors import AnalyticsError, syntax_error

_NAME = re.compile(r"\s*(?:`((?:[^`]|``)+)`|([A-Za-z_][\w$-]*))")


def split_statements(text: str) -> list[str]:
    """The statements of a request: split at ``;`` outside quotes and comments."""
    out, current, quote, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote != "`" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
            current.append(ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif ch == ";":
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    out.append("".join(current))
    return [s.strip() for s in out if s.strip()]


class Cursor:
    """Reads a statement's keywords and names from left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def keyword(self, *words: str) -> bool:
        """Take ``words`` (case-insensitive, whole words) if they come next."""
        pattern = r"\s*" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w$])"
        found = re.compile(pattern, re.I).match(self.text, self.pos)
        if found is None:
            return False
        self.pos = found.end()
        return True

    def name(self) -> str:
        found = _NAME.match(self.text, self.pos)
        if found is None:
            raise syntax_error(f"a name expected at {self.text[self.pos:self.pos + 20]!r}")
        self.pos = found.end()
        return found.group(1).replace("``", "`") if found.group(1) is not None \
            else found.group(2)

    def qname(self) -> list[str]:
        parts = [self.name()]
        while self.punct("."):
            parts.append(self.name())
        return parts

    def punct(self, char: str) -> bool:
        rest = self.text[self.pos:]
        stripped = rest.lstrip()
        if stripped.startswith(char):
            self.pos += len(rest) - len(stripped) + len(char)
            return True
        return False

    def rest(self) -> str:
        return self.text[self.pos:].strip()

    def end(self) -> None:
        if self.rest():
            raise syntax_error(f"unexpected {self.rest()[:30]!r}")


class Session:
    """One request's statements: the state, and the dataverse ``USE`` chose."""

    def __init__(self, state: AnalyticsState, dataverse: str, read_only: bool = False) -> None:
        self.state = state
        self.dataverse = dataverse
        self.read_only = read_only

    def split(self, parts: list[str]) -> tuple[str, str]:
        """``(dataverse, name)`` of a qualified name (one part: the active dataverse)."""
        if len(parts) == 1:
            return self.dataverse, parts[0]
        return "/".join(parts[:-1]), parts[-1]

    def run(self, text: str) -> bool:
        """Run ``text`` if it is DDL (True), else leave it (False)."""
        c = Cursor(text)
        for words, action in self._table():
            if c.keyword(*words):
                if self.read_only and words != ("USE",):
                    raise AnalyticsError(24131, "Cannot run a DDL statement in a read-only "
                                                "request")
                action(c)
                return True
        return False

    def _table(self) -> list[tuple[tuple[str, ...], Callable[[Cursor], None]]]:
        return [
            (("CREATE", "DATAVERSE"), self._create_dataverse),
            (("CREATE", "ANALYTICS", "SCOPE"), self._create_dataverse),
            (("DROP", "DATAVERSE"), self._drop_dataverse),
            (("DROP", "ANALYTICS", "SCOPE"), self._drop_dataverse),
            (("USE",), self._use),
            (("CREATE", "DATASET"), self._create_dataset),
            (("CREATE", "ANALYTICS", "COLLECTION"), self._create_dataset),
            (("DROP", "DATASET"), self._drop_dataset),
            (("DROP", "ANALYTICS", "COLLECTION"), self._drop_dataset),
            (("CREATE", "INDEX"), self._create_index),
            (("CREATE", "ANALYTICS", "INDEX"), self._create_index),
            (("DROP", "INDEX"), self._drop_index),
            (("DROP", "ANALYTICS", "INDEX"), self._drop_index),
            (("CONNECT", "LINK"), self._connect),
            (("DISCONNECT", "LINK"), self._disconnect),
        ]

    # -- dataverses ------------------------------------------------------------

    def _create_dataverse(self, c: Cursor) -> None:
        name = "/".join(c.qname())
        if_not_exists = c.keyword("IF", "NOT", "EXISTS")
        c.end()
        if name in self.state.dataverses:
            if if_not_exists:
                return
            raise AnalyticsError(24039, f"An analytics scope with this name {display(name)} "
                                        "already exists.")
        self.state.dataverses[name] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())

    def _drop_dataverse(self, c: Cursor) -> None:
        name = "/".join(c.qname())
        if_exists = c.keyword("IF", "EXISTS")
        c.end()
        if name in (METADATA, "Default"):
            raise AnalyticsError(24110, f"Compilation error: {name} analytics scope can't "
                                        "be dropped")
        if name not in self.state.dataverses:
            if if_exists:
                return
            self.state.dataverse(name)
        self.state.drop_dataverse(name)

    def _use(self, c: Cursor) -> None:
        name = "/".join(c.qname())
        c.end()
        self.dataverse = self.state.dataverse(name)

    # -- datasets ----------------------------------------------------------------

    def _create_dataset(self, c: Cursor) -> None:
        if_not_exists = c.keyword("IF", "NOT", "EXISTS")
        dataverse, name = self.split(c.qname())
        if_not_exists = c.keyword("IF", "NOT", "EXISTS") or if_not_exists
        if not c.keyword("ON"):
            raise syntax_error(f"ON expected in CREATE DATASET {name}")
        source = c.qname()
        if len(source) not in (1, 3):
            raise syntax_error(f"ON {'.'.join(source)}: a bucket or bucket.scope.collection")
        bucket, scope, coll = (source + ["_default", "_default"])[:3]
        if c.keyword("AS"):
            c.name()
        if c.keyword("AT"):
            link = c.name()
            if link != LOCAL_LINK:
                raise AnalyticsError(24006, f"Link {display(dataverse)}.{link} does not exist")
        where_text = ""
        where = None
        if c.keyword("WHERE"):
            where_text = c.rest()
            try:
                where = parse_expression(where_text)
            except N1QLError as exc:
                raise syntax_error(str(exc)) from None
        else:
            c.end()
        self.state.dataverse(dataverse)
        if (dataverse, name) in self.state.datasets:
            if if_not_exists:
                return
            raise AnalyticsError(24040, f"An analytics collection with name {name} already "
                                        f"exists in analytics scope {display(dataverse)}")
        if bucket not in self.state.cluster.buckets:
            raise AnalyticsError(24086, f"Bucket {bucket} does not exist")  # ("Cannot find")
        self.state.add_dataset(Dataset(dataverse, name, bucket, scope, coll, where, where_text))

    def _drop_dataset(self, c: Cursor) -> None:
        dataverse, name = self.split(c.qname())
        if_exists = c.keyword("IF", "EXISTS")
        c.end()
        if (dataverse, name) not in self.state.datasets and if_exists:
            return
        self.state.dataverse(dataverse)
        self.state.drop_dataset(self.state.dataset(dataverse, name, 24025))

    # -- indexes -----------------------------------------------------------------

    def _create_index(self, c: Cursor) -> None:
        name = c.name()
        if_not_exists = c.keyword("IF", "NOT", "EXISTS")
        if not c.keyword("ON"):
            raise syntax_error(f"ON expected in CREATE INDEX {name}")
        dataverse, dataset = self.split(c.qname())
        if not c.punct("("):
            raise syntax_error("( expected after the index's dataset")
        keys: list[tuple[list[str], str]] = []
        while True:
            path = c.qname()
            kind = c.name().lower() if c.punct(":") else "any"
            keys.append((path, kind))
            if c.punct(")"):
                break
            if not c.punct(","):
                raise syntax_error(f"unexpected {c.rest()[:30]!r} in the index keys")
        c.keyword("TYPE", "BTREE")
        c.end()
        self.state.dataverse(dataverse)
        self.state.dataset(dataverse, dataset, 24025)
        if (dataverse, dataset, name) in self.state.indexes:
            if if_not_exists:
                return
            raise AnalyticsError(24048, f"An index with this name {name} already exists")
        self.state.indexes[(dataverse, dataset, name)] = Index(dataverse, dataset, name, keys)

    def _drop_index(self, c: Cursor) -> None:
        parts = c.qname()
        if_exists = c.keyword("IF", "EXISTS")
        c.end()
        if len(parts) < 2:
            raise syntax_error("DROP INDEX names [scope.]collection.index")
        dataverse, dataset = self.split(parts[:-1])
        key = (dataverse, dataset, parts[-1])
        if key not in self.state.indexes:
            if if_exists:
                return
            self.state.dataverse(dataverse)
            self.state.dataset(dataverse, dataset, 24025)
            raise AnalyticsError(24047, f"Cannot find index with name {parts[-1]}")
        del self.state.indexes[key]

    # -- the Local link ----------------------------------------------------------

    def _link(self, c: Cursor) -> str:
        parts = c.qname()
        dataverse, link = self.split(parts)
        if c.keyword("WITH"):
            c.pos = len(c.text)  # options such as {"force": true}: nothing to do here
        c.end()
        self.state.dataverse(dataverse)
        if link != LOCAL_LINK and (dataverse, link) not in self.state.links:
            raise AnalyticsError(24006, f"Link {display(dataverse)}.{link} does not exist")
        return dataverse

    def _connect(self, c: Cursor) -> None:
        self.state.connect(self._link(c))

    def _disconnect(self, c: Cursor) -> None:
        self.state.disconnect(self._link(c))


def dataverse_of_context(query_context: Optional[str]) -> Optional[str]:
    """The dataverse a scope's ``query_context`` (``default:`b`.`s```) names."""
    if not query_context:
        return None
    _, _, path = query_context.partition(":")
    c = Cursor(path or query_context)
    try:
        parts = c.qname()
    except AnalyticsError:
        raise AnalyticsError(24000, f"Invalid query_context {query_context}") from None
    return "/".join(parts)


__all__ = ["Cursor", "Session", "dataverse_of_context", "split_statements"]
