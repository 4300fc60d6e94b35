"""The command that serves the application: ``python examples/beer/beer.py`` or,
from examples/beer, ``python -m beersample`` (options: ``--help``)."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

from couchbase import LOCKMODE_WAIT, Couchbase

from . import DATABASE, create_app
from .design import install

USAGE = """The beer-sample web application of the developer guide, ready to run.

    python examples/beer/beer.py            # on a local cluster with beer-sample
    python examples/beer/beer.py --connstr couchbase://db.example.com \\
        --username Administrator --password secret

Without ``--connstr`` it starts the embedded local cluster
(``couchbase_mock.MockCluster``) with the ``beer-sample`` sample bucket. Either
way it creates the design documents the application queries (``beer/by_name``,
``brewery/by_name``, ``beer/by_brewery``), then serves the pages and prints
their URL. Needs Flask: ``pip install 'couchbase-pure[beer-app]'``.
"""


@contextlib.contextmanager
def connect(connstr: Optional[str], username: Optional[str],
            password: Optional[str]) -> Iterator[Any]:
    """A thread-safe Connection to beer-sample: on ``connstr``, or on a local
    cluster started here (and stopped on the way out)."""
    stack = contextlib.ExitStack()
    with stack:
        if connstr is None:
            from couchbase_mock import MockCluster

            mock = stack.enter_context(MockCluster(samples=[DATABASE]))
            mgmt = urlsplit(mock.mgmt_url)
            db = Couchbase.connect(bucket=DATABASE, host=mgmt.hostname or "127.0.0.1",
                                   port=mgmt.port or 8091, username=mock.username,
                                   password=mock.password, lockmode=LOCKMODE_WAIT)
        else:
            db = Couchbase.connect(bucket=DATABASE, connection_string=connstr,
                                   username=username, password=password,
                                   lockmode=LOCKMODE_WAIT)
        stack.callback(db.close)
        install(db)
        yield db


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=USAGE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connstr", help="a cluster holding beer-sample (default: start "
                        "the local cluster)")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--port", type=int, default=5000, help="port to serve on (0: any)")
    args = parser.parse_args(argv)

    from werkzeug.serving import make_server

    with connect(args.connstr, args.username, args.password) as db:
        server = make_server(args.host, args.port, create_app(db), threaded=True)
        print(f"Beer sample on http://{args.host}:{server.server_port}/ (Ctrl-C stops it)",
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
