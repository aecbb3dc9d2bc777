"""The pytest plugin of ``greenroom.testing``: the ``start_test_backend`` fixture.

Registered as the ``pytest11`` entry point ``greenroom``, so pytest loads it in
every run where Greenroom is installed: it imports nothing heavy (no httpx, no
Starlette). Async tests run on anyio's pytest plugin, which comes with anyio.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from greenroom.testing._start import BackendStarter

__all__ = ["start_test_backend"]


@pytest.fixture
async def start_test_backend(anyio_backend: Any) -> AsyncIterator[BackendStarter]:
    """Start backends in a test; each one is stopped after the test.

    ``client = await start_test_backend(features=[...], config={...})``, or
    ``async with start_test_backend(...) as client:`` as with the function
    from ``greenroom.testing``. Takes the same arguments.
    """
    name = anyio_backend if isinstance(anyio_backend, str) else anyio_backend[0]
    if name != "asyncio":
        pytest.skip(
            f"Greenroom backends run on asyncio, not {name}: define a fixture "
            "`anyio_backend` returning 'asyncio' to run this test once"
        )
    async with contextlib.AsyncExitStack() as stack:
        yield BackendStarter(stack)
