"""Helpers of the development-workflow tests: small workspaces, the CLI as a process, polling."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[2]
CONTRIB = REPO / "contrib_plugins"
#: The CLI as a process: the greenroom of this environment.
GREENROOM = (sys.executable, "-m", "greenroom")

T = TypeVar("T")


def wait_for(
    check: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.1
) -> T:
    """Poll ``check`` until it returns something other than ``None``; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get_json(url: str, data: Mapping[str, Any] | None = None) -> Any:
    """GET (or POST ``data`` as JSON) and decode the answer; ``None`` when nothing answers."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def write_root(root: Path, *, extra: str = "") -> None:
    """A workspace root whose members are ``plugins/*``."""
    root.mkdir(parents=True, exist_ok=True)
    text = '[project]\nname = "acme-root"\nversion = "0"\n\n[tool.uv.workspace]\n'
    text += 'members = ["plugins/*"]\n' + extra
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


def write_package(
    root: Path,
    name: str,
    role: str,
    *,
    modules: Mapping[str, str] | None = None,
    tests: Mapping[str, str] | None = None,
    dependencies: Sequence[str] = (),
    extra: str = "",
    typed: bool = False,
) -> Path:
    """A member ``plugins/<name>`` in the src layout, with its code and tests."""
    directory = root / "plugins" / name
    package = directory / "src" / name.replace("-", "_")
    package.mkdir(parents=True, exist_ok=True)
    for module, text in (modules or {"__init__.py": ""}).items():
        (package / module).write_text(text, encoding="utf-8")
    if typed:
        (package / "py.typed").write_text("", encoding="utf-8")
    if tests:
        (directory / "tests").mkdir(exist_ok=True)
        for module, text in tests.items():
            (directory / "tests" / module).write_text(text, encoding="utf-8")
    deps = ", ".join(json.dumps(d) for d in dependencies)
    text = f'[project]\nname = "{name}"\nversion = "1.0"\ndependencies = [{deps}]\n{extra}\n'
    text += f'[tool.greenroom]\nrole = "{role}"\n'
    (directory / "pyproject.toml").write_text(text, encoding="utf-8")
    return directory


def copy_contrib(name: str, root: Path) -> Path:
    """A copy of ``contrib_plugins/<name>`` as ``plugins/<name>`` of the workspace ``root``."""
    target = root / "plugins" / name
    shutil.copytree(
        CONTRIB / name,
        target,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "dist", "*.egg-info"),
    )
    return target


def run_cli(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``greenroom ARGS`` in ``cwd``, output captured (stderr into stdout)."""
    return subprocess.run(
        [*GREENROOM, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


class RunningCli:
    """``greenroom ARGS`` running in the background, its output collected line by line."""

    def __init__(self, *args: str, cwd: Path, env: Mapping[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [*GREENROOM, *args],
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "\n".join(self.lines)

    def count(self, text: str) -> int:
        """How many lines printed so far contain ``text``."""
        return sum(1 for line in list(self.lines) if text in line)

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C, then wait for the exit; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # as Ctrl-C in a terminal
        try:
            return self.process.wait(timeout)
        finally:
            self._reader.join(timeout)
            if self.process.stdout is not None:
                self.process.stdout.close()
