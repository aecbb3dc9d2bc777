"""End to end: a wheel dropped into the plugins root of ``greenroom start`` serves after a restart.

Issue 3, "Must show": removing it and restarting removes the route again.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from test_e2e_graceful_shutdown import BackendProcess, free_port

# tests/ is on sys.path (its conftest.py): the hand-made wheel builder of the scanner tests.
from dynamic.dynamic_scan_builders import BACKEND, Dist, write_wheel
from hidden_plugins import SUBPROCESS

pytestmark = pytest.mark.e2e

# Only the plugins the test makes: not those ./dev installs into the environment.
CLI = SUBPROCESS + "from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"
ROUTE = "/api/todo/hello"
LISTING = "/.greenroom/dynamic-features/plugins"

TODO_PLUGIN = """
from starlette.responses import JSONResponse
from starlette.routing import Route

from greenroom import BackendPlugin, core_services, hookimpl


class TodoPlugin(BackendPlugin):
    plugin_id = "todo"

    @hookimpl
    def register(self, env):
        env.register_init(self.init, deps={"router": core_services.http_router})

    def init(self, router):
        async def hello(request):
            return JSONResponse({"hello": "from a dropped-in wheel"})

        router.use([Route("/hello", hello)])
"""


class Deployment:
    """A working directory with ``app-config.yaml`` and a ``plugins`` root beside it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.root = workdir / "plugins"
        self.root.mkdir()
        self.processes: list[BackendProcess] = []

    def start(self) -> BackendProcess:
        """``greenroom start --config app-config.yaml`` on a free port, once ready."""
        port = free_port()
        config = {
            "backend": {"listen": {"host": "127.0.0.1", "port": port}},
            # Relative paths: they resolve against the config file's folder.
            "dynamicPlugins": {"rootDirectory": "plugins", "cacheDirectory": "cache"},
        }
        config_file = self.workdir / "app-config.yaml"
        config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        backend = BackendProcess(
            ["-c", CLI, "start", "--config", str(config_file)], self.workdir, port
        )
        self.processes.append(backend)
        backend.wait_ready()
        return backend

    def stop(self, backend: BackendProcess) -> None:
        """SIGTERM, and the graceful exit 0."""
        backend.proc.send_signal(signal.SIGTERM)
        assert backend.wait_exit() == 0, backend.output()


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """A deployment in ``tmp_path``; any backend still running is killed at teardown."""
    deployment = Deployment(tmp_path)
    yield deployment
    for backend in deployment.processes:
        backend.kill()


def names(response: httpx.Response) -> list[str]:
    """The distribution names in a plugin listing."""
    return [row["name"] for row in response.json()]


def test_a_dropped_in_wheel_serves_after_a_restart_and_goes_after_removal(
    deployment: Deployment,
) -> None:
    """Empty root: 404; wheel dropped in and restart: 200; wheel removed and restart: 404."""
    backend = deployment.start()
    assert backend.get(ROUTE).status_code == 404
    assert "acme-todo" not in names(backend.get(LISTING))
    deployment.stop(backend)

    wheel = write_wheel(
        deployment.root,
        Dist(
            name="acme-todo",
            entry_points={BACKEND: {"todo": "acme_todo:TodoPlugin"}},
            code={"acme_todo/__init__.py": TODO_PLUGIN},
        ),
    )
    backend = deployment.start()
    response = backend.get(ROUTE)
    assert response.status_code == 200, backend.output()
    assert response.json() == {"hello": "from a dropped-in wheel"}
    (row,) = [row for row in backend.get(LISTING).json() if row["name"] == "acme-todo"]
    assert (row["state"], row["plugin_id"], row["init"]) == ("loaded", "todo", "ready")
    assert row["source"].startswith(str(wheel))
    deployment.stop(backend)

    wheel.unlink()
    backend = deployment.start()
    assert backend.get(ROUTE).status_code == 404
    assert "acme-todo" not in names(backend.get(LISTING))
    deployment.stop(backend)
