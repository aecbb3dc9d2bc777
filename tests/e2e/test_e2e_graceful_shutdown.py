"""End to end: a backend in a subprocess, real HTTP, and a graceful stop on a signal (issue 2)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e

APP_SCRIPT = Path(__file__).parent / "apps" / "two_plugins.py"
READINESS = "/.greenroom/health/v1/readiness"
LIVENESS = "/.greenroom/health/v1/liveness"
#: Generous, for a loaded two-core machine; the happy path takes about a second.
DEADLINE_SECONDS = 30.0
POLL_SECONDS = 0.02


def free_port() -> int:
    """A port that was free a moment ago: the kernel's pick for port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BackendProcess:
    """A backend running in a subprocess; its output goes to files in ``workdir``."""

    def __init__(self, args: list[str], workdir: Path, port: int) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.events_file = workdir / "events.log"
        self.release_file = workdir / "release"
        self._stdout = workdir / "stdout.log"
        self._stderr = workdir / "stderr.log"
        with self._stdout.open("wb") as out, self._stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, *args], cwd=workdir, stdout=out, stderr=err
            )

    def output(self) -> str:
        """What the process wrote so far, for assertion messages."""
        stdout = self._stdout.read_text(errors="replace")
        stderr = self._stderr.read_text(errors="replace")
        return f"--- stdout ---\n{stdout}--- stderr ---\n{stderr}"

    def stderr(self) -> str:
        """What the process wrote to stderr so far."""
        return self._stderr.read_text(errors="replace")

    def events(self) -> list[str]:
        """The events the app recorded, in order."""
        if not self.events_file.exists():
            return []
        return self.events_file.read_text(encoding="utf-8").splitlines()

    def get(self, path: str, timeout: float = 10) -> httpx.Response:
        """A GET on a new connection (so a draining server cannot be reached by keep-alive)."""
        return httpx.get(self.base_url + path, timeout=timeout)

    def poll(self, check: Callable[[], bool], what: str) -> None:
        """Call ``check`` until it is true, failing at the deadline or if the process exits."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not check():
            if self.proc.poll() is not None:
                pytest.fail(f"exited {self.proc.returncode} waiting for {what}\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {DEADLINE_SECONDS:.0f} s\n{self.output()}")
            time.sleep(POLL_SECONDS)

    def status_of(self, path: str) -> int | None:
        """The status of ``GET path``, or ``None`` while nothing listens."""
        try:
            return self.get(path).status_code
        except httpx.TransportError:
            return None

    def wait_ready(self) -> None:
        """Poll readiness until it answers 200."""
        self.poll(lambda: self.status_of(READINESS) == 200, "readiness 200")

    def wait_exit(self) -> int:
        """The exit code, once the process has ended."""
        try:
            return self.proc.wait(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {DEADLINE_SECONDS:.0f} s after\n{self.output()}")

    def kill(self) -> None:
        """End the process if it is still running and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., BackendProcess]]:
    """Start backends with a config file on a free port; kill the leftovers at teardown."""
    started: list[BackendProcess] = []

    def spawn(command: list[str], **e2e: Any) -> BackendProcess:
        port = free_port()
        config = {
            "backend": {
                "listen": {"host": "127.0.0.1", "port": port},
                "lifecycle": {"shutdownTimeout": DEADLINE_SECONDS},
            },
            "e2e": {
                "eventsFile": str(tmp_path / "events.log"),
                "releaseFile": str(tmp_path / "release"),
                **e2e,
            },
        }
        config_file = tmp_path / "app-config.yaml"
        config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        backend = BackendProcess(
            [
                arg.replace("{config}", str(config_file)).replace("{port}", str(port))
                for arg in command
            ],
            tmp_path,
            port,
        )
        started.append(backend)
        return backend

    yield spawn
    for backend in started:
        backend.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_drains_requests_runs_shutdown_hooks_and_exits_0(
    spawn: Callable[..., BackendProcess], sig: signal.Signals
) -> None:
    """A signal mid-request: 503 readiness, the request finishes, hooks reverse, exit 0."""
    backend = spawn([str(APP_SCRIPT), "{config}"])
    backend.wait_ready()

    greetings = backend.get("/api/greeter/greetings")
    assert greetings.status_code == 200
    assert greetings.json() == {"greetings": ["hello", "bonjour"]}  # "bonjour": the module
    jobs = backend.get("/api/jobs/status")
    assert jobs.status_code == 200
    assert jobs.json() == {"jobs": "idle"}
    assert backend.events() == ["startup jobs", "startup greeter", "startup root"]

    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(backend.get, "/api/jobs/slow", timeout=DEADLINE_SECONDS * 2)
        backend.poll(
            lambda: slow.done() or "slow request started" in backend.events(), "slow request"
        )
        assert not slow.done(), slow.result()
        backend.proc.send_signal(sig)
        # The slow request holds the drain open until the release file exists,
        # so readiness must be seen answering 503 while the request is in flight.
        backend.poll(lambda: backend.status_of(READINESS) == 503, "readiness 503 while draining")
        assert not slow.done()
        backend.release_file.touch()
        response = slow.result(timeout=DEADLINE_SECONDS)

    assert response.status_code == 200
    assert response.json() == {"finished": True}
    assert backend.wait_exit() == 0, backend.output()
    assert backend.events()[3:] == [
        "slow request started",
        "slow request finished",
        "shutdown greeter",
        "shutdown jobs",
        "shutdown root",
    ]


def test_signal_while_root_services_are_built_is_not_lost(
    spawn: Callable[..., BackendProcess], tmp_path: Path
) -> None:
    """SIGTERM before the server listens: the backend starts, then stops and exits 0."""
    gate = tmp_path / "prepare-gate"
    backend = spawn([str(APP_SCRIPT), "{config}"], prepareGateFile=str(gate))
    backend.poll(lambda: "preparing" in backend.events(), "root services being built")

    backend.proc.send_signal(signal.SIGTERM)
    gate.touch()

    assert backend.wait_exit() == 0, backend.output()
    # As Backstage's stop() does, a stop during startup waits for the start.
    assert backend.events() == [
        "preparing",
        "startup jobs",
        "startup greeter",
        "startup root",
        "shutdown greeter",
        "shutdown jobs",
        "shutdown root",
    ]


def test_startup_failure_exits_non_zero_naming_the_plugin(
    spawn: Callable[..., BackendProcess],
) -> None:
    """A plugin init failing under the abort policy: exit non-zero, BackendStartupError named."""
    backend = spawn([str(APP_SCRIPT), "{config}"], failGreeter=True)

    assert backend.wait_exit() != 0
    stderr = backend.stderr()
    assert "BackendStartupError" in stderr, backend.output()
    assert "plugin 'greeter': RuntimeError: greeter cannot reach its greeting store" in stderr
    # What had started is stopped again before the error is raised.
    assert backend.events() == ["startup jobs", "shutdown jobs", "shutdown root"]


def test_greenroom_start_serves_health_and_exits_0_on_sigterm(
    spawn: Callable[..., BackendProcess],
) -> None:
    """``greenroom start --config FILE`` serves health on backend.listen; SIGTERM exits 0."""
    cli = "import sys; from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"
    backend = spawn(["-c", cli, "start", "--config", "{config}"])
    backend.wait_ready()

    assert backend.get(LIVENESS).status_code == 200
    assert backend.get(READINESS).json() == {"status": "ok"}

    backend.proc.send_signal(signal.SIGTERM)
    assert backend.wait_exit() == 0, backend.output()


def test_uvicorn_factory_serves_the_backend_and_runs_shutdown_hooks(
    spawn: Callable[..., BackendProcess],
) -> None:
    """``uvicorn --factory greenroom:create_app`` loads app-config.yaml and starts the backend."""
    backend = spawn(["-m", "uvicorn", "--factory", "greenroom:create_app", "--port", "{port}"])
    backend.wait_ready()

    assert backend.get(LIVENESS).status_code == 200
    assert backend.get(READINESS).json() == {"status": "ok"}
    assert backend.get("/api/nothing-here").status_code == 404

    backend.proc.send_signal(signal.SIGTERM)
    backend.wait_exit()
    assert "backend stopped" in backend.stderr(), backend.output()
