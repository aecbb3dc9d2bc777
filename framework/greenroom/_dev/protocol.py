"""What the parent and its backends agree on: environment variables and the message format.

The session is a :mod:`multiprocessing.connection` listener of the parent (a
Unix socket, a named pipe on Windows) that only processes knowing its random
key may connect to. Each request is a tuple ``(operation, *arguments)`` and
gets one reply ``("ok", result)`` or ``("error", message)``. Values travel as
bytes pickled by the backend, so the parent never imports plugin code.
"""

from __future__ import annotations

import json
import os
from typing import Final

import attrs

__all__ = [
    "LOAD",
    "READY",
    "SAVE",
    "SESSION_ENV",
    "TARGET_ENV",
    "SessionAddress",
    "listener_family",
]

#: Where a backend finds the session: JSON ``{"address": ..., "authkey": <hex>}``.
SESSION_ENV: Final = "GREENROOM_DEV_SESSION"
#: What a backend runs: the JSON of a :class:`greenroom._dev.spec.ChildSpec`.
TARGET_ENV: Final = "GREENROOM_DEV_TARGET"

#: ``("save", key, data: bytes)`` -> ``None``
SAVE: Final = "save"
#: ``("load", key)`` -> ``bytes | None``
LOAD: Final = "load"
#: ``("ready", generation, url, plugin_ids)`` -> ``None``: the backend has started.
READY: Final = "ready"


def listener_family() -> str:
    """Unix sockets, or named pipes on Windows: never a TCP port others could reach."""
    return "AF_PIPE" if os.name == "nt" else "AF_UNIX"


@attrs.frozen
class SessionAddress:
    """The listener's address and the key that authenticates a backend to it."""

    address: str
    authkey: bytes = attrs.field(repr=False)

    def to_env(self) -> str:
        """The value of :data:`SESSION_ENV`."""
        return json.dumps({"address": self.address, "authkey": self.authkey.hex()})

    @classmethod
    def from_env(cls, value: str) -> SessionAddress:
        """Parse the value of :data:`SESSION_ENV`."""
        data = json.loads(value)
        return cls(str(data["address"]), bytes.fromhex(data["authkey"]))
