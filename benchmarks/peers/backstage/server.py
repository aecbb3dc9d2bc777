"""The Backstage peer's dynamic plugins, its app-config, and starting it to readiness.

Plugin ``i`` is a folder ``bench-plugin-NNNN-backend-dynamic`` in the dynamic
plugins root directory: a ``package.json`` (``main``, ``backstage.role``) and
``plugin.js`` filled in with the same plugin id as the Python plugins
(``bench-pNNNN``), so that the routes are the same: ``GET /api/bench-pNNNN/hello``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from pathlib import Path
from typing import Final

from benchmarks import plugins
from benchmarks.peers.backstage.install import TEMPLATES
from benchmarks.process import ServerRun, free_port, start_server

__all__ = ["READINESS", "plugins_root", "start_backstage"]

#: ``@backstage/backend-defaults``' readiness route: 200 once every plugin has started.
READINESS: Final = "/.backstage/health/v1/readiness"
#: Backstage listens before its plugins start and answers each poll with a 503 it
#: logs, so a poll costs it CPU (the Python servers are polled every 2 ms: they
#: do not listen before they are ready): every 20 ms, off by 10 ms on average, < 1%.
_POLL_INTERVAL: Final = 0.02
_PLUGIN_JS: Final = TEMPLATES / "plugin.js"


def _package_name(index: int) -> str:
    return f"bench-plugin-{index:04d}-backend-dynamic"


def _manifest(index: int) -> str:
    manifest = {
        "name": _package_name(index),
        "version": "1.0.0",
        "main": "index.js",
        "backstage": {"role": "backend-plugin", "pluginId": plugins.plugin_id(index)},
    }
    return json.dumps(manifest, indent=2) + "\n"


def plugins_root(home: Path, count: int) -> Path:
    """``home/plugins-<count>``: a root directory holding dynamic plugins 1..count.

    Generated once; a marker beside it records the template it was made from,
    so that editing ``plugin.js`` regenerates it.
    """
    folder = home / f"plugins-{count}"
    template = _PLUGIN_JS.read_text()
    stamp = hashlib.sha256((template + _manifest(0)).encode()).hexdigest()[:12]
    marker = folder.with_name(folder.name + ".complete")
    if marker.exists() and marker.read_text().strip() == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index in range(1, count + 1):
        plugin = folder / _package_name(index)
        plugin.mkdir()
        (plugin / "package.json").write_text(_manifest(index))
        (plugin / "index.js").write_text(
            template.replace("__PLUGIN_ID__", plugins.plugin_id(index))
        )
    marker.write_text(stamp + "\n")
    return folder


def _config(path: Path, *, root: Path, port: int) -> Path:
    """An app-config listening on ``port`` with ``root`` as the dynamic plugins root."""
    config = {
        "backend": {
            # A routable name, as a deployment has: with a localhost baseUrl and
            # NODE_ENV=production, Backstage logs a warning for every plugin.
            "baseUrl": f"http://{socket.gethostname()}:{port}",
            "listen": {"host": "127.0.0.1", "port": port},
            # Backstage's own default, spelled out: each plugin gets an in-memory database.
            "database": {"client": "better-sqlite3", "connection": ":memory:"},
        },
        "dynamicPlugins": {"rootDirectory": str(root)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")  # JSON is YAML
    return path


def start_backstage(home: Path, count: int, logs: Path, label: str) -> ServerRun:
    """``node index.js`` in ``home`` with dynamic plugins 1..count, timed to readiness 200.

    Timed by :func:`benchmarks.process.start_server`, as the Python servers are:
    the clock starts just before the spawn, and ``VmRSS`` is read at readiness.
    """
    port = free_port()
    # Backstage compares the root directory with the real path of its working
    # directory, inside which it must lie: no symbolic links in either.
    home = home.resolve()
    # The root directory must lie inside the backend's root (its working directory).
    root = plugins_root(home, count)
    config = _config(home / "configs" / f"{label}.yaml", root=root, port=port)
    argv = ["node", str(home / "index.js"), "--config", str(config)]
    return start_server(
        argv,
        port,
        logs / f"{label}.log",
        env={"NODE_ENV": "production"},
        cwd=home,
        readiness=READINESS,
        poll_interval=_POLL_INTERVAL,
    )
