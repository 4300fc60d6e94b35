"""tests/beer: the application's fixtures are in beer_fixtures.py, which the test
modules import (the browser tests too), so a missing Flask skips those modules
instead of failing collection here."""
