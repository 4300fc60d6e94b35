"""``cbcp``: a ``cbc``-style command-line client (see docs/cli.md).

Nothing here is imported by ``import couchbase``; ``rich`` (the ``cli`` extra)
is optional and only imported when a command prints a table or live status.
"""
