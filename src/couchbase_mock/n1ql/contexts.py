"""The query context of a request: ``[namespace:]bucket[.scope]``.

A request's ``query_context`` (and FORMALIZE's second argument) names the
bucket, and optionally the scope, that unqualified keyspace names refer to;
names may be in backticks (``default:`travel-sample`.inventory``).
"""

from __future__ import annotations


def split_query_context(text: str) -> tuple[str, list[str]]:
    """``(namespace, [bucket] or [bucket, scope])`` of ``text``, backticks
    removed; the namespace is ``default`` when not given. Raises ValueError for
    anything else (no bucket, an empty name, more than two names)."""
    namespace, colon, path = text.partition(":")
    if not colon:
        namespace, path = "default", text
    namespace = namespace.strip("`")
    parts: list[str] = []
    current = ""
    quoted = False
    for ch in path:
        if ch == "`":
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    if not 1 <= len(parts) <= 2 or not all(parts) or not namespace:
        raise ValueError(f"{text} is not [namespace:]bucket[.scope]")
    return namespace, parts
