"""The browser test kit works: Chromium loads pages of the local cluster, the
viewport sizes apply, screenshots land in the artefact folder, and a page that logs
a console error or throws fails its test."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

import pytest
from browser_helpers import (  # tests/browser
    VIEWPORTS,
    BrowserLogError,
    all_viewports,
    artefact_dir,
    browser_log,
    screenshot,
)

from couchbase_mock.mock import MockCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=1) as mock:
        yield mock


def test_pools_json_loads_in_the_browser(page: Any, cluster: MockCluster) -> None:
    # Chromium asks for /favicon.ico of a page without <link rel=icon>; the local
    # cluster answers it 401, a console error. A JSON document has no <head> to name one.
    browser_log(page).expect(r"favicon\.ico")
    response = page.goto(cluster.mgmt_url + "/pools")
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(page.locator("body").inner_text())
    assert body["pools"][0]["name"] == "default"


def test_login_with_the_cluster_credentials(new_page: Callable[..., Any],
                                            cluster: MockCluster) -> None:
    # /pools/default needs the administrator: the context sends Basic credentials.
    page = admin_page(new_page, cluster)
    assert "nodes" in json.loads(page.locator("body").inner_text())


@all_viewports
def test_viewport_and_screenshot(page: Any, viewport: dict[str, int]) -> None:
    page.set_content("<!doctype html><title>kit</title><h1>browser kit</h1>"
                     "<p id=w></p><script>"
                     "document.getElementById('w').textContent = innerWidth;</script>")
    assert page.locator("#w").inner_text() == str(viewport["width"])
    path = screenshot(page, "kit")
    assert path.parent == artefact_dir()
    name = "wide" if viewport == VIEWPORTS["wide"] else "narrow"
    assert path.name == f"test_browser_smoke.test_viewport_and_screenshot[{name}]--kit.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("script, event, logged", [
    ("console.error('boom')", "console", "console.error: boom"),
    ("console.warn('careful')", "console", "console.warning: careful"),
    ("setTimeout(() => { throw new Error('kaput') })", "pageerror", "uncaught exception: kaput"),
])
def test_a_console_error_fails_the_check(page: Any, script: str, event: str,
                                         logged: str) -> None:
    with page.expect_event(event):  # the events arrive asynchronously
        page.set_content(f"<script>{script}</script>")
    with pytest.raises(BrowserLogError, match=logged):
        browser_log(page).check()
    browser_log(page).check()  # reported once: the page is clean again


def test_plain_console_log_is_fine(page: Any) -> None:
    with page.expect_console_message(lambda m: m.text == "fyi"):  # the last one
        page.set_content("<script>console.log('hello'); console.info('fyi')</script>")
    browser_log(page).check()


def admin_page(new_page: Callable[..., Any], cluster: MockCluster) -> Any:
    """A page logged in to the cluster's REST API (Basic credentials on challenge).
    Without them a fetch answered 401 with WWW-Authenticate would wait on the
    browser's password dialog until the test times out."""
    page = new_page(http_credentials={"username": cluster.username,
                                      "password": cluster.password})
    browser_log(page).expect(r"favicon\.ico")
    response = page.goto(cluster.mgmt_url + "/pools/default")
    assert response is not None and response.status == 200
    return page


def test_a_failed_request_is_a_console_error(new_page: Callable[..., Any],
                                              cluster: MockCluster) -> None:
    # A fetch answered 404 is logged by Chromium as "Failed to load resource".
    page = admin_page(new_page, cluster)
    with page.expect_console_message():  # Chromium logs it after the fetch resolves
        assert page.evaluate("fetch('/pools/no-such-pool').then(r => r.status)") == 404
    with pytest.raises(BrowserLogError, match="status of 404"):
        browser_log(page).check()


def test_an_expected_error_is_excused_once(new_page: Callable[..., Any],
                                           cluster: MockCluster) -> None:
    page = admin_page(new_page, cluster)
    browser_log(page).expect(r"status of 404")
    fetch = "fetch('/pools/no-such-pool').then(r => r.status)"
    with page.expect_console_message():
        assert page.evaluate(fetch) == 404
    browser_log(page).check()
    with page.expect_console_message():
        assert page.evaluate(fetch) == 404  # the second one is not excused
    with pytest.raises(BrowserLogError, match="status of 404"):
        browser_log(page).check()


def test_the_skip_reason_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import browser_helpers

    monkeypatch.setattr(browser_helpers, "CHROMIUM", "/nonexistent/chromium")
    reason = browser_helpers.browser_unavailable_reason()
    assert reason is not None and "/nonexistent/chromium is missing" in reason
    assert "scripts/install-browser.sh" in reason
