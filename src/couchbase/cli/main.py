"""``cbcp``: parsing, dispatch, connecting, and turning errors into one line and an exit code.

Each command group lives in its own module (:mod:`.kv`, :mod:`.query`,
:mod:`.admin`, :mod:`.pillowfight`) and registers its commands with
``add_commands(subparsers, common)``; a command is ``run(ctx) -> exit code``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from ..exceptions import CouchbaseError
from . import admin, kv, pillowfight, query, samples
from .context import EXIT_FAILED, EXIT_OK, CliError, Context, describe_error
from .latency import describe, summary

DEFAULT_SPEC = "couchbase://127.0.0.1/default"
DEFAULT_TIMEOUT = 10.0

EPILOG = """\
exit codes:
  0  success
  1  some keys (or the query/request) failed; each failure is one line on stderr
  2  usage error (bad command line)
  3  cannot connect or bootstrap (unreachable host, no such bucket, --timeout passed)
  4  authentication failed

Every command takes the common options (-U/--spec, -u, -P, --json, -v, -T,
--timeout). See docs/cli.md for examples.
"""


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument("-U", "--spec", default=DEFAULT_SPEC,
                       help=f"connection string with the bucket (default {DEFAULT_SPEC})")
    group.add_argument("-u", "--username", help="user (default: the bucket name; "
                       "management commands: Administrator)")
    group.add_argument("-P", "--password", default="", help="password")
    group.add_argument("--json", action="store_true", help="print one JSON document")
    group.add_argument("-v", "--verbose", action="store_true",
                       help="log the client's steps to stderr (the 'couchbase' logger, DEBUG)")
    group.add_argument("-T", "--timings", action="store_true",
                       help="print latency percentiles of the operations to stderr")
    group.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"bootstrap timeout (default {DEFAULT_TIMEOUT:g})")
    return common


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbcp", description="A cbc-style command-line client for Couchbase "
        "(pure Python; works against couchbase-mock and real clusters).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(metavar="COMMAND", dest="command_name")
    commands.required = True
    common = _common_options()
    for module in (kv, query, admin, pillowfight, samples):
        module.add_commands(commands, common)
    return parser


def _enable_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("couchbase")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command (``argv`` defaults to ``sys.argv[1:]``): its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2): argparse printed it
        return int(exc.code or 0)
    if args.verbose:
        _enable_logging()
    ctx = Context(args)
    try:
        code = args.run(ctx)
    except CliError as exc:
        ctx.error(str(exc))
        code = exc.code
    except CouchbaseError as exc:
        ctx.error(describe_error(exc))
        code = EXIT_FAILED
    except KeyboardInterrupt:
        code = 130
    finally:
        ctx.close()
    if ctx.failed and code == EXIT_OK:
        code = EXIT_FAILED
    ctx.out.finish()
    if args.timings and ctx.timings.samples:
        stats = summary(ctx.timings.samples)
        print(f"timings: {stats['count']:.0f} ops, {describe(stats)}, max {stats['max']:.0f}us",
              file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
