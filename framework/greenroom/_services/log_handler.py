"""Greenroom's own log handler: lines on stderr, written once per event-loop iteration.

A loaded server logs a line per request (the access log). Written one by one,
each line was its own ``write`` to stderr (line-buffered): with the rest of
the record's path, ~5% of a request's CPU at 4-5k req/s (issue 8). Records
made on a running event loop are queued and written together by a callback
the loop runs at its next iteration, so nothing waits longer than the work
already queued; records from other threads, or with no loop running, are
written at once, after whatever is queued (the order is kept). Queued lines
are also written by :meth:`flush`, which ``logging.shutdown`` calls at exit.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TextIO

__all__ = ["LoopBatchingStreamHandler"]


class LoopBatchingStreamHandler(logging.StreamHandler[TextIO]):
    """A ``StreamHandler`` that writes the lines of one event-loop iteration at once."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        #: The loop asked to write the pending lines (None: nothing scheduled).
        self._scheduled: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        try:
            line = self.format(record) + self.terminator
        except Exception:  # as StreamHandler.emit does
            self.handleError(record)
            return
        if loop is None or (self._scheduled is not None and self._scheduled is not loop):
            self._pending.append(line)
            self.flush()
            return
        self._pending.append(line)
        if self._scheduled is None:
            loop.call_soon(self.flush)
            self._scheduled = loop

    def flush(self) -> None:
        self.acquire()
        try:
            self._scheduled = None
            pending, self._pending = self._pending, []
            stream = self.stream
            if pending:
                stream.write("".join(pending))
            if hasattr(stream, "flush"):
                stream.flush()
        finally:
            self.release()
