"""asyncio front end of couchbase-pure: ``acouchbase.cluster.Cluster`` (4.x) and
``acouchbase.bucket.Bucket`` (2.x).

>>> from acouchbase.cluster import Cluster
>>> cluster = await Cluster.connect("couchbase://127.0.0.1", ClusterOptions(auth))
>>> result = await cluster.bucket("default").default_collection().get("key")
"""

from __future__ import annotations

import asyncio
from typing import Optional

# the loop get_event_loop made (no annotation: PyPy 3.9 refuses an annotated global)
_made = None  # type: Optional[asyncio.AbstractEventLoop]


def get_event_loop(evloop: Optional[asyncio.AbstractEventLoop] = None
                   ) -> asyncio.AbstractEventLoop:
    """The loop to run acouchbase on (4.x: ``get_event_loop().run_until_complete(main())``):
    ``evloop`` if given, else the running loop, else a new one set as current. Any
    asyncio loop works (no I/O interface beyond the standard one is needed)."""
    global _made
    if evloop is not None:
        return evloop
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if _made is None or _made.is_closed():
        _made = asyncio.new_event_loop()
        asyncio.set_event_loop(_made)
    return _made



__all__ = ["get_event_loop"]
