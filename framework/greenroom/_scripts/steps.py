"""The command lines of ``lint``, ``typecheck`` and ``test`` for one package, and running them.

Building a :class:`Step` list is separate from running it, so that the role
defaults can be tested without running a tool, and so that ``repo test``
and ``repo lint`` run the very same steps as ``package test`` and ``package
lint``, with the output captured instead of streamed.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs

from greenroom._packaging.project import PYPROJECT, read_pyproject
from greenroom._packaging.sources import package_sources
from greenroom._scripts.target import ScriptTarget
from greenroom._scripts.tools import tool_command

__all__ = [
    "CACHE_FOLDER",
    "NO_TESTS",
    "Step",
    "StepResult",
    "cache_folder",
    "lint_steps",
    "mypy_config",
    "pytest_steps",
    "run_steps",
    "typecheck_skip_reason",
    "typecheck_steps",
]

#: The workspace's cache folder (git-ignored by its own ``.gitignore``).
CACHE_FOLDER: Final = ".greenroom-cache"
#: pytest's exit status when it collected no test: a package without tests passes.
NO_TESTS: Final = 5


@attrs.frozen
class Step:
    """One tool run: its command line, folder, and the exit statuses that mean success."""

    name: str
    argv: tuple[str, ...]
    cwd: Path
    ok_codes: frozenset[int] = frozenset({0})
    env: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class StepResult:
    """How a step ended; ``output`` only when it was captured."""

    step: Step
    code: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether the exit status means success."""
        return self.code in self.step.ok_codes


def cache_folder(target: ScriptTarget) -> Path:
    """``<root>/.greenroom-cache``, created with a ``.gitignore`` that ignores all of it."""
    folder = target.workspace.root / CACHE_FOLDER
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Made by greenroom: nothing here is source.\n*\n", encoding="utf-8")
    return folder


def lint_steps(target: ScriptTarget, *, fix: bool = False) -> list[Step]:
    """``ruff check`` and ``ruff format --check`` (with ``fix``: ``--fix`` and formatting).

    ruff finds its settings itself: the nearest ``pyproject.toml`` with a
    ``[tool.ruff]`` table, the package's own (which may ``extend`` the root's)
    or else the workspace root's.
    """
    ruff = tool_command("ruff", package=target.label, script="lint")
    check = [*ruff, "check", *(["--fix"] if fix else []), "."]
    style = [*ruff, "format", *([] if fix else ["--check"]), "."]
    return [
        Step("ruff check", tuple(check), target.directory),
        Step("ruff format", tuple(style), target.directory),
    ]


def _has_table(path: Path, *keys: str) -> bool:
    if not path.is_file():
        return False
    data: object = read_pyproject(path, str(path))
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return isinstance(data, dict)


def mypy_config(target: ScriptTarget) -> Path | None:
    """The package's ``pyproject.toml`` if it has ``[tool.mypy]``, else the root's if it has."""
    for path in (target.directory / PYPROJECT, target.workspace.root / PYPROJECT):
        if _has_table(path, "tool", "mypy"):
            return path
    return None


def typecheck_skip_reason(target: ScriptTarget) -> str | None:
    """Why ``typecheck`` does nothing for ``target``, or ``None`` when it runs mypy.

    A package with its own ``[tool.mypy]`` is always checked; otherwise the
    role must be one with Python code to check and the package typed (PEP 561
    ``py.typed``), as the seed checks only what is meant to be typed.
    """
    if _has_table(target.directory / PYPROJECT, "tool", "mypy"):
        return None
    sources = package_sources(target.package)
    if not sources.modules:
        return f"{target.label} has no Python package or module to type-check"
    if not target.defaults.typecheck:
        return (
            f"{target.label} is a {target.package.role}: type-check its web code with your "
            "JavaScript toolchain (add [tool.mypy] to its pyproject.toml to check its Python)"
        )
    if not sources.typed:
        return (
            f"{target.label} is not typed (no py.typed marker in its package); add one to "
            "type-check it, or add [tool.mypy] to its pyproject.toml"
        )
    return None


def typecheck_steps(target: ScriptTarget) -> list[Step]:
    """mypy on the package's code, with its ``[tool.mypy]`` or the root's (else ``--strict``)."""
    if typecheck_skip_reason(target) is not None:
        return []
    mypy = tool_command("mypy", package=target.label, script="typecheck")
    config = mypy_config(target)
    settings = ["--config-file", str(config)] if config else ["--strict"]
    files = [str(m.relative_to(target.directory)) for m in package_sources(target.package).modules]
    return [Step("mypy", (*mypy, *settings, *files), target.directory)]


def pytest_steps(target: ScriptTarget, args: Sequence[str] = ()) -> list[Step]:
    """pytest with the merged configuration; ``args`` go to pytest as they are."""
    from greenroom._scripts.pytest_config import write_pytest_config

    pytest = tool_command("pytest", package=target.label, script="test")
    config = write_pytest_config(target, cache_folder(target) / "pytest")
    argv = [*pytest, "-c", str(config), "--rootdir", str(target.directory)]
    argv += ["--confcutdir", str(target.workspace.root.resolve()), *args]
    return [Step("pytest", tuple(argv), target.directory, ok_codes=frozenset({0, NO_TESTS}))]


def run_steps(steps: Sequence[Step], *, capture: bool) -> list[StepResult]:
    """Run every step (all of them, so that every problem is reported at once).

    With ``capture`` the output (stdout and stderr together) is kept in the
    results; otherwise it goes to this process's console as it comes.
    """
    results = []
    for step in steps:
        started = time.monotonic()
        env = {**os.environ, **step.env} if step.env else None
        completed = subprocess.run(
            list(step.argv),
            cwd=step.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            check=False,
        )
        output = completed.stdout.decode("utf-8", "replace") if capture else ""
        results.append(StepResult(step, completed.returncode, output, time.monotonic() - started))
    return results
