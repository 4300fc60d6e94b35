from __future__ import annotations

from beer_fixtures import beer_app, beer_db  # noqa: F401 - fixtures
