"""Bucket management: ``bucket-list``, ``bucket-create``, ``bucket-delete``, ``bucket-flush``,
also as ``admin bucket-...``. They connect as a cluster administrator (``-u``, ``-P``)."""

from __future__ import annotations

import argparse
from typing import Any

from .context import Context


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    admin = commands.add_parser("admin", help="bucket management (also as top-level commands)",
                                description="Bucket management as a cluster administrator.")
    group = admin.add_subparsers(metavar="ACTION", dest="admin_action")
    group.required = True
    for where in (commands, group):
        _add_bucket_commands(where, common)


def _add_bucket_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    def add(name: str, run: Any, help: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help, description=help)
        parser.set_defaults(run=run)
        return parser

    add("bucket-list", bucket_list, "list the cluster's buckets")
    p = add("bucket-create", bucket_create, "create a bucket")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--ram-quota", type=int, default=100, metavar="MB",
                   help="memory per node in MiB (default 100)")
    p.add_argument("--bucket-type", default="couchbase",
                   choices=("couchbase", "ephemeral", "memcached"))
    p.add_argument("--replicas", type=int, default=1, help="replica count (default 1)")
    p.add_argument("--enable-flush", action="store_true", help="allow bucket-flush")
    add("bucket-delete", bucket_delete, "delete a bucket and its documents") \
        .add_argument("name", metavar="NAME")
    add("bucket-flush", bucket_flush, "remove every document of a bucket (flush enabled)") \
        .add_argument("name", metavar="NAME")


def bucket_list(ctx: Context) -> int:
    buckets = ctx.timings.call(ctx.cluster().buckets().get_all_buckets)
    rows = []
    for b in buckets:
        kind = b.bucket_type.value if b.bucket_type is not None else ""
        rows.append([b.name, "couchbase" if kind == "membase" else kind, b.ram_quota_mb,
                     b.num_replicas, b.flush_enabled])
    ctx.out.table("buckets", ["name", "type", "ram_quota_mb", "replicas", "flush"], rows)
    return 0


def bucket_create(ctx: Context) -> int:
    from ..management.buckets import BucketType, CreateBucketSettings

    args = ctx.args
    kind = BucketType.COUCHBASE if args.bucket_type == "couchbase" else \
        BucketType(args.bucket_type)
    settings = CreateBucketSettings(name=args.name, ram_quota_mb=args.ram_quota,
                                    bucket_type=kind, num_replicas=args.replicas,
                                    flush_enabled=args.enable_flush)
    ctx.timings.call(ctx.cluster().buckets().create_bucket, settings)
    return _done(ctx, args.name, "created")


def bucket_delete(ctx: Context) -> int:
    ctx.timings.call(ctx.cluster().buckets().drop_bucket, ctx.args.name)
    return _done(ctx, ctx.args.name, "deleted")


def bucket_flush(ctx: Context) -> int:
    ctx.timings.call(ctx.cluster().buckets().flush_bucket, ctx.args.name)
    return _done(ctx, ctx.args.name, "flushed")


def _done(ctx: Context, name: str, what: str) -> int:
    ctx.out.put(name, what)
    ctx.out.line(f"{name}: {what}")
    return 0
