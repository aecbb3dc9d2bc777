"""Starting a server process, timing it to its first readiness 200, reading its RSS."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs

__all__ = [
    "READINESS",
    "ServerRun",
    "bench_env",
    "free_port",
    "port_is_free",
    "rss_kib",
    "start_and_stop",
    "start_server",
]

READINESS: Final = "/.greenroom/health/v1/readiness"
#: A hang guard only: no scenario comes near it.
START_TIMEOUT: Final = 120.0
_POLL_INTERVAL: Final = 0.002


class ServerError(RuntimeError):
    """A server under test exited or never became ready."""


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now (``SO_REUSEADDR``, as uvicorn binds)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every process measured: no bytecode written, no user site."""
    env = dict(os.environ)
    # Common in deployments and set here: nothing may rely on writing __pycache__.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    env.pop("PYTHONSTARTUP", None)
    env.update(extra or {})
    return env


def rss_kib(pid: int) -> int:
    """``VmRSS`` of process ``pid`` in KiB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ServerError(f"no VmRSS in /proc/{pid}/status")


def _ready(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:  # not listening yet, or reset while starting
        return False
    finally:
        connection.close()


@attrs.define
class ServerRun:
    """A server that answered readiness 200 ``ready_s`` seconds after it was spawned."""

    process: subprocess.Popen[bytes]
    port: int
    ready_s: float
    rss_kib: int
    log: Path

    def url(self, path: str) -> str:
        """The URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit within 30 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> ServerRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(
    argv: Sequence[str],
    port: int,
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    readiness: str = READINESS,
    poll_interval: float = _POLL_INTERVAL,
) -> ServerRun:
    """Spawn ``argv`` and wait until ``GET readiness`` on ``port`` answers 200.

    The clock starts just before the spawn, so the time includes the
    interpreter's own start-up, as a user sees it. ``poll_interval``: a
    server that answers (and logs) every poll while starting is better
    polled less often than one that is not listening yet.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), stdout=out, stderr=subprocess.STDOUT, env=bench_env(env), cwd=cwd
        )
    deadline = started + START_TIMEOUT
    while not _ready(port, readiness):
        if process.poll() is not None:
            raise ServerError(
                f"{argv[0]} exited with {process.returncode} before it was ready; "
                f"its output ({log}) ends with:\n{_tail(log)}"
            )
        if time.perf_counter() > deadline:
            process.kill()
            process.wait()
            raise ServerError(f"{argv[0]} was not ready after {START_TIMEOUT:.0f} s; see {log}")
        time.sleep(poll_interval)
    ready = time.perf_counter() - started
    return ServerRun(process, port, ready, rss_kib(process.pid), log)


def start_and_stop(
    start: Callable[[], ServerRun], log: Callable[[str], None], label: str
) -> ServerRun:
    """Start a server with ``start``, log its readiness time and RSS, stop it; its run."""
    with start() as run:
        log(f"{label}: ready in {run.ready_s:.3f} s, RSS {run.rss_kib / 1024:.1f} MB")
        return run


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"
