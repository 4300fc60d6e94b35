"""What the browser tests share: a headless Chromium, pages that watch their log,
viewport sizes and screenshots.

The browser is Debian's Chromium at /usr/bin/chromium (scripts/install-browser.sh
installs it in ``make test``), driven by Playwright's Python API; Playwright's own
browser builds are not used (no ``playwright install``). Without the browser or
the ``playwright`` package the tests skip, saying which is missing: the only skip.

Use from a test (fixtures in tests/browser/conftest.py)::

    @all_viewports                      # once at 1280x800, once at 400x800
    def test_dashboard(page, mock_cluster):
        page.goto(mock_cluster.mgmt_url + "/ui/index.html")
        screenshot(page, "dashboard")   # build/screenshots/<test>[wide]--dashboard.png

``page`` fails the test when the page logged a console error or warning or threw
an uncaught exception (issue 17: "no console errors in the browser log during the
tests"). A test that provokes one on purpose (a 409 on a CAS conflict is logged by
Chromium as "Failed to load resource") says so first::

    browser_log(page).expect(r"status of 409")

Chromium asks for /favicon.ico of every page without ``<link rel=icon>``; an answer
other than 200 is a console error too. A fetch answered 401 with WWW-Authenticate
opens the browser's password dialog, which headless Chromium waits on until the test
times out: log in first (``new_page(http_credentials=...)``) or have the page ask
for a 401 without the challenge.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Pattern

import pytest

CHROMIUM = "/usr/bin/chromium"

# Without the background-networking flags Chromium keeps calling Google's hosts,
# which this closed network refuses (and every start then waits on DNS). QUIC off:
# plain HTTP/1.1 to the local cluster only.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Playwright's time limits (ms) for one action and one navigation: a page of the
# local cluster answers in well under a second; a missing element fails the test
# in seconds instead of Playwright's default 30 s.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000

# The sizes the pages must work at (issue 17): a laptop window and a narrow phone one.
VIEWPORTS: dict[str, dict[str, int]] = {
    "wide": {"width": 1280, "height": 800},
    "narrow": {"width": 400, "height": 800},
}
DEFAULT_VIEWPORT = VIEWPORTS["wide"]

# Runs a test once per size: parametrizes the ``viewport`` fixture that ``page`` uses.
all_viewports = pytest.mark.parametrize(
    "viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))

# Console message types that fail a test ("error", "warning"; not "log", "info", "debug").
FAILING_TYPES = ("error", "warning")


def browser_unavailable_reason() -> Optional[str]:
    """Why no browser test can run here, or None when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return (f"no browser: {CHROMIUM} is missing (scripts/install-browser.sh installs "
                "Debian's chromium as root; elsewhere: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no playwright: pip install -e '.[test]' installs it"
    return None


def launch_browser() -> Iterator[Any]:
    """Yields a running headless Chromium (a Playwright ``Browser``); closes it after.

    Skips the calling test when the browser or Playwright is missing. Each launch
    gets a new empty profile: Playwright makes a temporary user data dir itself
    (its ``launch`` refuses a ``--user-data-dir`` flag)."""
    reason = browser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class BrowserLogError(AssertionError):
    """A page logged a console error or warning, or threw an uncaught exception."""


@dataclass
class BrowserLog:
    """The console errors and warnings and the uncaught exceptions of one page."""

    entries: list[str] = field(default_factory=list)
    expected: list[Pattern[str]] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: Any) -> None:
        if message.type in FAILING_TYPES:
            loc = message.location or {}
            where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc else ""
            self._record(f"console.{message.type}: {message.text}{where}")

    def _on_page_error(self, error: Any) -> None:
        self._record(f"uncaught exception: {error}")

    def _record(self, entry: str) -> None:
        for i, pattern in enumerate(self.expected):
            if pattern.search(entry):
                del self.expected[i]  # each expectation excuses one entry
                return
        self.entries.append(entry)

    def expect(self, pattern: str) -> None:
        """Excuses the next entry that matches ``pattern`` (a regular expression)."""
        self.expected.append(re.compile(pattern))

    def check(self) -> None:
        """Raises BrowserLogError listing what the page logged; then forgets it."""
        entries, self.entries = self.entries, []
        if entries:
            raise BrowserLogError(
                f"the browser logged {len(entries)} error(s)/warning(s):\n  "
                + "\n  ".join(entries))


_LOG_ATTR = "_browser_log"


def browser_log(page: Any) -> BrowserLog:
    """The BrowserLog of a page opened by ``open_pages``."""
    log: BrowserLog = getattr(page, _LOG_ATTR)
    return log


def open_pages(browser: Any, viewport: dict[str, int]
               ) -> Iterator[Callable[..., Any]]:
    """Yields ``new_page(**context_options)``: a page in a new browser context (own
    cookies and storage) at ``viewport``, its log watched. Context options are
    Playwright's (``http_credentials={"username": ..., "password": ...}``,
    ``base_url=...``). At the end, closes them and raises BrowserLogError if any
    page logged an error, a warning or an uncaught exception."""
    contexts: list[Any] = []
    logs: list[BrowserLog] = []

    def new_page(**options: Any) -> Any:
        options.setdefault("viewport", viewport)
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        log = BrowserLog()
        log.attach(page)
        setattr(page, _LOG_ATTR, log)
        logs.append(log)
        return page

    try:
        yield new_page
    finally:
        for context in contexts:
            context.close()  # also flushes the events still on their way
    for log in logs:
        log.check()


def artefact_dir() -> Path:
    """Where screenshots go: ``$BROWSER_ARTEFACTS``, else build/screenshots/ at the
    top of the checkout."""
    env = os.environ.get("BROWSER_ARTEFACTS")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "build" / "screenshots"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _current_test_name() -> str:
    # "tests/browser/test_x.py::test_y[narrow] (call)" -> "test_x.test_y[narrow]"
    current = os.environ.get("PYTEST_CURRENT_TEST", "no-test").rsplit(" ", 1)[0]
    path, _, name = current.partition("::")
    return f"{Path(path).stem}.{name.replace('::', '.')}" if name else Path(path).stem


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    """Saves a PNG of ``page`` as ``<artefact dir>/<test file>.<test>[params]--<name>.png``
    and returns its path."""
    stem = re.sub(r"[^A-Za-z0-9_.\[\]-]+", "_", f"{_current_test_name()}--{name}")
    path = artefact_dir() / f"{stem}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path

