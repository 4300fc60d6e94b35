"""Stopping a running request: its timeout, or a stop from another thread.

The engine runs a request on one thread and calls :meth:`Cancel.check` in its
loops (per scanned key, per joined row, per sorted row, every few thousand
tokens while parsing), so a request over its time, or one the service gave
up on, ends within one loop step rather than when it would have finished.
:meth:`Cancel.stop` may be called from any thread: it only sets an attribute,
which the running thread reads at its next check. The same checks are where a
request pauses to let others run (:meth:`Cancel.pause_every`).

>>> c = Cancel(timeout=None)
>>> c.check()  # no deadline: never stops by itself
>>> c.stop(timeout_error(0.1))
>>> c.check()
Traceback (most recent call last):
...
couchbase_mock.n1ql.errors.N1QLError: [1080] Timeout 100ms exceeded
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from .durations import go_duration
from .errors import N1QLError

E_TIMEOUT = 1080


def timeout_error(seconds: float) -> N1QLError:
    """The service's 1080 ``Timeout 100ms exceeded`` (clients may retry it)."""
    return N1QLError(E_TIMEOUT, f"Timeout {go_duration(seconds)} exceeded", retry=True)


class Cancel:
    """One request's stop signal: a deadline (``time.monotonic()`` seconds)
    and/or an error set by :meth:`stop`; and, optionally, a pause every
    ``slice`` seconds (see :meth:`pause_every`)."""

    __slots__ = ("timeout", "deadline", "reason", "_pause", "_slice", "_next_pause", "_next")

    def __init__(self, timeout: Optional[float] = None, start: Optional[float] = None) -> None:
        self.timeout = timeout
        """The request's time limit in seconds (``None``: none)."""
        begun = time.monotonic() if start is None else start
        self.deadline = begun + timeout if timeout is not None else None
        self.reason: Optional[N1QLError] = None
        """Why the request was stopped, once it was."""
        self._pause: Optional[Callable[[], None]] = None
        self._slice = 0.0
        self._next_pause: Optional[float] = None
        self._next = self.deadline  # the earliest time check() has something to do

    def pause_every(self, seconds: float, pause: Callable[[], None]) -> None:
        """Call ``pause()`` from :meth:`check` once ``seconds`` have passed since
        the last call (the query service lets other requests run then)."""
        self._pause = pause
        self._slice = seconds
        self._next_pause = time.monotonic() + seconds
        self._schedule()

    def _schedule(self) -> None:
        times = [t for t in (self.deadline, self._next_pause) if t is not None]
        self._next = min(times) if times else None

    def stop(self, reason: N1QLError) -> None:
        """Stop the request at its next :meth:`check` (any thread)."""
        if self.reason is None:
            self.reason = reason

    def check(self) -> None:
        """Raise the stop reason, or 1080 once the deadline has passed; pause if due."""
        if self.reason is None:
            due = self._next
            if due is None:
                return
            now = time.monotonic()
            if now < due:
                return
            if self.deadline is not None and now >= self.deadline:
                assert self.timeout is not None
                self.reason = timeout_error(self.timeout)
            else:
                assert self._pause is not None
                self._pause()
                self._next_pause = time.monotonic() + self._slice
                self._schedule()
                if self.reason is None:
                    return
        reason = self.reason
        assert reason is not None
        raise N1QLError(reason.code, reason.msg, retry=reason.retry)

    def remaining(self) -> Optional[float]:
        """Seconds left before the deadline (``None``: no deadline)."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())
