"""``pillowfight``: a load generator in the manner of ``cbc-pillowfight``.

Each thread has its own Bucket and loops over cycles: a cycle is one batch of
``--batch`` operations on distinct random keys of ``--num-items``, ``--set-pct`` percent
of them upserts and the rest gets, each kind sent as one pipelined multi call.
A batch's latency (send to last answer) is counted once per operation in it:
the time each of them waited at most. Before the run the threads store every
item once (``--no-population`` skips it), so gets find their documents.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from typing import Any, Optional

from ..exceptions import CouchbaseError
from .context import EXIT_USAGE, CliError, Context
from .latency import describe, summary
from .output import rich_available


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser("pillowfight", parents=[common], help="generate load",
                            description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("-B", "--batch", "--batch-size", type=_count, default=100, dest="batch",
                   help="operations per batch (default 100)")
    p.add_argument("-t", "--num-threads", type=_count, default=1,
                   help="threads, each with its own connection (default 1)")
    p.add_argument("-I", "--num-items", type=_count, default=1000,
                   help="distinct keys (default 1000)")
    p.add_argument("-r", "--set-pct", type=int, default=33, choices=range(101), metavar="PCT",
                   help="percent of operations that store (default 33)")
    p.add_argument("-m", "--min-size", type=_count, default=50, help="value bytes (default 50)")
    p.add_argument("-M", "--max-size", type=_count, default=5120,
                   help="value bytes at most (default 5120)")
    p.add_argument("-p", "--key-prefix", default="pillowfight-", help="key prefix")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument("-c", "--num-cycles", type=int, default=-1,
                       help="batches per thread (default -1: until --duration or Ctrl-C)")
    limit.add_argument("--duration", type=float, metavar="SECONDS", help="run this long")
    p.add_argument("--no-population", action="store_true", help="skip storing the items first")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between status lines")
    p.set_defaults(run=run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


class Worker(threading.Thread):
    """One thread's load: its own connection, counters and latency samples."""

    def __init__(self, cb: Any, args: argparse.Namespace, seed: int,
                 stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.cb = cb
        self.args = args
        self.random = random.Random(seed)
        self.stop = stop
        self.ops = 0
        self.errors = 0
        self.first_error: Optional[str] = None
        self.samples: list[float] = []  # every batch's latency
        self.window: list[float] = []  # since the reporter's last look
        sizes = sorted({args.min_size, args.max_size, (args.min_size + args.max_size) // 2})
        self.values = [{"data": "x" * max(0, size - 11)} for size in sizes]  # ~size bytes JSON

    def key(self, index: int) -> str:
        return f"{self.args.key_prefix}{index}"

    def populate(self, indexes: range) -> None:
        for start in range(indexes.start, indexes.stop, self.args.batch):
            chunk = range(start, min(start + self.args.batch, indexes.stop))
            self.cb.upsert_multi({self.key(i): self.random.choice(self.values) for i in chunk})

    def run(self) -> None:
        cycles = self.args.num_cycles
        done = 0
        while not self.stop.is_set() and (cycles < 0 or done < cycles):
            self.run_batch()
            done += 1

    def run_batch(self) -> None:
        args = self.args
        # distinct keys: a multi call takes each key once
        picked = self.random.sample(range(args.num_items), min(args.batch, args.num_items))
        keys = [self.key(i) for i in picked]
        sets = sum(1 for _ in keys if self.random.randrange(100) < args.set_pct)
        stores, reads = keys[:sets], keys[sets:]
        start = time.perf_counter()
        failed = 0
        try:
            if stores:
                self.cb.upsert_multi({k: self.random.choice(self.values) for k in stores})
            if reads:
                results = self.cb.get_multi(reads, quiet=True)
                failed = sum(1 for r in results.values() if not r.success)
        except CouchbaseError as exc:
            failed = len(keys)
            self.first_error = self.first_error or str(exc)
        latency = time.perf_counter() - start
        self.errors += failed
        self.ops += len(keys)
        self.samples.append(latency)
        self.window.append(latency)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.min_size > args.max_size:
        raise CliError("--min-size is larger than --max-size", EXIT_USAGE)
    stop = threading.Event()
    workers = [Worker(ctx.open_bucket(), args, seed, stop) for seed in range(args.num_threads)]
    if not args.no_population:
        share = -(-args.num_items // len(workers))
        for n, worker in enumerate(workers):
            worker.populate(range(n * share, min((n + 1) * share, args.num_items)))
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    try:
        _report_until_done(ctx, workers, started, stop)
    except KeyboardInterrupt:  # Ctrl-C ends an open-ended run: the summary still follows
        pass
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    elapsed = time.perf_counter() - started
    return _summary(ctx, workers, elapsed)


def _status(workers: list[Worker], elapsed: float, last_ops: int, window: float) -> tuple[str, int]:
    ops = sum(w.ops for w in workers)
    samples: list[float] = []
    for w in workers:
        taken, w.window = w.window, []
        samples.extend(taken)
    rate = (ops - last_ops) / window if window > 0 else 0.0
    errors = sum(w.errors for w in workers)
    line = (f"{elapsed:6.1f}s  {rate:10.0f} ops/s  {describe(summary(samples))}  "
            f"errors {errors}")
    return line, ops


def _report_until_done(ctx: Context, workers: list[Worker], started: float,
                       stop: threading.Event) -> None:
    args = ctx.args
    deadline = started + args.duration if args.duration is not None else None
    live: Any = None
    if rich_available() and sys.stderr.isatty() and not ctx.out.json_mode:
        from rich.console import Console
        from rich.live import Live

        live = Live("", console=Console(stderr=True), refresh_per_second=4)
        live.start()
    last_ops, last_time = 0, started
    try:
        while any(w.is_alive() for w in workers):
            wait = args.interval
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.perf_counter()))
            for w in workers:
                w.join(wait / len(workers))
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                stop.set()
            if now - last_time >= args.interval or stop.is_set():
                line, last_ops = _status(workers, now - started, last_ops, now - last_time)
                last_time = now
                if live is not None:
                    live.update(line)
                elif not ctx.out.json_mode:
                    print(line, file=sys.stderr, flush=True)
            if stop.is_set():
                break
    finally:
        if live is not None:
            live.stop()


def _summary(ctx: Context, workers: list[Worker], elapsed: float) -> int:
    ops = sum(w.ops for w in workers)
    errors = sum(w.errors for w in workers)
    latency = summary(s for w in workers for s in w.samples)
    rate = ops / elapsed if elapsed > 0 else 0.0
    result = {"ops": ops, "errors": errors, "seconds": round(elapsed, 3),
              "ops_per_sec": round(rate, 1), "threads": len(workers),
              "batch": ctx.args.batch, "batch_latency_us": latency}
    ctx.out.put("pillowfight", result)
    ctx.out.line(f"{ops} ops in {elapsed:.2f}s: {rate:.0f} ops/s, {errors} errors; "
                 f"batch latency {describe(latency)} max {latency['max']:.0f}us")
    first = next((w.first_error for w in workers if w.first_error), None)
    if first:
        ctx.error(f"first error: {first.splitlines()[0]}")
    return 1 if errors else 0
