"""What every command gets: :class:`Context` (arguments, output, connections,
failures), the exit codes, and how an exception becomes one line of text."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Sequence

from ..exceptions import (
    AuthError,
    CouchbaseError,
    DeltaBadvalError,
    KeyExistsError,
    NotFoundError,
    TemporaryFailError,
    TimeoutError,
)
from .latency import Timings
from .output import Output

EXIT_OK = 0
EXIT_FAILED = 1  # some keys (or the request) failed; the others were done
EXIT_USAGE = 2  # argparse's code for a bad command line
EXIT_CONNECT = 3  # could not connect or bootstrap (host down, bucket missing, timeout)
EXIT_AUTH = 4  # the cluster refused the credentials

class CliError(Exception):
    """A failure that ends the command: ``str()`` is the line printed, ``code`` the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


# (exception class, short text), most specific first: what a user reads after "key: "
_ERROR_TEXT: list[tuple[type[BaseException], str]] = [
    (NotFoundError, "document not found"),
    (KeyExistsError, "document exists or CAS mismatch"),
    (DeltaBadvalError, "value is not a number"),
    (TemporaryFailError, "temporary failure (document locked?)"),
    (TimeoutError, "timed out"),
    (AuthError, "authentication failed"),
]


def describe_error(exc: BaseException) -> str:
    """``document not found (KEY_ENOENT)``: a short text and the server status name."""
    from .._core.status import Status

    text = next((t for cls, t in _ERROR_TEXT if isinstance(exc, cls)), None)
    if text is None:
        text = (getattr(exc, "message", "") or str(exc)).splitlines()[0]
    status = getattr(exc, "server_status", None)
    if status is not None:
        try:
            text += f" ({Status(status).name})"
        except ValueError:
            text += f" (status 0x{status:02x})"
    return text


class Context:
    """What a command gets: its arguments, output, connections, and failure accounting."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.command: str = args.command_name
        self.out = Output(args.json)
        self.timings = Timings()
        self.failed = 0
        self._bucket: Any = None
        self._cluster: Any = None
        self._opened: list[Any] = []

    # -- failures -----------------------------------------------------------------------
    def error(self, text: str) -> None:
        print(f"cbcp: {self.command}: {text}", file=sys.stderr)

    def fail(self, key: str, exc: BaseException) -> None:
        """One key failed: one line on stderr (and in JSON its error); the command goes on."""
        self.failed += 1
        self.error(f"{key}: {describe_error(exc)}")
        if self.out.json_mode:
            self.out.put(key, {"error": describe_error(exc)})

    def each_key(self, keys: Sequence[str], fn: Callable[[str], Any]) -> None:
        """``fn(key)`` for every key, timed; a key's CouchbaseError is :meth:`fail`."""
        for key in keys:
            try:
                self.timings.call(fn, key)
            except CouchbaseError as exc:
                self.fail(key, exc)

    # -- connections --------------------------------------------------------------------
    def open_bucket(self) -> Any:
        """A new connection to the bucket of ``--spec`` (pillowfight opens one per thread)."""
        from ..bucket import Bucket

        args = self.args
        bucket = _connecting(args, lambda: Bucket(
            args.spec, username=args.username, password=args.password,
            bootstrap_timeout=args.timeout))
        self._opened.append(bucket)
        return bucket

    def bucket(self) -> Any:
        if self._bucket is None:
            self._bucket = self.open_bucket()
        return self._bucket

    def cluster(self) -> Any:
        """The 4.x Cluster of ``--spec`` (management commands), as ``-u`` (default
        ``Administrator``)."""
        if self._cluster is None:
            from ..auth import PasswordAuthenticator
            from ..cluster import Cluster
            from ..options import ClusterOptions

            args = self.args
            spec = _with_option(_without_bucket(args.spec), "config_total_timeout",
                                args.timeout)
            auth = PasswordAuthenticator(args.username or "Administrator", args.password or "")
            self._cluster = _connecting(args, lambda: Cluster(spec, ClusterOptions(auth)))
            self._opened.append(self._cluster)
        return self._cluster

    def close(self) -> None:
        for conn in self._opened:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing after a failure must not hide it
                pass


def _connecting(args: argparse.Namespace, connect: Callable[[], Any]) -> Any:
    """Run ``connect``; its failure becomes a CliError with exit code 3 or 4."""
    try:
        return connect()
    except AuthError:
        raise CliError(f"authentication failed for user {args.username or '(bucket name)'!r} "
                       f"at {args.spec}", EXIT_AUTH) from None
    except CouchbaseError as exc:
        reason = (getattr(exc, "message", "") or str(exc)).splitlines()[0]
        raise CliError(f"cannot connect to {args.spec}: {reason}", EXIT_CONNECT) from None


def _without_bucket(spec: str) -> str:
    scheme, sep, rest = spec.partition("://")
    if not sep:
        return spec
    hosts, _, _path = rest.partition("/")
    options = rest.partition("?")[2]
    return f"{scheme}://{hosts.split('?')[0]}" + (f"?{options}" if options else "")


def _with_option(spec: str, name: str, value: Any) -> str:
    if f"{name}=" in spec:
        return spec
    return f"{spec}{'&' if '?' in spec else '?'}{name}={value}"
