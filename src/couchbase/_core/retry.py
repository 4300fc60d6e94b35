"""When a request is sent again, and after how long: policy as objects a cluster is given.

Both cluster drivers ask the same :class:`RetryPolicy` instead of carrying
their own constants, and a test (or an application) can hand in another one,
as redis-py's ``Retry``/``Backoff`` are handed to its connections.

Today one case is retried: a NOT_MY_VBUCKET answer (the cluster map moved).
If the answer carried a newer map the request goes again at once, to the
node that map names; otherwise it waits, longer after each attempt, for the
map to settle, and gives up when the wait would pass the operation's
deadline.
"""

from __future__ import annotations

from typing import Optional, Protocol

from .logsink import DEBUG, INFO, emit

_LOG = "couchbase.retry"


class Backoff(Protocol):
    def compute(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed attempts (0 for the first retry)."""


class ExponentialBackoff:
    """``min(cap, base * 2 ** failures)``: 1 ms, 2 ms, 4 ms ... up to 100 ms by default."""

    __slots__ = ("base", "cap")

    def __init__(self, base: float = 0.001, cap: float = 0.1) -> None:
        if base < 0 or cap < 0:
            raise ValueError("backoff base and cap must not be negative")
        self.base = base
        self.cap = cap

    def compute(self, failures: int) -> float:
        if failures >= 64:  # 2 ** failures would only overflow the cap
            return self.cap
        return min(self.cap, self.base * (1 << failures))

    def __repr__(self) -> str:
        return f"ExponentialBackoff(base={self.base}, cap={self.cap})"


class ConstantBackoff:
    """The same wait after every failure."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def compute(self, failures: int) -> float:
        return self.seconds

    def __repr__(self) -> str:
        return f"ConstantBackoff({self.seconds})"


class RetryPolicy:
    """Decides whether a request that met a moving cluster map is sent again."""

    __slots__ = ("backoff",)

    def __init__(self, backoff: Optional[Backoff] = None) -> None:
        self.backoff: Backoff = backoff if backoff is not None else ExponentialBackoff()

    def not_my_vbucket(self, attempt: int, new_config: bool, remaining: float) -> Optional[float]:
        """Seconds to wait before sending again (0: at once), or None to give up.

        ``attempt`` counts the earlier NOT_MY_VBUCKET answers to this request,
        ``new_config`` says whether this answer brought a newer map, and
        ``remaining`` is the time left before the operation's deadline.
        """
        if new_config:
            emit(_LOG, DEBUG, "NOT_MY_VBUCKET (attempt %d): sending again at once to the "
                 "node the new cluster map names", attempt + 1)
            return 0.0
        pause = self.backoff.compute(attempt)
        if pause >= remaining:
            emit(_LOG, INFO, "NOT_MY_VBUCKET (attempt %d): giving up, a %.3gs wait would "
                 "pass the deadline (%.3gs left)", attempt + 1, pause, remaining)
            return None
        emit(_LOG, DEBUG, "NOT_MY_VBUCKET (attempt %d), cluster map unchanged: sending "
             "again in %.3gs", attempt + 1, pause)
        return pause

    def __repr__(self) -> str:
        return f"RetryPolicy({self.backoff!r})"


DEFAULT_RETRY = RetryPolicy()
