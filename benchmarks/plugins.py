"""The trivial plugins every scenario loads, generated once into a cache folder.

Plugin ``i`` has the id ``bench-pNNNN`` (id words start with a letter) and one
route, ``GET /api/bench-pNNNN/hello``, answering ``hello`` in plain text. It exists in three forms:

- a wheel (``greenroom.backend_plugin`` entry point) for Greenroom's root directory;
- a plain module for the floor, all N in one directory (pluggy + Starlette, no Greenroom);
- the same module in a folder of its own, for the naive peer (a ``sys.path`` entry each).

Wheels are written by hand the way ``tests/dynamic/dynamic_scan_builders.py`` does
(METADATA, WHEEL, entry_points.txt, RECORD); the suite never imports test code.
"""

from __future__ import annotations

import base64
import compileall
import hashlib
import os
import shutil
import zipfile
from pathlib import Path
from typing import Final

__all__ = [
    "ROUTE",
    "floor_source",
    "greenroom_source",
    "module_name",
    "naive_dirs",
    "plain_dir",
    "plugin_id",
    "wheel_root",
    "workspace",
]

#: The path of each plugin's one route, under ``/api/<plugin id>``.
ROUTE: Final = "/hello"

_GREENROOM_TEMPLATE: Final = '''\
"""Benchmark plugin {plugin_id!r}: one route."""

from starlette.responses import PlainTextResponse
from starlette.routing import Route

from greenroom import BackendPlugin, core_services, hookimpl


async def hello(request):
    return PlainTextResponse("hello")


class Plugin(BackendPlugin):
    plugin_id = {plugin_id!r}

    @hookimpl
    def register(self, env):
        env.register_init(self.init, deps={{"router": core_services.http_router}})

    async def init(self, router):
        router.use([Route({route!r}, hello)])
'''

# The same plugin written against pluggy and Starlette alone: what the floor and
# the naive peer import.
_FLOOR_TEMPLATE: Final = '''\
"""Benchmark plugin {plugin_id!r}: one route."""

import pluggy
from starlette.responses import PlainTextResponse
from starlette.routing import Route

hookimpl = pluggy.HookimplMarker("bench")


async def hello(request):
    return PlainTextResponse("hello")


class Plugin:
    plugin_id = {plugin_id!r}

    @hookimpl
    def routes(self):
        return [Route({route!r}, hello)]
'''

#: Changes whenever this file (what is generated) changes, so old workspaces are not reused.
_VERSION: Final = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
_ZIP_DATE: Final = (2024, 1, 1, 0, 0, 0)


def plugin_id(index: int) -> str:
    """The id of plugin ``index`` (1-based)."""
    return f"bench-p{index:04d}"


def module_name(index: int) -> str:
    """The import name of plugin ``index``."""
    return f"bench_plugin_{index:04d}"


def greenroom_source(index: int) -> str:
    """Plugin ``index`` as a Greenroom ``BackendPlugin``."""
    return _GREENROOM_TEMPLATE.format(plugin_id=plugin_id(index), route=ROUTE)


def floor_source(index: int) -> str:
    """Plugin ``index`` as a pluggy plugin with Starlette routes."""
    return _FLOOR_TEMPLATE.format(plugin_id=plugin_id(index), route=ROUTE)


def workspace(base: Path | None = None) -> Path:
    """The folder generated plugins live in, outside the repository.

    ``$GREENROOM_BENCH_DIR``, else ``$XDG_CACHE_HOME/greenroom-bench``, else
    ``~/.cache/greenroom-bench``; one subfolder per version of the templates.
    """
    if base is None:
        explicit = os.environ.get("GREENROOM_BENCH_DIR")
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (
            Path(explicit)
            if explicit
            else (Path(xdg) if xdg else Path.home() / ".cache") / "greenroom-bench"
        )
    path = base.expanduser() / f"v{_VERSION}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _b64_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _wheel_files(index: int) -> dict[str, bytes]:
    name, module = f"bench-plugin-{index:04d}", module_name(index)
    info = f"bench_plugin_{index:04d}-1.0.0.dist-info"
    files = {
        f"{module}/__init__.py": greenroom_source(index).encode(),
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\nRequires-Dist: greenroom\n"
        ).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": (
            f"[greenroom.backend_plugin]\n{plugin_id(index)} = {module}:Plugin\n"
        ).encode(),
    }
    record = [f"{path},sha256={_b64_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    return files


def _write_wheel(path: Path, index: int) -> None:
    scratch = path.with_suffix(".tmp")
    with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _wheel_files(index).items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    scratch.replace(path)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or no hard links: a copy keeps its mtime too
        shutil.copy2(source, target)


def _filled(folder: Path, count: int, fill: object) -> Path:
    """``folder`` once ``fill()`` has run to completion (a marker file beside it records that)."""
    marker = folder.with_name(folder.name + ".complete")
    if not marker.exists():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        assert callable(fill)
        fill()
        marker.write_text(f"{count}\n")
    return folder


def _pool(ws: Path, count: int) -> Path:
    """The folder holding wheels 1..count (one file each, linked into every root)."""
    pool = ws / "wheel-pool"
    pool.mkdir(exist_ok=True)
    for index in range(1, count + 1):
        path = pool / f"bench_plugin_{index:04d}-1.0.0-py3-none-any.whl"
        if not path.exists():
            _write_wheel(path, index)
    return pool


def wheel_root(ws: Path, count: int) -> Path:
    """A Greenroom root directory holding the wheels of plugins 1..count."""
    folder = ws / f"wheels-{count}"

    def fill() -> None:
        pool = _pool(ws, count)
        for index in range(1, count + 1):
            name = f"bench_plugin_{index:04d}-1.0.0-py3-none-any.whl"
            _link_or_copy(pool / name, folder / name)

    return _filled(folder, count, fill)


def plain_dir(ws: Path, count: int, *, compiled: bool, name: str | None = None) -> Path:
    """One directory of ``count`` plain modules; with ``__pycache__`` when ``compiled``."""
    folder = ws / (name or f"plain-{count}{'-pyc' if compiled else ''}")

    def fill() -> None:
        for index in range(1, count + 1):
            (folder / f"{module_name(index)}.py").write_text(floor_source(index))
        if compiled:
            compileall.compile_dir(folder, quiet=1)

    return _filled(folder, count, fill)


def naive_dirs(ws: Path, count: int) -> Path:
    """A folder with one subfolder per plugin (as ``pip install --target`` would make), compiled."""
    folder = ws / f"naive-{count}"

    def fill() -> None:
        for index in range(1, count + 1):
            sub = folder / f"{index:04d}"
            sub.mkdir()
            (sub / f"{module_name(index)}.py").write_text(floor_source(index))
        compileall.compile_dir(folder, quiet=1)

    return _filled(folder, count, fill)
