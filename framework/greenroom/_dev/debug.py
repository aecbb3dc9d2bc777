"""``--debug``: debugpy in the backend process, for VS Code, PyCharm and any DAP client.

Python's counterpart of ``node --inspect`` / ``--inspect-brk``, which the
seed passes to the backend process: debugpy listens on an address of this
machine and, unless told not to, the backend waits for a debugger to attach
before it starts, so a breakpoint in a plugin's ``init`` is hit.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Final

from greenroom._dev.spec import DebugSpec
from greenroom._errors import PackageScriptError

__all__ = ["DEFAULT_DEBUG_ADDRESS", "debug_spec"]

DEFAULT_DEBUG_ADDRESS: Final = "127.0.0.1:5678"


def debug_spec(address: str, *, wait: bool) -> DebugSpec:
    """Parse ``[HOST:]PORT``; raise :class:`PackageScriptError` when debugpy is missing."""
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise PackageScriptError(
            f"--debug-address {address!r} is not [HOST:]PORT with a port from 1 to 65535",
            script="start",
            hint=f"e.g. --debug-address {DEFAULT_DEBUG_ADDRESS}",
        )
    if importlib.util.find_spec("debugpy") is None:
        raise PackageScriptError(
            "--debug runs the backend under debugpy, which is not installed in the "
            f"environment of {sys.executable}",
            script="start",
            hint="pip install debugpy (or pip install 'greenroom[debug]') into that "
            "environment, then run `greenroom package start --debug` again",
        )
    return DebugSpec(host or "127.0.0.1", int(port), wait)
