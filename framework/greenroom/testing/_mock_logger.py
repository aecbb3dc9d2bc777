"""``mock_services.logger()`` and ``root_logger()``: loggers that keep their records."""

from __future__ import annotations

import logging
from typing import Any

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.refs import core_services
from greenroom._services.logger import FieldsLogger

__all__ = ["MockLogger", "MockRootLogger"]


class _Keep(logging.Handler):
    """Appends every record to a list shared by a logger and its children."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class MockLogger(FieldsLogger):
    """An in-memory ``LoggerService``: records are kept in ``records``, nothing is printed.

    It is the real logger adapter (fields become record attributes, so
    ``record.plugin`` is set) over a ``logging.Logger`` that is not in
    ``logging``'s registry: no handler, ``caplog`` or root level sees it.
    Children (:meth:`child`, :meth:`for_plugin`) share the parent's records.
    ``service_factory`` provides it as ``core_services.logger``: each plugin
    gets ``for_plugin(<pluginId>)``.
    """

    def __init__(
        self,
        name: str = "greenroom.plugin.test",
        fields: dict[str, Any] | None = None,
        *,
        level: int | str = logging.DEBUG,
        records: list[logging.LogRecord] | None = None,
    ) -> None:
        self._records: list[logging.LogRecord] = [] if records is None else records
        # Built directly, not with logging.getLogger: a private logger without a parent.
        logger = logging.Logger(name, level)
        logger.addHandler(_Keep(self._records))
        super().__init__(logger, fields)

    @property
    def records(self) -> list[logging.LogRecord]:
        """Every record logged through this logger and its children, oldest first."""
        return list(self._records)

    @property
    def messages(self) -> list[str]:
        """The formatted message of each record (``msg % args``)."""
        return [record.getMessage() for record in self._records]

    def clear(self) -> None:
        """Forget the records kept so far."""
        self._records.clear()

    def child(self, **fields: Any) -> MockLogger:
        """A logger with ``fields`` added to this one's, sharing its records."""
        return MockLogger(
            self.logger.name,
            {**(self.extra or {}), **fields},
            level=self.logger.level,
            records=self._records,
        )

    def for_plugin(self, plugin_id: str) -> MockLogger:
        """What plugin ``plugin_id`` gets: ``greenroom.plugin.<id>`` with a ``plugin`` field."""
        return MockLogger(
            f"greenroom.plugin.{plugin_id}",
            {"plugin": plugin_id},
            level=self.logger.level,
            records=self._records,
        )

    @property
    def service_factory(self) -> ServiceFactory[Any]:
        """Provides ``core_services.logger``: ``for_plugin(<pluginId>)`` for each plugin."""

        def plugin_logger(metadata: PluginMetadataService) -> MockLogger:
            return self.for_plugin(metadata.plugin_id)

        return ServiceFactory(
            service=core_services.logger,
            factory=plugin_logger,
            deps={"metadata": core_services.plugin_metadata},
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.logger.name} records={len(self._records)}>"


class MockRootLogger(MockLogger):
    """A :class:`MockLogger` named ``greenroom`` that provides ``core_services.root_logger``.

    Unlike the default root logger it configures no logging handler.
    """

    def __init__(
        self,
        name: str = "greenroom",
        fields: dict[str, Any] | None = None,
        *,
        level: int | str = logging.DEBUG,
        records: list[logging.LogRecord] | None = None,
    ) -> None:
        super().__init__(name, fields, level=level, records=records)

    @property
    def service_factory(self) -> ServiceFactory[Any]:
        """Provides this object as ``core_services.root_logger``."""
        return ServiceFactory(service=core_services.root_logger, factory=lambda: self)
