"""Frontend plugin folders made by hand, and a real backend serving them over HTTP.

``write_frontend_plugin`` writes a ``pip install --target`` folder with a
``greenroom.frontend_plugin`` entry point whose package holds ``dist/``;
``start_backend`` starts a backend with the dynamic plugins loader under
uvicorn on a free port in a thread and waits for readiness.
"""

from __future__ import annotations

import json
import socket
import textwrap
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from greenroom import create_backend
from greenroom._backend.app import BackendApp
from greenroom.dynamic import dynamic_plugins_feature_loader

DEADLINE_SECONDS = 30.0
READINESS = "/.greenroom/health/v1/readiness"
REMOTES = "/.greenroom/dynamic-features/remotes"
PLUGINS = "/.greenroom/dynamic-features/plugins"


def mf_manifest(name: str, exposes: list[str], remote_entry: str = "remoteEntry.js") -> str:
    """A module federation manifest (``@module-federation/sdk``'s shape, trimmed)."""
    return json.dumps(
        {
            "id": name,
            "name": name,
            "metaData": {
                "name": name,
                "type": "app",
                "remoteEntry": {"name": remote_entry, "path": "", "type": "global"},
                "globalName": name,
                "publicPath": "auto",
            },
            "shared": [],
            "remotes": [],
            "exposes": [
                {"id": f"{name}:{e}", "name": e, "path": f"./{e}", "assets": {}} for e in exposes
            ],
        }
    )


def write_frontend_plugin(
    root: Path,
    name: str,
    files: Mapping[str, str | bytes],
    *,
    version: str = "1.0.0",
    package: str | None = None,
    group: str = "greenroom.frontend_plugin",
) -> Path:
    """A root-directory folder ``root/<name>`` whose package's ``dist/`` holds ``files``."""
    folder = root / name
    package = package or name.replace("-", "_")
    written = []
    for relative, data in files.items():
        path = folder / package / "dist" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        written.append(f"{package}/dist/{relative}")
    (folder / package / "dist").mkdir(parents=True, exist_ok=True)
    info = folder / f"{package}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        textwrap.dedent(f"[{group}]\n{name} = {package}\n"), encoding="utf-8"
    )
    record = [*written, f"{info.name}/METADATA", f"{info.name}/entry_points.txt"]
    (info / "RECORD").write_text("".join(f"{r},,\n" for r in record) + f"{info.name}/RECORD,,\n")
    return folder / package / "dist"


class ServedBackend:
    """A backend served by uvicorn in a thread; ``client`` talks to it over real HTTP."""

    def __init__(self, config: dict[str, Any], features: list[Any], sock: socket.socket) -> None:
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.backend = create_backend(config, features)
        self._server = uvicorn.Server(
            uvicorn.Config(BackendApp(self.backend), lifespan="on", log_config=None)
        )
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]})
        self._thread.start()
        self.client = httpx.Client(base_url=self.base_url, timeout=DEADLINE_SECONDS)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not self._ready():
            if not self._thread.is_alive():
                self.stop()
                raise AssertionError("the backend stopped before it was ready")
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"no readiness after {DEADLINE_SECONDS:.0f} s")
            time.sleep(0.01)

    def _ready(self) -> bool:
        try:
            return self.client.get(READINESS).status_code == 200
        except httpx.TransportError:
            return False

    def raw_get(self, target: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        """GET with ``target`` sent byte for byte (clients normalize ``..`` away)."""
        host, port = self.base_url.removeprefix("http://").split(":")
        lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        with socket.create_connection((host, int(port)), timeout=DEADLINE_SECONDS) as conn:
            conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    def stop(self) -> None:
        """Stop uvicorn (the backend stops with its lifespan) and wait for the thread."""
        self.client.close()
        self._server.should_exit = True
        self._thread.join(DEADLINE_SECONDS)


def start_backend(
    work: Path,
    plugins_root: Path,
    config: Mapping[str, Any] | None = None,
    features: tuple[Any, ...] = (),
    **options: Any,
) -> ServedBackend:
    """A backend serving ``plugins_root`` on a free port; ``options`` go to the loader."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    backend_config = {
        "baseUrl": f"http://127.0.0.1:{port}",
        "listen": {"host": "127.0.0.1", "port": port},
        **dict((config or {}).get("backend", {})),
    }
    full = {
        **dict(config or {}),
        "backend": backend_config,
        "dynamicPlugins": {
            "rootDirectory": str(plugins_root),
            "cacheDirectory": str(work / "cache"),
        },
    }
    loader = dynamic_plugins_feature_loader(include_installed=False, **options)
    return ServedBackend(full, [loader, *features], sock)
