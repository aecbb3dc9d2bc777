"""Default ``root_logger``: the ``greenroom`` logger, and a handler when nobody configured one.

Config: ``backend.logging.level`` (``debug``, ``info`` default, ``warning``,
``error``) and ``backend.logging.format`` (``json``, ``text``, or ``auto``
default: text on a terminal, JSON lines otherwise). When the process has
already configured logging (a root handler exists, as under pytest's
``caplog`` or after ``dictConfig``), Greenroom adds no handler of its own.
Values at ``visibility: secret`` config paths are redacted as ``***``; see
``greenroom._config.redaction`` for which records that covers.
"""

from __future__ import annotations

import logging
import sys
from typing import Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.config import ConfigService
from greenroom._api.services.logger import RootLoggerService
from greenroom._api.services.refs import core_services
from greenroom._config.redaction import install_redaction
from greenroom._errors import ConfigError, ConfigIssue
from greenroom._services.log_format import JsonFormatter, TextFormatter
from greenroom._services.log_handler import LoopBatchingStreamHandler
from greenroom._services.logger import FieldsLogger

__all__ = ["configure_logging", "service_factory"]

_LEVELS: Final = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
_HANDLER_NAME: Final = "greenroom"


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    """Install Greenroom's handler on the root logger, unless logging is configured.

    Secret config values are redacted on the ``greenroom`` loggers either
    way, and on everything Greenroom's own handler prints (issue 6).
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == _HANDLER_NAME]
    install_redaction(greenroom=True)
    if root.handlers and not ours:
        logging.getLogger("greenroom").setLevel(_LEVELS[level])
        return
    handler = ours[0] if ours else LoopBatchingStreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    install_redaction(handler=handler)
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    if not ours:
        root.addHandler(handler)
    root.setLevel(_LEVELS[level])


def _root_logger(config: ConfigService) -> RootLoggerService:
    level = (config.get_optional_string("backend.logging.level") or "info").lower()
    fmt = (config.get_optional_string("backend.logging.format") or "auto").lower()
    issues = []
    if level not in _LEVELS:
        issues.append(
            ConfigIssue(
                f"unknown log level {level!r}, use one of {sorted(_LEVELS)}",
                "$.backend.logging.level",
            )
        )
    if fmt not in ("auto", "json", "text"):
        issues.append(
            ConfigIssue(
                f"unknown log format {fmt!r}, use auto, json or text", "$.backend.logging.format"
            )
        )
    if issues:
        raise ConfigError(issues)
    configure_logging(level, fmt)
    return FieldsLogger(logging.getLogger("greenroom"))


service_factory: Final = ServiceFactory(
    service=core_services.root_logger,
    factory=_root_logger,
    deps={"config": core_services.root_config},
)
