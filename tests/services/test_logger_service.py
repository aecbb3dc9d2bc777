"""The logger services: stdlib loggers named greenroom.plugin.<id> carrying the plugin id."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from greenroom import (
    BackendPlugin,
    ConfigError,
    LoggerService,
    RootLoggerService,
    ServiceFactoryError,
    core_services,
    create_backend,
    hookimpl,
)

pytestmark = pytest.mark.anyio


class CatalogPlugin(BackendPlugin):
    plugin_id = "catalog"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(self.init, deps={"logger": core_services.logger})

    def init(self, logger: LoggerService) -> None:
        assert isinstance(logger, LoggerService)
        logger.info("catalog ready with %d entities", 3)
        logger.child(task="refresh").warning("refresh slow")


async def test_plugin_logger_is_a_stdlib_logger_with_the_plugin_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records go to greenroom.plugin.<id>, visible to caplog, with record.plugin set."""
    backend = create_backend(config={}, features=[CatalogPlugin])
    with caplog.at_level(logging.INFO, logger="greenroom.plugin.catalog"):
        await backend.start()
    records = [r for r in caplog.records if r.name == "greenroom.plugin.catalog"]
    assert [r.getMessage() for r in records] == [
        "catalog ready with 3 entities",
        "refresh slow",
    ]
    assert [r.plugin for r in records] == ["catalog", "catalog"]  # type: ignore[attr-defined]
    assert records[1].task == "refresh"  # type: ignore[attr-defined]
    assert records[1].levelno == logging.WARNING
    await backend.stop()


async def test_plugin_logger_wraps_the_named_logger() -> None:
    """The service exposes the underlying logging.Logger and its fields."""
    backend = create_backend(config={}, features=[CatalogPlugin])
    await backend.start()
    logger = await backend.get_service(core_services.logger, "catalog")
    assert logger.logger is logging.getLogger("greenroom.plugin.catalog")
    assert logger.fields == {"plugin": "catalog"}
    root = await backend.get_service(core_services.root_logger)
    assert isinstance(root, RootLoggerService)
    assert root.logger is logging.getLogger("greenroom")
    await backend.stop()


async def test_unknown_log_level_and_format_are_reported_together() -> None:
    """backend.logging.level and .format are checked, both issues in one error."""
    backend = create_backend(config={"backend": {"logging": {"level": "loud", "format": "xml"}}})
    with pytest.raises(ServiceFactoryError) as info:
        await backend.start()
    assert info.value.service_id == "core.root_logger"
    cause = info.value.__cause__
    assert isinstance(cause, ConfigError)
    assert [issue.path for issue in cause.issues] == [
        "$.backend.logging.level",
        "$.backend.logging.format",
    ]
