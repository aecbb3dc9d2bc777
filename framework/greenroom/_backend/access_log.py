"""The access log of ``greenroom start``: one line per HTTP request, cheaply.

uvicorn's own access log (``uvicorn.access``) goes through ``Logger.info``,
which looks up the caller's file and line in the stack for every record; with
Greenroom's JSON formatter it cost ~40 µs per request, 15-25% of a request
served at 4-5k req/s (issue 8). This middleware writes the same message with
the same arguments as uvicorn's, on the ``greenroom.access`` logger (so that
``backend.logging.level`` governs it like every Greenroom logger), without the
stack lookup; handlers, filters and redaction see it as any record. The
server turns uvicorn's off (which also stops ``uvicorn.access`` from
propagating) and puts this in front of the backend when
``backend.logging.accessLog`` is true, the default: Backstage logs every
request too.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.parse
from typing import Any, Final

__all__ = ["ACCESS_LOGGER", "AccessLog"]

#: The logger of the access records.
ACCESS_LOGGER: Final = "greenroom.access"
_FORMAT: Final = '%s - "%s %s HTTP/%s" %d'


class AccessLog:
    """An ASGI middleware logging each HTTP request when its response starts."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._logger = logging.getLogger(ACCESS_LOGGER)
        self._records = _Records(self._logger)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        logger, records = self._logger, self._records

        async def send_and_log(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and logger.isEnabledFor(logging.INFO):
                logger.handle(records.make(scope, message["status"]))
            await send(message)

        await self.app(scope, receive, send_and_log)


class _Records:
    """Makes the access records: uvicorn's message and arguments, for less than ``Logger.info``.

    A ``LogRecord`` looks up the caller's frame, file name, thread and process
    every time; here the attributes that cannot change for the serving thread
    of this process are copied from a first record made the standard way, and
    only time, message and arguments are set. With another record factory
    (``logging.setLogRecordFactory``) or from another thread, records are made
    the standard way. Quoted paths are remembered (a few routes take most requests).
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._template: dict[str, Any] | None = None
        self._owner = (-1, 0)  # (fork generation, thread id) the template belongs to
        self._quoted: dict[str, str] = {}
        self._start = 0.0

    def make(self, scope: dict[str, Any], status: int) -> logging.LogRecord:
        client = scope.get("client")
        raw_path: str = scope["path"]
        path = self._quoted.get(raw_path)
        if path is None:
            if len(self._quoted) >= _QUOTED_MAX:
                self._quoted.clear()
            path = self._quoted[raw_path] = urllib.parse.quote(raw_path)
        query = scope["query_string"]
        if query:
            path = f"{path}?{query.decode('ascii')}"
        args = (
            f"{client[0]}:{client[1]}" if client else "",
            scope["method"],
            path,
            scope["http_version"],
            status,
        )
        owner = (_Process.generation, threading.get_ident())
        template = self._template
        if (
            template is None
            or owner != self._owner
            or logging.getLogRecordFactory() is not logging.LogRecord
        ):
            record = self._logger.makeRecord(
                self._logger.name, logging.INFO, _FILE, 0, _FORMAT, args, None, _FUNCTION
            )
            if type(record) is logging.LogRecord:
                self._template, self._owner = dict(vars(record)), owner
                # logging's start time, from which relativeCreated counts
                self._start = record.created - record.relativeCreated / 1000
            return record
        record = logging.LogRecord.__new__(logging.LogRecord)
        attributes = record.__dict__
        attributes.update(template)
        attributes["args"] = args
        created = time.time()  # as LogRecord sets these three
        attributes["created"] = created
        attributes["msecs"] = int((created - int(created)) * 1000) + 0.0
        attributes["relativeCreated"] = (created - self._start) * 1000
        return record


class _Process:
    """Counts forks, so that a child never copies its parent's process id into records."""

    generation = 0

    @classmethod
    def forked(cls) -> None:
        cls.generation += 1


# os.getpid() per request showed in profiles of a loaded server; a fork is rare.
os.register_at_fork(after_in_child=_Process.forked)

_FILE: Final = "(unknown file)"
_FUNCTION: Final = "(unknown function)"
_QUOTED_MAX: Final = 1024
