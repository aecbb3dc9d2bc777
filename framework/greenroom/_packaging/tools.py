"""The build and install tools that packaging runs: uv first, pip (and ``build``) as the fallback.

uv is a declared dependency of what bundling needs (``greenroom[bundle]``, in
``dev`` too), found through its own ``find_uv_bin()``, beside the running
interpreter, or on ``PATH``. The tools run with this process's environment,
so the standard variables for indexes and find-links (``UV_FIND_LINKS``,
``UV_NO_INDEX``, ``UV_OFFLINE``, ``PIP_FIND_LINKS``, ``PIP_NO_INDEX``, ...)
apply as they would on the command line: bundling works offline against a
local wheelhouse. ``SOURCE_DATE_EPOCH`` passes through to the build backend.

Output goes to the console with ``--verbose``, else to one log file
(:class:`ToolLog`), whose last lines a failure shows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Final

import attrs

from greenroom._errors import BundleError

__all__ = ["TAIL_LINES", "Command", "ToolLog", "ToolRunner", "find_uv"]

#: How many lines of the log a failure shows.
TAIL_LINES: Final = 20


def find_uv() -> str | None:
    """The uv executable: the ``uv`` package's, the one beside this interpreter, or on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        pass
    else:
        try:
            return str(find_uv_bin())
        except FileNotFoundError:
            pass
    beside = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if beside.is_file():
        return str(beside)
    return shutil.which("uv")


@attrs.define
class ToolLog:
    """Where the tools' output goes: a file (kept on failure), or the console (``verbose``)."""

    path: Path | None
    _stream: IO[bytes] | None = attrs.field(default=None, init=False, repr=False)

    def open(self) -> IO[bytes] | None:
        """The stream to hand a subprocess (``None``: inherit the console)."""
        if self.path is None:
            return None
        if self._stream is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = self.path.open("ab")
        return self._stream

    def write(self, text: str) -> None:
        """Add a line of our own (the command about to run)."""
        stream = self.open()
        if stream is None:
            print(text, file=sys.stderr, flush=True)
        else:
            stream.write(text.encode("utf-8", "replace") + b"\n")
            stream.flush()

    def write_output(self, data: bytes) -> None:
        """Add a tool's captured output as it is."""
        stream = self.open()
        if stream is None:
            sys.stderr.flush()
            sys.stderr.buffer.write(data)
            sys.stderr.buffer.flush()
        else:
            stream.write(data)
            stream.flush()

    def tail(self, lines: int = TAIL_LINES) -> list[str]:
        """The last ``lines`` lines of the log file (none for the console)."""
        if self.path is None or not self.path.is_file():
            return []
        text = self.path.read_bytes().decode("utf-8", "replace")
        return text.splitlines()[-lines:]

    def close(self, *, remove: bool) -> None:
        """Close the file, and remove it (after a success)."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if remove and self.path is not None:
            self.path.unlink(missing_ok=True)


@attrs.frozen
class Command:
    """One run of a tool: its arguments, and what failed (for the error) if it fails."""

    args: tuple[str, ...]
    what: str
    package: str | None
    step: str

    def failure(self, status: int | OSError) -> BundleError:
        """The error for this command exiting with ``status`` (or not starting at all)."""
        if isinstance(status, OSError):
            return BundleError(
                f"{self.what}: cannot run {self.args[0]}: {status}",
                package=self.package,
                step=self.step,
            )
        return BundleError(
            f"{self.what} failed: `{shlex.join(self.args[:3])} ...` exited with {status}",
            package=self.package,
            step=self.step,
            hint="the tool's output above says why; fix that, or run with --verbose",
        )


@attrs.frozen
class ToolRunner:
    """Runs uv (or pip) for one command, sending output to ``log``."""

    log: ToolLog
    uv: str | None = attrs.field(factory=lambda: find_uv())
    python: str = sys.executable

    def run(self, args: Sequence[str], *, what: str, package: str | None, step: str) -> None:
        """Run ``args``; raise :class:`BundleError` naming ``what`` failed if it exits non-zero."""
        self.run_command(Command(tuple(args), what, package, step))

    def run_command(self, command: Command) -> None:
        """Run ``command``, its output to the log; raise :class:`BundleError` if it fails."""
        self.log.write(f"$ {shlex.join(command.args)}")
        stream = self.log.open()
        try:
            completed = subprocess.run(
                list(command.args),
                stdin=subprocess.DEVNULL,
                stdout=stream,
                stderr=subprocess.STDOUT if stream is not None else None,
                check=False,
            )
        except OSError as exc:
            raise command.failure(exc) from exc
        if completed.returncode != 0:
            raise command.failure(completed.returncode)

    def run_all(self, commands: Sequence[Command], *, jobs: int) -> None:
        """Run ``commands``, up to ``jobs`` at a time; raise for the first (in order) that failed.

        Each command's output is captured whole and logged once it is done, in
        the order of ``commands``, so concurrent tools never interleave their
        lines. After a failure no further command starts, and the failed
        command's output is logged last: it is the tail a failure shows.
        """
        if jobs <= 1 or len(commands) <= 1:
            for command in commands:
                self.run_command(command)
            return
        import tempfile
        import threading
        from concurrent.futures import ThreadPoolExecutor

        stop = threading.Event()

        def one(command: Command) -> tuple[int | OSError, bytes] | None:
            if stop.is_set():
                return None
            with tempfile.TemporaryFile() as out:
                try:
                    status: int | OSError = subprocess.run(
                        list(command.args),
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        check=False,
                    ).returncode
                except OSError as exc:
                    status = exc
                if status != 0:
                    stop.set()
                out.seek(0)
                return status, out.read()

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(one, commands))
        failed: tuple[Command, int | OSError, bytes] | None = None
        for command, outcome in zip(commands, outcomes, strict=True):
            if outcome is None:
                continue
            status, output = outcome
            if status != 0 and failed is None:
                failed = (command, status, output)
                continue
            self.log.write(f"$ {shlex.join(command.args)}")
            self.log.write_output(output)
        if failed is not None:
            command, status, output = failed
            self.log.write(f"$ {shlex.join(command.args)}")
            self.log.write_output(output)
            raise command.failure(status) from (status if isinstance(status, OSError) else None)

    def build_wheel_command(self, source: Path, out_dir: Path, *, package: str) -> Command:
        """The command that builds the wheel of ``source`` into ``out_dir`` (isolated build)."""
        if self.uv is not None:
            args = [self.uv, "build", "--wheel", "--python", self.python, "--out-dir", str(out_dir)]
        elif _has_module("build"):
            args = [self.python, "-m", "build", "--wheel", "--outdir", str(out_dir)]
        else:
            args = [self.python, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out_dir)]
        return Command((*args, str(source)), f"building the wheel of {package}", package, "build")

    def build_wheel(self, source: Path, out_dir: Path, *, package: str) -> None:
        """Build the wheel of the project in ``source`` into ``out_dir`` (build isolation on)."""
        self.run_command(self.build_wheel_command(source, out_dir, package=package))

    def pip_install(self, target: Path, args: Sequence[str], *, what: str, package: str) -> None:
        """``uv pip install --target`` (or ``pip install --target``) with ``args``."""
        if self.uv is not None:
            base = [self.uv, "pip", "install", "--python", self.python, "--link-mode", "copy"]
        else:
            base = [self.python, "-m", "pip", "install", "--disable-pip-version-check"]
            base += ["--no-compile", "--no-warn-script-location"]
        self.run(
            [*base, "--target", str(target), *args], what=what, package=package, step="install"
        )


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
