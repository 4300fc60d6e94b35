"""Query errors with the query service's codes and message texts.

Every failure the engine reports is a :class:`N1QLError` carrying the code and
message a real query service would put in its ``errors`` array
(``{"code": ..., "msg": ...}``).
"""

from __future__ import annotations

from typing import Any

E_PARSE_SYNTAX = 3000
E_SEMANTICS = 3100
E_AMBIGUOUS_REFERENCE = 3080
E_PLAN = 4000
E_NO_SUCH_PREPARED = 4040
E_NOT_GROUP_KEY_OR_AGG = 4210
E_INDEX_ALREADY_EXISTS = 4300
E_INTERNAL = 5000
E_EVALUATION = 5010
E_INSERT_KEY_TYPE = 5070
E_UPSERT_KEY_TYPE = 5078
E_KEYSPACE_NOT_FOUND = 12003
E_PRIMARY_INDEX_NOT_FOUND = 12004
E_DML = 12009
E_INDEX_NOT_FOUND = 12016
E_DUPLICATE_KEY = 12009
E_CAS_MISMATCH = 12009


class N1QLError(Exception):
    """A query failure: ``code`` and ``msg`` as the service reports them;
    ``retry`` marks the errors the service says a client may retry (1080)."""

    def __init__(self, code: int, msg: str, retry: bool = False) -> None:
        super().__init__(f"[{code}] {msg}")
        self.code = code
        self.msg = msg
        self.retry = retry

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.retry:
            out["retry"] = True
        return out


def syntax_error(text: str, offset: int, token_text: str | None) -> N1QLError:
    """``syntax error - line L, column C, near '...', at: TOKEN`` (or ``at end of input``).

    ``near`` is up to 20 characters of the statement before the offending
    token, trailing blanks dropped, as the service prints it.
    """
    if token_text is None:
        return N1QLError(E_PARSE_SYNTAX, "syntax error - at end of input")
    line_start = text.rfind("\n", 0, offset) + 1
    line = text.count("\n", 0, offset) + 1
    column = offset - line_start + 1
    end = offset
    while end > line_start and text[end - 1] in " \t":
        end -= 1
    start = max(line_start, end - 20)
    near = text[start:end]
    if near:
        msg = f"syntax error - line {line}, column {column}, near '{near}', at: {token_text}"
    else:
        msg = f"syntax error - line {line}, column {column}, at: {token_text}"
    return N1QLError(E_PARSE_SYNTAX, msg)


def no_index(keyspace: str) -> N1QLError:
    return N1QLError(
        E_PLAN,
        f"No index available on keyspace {keyspace} that matches your query. Use CREATE "
        f"PRIMARY INDEX ON {keyspace} to create a primary index, or check that your "
        "expected index is online.",
    )


def keyspace_not_found(path: str, bucket: str, bucket_exists: bool) -> N1QLError:
    """``path`` is ``default:bucket[.scope.collection]``."""
    msg = f"Keyspace not found in CB datastore: {path}"
    if not bucket_exists:
        msg += f" - cause: No bucket named {bucket}"
    return N1QLError(E_KEYSPACE_NOT_FOUND, msg)


def index_exists(name: str) -> N1QLError:
    return N1QLError(E_INDEX_ALREADY_EXISTS, f"The index {name} already exists.")


def index_not_found(name: str) -> N1QLError:
    return N1QLError(E_INDEX_NOT_FOUND, f"Index Not Found - cause: GSI index {name} not found.")


def no_such_prepared(name: str) -> N1QLError:
    return N1QLError(E_NO_SUCH_PREPARED, f"No such prepared statement: {name}")


def duplicate_key(key: str) -> N1QLError:
    return N1QLError(E_DUPLICATE_KEY, f"Duplicate Key: {key}")


def internal(what: str) -> N1QLError:
    return N1QLError(E_INTERNAL, what)
