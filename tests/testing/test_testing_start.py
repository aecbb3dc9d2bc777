"""start_test_backend: the real backend in process, its client, and a stop on every exit."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from testing_sample_features import (
    HelloModuleBonjour,
    HelloModuleShout,
    HelloPlugin,
    failing_plugin,
    greetings_extension_point,
)

from greenroom import Backend, BackendStartupError, GreenroomError, core_services
from greenroom._backend.state import PluginPhase
from greenroom.testing import BackendTestClient, mock_services, start_test_backend

pytestmark = pytest.mark.anyio


async def test_a_plugin_route_answers_through_the_client() -> None:
    """The client is an httpx.AsyncClient on http://test that reaches the plugin's routes."""
    async with start_test_backend(features=[HelloPlugin]) as client:
        response = await client.get("/api/hello/greet", params={"name": "ada"})
        assert isinstance(client, httpx.AsyncClient)
        assert isinstance(client, BackendTestClient)
        assert str(client.base_url) == "http://test"
    assert response.status_code == 200
    assert response.json() == {"greeting": "hello, ada", "extra": []}


async def test_the_backend_is_started_and_ready_inside_the_block() -> None:
    """Readiness answers 200 and client.backend lists the started plugins."""
    async with start_test_backend(features=[HelloPlugin]) as client:
        readiness = await client.get("/.greenroom/health/v1/readiness")
        assert readiness.status_code == 200
        assert client.backend.plugins["hello"].phase is PluginPhase.READY


async def test_config_given_as_a_dict_reaches_the_plugin() -> None:
    """config={...} is the root config the plugin reads."""
    config = {"hello": {"greeting": "hi"}}
    async with start_test_backend(features=[HelloPlugin], config=config) as client:
        response = await client.get("/api/hello/greet")
    assert response.json()["greeting"] == "hi, world"


async def test_a_mock_root_config_reaches_the_plugin() -> None:
    """mock_services.root_config(data=...) in services= is the root config."""
    config = mock_services.root_config(data={"hello": {"greeting": "hey"}})
    async with start_test_backend(features=[HelloPlugin], services=[config]) as client:
        response = await client.get("/api/hello/greet")
        assert await client.get_service(core_services.root_config) is config
    assert response.json()["greeting"] == "hey, world"


async def test_no_config_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without config= the config is empty: app-config.yaml in the working directory is ignored."""
    (tmp_path / "app-config.yaml").write_text("hello:\n  greeting: from-a-file\n")
    monkeypatch.chdir(tmp_path)
    async with start_test_backend(features=[HelloPlugin]) as client:
        response = await client.get("/api/hello/greet")
    assert response.json()["greeting"] == "hello, world"


def test_config_given_twice_is_refused() -> None:
    """config= together with a root_config service is an error naming both ways."""
    with pytest.raises(ValueError, match=r"both config= and a root_config service"):
        start_test_backend(
            features=[HelloPlugin],
            config={"hello": {}},
            services=[mock_services.root_config(data={})],
        )


def test_services_must_be_factories_or_mocks() -> None:
    """Anything else in services= is refused when start_test_backend is called."""
    with pytest.raises(TypeError, match=r"pass a ServiceFactory or a mock from mock_services"):
        start_test_backend(features=[HelloPlugin], services=[object()])


def test_extension_point_keys_must_be_extension_points() -> None:
    """extension_points= maps ExtensionPoint objects, not their ids."""
    with pytest.raises(TypeError, match=r"map each ExtensionPoint"):
        start_test_backend(features=[HelloModuleBonjour], extension_points={"hello.greetings": []})


async def test_a_module_alone_gets_an_empty_plugin() -> None:
    """A module whose plugin is not among the features starts under an empty plugin of that id."""
    async with start_test_backend(features=[HelloModuleShout]) as client:
        response = await client.get("/api/hello/shout")
        assert set(client.backend.plugins) == {"hello"}
    assert response.json() == {"shout": "HELLO"}


async def test_a_module_with_its_plugin_gets_no_empty_plugin() -> None:
    """With the real plugin present, the module extends it (no duplicate plugin id)."""
    async with start_test_backend(features=[HelloPlugin, HelloModuleBonjour]) as client:
        response = await client.get("/api/hello/greet")
    assert response.json()["extra"] == ["bonjour"]


async def test_extension_points_are_offered_to_a_module_alone() -> None:
    """extension_points= gives the module under test the implementation the test holds."""
    greetings: list[str] = []
    async with start_test_backend(
        features=[HelloModuleBonjour], extension_points={greetings_extension_point: greetings}
    ):
        assert greetings == ["bonjour"]


async def test_lifecycle_hooks_run_on_exit() -> None:
    """Startup hooks run at start and shutdown hooks when the block ends."""
    plugin = HelloPlugin()
    async with start_test_backend(features=[plugin]):
        assert plugin.events == ["started"]
    assert plugin.events == ["started", "stopped"]


async def test_the_backend_stops_when_the_block_raises() -> None:
    """An exception in the test body propagates, after the backend was stopped."""
    plugin = HelloPlugin()
    backends: list[Backend] = []

    async def failing_test_body() -> None:
        async with start_test_backend(features=[plugin]) as client:
            backends.append(client.backend)
            raise LookupError("in the test")

    with pytest.raises(LookupError, match="in the test"):
        await failing_test_body()
    [backend] = backends
    assert plugin.events == ["started", "stopped"]
    assert backend.state.draining
    assert backend.plugins["hello"].phase is PluginPhase.STOPPED


async def test_a_failed_start_raises_and_stops_what_started() -> None:
    """An init that raises fails the start with BackendStartupError; the rest is stopped."""
    plugin = HelloPlugin()
    with pytest.raises(BackendStartupError, match="broken"):
        async with start_test_backend(features=[plugin, failing_plugin(OSError("no disk"))]):
            pytest.fail("the block must not run when the start fails")
    assert plugin.events == ["started", "stopped"]


async def test_one_start_is_entered_once() -> None:
    """Each start_test_backend(...) call is one backend; entering it again is refused."""
    start = start_test_backend(features=[HelloPlugin])
    async with start:
        pass
    with pytest.raises(RuntimeError, match=r"used already"):
        async with start:
            pass


async def test_await_needs_the_fixture() -> None:
    """`await start_test_backend(...)` outside the fixture says to use the fixture or async with."""
    with pytest.raises(TypeError, match=r"needs the pytest fixture start_test_backend"):
        await start_test_backend(features=[HelloPlugin])


def test_outside_an_event_loop_the_error_says_asyncio() -> None:
    """Entering without a running asyncio loop explains that Greenroom needs asyncio."""
    start = start_test_backend(features=[HelloPlugin])
    coroutine = start.__aenter__()
    with pytest.raises(GreenroomError, match=r"must run in an asyncio event loop"):
        coroutine.send(None)
