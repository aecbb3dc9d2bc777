"""``greenroom`` run as a user runs it, in a subprocess: for the tests of the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["CLI", "DEADLINE_SECONDS", "run_greenroom"]

#: A ``python -c`` program running the CLI as its console script does, with this interpreter.
CLI: Final = "import sys; from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"
#: Generous, for a loaded machine: most commands take about a second.
DEADLINE_SECONDS: Final = 60


def run_greenroom(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``greenroom ARGS`` in ``cwd``, with Greenroom's caches under ``cwd/xdg-cache``.

    ``env`` adds variables to the environment; ``prelude`` is Python run before
    the CLI starts (``hidden_plugins.SUBPROCESS`` hides the installed plugins).
    """
    environ = {**os.environ, "XDG_CACHE_HOME": str(cwd / "xdg-cache"), **(env or {})}
    environ.pop("GREENROOM_CACHE_DIR", None)
    return subprocess.run(
        [sys.executable, "-c", prelude + CLI, *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )
