"""Key-value commands: cat, create, cp, rm, incr, decr, lock, unlock, hash, stats, ping, version."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from functools import partial
from typing import Any

from ..formats import FMT_BYTES, FMT_JSON, FMT_UTF8
from .context import Context
from .output import to_text


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    def add(name: str, run: Any, help: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help, description=help)
        parser.set_defaults(run=run)
        return parser

    add("cat", cat, "print documents (value on stdout, CAS and flags on stderr)") \
        .add_argument("keys", nargs="+", metavar="KEY")

    p = add("create", create, "store one document (value from -V, else stdin)")
    p.add_argument("key", metavar="KEY")
    p.add_argument("-V", "--value", help="the value; JSON is stored as JSON, else as text")
    _store_options(p)

    p = add("cp", cp, "store files as documents, each under its file name")
    p.add_argument("files", nargs="+", metavar="FILE")
    _store_options(p)

    add("rm", rm, "remove documents").add_argument("keys", nargs="+", metavar="KEY")

    for name, sign in (("incr", 1), ("decr", -1)):
        p = add(name, counter, f"{name}ement counters")
        p.add_argument("keys", nargs="+", metavar="KEY")
        p.add_argument("-d", "--delta", type=_unsigned, default=1, help="amount (default 1)")
        p.add_argument("-i", "--initial", type=_unsigned,
                       help="value for a missing counter (default: missing is an error)")
        p.add_argument("-e", "--expiry", type=_unsigned, default=0, help="expiry in seconds")
        p.set_defaults(sign=sign)

    p = add("lock", lock, "lock documents (prints the CAS that unlocks)")
    p.add_argument("keys", nargs="+", metavar="KEY")
    p.add_argument("-t", "--time", type=_unsigned, default=15, help="seconds (default 15)")

    p = add("unlock", unlock, "unlock a document with the CAS lock printed")
    p.add_argument("key", metavar="KEY")
    p.add_argument("cas", type=_cas, metavar="CAS", help="decimal or 0x hex")

    add("hash", hash_keys, "show each key's vbucket, active node and replica nodes") \
        .add_argument("keys", nargs="+", metavar="KEY")

    p = add("stats", stats, "server statistics of every node")
    p.add_argument("groups", nargs="*", metavar="GROUP",
                   help="stat groups (default: the general group)")
    p.add_argument("-k", "--keystats", action="store_true",
                   help="the arguments are document keys: show their metadata")

    add("ping", ping, "measure every service endpoint")
    add("version", version, "this client's version and the cluster nodes'")


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-M", "--mode", default="upsert",
                        choices=("upsert", "insert", "replace", "append", "prepend"),
                        help="how to store (default upsert)")
    parser.add_argument("-e", "--expiry", type=_unsigned, default=0, help="expiry in seconds")


def _unsigned(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def _cas(text: str) -> int:
    value = _unsigned(text)
    if not value:
        raise argparse.ArgumentTypeError("CAS must not be 0")
    return value


def value_and_format(raw: bytes) -> tuple[Any, int]:
    """What to store for input bytes: parsed JSON, else UTF-8 text, else the bytes."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw, FMT_BYTES
    try:
        return json.loads(text), FMT_JSON
    except ValueError:
        return text, FMT_UTF8


def _meta(result: Any) -> dict[str, Any]:
    return {"cas": result.cas, "flags": getattr(result, "flags", None)}


def cat(ctx: Context) -> int:
    cb = ctx.bucket()

    def one(key: str) -> None:
        result = cb.get(key)
        if ctx.out.json_mode:
            ctx.out.put(key, {**_meta(result), "value": result.value})
        else:
            ctx.out.note(f"{key:<20} CAS=0x{result.cas:x}, Flags=0x{result.flags:x}")
            ctx.out.line(to_text(result.value))

    ctx.each_key(ctx.args.keys, one)
    return 0


def _store(ctx: Context, key: str, raw: bytes) -> None:  # (raw by keyword: partial)
    value, fmt = value_and_format(raw)
    mode = ctx.args.mode
    cb = ctx.bucket()
    if mode in ("append", "prepend"):
        value, fmt = raw.decode("utf-8", "replace"), FMT_UTF8
        result = getattr(cb, mode)(key, value, format=fmt)
    else:
        result = getattr(cb, mode)(key, value, ttl=ctx.args.expiry, format=fmt)
    ctx.out.put(key, _meta(result))
    ctx.out.line(f"{key:<20} Stored. CAS=0x{result.cas:x}")


def create(ctx: Context) -> int:
    args = ctx.args
    raw = args.value.encode("utf-8") if args.value is not None else sys.stdin.buffer.read()
    ctx.each_key([args.key], lambda key: _store(ctx, key, raw))
    return 0


def cp(ctx: Context) -> int:
    ctx.bucket()  # connect before reading files: connection errors come first
    for path in ctx.args.files:
        key = os.path.basename(path)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as exc:
            ctx.failed += 1
            ctx.error(f"{path}: {exc.strerror or exc}")
            continue
        ctx.each_key([key], partial(_store, ctx, raw=raw))
    return 0


def rm(ctx: Context) -> int:
    cb = ctx.bucket()

    def one(key: str) -> None:
        result = cb.remove(key)
        ctx.out.put(key, {"cas": result.cas})
        ctx.out.line(f"{key:<20} Deleted. CAS=0x{result.cas:x}")

    ctx.each_key(ctx.args.keys, one)
    return 0


def counter(ctx: Context) -> int:
    cb = ctx.bucket()
    args = ctx.args

    def one(key: str) -> None:
        result = cb.counter(key, delta=args.sign * args.delta, initial=args.initial,
                            ttl=args.expiry)
        ctx.out.put(key, {"cas": result.cas, "value": result.value})
        ctx.out.line(f"{key:<20} Current value is {result.value}. CAS=0x{result.cas:x}")

    ctx.each_key(args.keys, one)
    return 0


def lock(ctx: Context) -> int:
    cb = ctx.bucket()

    def one(key: str) -> None:
        result = cb.lock(key, ttl=ctx.args.time)
        ctx.out.put(key, {"cas": result.cas})
        ctx.out.line(f"{key:<20} Locked. CAS=0x{result.cas:x}")

    ctx.each_key(ctx.args.keys, one)
    return 0


def unlock(ctx: Context) -> int:
    cb = ctx.bucket()

    def one(key: str) -> None:
        cb.unlock(key, ctx.args.cas)
        ctx.out.put(key, {"unlocked": True})
        ctx.out.line(f"{key:<20} Unlocked.")

    ctx.each_key([ctx.args.key], one)
    return 0


def hash_keys(ctx: Context) -> int:
    from .._core.errors import NoRoute
    from .._kv import encode_key

    router = ctx.bucket()._live().router
    rows = []
    for key in ctx.args.keys:
        raw = encode_key(key)
        vb, index = router.route_index(raw)
        replicas = []
        for replica in range(1, router.replica_count() + 1):
            try:
                replicas.append(_address(router, router.route_index(raw, replica)[1]))
            except NoRoute:
                replicas.append("-")
        rows.append([key, vb, _address(router, index), ",".join(replicas) or "-"])
    ctx.out.table("keys", ["key", "vbucket", "master", "replicas"], rows)
    return 0


def stats(ctx: Context) -> int:
    args = ctx.args
    groups = args.groups or None
    if args.keystats and not groups:
        ctx.error("--keystats needs document keys")
        return 2
    result = ctx.timings.call(ctx.bucket().stats, groups, keystats=args.keystats)
    if ctx.out.json_mode:
        ctx.out.put("stats", result)
        return 0
    for name in sorted(result):
        for server, value in sorted(result[name].items()):
            ctx.out.line(f"{server}\t{name}\t{value}")
    return 0


def ping(ctx: Context) -> int:
    report = ctx.timings.call(ctx.bucket().ping)
    rows = []
    for service, endpoints in report.get("services", {}).items():
        for endpoint in endpoints:
            rows.append([service, endpoint.get("remote", endpoint.get("id", "")),
                         endpoint.get("status", ""), endpoint.get("latency_us", "")])
    ctx.out.table("ping", ["service", "remote", "status", "latency_us"], rows)
    bad = [r for r in rows if r[2] != "ok"]
    for row in bad:
        ctx.error(f"{row[0]} {row[1]}: {row[2]}")
    return 1 if bad else 0


def version(ctx: Context) -> int:
    from .. import __version__

    ours = f"couchbase-pure {__version__} ({platform.python_implementation()} " \
           f"{platform.python_version()})"
    ctx.out.put("client", ours)
    ctx.out.line(f"client: {ours}")
    nodes = ctx.bucket().stats()["version"]
    ctx.out.put("nodes", nodes)
    for server, value in sorted(nodes.items()):
        ctx.out.line(f"{server}: {value}")
    return 0


def _address(router: Any, index: int) -> str:
    host, port = router.address(index)
    return f"{host}:{port}"
