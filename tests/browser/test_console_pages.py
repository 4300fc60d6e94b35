"""Every page of the web console at 1280x800 and at 400 px wide: it renders
with no console error, nothing is wider than the window (tables scroll in
their own box), and a screenshot of each is saved. Signing out returns to the
login page."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from browser_helpers import all_viewports, screenshot  # tests/browser
from test_console_flows import log_in  # tests/browser

from couchbase_mock.mock import MockCluster

PAGES = {
    "dashboard": "h1:text('Dashboard')",
    "buckets": "text=Sample buckets",
    "documents?bucket=beer-sample": "a:text-is('21st_amendment_brewery_cafe')",
    "doc?bucket=beer-sample&id=21st_amendment_brewery_cafe": "output[name=cas]",
    "query": "button:text('Explain')",
    "views?bucket=beer-sample": "td:text-is('brewery_beers')",
    "indexes": "td:text-is('beer_primary')",
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, samples=["beer-sample"]) as mock:
        yield mock


@all_viewports
def test_every_page_renders_and_fits(page: Any, cluster: MockCluster,
                                     viewport: dict[str, int]) -> None:
    log_in(page, cluster)
    for number, (route, ready) in enumerate(PAGES.items(), start=1):
        page.goto(f"{cluster.mgmt_url}/ui/index.html#/{route}")
        page.wait_for_selector(ready)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{route} is {overflow}px wider than {viewport['width']}px"
        screenshot(page, f"{number:02d}-{route.split('?')[0]}")
    page.click("#logout")
    page.wait_for_selector("h1:text('Sign in')")
    screenshot(page, "login")
