"""A backend's side of the development session: one connection to the parent, made on demand.

Only a backend started by ``greenroom package start`` has the session in its
environment (:data:`~greenroom._dev.protocol.SESSION_ENV`); everywhere else
:func:`session_client` is ``None`` and the data store does nothing.
"""

from __future__ import annotations

import os
import threading
from multiprocessing.connection import Client, Connection
from typing import Any

from greenroom._dev.protocol import SESSION_ENV, SessionAddress, listener_family
from greenroom._errors import GreenroomError

__all__ = ["DevSessionClient", "SessionGoneError", "session_client"]


class SessionGoneError(GreenroomError, ConnectionError):
    """The ``greenroom package start`` process is gone: nothing can be kept any more."""


class DevSessionClient:
    """Sends requests to the parent, one at a time (requests come from any thread)."""

    def __init__(self, address: SessionAddress) -> None:
        self._address = address
        self._connection: Connection | None = None
        self._lock = threading.Lock()

    def request(self, operation: str, *arguments: Any) -> Any:
        """Send ``(operation, *arguments)`` and return the result of the reply."""
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = Client(
                        self._address.address,
                        family=listener_family(),
                        authkey=self._address.authkey,
                    )
                self._connection.send((operation, *arguments))
                status, result = self._connection.recv()
            except (OSError, EOFError) as exc:
                self._connection = None
                raise SessionGoneError(
                    f"the development session of `greenroom package start` at "
                    f"{self._address.address} is gone ({type(exc).__name__}: {exc}); was "
                    "the greenroom process stopped?"
                ) from exc
        if status != "ok":
            raise GreenroomError(f"the development session refused {operation!r}: {result}")
        return result


_client: DevSessionClient | None = None
_client_lock = threading.Lock()


def session_client() -> DevSessionClient | None:
    """The client of this process's session, or ``None`` outside ``greenroom package start``."""
    global _client
    value = os.environ.get(SESSION_ENV)
    if not value:
        return None
    with _client_lock:
        if _client is None:
            _client = DevSessionClient(SessionAddress.from_env(value))
        return _client
