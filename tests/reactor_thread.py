"""One Twisted reactor thread for the whole test session.

A Twisted reactor cannot be restarted, so the first test that needs it starts
``reactor.run()`` in a daemon thread and every test calls into it with
``blockingCallFromThread``.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

from twisted.internet import defer, threads

TIMEOUT = 20.0


class ReactorThread:
    """Run callables in the reactor's thread and wait for their (Deferred) results."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args)`` in the reactor thread; its result, or its Deferred's result.

        A failure is raised here as its exception."""
        def start() -> defer.Deferred[Any]:
            d = defer.maybeDeferred(fn, *args, **kwargs)
            return d.addTimeout(TIMEOUT, self.reactor)

        return threads.blockingCallFromThread(self.reactor, start)

    def failure(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The Failure that ``fn(*args)``'s Deferred fails with (an error if it succeeds)."""
        def start() -> defer.Deferred[Any]:
            d = defer.maybeDeferred(fn, *args, **kwargs).addTimeout(TIMEOUT, self.reactor)
            return d.addCallbacks(lambda r: ("succeeded", r), lambda f: ("failed", f))

        outcome, value = threads.blockingCallFromThread(self.reactor, start)
        assert outcome == "failed", f"expected a failure, got {value!r}"
        return value

    def raw(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
        """Call an AsyncResult-returning ``fn``, set its callback and errback after the
        call (as the guide does), and wait: ``("callback", (result,))`` or
        ``("errback", (opres, exc_type, exc_value, exc_traceback))``."""
        def start() -> defer.Deferred[Any]:
            d: defer.Deferred[Any] = defer.Deferred()
            res = fn(*args, **kwargs)
            res.callback = lambda *a: d.callback(("callback", a))
            res.errback = lambda *a: d.callback(("errback", a))
            return d.addTimeout(TIMEOUT, self.reactor)

        return threads.blockingCallFromThread(self.reactor, start)


def run_reactor() -> Iterator[ReactorThread]:
    from twisted.internet import reactor as twisted_reactor

    thread = threading.Thread(target=twisted_reactor.run,  # type: ignore[attr-defined]
                              kwargs={"installSignalHandlers": False},
                              name="twisted-reactor", daemon=True)
    thread.start()
    yield ReactorThread(twisted_reactor)
    twisted_reactor.callFromThread(twisted_reactor.stop)  # type: ignore[attr-defined]
    thread.join(10)
