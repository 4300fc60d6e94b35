"""The developer guide's beer-sample web application (Flask), complete.

:func:`create_app` makes the Flask application over a 1.x ``Connection`` to
the ``beer-sample`` bucket; ``examples/beer/beer.py`` starts it (against the
local cluster unless given ``--connstr``). Pages: ``/welcome``; ``/beers`` and
``/breweries`` (lists by name with paging and a search box); ``show``,
``edit``, ``create``, ``delete`` under each; ``/beers/search?value=`` and
``/breweries/search?value=`` (JSON, the guide's ``STRING_RANGE_END`` prefix
search); ``/breweries/<id>/beers?value=`` (JSON); ``like``/``unlike`` (POST).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, render_template

from couchbase.exceptions import CouchbaseError

from .routes import bp

HERE = Path(__file__).resolve().parent.parent
DATABASE = "beer-sample"
ENTRIES_PER_PAGE = 30


def create_app(db: Any, entries_per_page: int = ENTRIES_PER_PAGE) -> Flask:
    """The application over ``db``, a Connection to beer-sample whose design
    documents :func:`beersample.design.install` has made."""
    app = Flask(__name__, static_folder=str(HERE / "static"), static_url_path="",
                template_folder=str(HERE / "templates"))
    app.config["ENTRIES_PER_PAGE"] = entries_per_page
    app.extensions["couchbase"] = db
    app.register_blueprint(bp)

    @app.errorhandler(404)
    def not_found(e: Any) -> tuple[str, int]:
        return render_template("error.html", title="Not found",
                               message=getattr(e, "description", "Not found")), 404

    @app.errorhandler(CouchbaseError)
    def database_error(e: CouchbaseError) -> tuple[str, int]:
        # Say what failed instead of a bare 500: the cluster is down, slow...
        app.logger.warning("Couchbase error: %s", e)
        return render_template("error.html", title="The database did not answer",
                               message=f"{type(e).__name__}: {e}"), 503

    return app
