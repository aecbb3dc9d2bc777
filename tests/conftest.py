"""Shared test settings: asyncio for async tests, and Hypothesis without deadlines."""

from __future__ import annotations

import pytest
from hypothesis import settings

# The machines are shared and noisy: a deadline would make property tests flaky
# without telling anything about correctness (speed is measured in benchmarks/).
settings.register_profile("greenroom", deadline=None)
settings.load_profile("greenroom")


@pytest.fixture
def anyio_backend() -> str:
    """Greenroom is built on asyncio, so async tests run there only."""
    return "asyncio"
