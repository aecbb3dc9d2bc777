"""The Python tools the package scripts run, from the environment Greenroom runs in.

Each runs as ``python -m <tool>`` with this interpreter, so it sees the same
installed packages as the code it checks (a ruff or mypy of another
environment would not). A missing tool is a :class:`PackageScriptError`
saying what to install.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Final

from greenroom._errors import PackageScriptError

__all__ = ["TOOLS", "tool_command", "tool_version"]

#: Tool -> the distribution that provides it.
TOOLS: Final = {"ruff": "ruff", "mypy": "mypy", "pytest": "pytest"}


def tool_command(tool: str, *, package: str | None, script: str) -> list[str]:
    """``[python, "-m", tool]``; raise :class:`PackageScriptError` if it is not installed."""
    if importlib.util.find_spec(tool) is None:
        raise PackageScriptError(
            f"`greenroom package {script}` runs {tool}, which is not installed in the "
            f"environment of {sys.executable}",
            package=package,
            script=script,
            hint=f"pip install {TOOLS.get(tool, tool)} (into the same environment as greenroom)",
        )
    return [sys.executable, "-m", tool]


def tool_version(tool: str) -> str:
    """The installed version of ``tool``'s distribution, or ``"missing"``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(TOOLS.get(tool, tool))
    except PackageNotFoundError:
        return "missing"
