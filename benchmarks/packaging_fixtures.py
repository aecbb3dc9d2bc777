"""What the packaging scenarios bundle, generated once, and the offline tools they run.

Two uv workspaces under ``<workspace>/packaging-<version>/``, scaffolded with ``greenroom
new`` as a user would: one backend plugin that depends on N private packages
(tiny local projects whose wheels are built once into a wheelhouse of their
own), and one with N trivial backend plugins. Neither has a ``uv.lock``, so
``package bundle`` resolves the private dependencies from the requirements,
with the shared packages (greenroom, starlette, ...) excluded.

Nothing is downloaded: the tools run with ``UV_OFFLINE``/``UV_NO_INDEX`` (and
pip's equivalents) and find links in that wheelhouse and in the development
wheelhouse (``$GREENROOM_WHEELHOUSE`` or ``.wheelhouse``, filled by ``./dev``),
which holds the build backend (hatchling) that isolated builds install.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

# _filled: the suite's one "generate once, marker beside it" helper, shared on purpose.
from benchmarks.plugins import _filled
from benchmarks.process import bench_env

__all__ = [
    "BUILD_BACKEND",
    "deps_workspace",
    "dev_wheelhouse",
    "greenroom_command",
    "installer",
    "offline_environ",
    "package_name",
    "packaging_dir",
    "plugins_workspace",
    "private_wheels",
    "run_timed",
]

REPO: Final = Path(__file__).resolve().parent.parent
#: The build backend ``greenroom new`` scaffolds with; isolated builds install it.
BUILD_BACKEND: Final = "hatchling"
#: The plugin id of the plugin with private dependencies (``bench-plugin-deps-backend``).
DEPS_PLUGIN_ID: Final = "deps"
_PREFIX: Final = "bench"
_TIMEOUT: Final = 600.0
_VERSION: Final = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def packaging_dir(ws: Path) -> Path:
    """This module's folder in the workspace; a new one whenever what it generates changes."""
    return ws / f"packaging-{_VERSION}"


def dev_wheelhouse() -> Path | None:
    """The development wheelhouse, if it holds the build backend (else isolated builds fail)."""
    path = Path(os.environ.get("GREENROOM_WHEELHOUSE") or REPO / ".wheelhouse")
    found = path.glob(f"{BUILD_BACKEND}-*.whl") if path.is_dir() else iter(())
    return path if any(found) else None


@contextlib.contextmanager
def offline_environ(ws: Path, find_links: Sequence[Path]) -> Iterator[None]:
    """Make this process's environment, for the block, that of every process measured.

    That is :func:`~benchmarks.process.bench_env` plus the variables that keep
    uv and pip offline on ``find_links``. Set here, in this process, because
    ``package bundle`` (a child of it) and the baseline's tools (run by
    greenroom's ``ToolRunner`` here) both pass their environment on to uv: each
    side then runs its tools with the very same settings. The uv cache is the
    suite's own, under ``ws``, and warm after the first run.
    """
    links = [str(path) for path in find_links]
    measured = bench_env(
        {
            "UV_OFFLINE": "1",
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": ",".join(links),
            "UV_CACHE_DIR": str(packaging_dir(ws) / "uv-cache"),
            "UV_NO_PROGRESS": "1",
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": " ".join(links),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
    )
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(measured)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def installer() -> str:
    """The installer ``package bundle`` picks (greenroom's own choice), with its version."""
    from greenroom._packaging.tools import find_uv

    uv = find_uv()
    argv = [uv, "--version"] if uv else [sys.executable, "-m", "pip", "--version"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split()[:2])


def greenroom_command(*args: str) -> list[str]:
    """``greenroom ARGS``: the console script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("greenroom")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "greenroom", *args]


def run_timed(argv: Sequence[str], *, cwd: Path | None = None) -> float:
    """Run ``argv`` (in the suite's measured environment); its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        list(argv),
        cwd=cwd,
        env=bench_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=_TIMEOUT,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-3000:]
        raise RuntimeError(f"`{' '.join(argv[:4])} ...` exited with {done.returncode}:\n{output}")
    return seconds


def _private_name(index: int) -> str:
    return f"bench-private-{index:02d}"


def private_wheels(ws: Path, count: int, backend: Path) -> list[Path]:
    """The wheels of private packages 1..``count``, built once (one ``uv build --all-packages``).

    Built offline like everything else, the build backend from ``backend``.
    """
    sources = packaging_dir(ws) / f"private-src-{count}"
    wheelhouse = packaging_dir(ws) / f"private-wheels-{count}"

    def write() -> None:
        (sources / "pyproject.toml").write_text(
            '[tool.uv.workspace]\nmembers = ["bench-private-*"]\n', encoding="utf-8"
        )
        for index in range(1, count + 1):
            name = _private_name(index)
            module = sources / name / "src" / name.replace("-", "_")
            module.mkdir(parents=True)
            (module / "__init__.py").write_text(f"VALUE = {index}\n", encoding="utf-8")
            (sources / name / "pyproject.toml").write_text(
                f'[build-system]\nrequires = ["{BUILD_BACKEND}"]\n'
                f'build-backend = "{BUILD_BACKEND}.build"\n\n'
                f'[project]\nname = "{name}"\nversion = "1.0.0"\n',
                encoding="utf-8",
            )

    def build() -> None:
        from greenroom._packaging.tools import find_uv

        _filled(sources, count, write)
        uv = find_uv()
        if uv is None:  # pip builds one project at a time
            argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir"]
            argv += [str(wheelhouse), *(str(p.parent) for p in sources.glob("*/pyproject.toml"))]
        else:
            argv = [uv, "build", "--all-packages", "--wheel", "--python", sys.executable]
            argv += ["--directory", str(sources), "--out-dir", str(wheelhouse)]
        with offline_environ(ws, [backend]):
            run_timed(argv)

    _filled(wheelhouse, count, build)
    return sorted(wheelhouse.glob("*.whl"))


def _workspace_root(root: Path) -> None:
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench-workspace"\nversion = "0"\n\n'
        '[tool.uv.workspace]\nmembers = ["plugins/*"]\n\n'
        f'[tool.greenroom.workspace]\nprefix = "{_PREFIX}"\n',
        encoding="utf-8",
    )


def _scaffold(root: Path, plugin_id: str) -> Path:
    """``greenroom new backend-plugin --plugin-id ID`` in ``root``; the package's folder."""
    run_timed(greenroom_command("new", "backend-plugin", "--plugin-id", plugin_id), cwd=root)
    return root / "plugins" / package_name(plugin_id)


def package_name(plugin_id: str) -> str:
    """The distribution ``greenroom new`` names the backend plugin ``plugin_id``."""
    return f"{_PREFIX}-plugin-{plugin_id}-backend"


def _add_requirements(directory: Path, names: Sequence[str]) -> None:
    """Make the scaffolded plugin require (and import) each of ``names``."""
    pyproject = directory / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    marker = "dependencies = [\n"
    if marker not in text:
        raise RuntimeError(f"{pyproject}: `greenroom new` wrote no dependency list to extend")
    added = "".join(f'    "{name}>=1.0",\n' for name in names)
    pyproject.write_text(text.replace(marker, marker + added, 1), encoding="utf-8")
    init = next((directory / "src").glob("*/__init__.py"))
    imports = "".join(f"import {name.replace('-', '_')}  # noqa: F401\n" for name in names)
    init.write_text(init.read_text(encoding="utf-8") + "\n" + imports, encoding="utf-8")


def deps_workspace(ws: Path, count: int) -> tuple[Path, Path]:
    """A workspace whose one backend plugin needs private packages 1..``count``.

    Returns the workspace root and the plugin's folder.
    """
    root = packaging_dir(ws) / f"deps-workspace-{count}"

    def build() -> None:
        _workspace_root(root)
        directory = _scaffold(root, DEPS_PLUGIN_ID)
        _add_requirements(directory, [_private_name(i) for i in range(1, count + 1)])

    _filled(root, count, build)
    return root, root / "plugins" / package_name(DEPS_PLUGIN_ID)


def plugins_workspace(ws: Path, count: int) -> tuple[Path, list[str]]:
    """A workspace of ``count`` trivial backend plugins (ids ``w01``...); root, package names."""
    root = packaging_dir(ws) / f"plugins-workspace-{count}"
    ids = [f"w{index:02d}" for index in range(1, count + 1)]

    def build() -> None:
        _workspace_root(root)
        for plugin_id in ids:
            _scaffold(root, plugin_id)

    _filled(root, count, build)
    return root, [package_name(plugin_id) for plugin_id in ids]
