"""The servers the scenarios start: Greenroom, the floor, the naive peer, bare Starlette."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from benchmarks import plugins
from benchmarks.process import ServerRun, free_port, port_is_free, start_server

__all__ = [
    "APPS",
    "greenroom_argv",
    "greenroom_config",
    "start_bare",
    "start_floor",
    "start_greenroom",
    "start_naive",
]

#: The standalone scripts (run as files, so that the suite's imports never count).
APPS: Final = Path(__file__).parent / "apps"
_CLI: Final = "import sys; from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"


#: The port of each Greenroom label, kept across its starts (see :func:`_port`).
_PORTS: dict[str, int] = {}


def _port(label: str) -> int:
    """One port per label for the whole run, a new one only when it is taken.

    The port is part of the config, and an unchanged config is validated from
    Greenroom's cache: a new port per start would make every "warm" start
    import jsonschema and validate again (~60 ms), which a real restart does not.
    """
    port = _PORTS.get(label)
    if port is None or not port_is_free(port):
        port = _PORTS[label] = free_port()
    return port


def greenroom_argv(config: Path) -> list[str]:
    """``greenroom start --config <config>``, run by the interpreter running the suite."""
    script = Path(sys.executable).with_name("greenroom")
    if script.exists():  # the console script, as a user runs it
        return [str(script), "start", "--config", str(config)]
    return [sys.executable, "-c", _CLI, "start", "--config", str(config)]


def _installed_plugin_distributions() -> list[str]:
    """Distributions in this environment with Greenroom entry points (disabled while measuring)."""
    names = {
        dist.metadata["Name"]
        for dist in importlib.metadata.distributions()
        if any(ep.group.startswith("greenroom.") for ep in dist.entry_points)
    }
    names.discard("greenroom")
    return sorted(names)


def greenroom_config(
    path: Path,
    *,
    root: Path | None,
    cache: Path,
    port: int,
    backend: Mapping[str, object] | None = None,
) -> Path:
    """An app-config for N plugins in ``root`` (none: no root scan), cache in ``cache``.

    Plugins installed in this environment (the repository's contrib plugins)
    are disabled, so that only the generated ones load. ``backend`` adds keys
    under ``backend``.
    """
    dynamic: dict[str, object] = {"cacheDirectory": str(cache)}
    if root is not None:
        dynamic["rootDirectory"] = str(root)
    disabled = _installed_plugin_distributions()
    if disabled:
        dynamic["disabled"] = disabled
    config = {
        "backend": {"listen": {"host": "127.0.0.1", "port": port}, **(backend or {})},
        "dynamicPlugins": dynamic,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")  # JSON is YAML
    return path


def empty_root(ws: Path) -> Path:
    """A root directory with no plugins (Greenroom at N=0)."""
    folder = ws / "wheels-0"
    folder.mkdir(exist_ok=True)
    return folder


def start_greenroom(
    ws: Path,
    count: int,
    cache: Path,
    label: str,
    backend: Mapping[str, object] | None = None,
) -> ServerRun:
    """``greenroom start`` with plugins 1..count as wheels in its root directory."""
    port = _port(label)
    root = plugins.wheel_root(ws, count) if count else empty_root(ws)
    config = greenroom_config(
        ws / "configs" / f"{label}.yaml", root=root, cache=cache, port=port, backend=backend
    )
    # The config-schema cache follows $GREENROOM_CACHE_DIR, not dynamicPlugins.cacheDirectory:
    # both point at ``cache``, so that a cold start is cold throughout.
    env = {"GREENROOM_CACHE_DIR": str(cache)}
    return start_server(greenroom_argv(config), port, ws / "logs" / f"{label}.log", env=env)


def _script(name: str, port: int, args: Sequence[str]) -> list[str]:
    return [sys.executable, str(APPS / name), "--port", str(port), *args]


def start_floor(ws: Path, count: int, *, compiled: bool, label: str) -> ServerRun:
    """The floor with plugins 1..count from one plain directory (with or without bytecode)."""
    port = free_port()
    if compiled:
        folder = plugins.plain_dir(ws, count, compiled=True)
    else:  # a fresh copy each time, so that nothing compiled is left from a previous run
        folder = ws / "cold" / f"{label}-plain"
        shutil.rmtree(folder, ignore_errors=True)
        source = plugins.plain_dir(ws, count, compiled=False)
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__"))
    argv = _script("floor.py", port, ["--dir", str(folder), "--count", str(count)])
    try:
        return start_server(argv, port, ws / "logs" / f"{label}.log")
    finally:
        if not compiled:
            shutil.rmtree(folder, ignore_errors=True)


def start_naive(ws: Path, count: int, label: str) -> ServerRun:
    """The naive peer with plugins 1..count, each in a folder of its own."""
    port = free_port()
    argv = _script(
        "naive.py", port, ["--dir", str(plugins.naive_dirs(ws, count)), "--count", str(count)]
    )
    return start_server(argv, port, ws / "logs" / f"{label}.log")


def start_bare(ws: Path, route: str, label: str, *, access_log: bool = False) -> ServerRun:
    """A bare Starlette app serving ``route`` alone (with uvicorn's access log, or silent)."""
    port = free_port()
    args = ["--route", route, *(["--access-log"] if access_log else [])]
    return start_server(_script("bare.py", port, args), port, ws / "logs" / f"{label}.log")
