"""SELECT ... EXCLUDE (selectclause.adoc, "EXCLUDE Clause").

``SELECT * EXCLUDE reviews, h.public_likes, "geo,`description`" FROM hotel h``
drops fields from each result object. A term is an identifier path or a string
naming one or more paths separated by commas. A term names a field as the
projection names it (its alias); with one FROM term a path may leave out that
term's alias (``reviews`` is ``h.reviews`` under ``SELECT *``), or name it
when the projection already lifted its fields (``h.name`` under ``h.*``).
The documents themselves are never changed: the result object is copied along
each removed path.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import ast as A
from .errors import N1QLError

Path = tuple


def parse_exclude(p: Any) -> list:
    """The paths after ``EXCLUDE`` (the keyword already read)."""
    paths: list = []
    while True:
        start = p.tok
        term = p.expr()
        if isinstance(term, A.Literal) and isinstance(term.value, str):
            paths.extend(_paths_in_string(term.value, p.error(start)))
        else:
            path = _path_of(term)
            if path is None:
                raise p.error(start)
            paths.append(path)
        if not p.accept_op(","):
            return paths


def _path_of(node: Any) -> Optional[Path]:
    if type(node) is A.Ident:
        return (node.name,)
    if type(node) is A.Field:
        base = _path_of(node.base)
        return None if base is None else base + (node.name,)
    return None


def _paths_in_string(text: str, error: Exception) -> list:
    """``"geo,`description`"``: each comma-separated piece parsed as a path."""
    from .parser import Parser  # (the parser imports this module)

    try:
        p = Parser(text)
        out = []
        while True:
            path = _path_of(p.expr())
            if path is None:
                raise error
            out.append(path)
            if not p.accept_op(","):
                break
        if p.tok.kind != "EOF":
            raise error
        return out
    except N1QLError:
        raise error from None


def excluder(paths: list, aliases: list) -> Optional[Callable[[dict], dict]]:
    """A function from a result object to that object without ``paths``."""
    if not paths:
        return None
    only = aliases[0] if len(aliases) == 1 else None

    def candidates(path: Path) -> list:
        out = [path]
        if only is not None:
            out.append(path[1:] if path[0] == only and len(path) > 1 else (only,) + path)
        return out

    def apply(result: dict) -> dict:
        for path in paths:
            for cand in candidates(path):
                if _present(result, cand):
                    result = _without(result, cand)
                    break
        return result

    return apply


def _present(obj: Any, path: Path) -> bool:
    for name in path:
        if type(obj) is not dict or name not in obj:
            return False
        obj = obj[name]
    return True


def _without(obj: dict, path: Path) -> dict:
    copy = dict(obj)
    if len(path) == 1:
        del copy[path[0]]
    else:
        copy[path[0]] = _without(obj[path[0]], path[1:])
    return copy


def exclude_text(paths: list) -> str:
    """The EXCLUDE clause's terms as FORMALIZE and EXPLAIN print them: each path
    with its names quoted (``"h"."reviews"`` prints as ```h`.`reviews```)."""
    return ", ".join(".".join(A.quote_ident(name) for name in path) for path in paths)
