"""The ``root_logger`` and ``logger`` services: stdlib logging with structured fields."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["LoggerService", "RootLoggerService"]


@runtime_checkable
class LoggerService(Protocol):
    """A logger that carries fields (``plugin``, and any given to :meth:`child`).

    The plugin logger is a thin adapter over
    ``logging.getLogger("greenroom.plugin.<pluginId>")``, so ``caplog``,
    ``logging.config.dictConfig`` and ordinary handlers all see its records;
    each record has the fields as attributes (``record.plugin``).
    """

    @property
    def logger(self) -> Any:
        """The underlying :class:`logging.Logger`."""

    @property
    def fields(self) -> dict[str, Any]:
        """The fields added to every record of this logger."""

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None: ...
    def info(self, msg: object, *args: object, **kwargs: Any) -> None: ...
    def warning(self, msg: object, *args: object, **kwargs: Any) -> None: ...
    def error(self, msg: object, *args: object, **kwargs: Any) -> None: ...
    def exception(self, msg: object, *args: object, **kwargs: Any) -> None: ...
    def child(self, **fields: Any) -> LoggerService:
        """A logger with these fields added to this one's."""


@runtime_checkable
class RootLoggerService(LoggerService, Protocol):
    """The backend's root logger (``logging.getLogger("greenroom")``)."""
