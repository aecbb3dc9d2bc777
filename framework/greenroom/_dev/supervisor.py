"""The parent's side of ``greenroom package start``: one backend process at a time.

Each (re)start is a *generation*. The supervisor starts the backend process
with the session and the target in its environment, learns from the session
when it is up (and prints how long that took), notices when it exits by
itself, and stops it gracefully by closing its standard input, killing it
only if it has not stopped after :data:`STOP_TIMEOUT` seconds.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Final

import attrs

from greenroom._dev.host import DevSessionHost
from greenroom._dev.protocol import SESSION_ENV, TARGET_ENV
from greenroom._dev.target import DevTarget

__all__ = ["STOP_TIMEOUT", "Supervisor"]

#: How long a backend may take to stop gracefully before it is killed.
STOP_TIMEOUT: Final = 15.0


class Supervisor:
    """Starts, restarts and stops the backend of a :class:`DevTarget`."""

    def __init__(self, target: DevTarget, echo: Callable[[str], None]) -> None:
        self._target = target
        self._echo = echo
        self._lock = threading.Lock()
        self._generation = 0
        self._started_at = 0.0
        self._restarting = False
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping: set[int] = set()
        self.host = DevSessionHost(on_ready=self._ready)

    @property
    def generation(self) -> int:
        """How many backends were started so far."""
        return self._generation

    def start(self, *, began: float | None = None) -> None:
        """Start the next backend; ``began`` is when the restart began (for its timing)."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._started_at = time.monotonic() if began is None else began
            spec = attrs.evolve(self._target.spec, generation=generation)
            env = {
                **os.environ,
                SESSION_ENV: self.host.address.to_env(),
                TARGET_ENV: spec.to_json(),
                # The backend's prints reach the console (and a test's pipe) as they happen.
                "PYTHONUNBUFFERED": "1",
            }
            options: dict[str, object] = {}
            if sys.platform == "win32":
                options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
            else:
                # Ctrl-C reaches only this process, which then stops the backend once.
                options["start_new_session"] = True
            process = subprocess.Popen(
                [sys.executable, "-m", "greenroom._dev.child"],
                cwd=spec.cwd,
                env=env,
                stdin=subprocess.PIPE,
                **options,  # type: ignore[call-overload]
            )
            self._process = process
        threading.Thread(
            target=self._wait, args=(process, generation), name="dev-backend", daemon=True
        ).start()

    def stop(self) -> None:
        """Stop the running backend, if any: gracefully, then by force after a timeout."""
        with self._lock:
            process, generation = self._process, self._generation
            self._process = None
            if process is None:
                return
            self._stopping.add(generation)
        stdin: IO[bytes] | None = process.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._echo(
                f"greenroom: the backend did not stop within {STOP_TIMEOUT:.0f} s; killing it"
            )
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop the backend and start the next one; its ready message says how long it took."""
        began = time.monotonic()
        self._restarting = True
        self.stop()
        self.start(began=began)

    def close(self) -> None:
        """Stop the backend and the session."""
        self.stop()
        self.host.close()

    def _ready(self, generation: int, url: str, plugin_ids: tuple[str, ...]) -> None:
        if generation != self._generation:
            return  # a backend that is being replaced
        seconds = time.monotonic() - self._started_at
        verb = "restarted" if self._restarting else "started"
        plugins = ", ".join(plugin_ids) or "none"
        self._echo(f"greenroom: backend {verb} in {seconds:.2f} s at {url} (plugins: {plugins})")

    def _wait(self, process: subprocess.Popen[bytes], generation: int) -> None:
        code = process.wait()
        with self._lock:
            if generation in self._stopping:
                return
            if self._process is process:
                self._process = None
        self._echo(
            f"greenroom: the backend exited with status {code}; fix the problem above and "
            "save a file to start it again (Ctrl-C quits)"
        )
