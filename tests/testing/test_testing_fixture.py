"""The start_test_backend fixture, as the pytest11 plugin provides it to this suite."""

from __future__ import annotations

import pytest
from testing_sample_features import HelloPlugin

from greenroom.testing import BackendStarter

pytestmark = pytest.mark.anyio


async def test_awaited_start_gives_a_running_client(start_test_backend: BackendStarter) -> None:
    """`await start_test_backend(...)` starts a backend that answers at once."""
    client = await start_test_backend(features=[HelloPlugin], config={"hello": {"greeting": "yo"}})
    response = await client.get("/api/hello/greet")
    assert response.json()["greeting"] == "yo, world"


async def test_async_with_works_as_with_the_function(start_test_backend: BackendStarter) -> None:
    """The fixture's call is also an async context manager that stops at the block's end."""
    plugin = HelloPlugin()
    async with start_test_backend(features=[plugin]) as client:
        assert (await client.get("/api/hello/greet")).status_code == 200
    assert plugin.events == ["started", "stopped"]


async def test_several_backends_in_one_test(start_test_backend: BackendStarter) -> None:
    """Each awaited start is its own backend."""
    first = await start_test_backend(features=[HelloPlugin], config={"hello": {"greeting": "a"}})
    second = await start_test_backend(features=[HelloPlugin], config={"hello": {"greeting": "b"}})
    assert first.backend is not second.backend
    assert (await first.get("/api/hello/greet")).json()["greeting"] == "a, world"
    assert (await second.get("/api/hello/greet")).json()["greeting"] == "b, world"
