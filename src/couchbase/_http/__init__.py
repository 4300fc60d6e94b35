"""HTTP requests of the API layer (views, design documents) as flows, and their drivers.

A flow (:mod:`.flows`) is a generator yielding the commands of
:mod:`.commands`; a driver answers them. :mod:`.blocking` drives flows in
the caller's thread (sync, and gevent with its own sockets), :mod:`.aio`
on asyncio; the Twisted driver lives in ``txcouchbase``. The bytes are
parsed by the sans-IO :mod:`couchbase._core.http` and
:mod:`couchbase._core.http_rows`, whatever the driver.
"""
