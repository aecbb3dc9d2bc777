"""Log record formatting: JSON lines for machines, one readable line for terminals."""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Final

__all__ = ["FIELDS_ATTR", "JsonFormatter", "TextFormatter", "record_fields"]

#: The record attribute listing the names of the structured fields of a record.
FIELDS_ATTR: Final = "greenroom_fields"


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields (``plugin``, ...) a Greenroom logger put on ``record``."""
    names = getattr(record, FIELDS_ATTR, ())
    return {name: getattr(record, name, None) for name in names}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, fields and error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **record_fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.exc_text:  # already rendered (and redacted) by a filter
            entry["error"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``2026-01-01T12:00:00 INFO  greenroom.plugin.catalog plugin=catalog message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = record_fields(record)
        if not fields:
            return line
        head, sep, message = line.partition(f"{record.name} ")
        rendered = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{head}{sep}{rendered} {message}"
