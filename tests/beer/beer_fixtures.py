"""The beer-sample application over its own local cluster, for the Flask tests
(tests/beer) and the browser tests (tests/browser/test_beer_browser.py).

The cluster is private to the importing module (the tests create and delete
beers and breweries); starting it with beer-sample and building the views
takes about 2 s.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

pytest.importorskip("flask", reason="the beer app needs Flask: pip install -e '.[beer-app]'")

BEER_DIR = Path(__file__).resolve().parents[2] / "examples" / "beer"
if str(BEER_DIR) not in sys.path:
    sys.path.insert(0, str(BEER_DIR))

from beersample import DATABASE, create_app  # noqa: E402
from beersample.design import install  # noqa: E402

from couchbase import LOCKMODE_WAIT, Couchbase  # noqa: E402
from couchbase_mock import MockCluster  # noqa: E402

PAGE = 5  # rows per list page in the tests: paging shows on small lists


@pytest.fixture(scope="module")
def beer_db() -> Iterator[Any]:
    """A Connection to beer-sample on a private cluster, design documents installed."""
    with MockCluster(samples=[DATABASE]) as mock:
        mgmt = urlsplit(mock.mgmt_url)
        db = Couchbase.connect(bucket=DATABASE, host=mgmt.hostname, port=mgmt.port,
                               username=mock.username, password=mock.password,
                               lockmode=LOCKMODE_WAIT)
        try:
            install(db)
            yield db
        finally:
            db.close()


@pytest.fixture(scope="module")
def beer_app(beer_db) -> Any:
    app = create_app(beer_db, entries_per_page=PAGE)
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def beer_url(beer_app) -> Iterator[str]:
    """The application served over HTTP on a free loopback port (for a browser)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, beer_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="beer-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
