"""N1QL and view queries: ``query``/``n1ql STATEMENT`` and ``view DESIGN/VIEW``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .context import EXIT_USAGE, CliError, Context
from .output import to_text


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    for name in ("query", "n1ql"):
        p = commands.add_parser(name, parents=[common], help="run a N1QL statement",
                                description="Run a N1QL statement; rows are printed as JSON, "
                                "one a line.")
        p.add_argument("statement", metavar="STATEMENT")
        p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="a named parameter ($NAME; VALUE is JSON, else text); "
                       "without '=' a positional one ($1, $2...). Repeatable.")
        p.set_defaults(run=query)

    p = commands.add_parser("view", parents=[common], help="query a view",
                            description="Query a map/reduce view; rows as JSON lines.")
    p.add_argument("path", metavar="DESIGN/VIEW")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a view option (limit=10, stale=false, startkey='\"a\"'...). Repeatable.")
    p.add_argument("--dev", action="store_true", help="the dev_ design document")
    p.set_defaults(run=view)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def query(ctx: Context) -> int:
    from ..n1ql import N1QLQuery

    positional: list[Any] = []
    named: dict[str, Any] = {}
    for param in ctx.args.param:
        name, sep, value = param.partition("=")
        if sep:
            named[name.lstrip("$")] = _json_or_text(value)
        else:
            positional.append(_json_or_text(param))
    request = N1QLQuery(ctx.args.statement, *positional, **named)
    rows = ctx.timings.call(lambda: list(ctx.bucket().n1ql_query(request)))
    _print_rows(ctx, rows)
    return 0


def view(ctx: Context) -> int:
    design, sep, name = ctx.args.path.partition("/")
    if not (sep and design and name):
        raise CliError(f"expected DESIGN/VIEW, not {ctx.args.path!r}", EXIT_USAGE)
    params: dict[str, Any] = {}
    for param in ctx.args.param:
        key, sep, value = param.partition("=")
        if not sep:
            raise CliError(f"--param needs NAME=VALUE, not {param!r}", EXIT_USAGE)
        params[key] = value if key in ("stale",) else _json_or_text(value)
    cb = ctx.bucket()
    result = ctx.timings.call(
        lambda: [{"id": r.docid, "key": r.key, "value": r.value}
                 for r in cb.query(design, name, use_devmode=ctx.args.dev, **params)])
    _print_rows(ctx, result)
    return 0


def _print_rows(ctx: Context, rows: list[Any]) -> None:
    ctx.out.put("rows", rows)
    for row in rows:
        ctx.out.line(to_text(row))
    if not ctx.out.json_mode:
        ctx.out.note(f"{len(rows)} row(s)")
