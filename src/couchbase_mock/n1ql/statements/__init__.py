"""Statement forms beyond SELECT and the core DML/index statements, as plug-ins.

Each module of this package owns one statement form (``merge.py``,
``infer.py``, ``functions.py``...): its syntax-tree node, its parser and its
runner, registered here when the package is imported, so adding a statement
touches no shared dispatch code:

- :func:`statement` registers a parser for the statement's leading words
  (``("MERGE",)``, ``("CREATE", "SCOPE")``); it is called with the
  :class:`~..parser.Parser` positioned on the first word and returns a node.
  Two-word keys are tried before one-word ones.
- :func:`runner` registers how the engine runs a node type: a function
  ``(engine, stmt, ctx) -> (results, signature, mutation_count or None)``;
  ``explain=`` optionally gives its EXPLAIN plan ``(engine, stmt) -> dict``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

PARSERS: dict[tuple, Callable[[Any], Any]] = {}
RUNNERS: dict[type, Callable[[Any, Any, Any], tuple]] = {}
EXPLAINERS: dict[type, Callable[[Any, Any], dict]] = {}

_loaded = False


def statement(*words: str) -> Callable:
    """Register the decorated ``parse(parser) -> node`` for statements that
    start with ``words`` (upper case)."""
    key = tuple(w.upper() for w in words)

    def deco(fn: Callable) -> Callable:
        if key in PARSERS:
            raise ValueError(f"N1QL statement {' '.join(key)} is registered twice")
        PARSERS[key] = fn
        return fn

    return deco


def runner(node_type: type, explain: Optional[Callable[[Any, Any], dict]] = None) -> Callable:
    """Register the decorated ``run(engine, stmt, ctx)`` for ``node_type``."""

    def deco(fn: Callable) -> Callable:
        RUNNERS[node_type] = fn
        if explain is not None:
            EXPLAINERS[node_type] = explain
        return fn

    return deco


def load() -> None:
    """Import every module of this package once (each registers itself)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def parser_for(first: str, second: str) -> Optional[Callable[[Any], Any]]:
    """The registered parser for a statement starting ``first second``, if any."""
    load()
    return PARSERS.get((first, second)) or PARSERS.get((first,))
