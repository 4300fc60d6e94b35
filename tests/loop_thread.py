"""An asyncio loop in its own thread, for tests that drive acouchbase from sync code."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, make: Callable[[], Any]) -> Any:
        """``make()`` on the loop; awaited if it gives an awaitable."""
        async def call() -> Any:
            result = make()
            if asyncio.isfuture(result) or asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
