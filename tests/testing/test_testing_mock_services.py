"""mock_services: in-memory core services, usable directly and in a test backend."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from testing_sample_features import HelloModuleShout, HelloPlugin

from greenroom import (
    BackendPlugin,
    ConfigError,
    ConfigService,
    DiscoveryService,
    LifecycleService,
    LoggerService,
    RegistrationEnv,
    RootLifecycleService,
    RootLoggerService,
    ServiceRef,
    core_services,
    create_backend,
    hookimpl,
)
from greenroom.testing import MockService, mock_services, start_test_backend

pytestmark = pytest.mark.anyio

MOCKS = {
    "root_config": (lambda: mock_services.root_config(data={}), core_services.root_config),
    "root_logger": (mock_services.root_logger, core_services.root_logger),
    "logger": (mock_services.logger, core_services.logger),
    "root_lifecycle": (mock_services.root_lifecycle, core_services.root_lifecycle),
    "lifecycle": (mock_services.lifecycle, core_services.lifecycle),
    "discovery": (mock_services.discovery, core_services.discovery),
}
PROTOCOLS: dict[str, type] = {
    "root_config": ConfigService,
    "root_logger": RootLoggerService,
    "logger": LoggerService,
    "root_lifecycle": RootLifecycleService,
    "lifecycle": LifecycleService,
    "discovery": DiscoveryService,
}


@pytest.mark.parametrize("name", sorted(MOCKS))
def test_each_mock_is_the_service_and_provides_its_ref(name: str) -> None:
    """mock_services.<name>() implements the service's Protocol and has a factory for its ref."""
    make, ref = MOCKS[name]
    mock = make()
    assert isinstance(mock, PROTOCOLS[name])
    assert isinstance(mock, MockService)
    assert mock.service_factory.service is ref


def test_root_config_reads_like_the_real_config() -> None:
    """Typed getters, nested configs and the real ConfigError on a wrong type."""
    config = mock_services.root_config(data={"hello": {"port": "7007", "names": ["a"]}})
    assert config.get_number("hello.port") == 7007
    assert config.get_config("hello").get_string_array("names") == ["a"]
    assert config.get_optional_string("hello.missing") is None
    assert list(config.keys()) == ["hello"]
    with pytest.raises(ConfigError, match=r"wanted boolean.*\$\.hello\.names"):
        config.get_boolean("hello.names")


async def test_logger_keeps_every_plugin_record_with_its_fields() -> None:
    """A mock logger in services= keeps each plugin's records, with record.plugin set."""
    logs = mock_services.logger()
    async with start_test_backend(features=[HelloPlugin], services=[logs]) as client:
        await client.get("/api/hello/greet", params={"name": "ada"})
    assert logs.messages == ["greeting ada"]
    [record] = logs.records
    assert record.name == "greenroom.plugin.hello"
    assert record.levelno == logging.INFO
    assert record.plugin == "hello"  # type: ignore[attr-defined]


def test_logger_children_share_the_records_and_print_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """child() adds fields and keeps records in the parent; logging's handlers see nothing."""
    logs = mock_services.logger()
    with caplog.at_level(logging.DEBUG):
        logs.child(task="refresh").debug("refreshed %d", 3)
        logs.for_plugin("catalog").warning("slow")
    assert logs.messages == ["refreshed 3", "slow"]
    assert logs.records[0].task == "refresh"  # type: ignore[attr-defined]
    assert logs.records[1].plugin == "catalog"  # type: ignore[attr-defined]
    assert caplog.records == []
    logs.clear()
    assert logs.records == []


def test_logger_level_filters_records() -> None:
    """level= drops records below it, as a logger's level does."""
    logs = mock_services.logger(level="WARNING")
    logs.info("dropped")
    logs.for_plugin("hello").error("kept")
    assert logs.messages == ["kept"]


class RootLoggerUser(BackendPlugin):
    plugin_id = "root-user"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"root_logger": core_services.root_logger})

    def init(self, root_logger: RootLoggerService) -> None:
        root_logger.info("from the root")


async def test_root_logger_mock_replaces_the_root_logger() -> None:
    """A mock root logger is what plugins get as core_services.root_logger."""
    logs = mock_services.root_logger()
    async with start_test_backend(features=[RootLoggerUser], services=[logs]):
        pass
    assert logs.messages == ["from the root"]
    assert logs.records[0].name == "greenroom"


async def test_plugin_lifecycle_hooks_triggered_early_run_once() -> None:
    """A test may run the shutdown hooks itself; the backend's stop does not repeat them."""
    lifecycle = mock_services.lifecycle()
    plugin = HelloPlugin()
    async with start_test_backend(features=[plugin], services=[lifecycle]):
        assert plugin.events == ["started"]  # the backend still runs the startup hooks
        await lifecycle.shutdown()
        assert plugin.events == ["started", "stopped"]
    assert plugin.events == ["started", "stopped"]
    assert len(lifecycle.for_plugin("hello").shutdown_hooks) == 0


async def test_lifecycle_used_directly_runs_its_hooks() -> None:
    """Handed to an init directly, the mock's startup() and shutdown() run the hooks added."""
    events: list[str] = []
    lifecycle = mock_services.lifecycle()
    lifecycle.add_startup_hook(lambda: events.append("up"))
    lifecycle.add_shutdown_hook(lambda: events.append("down"))
    await lifecycle.startup()
    await lifecycle.shutdown()
    await lifecycle.shutdown()
    assert events == ["up", "down"]


async def test_failing_hooks_raise_an_exception_group() -> None:
    """Every hook runs; the failures are raised together, named by hook."""
    root = mock_services.root_lifecycle()
    ran: list[str] = []

    def broken() -> None:
        raise OSError("disk gone")

    root.add_shutdown_hook(broken)
    root.add_shutdown_hook(lambda: ran.append("after"))
    with pytest.raises(ExceptionGroup, match=r"1 root shutdown hook\(s\) failed") as info:
        await root.shutdown()
    assert info.group_contains(OSError, match="disk gone")
    assert ran == ["after"]


class RootHooksPlugin(BackendPlugin):
    plugin_id = "root-hooks"

    def __init__(self) -> None:
        self.events: list[str] = []

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"root": core_services.root_lifecycle})

    def init(self, root: RootLifecycleService) -> None:
        root.add_startup_hook(lambda: self.events.append("all started"))
        root.add_shutdown_hook(lambda: self.events.append("all stopped"))


async def test_root_lifecycle_mock_is_driven_by_the_backend() -> None:
    """The backend runs the mock's startup hooks at start and its shutdown hooks at stop."""
    root = mock_services.root_lifecycle()
    plugin = RootHooksPlugin()
    async with start_test_backend(features=[plugin], services=[root]):
        assert plugin.events == ["all started"]
    assert plugin.events == ["all started", "all stopped"]


async def test_discovery_places_every_plugin_under_the_base_url() -> None:
    """Internal and external URLs are <base_url>/api/<pluginId>; the default is the client's."""
    assert await mock_services.discovery().get_base_url("hello") == "http://test/api/hello"
    discovery = mock_services.discovery("http://example.com/")
    assert await discovery.get_external_base_url("hello") == "http://example.com/api/hello"


async def test_discovered_urls_are_ones_the_client_can_call() -> None:
    """With the default mock discovery, a plugin's own URL answers through the client."""
    async with start_test_backend(
        features=[HelloModuleShout], services=[mock_services.discovery()]
    ) as client:
        discovery = await client.get_service(core_services.discovery)
        response = await client.get(f"{await discovery.get_base_url('hello')}/shout")
    assert response.status_code == 200


async def test_mocks_work_with_a_plain_backend() -> None:
    """backend.add(mock.service_factory) uses a mock without start_test_backend."""
    logs = mock_services.logger()
    backend = create_backend(config={}, features=[RootLoggerUser, HelloPlugin])
    backend.add(logs.service_factory)
    await backend.start()
    try:
        logger: Any = await backend.get_service(core_services.logger, "hello")
        logger.info("direct")
    finally:
        await backend.stop()
    assert logs.messages == ["direct"]


def test_plugin_metadata_cannot_be_mocked() -> None:
    """mock_services has no plugin_metadata: the backend provides it."""
    assert not hasattr(mock_services, "plugin_metadata")
    assert isinstance(core_services.plugin_metadata, ServiceRef)
