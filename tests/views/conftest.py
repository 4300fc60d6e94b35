from __future__ import annotations

from typing import Iterator

import pytest
from fakeviews import FakeViews


@pytest.fixture
def fake() -> Iterator[FakeViews]:
    """A views service stand-in on an ephemeral port."""
    server = FakeViews()
    yield server
    server.close()
