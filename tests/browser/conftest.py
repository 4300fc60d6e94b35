"""Fixtures of the browser tests; the work is in browser_helpers.py.

- ``browser`` (module): headless Debian Chromium via Playwright, or a skip saying
  what is missing. Not session-wide: Playwright's sync API keeps an asyncio loop
  marked running in this thread while it is alive, so every later test of the same
  worker calling asyncio.run() would fail.
- ``viewport``: 1280x800 unless a test is marked ``@all_viewports`` (or parametrizes
  ``viewport`` itself).
- ``new_page``: ``new_page(**context_options)`` opens a page in a fresh context;
  the test fails if any page it opened logged a console error/warning or threw.
- ``page``: one such page.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from browser_helpers import DEFAULT_VIEWPORT, launch_browser, open_pages  # tests/browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


@pytest.fixture
def viewport() -> dict[str, int]:
    return DEFAULT_VIEWPORT


@pytest.fixture
def new_page(browser: Any, viewport: dict[str, int]) -> Iterator[Callable[..., Any]]:
    yield from open_pages(browser, viewport)


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()
