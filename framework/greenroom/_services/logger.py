"""Default ``logger``: ``greenroom.plugin.<pluginId>`` loggers with a ``plugin`` field."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any, Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.logger import LoggerService, RootLoggerService
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.refs import core_services
from greenroom._config.redaction import install_redaction
from greenroom._services.log_format import FIELDS_ATTR

__all__ = ["FieldsLogger", "service_factory"]


class FieldsLogger(logging.LoggerAdapter[logging.Logger]):
    """A stdlib logger adapter that puts its fields on every record as attributes."""

    def __init__(self, logger: logging.Logger, fields: dict[str, Any] | None = None) -> None:
        super().__init__(logger, dict(fields or {}))

    @property
    def fields(self) -> dict[str, Any]:
        """The fields added to every record."""
        return dict(self.extra or {})

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        fields = {**(self.extra or {}), **(kwargs.get("extra") or {})}
        kwargs["extra"] = {**fields, FIELDS_ATTR: tuple(fields)}
        return msg, kwargs

    def child(self, **fields: Any) -> FieldsLogger:
        """A logger with ``fields`` added to this one's."""
        return FieldsLogger(self.logger, {**(self.extra or {}), **fields})


def _plugin_logger(
    root_logger: RootLoggerService, metadata: PluginMetadataService
) -> LoggerService:
    del root_logger  # a dependency only so that logging is configured first
    name = f"greenroom.plugin.{metadata.plugin_id}"
    install_redaction(loggers=[name])  # secrets hidden whatever handlers the app set up
    return FieldsLogger(logging.getLogger(name), {"plugin": metadata.plugin_id})


service_factory: Final = ServiceFactory(
    service=core_services.logger,
    factory=_plugin_logger,
    deps={"root_logger": core_services.root_logger, "metadata": core_services.plugin_metadata},
)
