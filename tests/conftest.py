"""Shared test settings: asyncio for async tests, and Hypothesis without deadlines."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# The machines are shared and noisy: a deadline would make property tests flaky
# without telling anything about correctness (speed is measured in benchmarks/).
# Under CI, Hypothesis's own "ci" profile (derandomized, no database) is the base.
settings.register_profile(
    "greenroom", parent=settings.get_profile("ci") if os.environ.get("CI") else None, deadline=None
)
settings.load_profile("greenroom")


@pytest.fixture
def anyio_backend() -> str:
    """Greenroom is built on asyncio, so async tests run there only."""
    return "asyncio"
