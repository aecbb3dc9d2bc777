"""The success cache of ``repo test`` and ``repo lint`` (seed ``003``, "Caching").

A package is skipped when the key of its inputs is one it already succeeded
with. The key is a sha256 over:

- every file of the package (``git ls-files`` when the workspace is a git
  repository, so ignored files never count; else a walk that leaves out
  hidden folders, caches and build output);
- the code of the workspace packages it depends on, transitively (their
  import packages and ``pyproject.toml``), the root project included when a
  member depends on it;
- the workspace's shared settings: the root ``pyproject.toml``, ``uv.lock``
  and the root's ``conftest.py``, ``ruff.toml``, ``mypy.ini``, ...;
- the tools: the Python version, every installed distribution and its
  version (the tool's own among them), and the script's arguments.

Keys are kept per command and package in
``<root>/.greenroom-cache/success-cache/<command>.json`` (the last few per
package, so switching branches back and forth still hits).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from greenroom._packaging.local_deps import canonical
from greenroom._packaging.project import PYPROJECT, Package
from greenroom._packaging.sources import package_sources
from greenroom._scripts.target import ScriptTarget, local_dependencies

__all__ = ["SuccessCache", "environment_fingerprint", "input_key"]

#: Bumped when the key's recipe changes, so that old keys never match.
_RECIPE: Final = "greenroom-success-cache-1"
#: How many successful keys are kept per package and command.
_KEEP: Final = 10
#: Root files that configure every package's tools.
_SHARED_FILES: Final = (
    PYPROJECT,
    "uv.lock",
    "conftest.py",
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    ".mypy.ini",
    "pytest.ini",
    "setup.cfg",
    "tox.ini",
)
#: Never inputs, in a walk without git.
_SKIPPED_DIRS: Final = frozenset({"__pycache__", "node_modules", "build", "dist", "dist-bundle"})


def _git_files(directory: Path) -> list[Path] | None:
    """Tracked and untracked, not ignored, files under ``directory``; ``None`` without git."""
    try:
        completed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if completed.returncode != 0:
        return None
    names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [directory / name for name in names if name]


def _walked_files(directory: Path) -> list[Path]:
    found = []
    for folder, folders, names in os.walk(directory):
        folders[:] = [name for name in folders if _kept(name, is_dir=True)]
        found += [Path(folder, name) for name in names]
    return found


def _kept(name: str, *, is_dir: bool) -> bool:
    """Whether a file or folder can be an input: not hidden, not a cache nor build output."""
    if name.startswith("."):
        return False
    if is_dir:
        return name not in _SKIPPED_DIRS and not name.endswith(".egg-info")
    return not name.endswith((".pyc", ".pyo"))


def _files(directory: Path, use_git: bool) -> list[Path]:
    """The input files under ``directory`` (or ``directory`` itself when it is a file)."""
    if directory.is_file():
        return [directory]
    listed = _git_files(directory) if use_git else None
    files = _walked_files(directory) if listed is None else listed
    # The same rules for git's list: a __pycache__ folder nobody ignored is still no input.
    return [
        path
        for path in files
        if path.is_file()
        and all(_kept(part, is_dir=True) for part in path.relative_to(directory).parts[:-1])
        and _kept(path.name, is_dir=False)
    ]


def _package_files(package: Package, *, sources_only: bool, use_git: bool) -> list[Path]:
    if not sources_only:
        return _files(package.directory, use_git)
    files = [package.pyproject]
    for module in package_sources(package).modules:
        files += _files(module, use_git)
    return files


def environment_fingerprint() -> str:
    """The Python version and every installed distribution with its version."""
    from importlib.metadata import distributions

    from greenroom._version import __version__

    found = sorted(
        {f"{dist.metadata['Name']}=={dist.version}" for dist in distributions() if dist.metadata}
    )
    return "\n".join([sys.version, f"greenroom=={__version__}", *found])


def input_key(target: ScriptTarget, command: str, args: Sequence[str], environment: str) -> str:
    """The sha256 of everything the result of ``command`` on ``target`` depends on."""
    workspace = target.workspace
    root = workspace.root.resolve()
    use_git = _git_files(root) is not None
    others = [
        member.package.directory.resolve()
        for member in workspace.members
        if member.package.directory.resolve() != target.directory.resolve()
    ]

    def outside_other_members(path: Path) -> bool:
        resolved = path.resolve()
        return not any(resolved.is_relative_to(other) for other in others if other != root)

    files = [
        path
        for path in _package_files(target.package, sources_only=False, use_git=use_git)
        if outside_other_members(path)
    ]
    for dependency in local_dependencies(workspace, target.package):
        files += _package_files(dependency, sources_only=True, use_git=use_git)
    files += [root / name for name in _SHARED_FILES if (root / name).is_file()]

    digest = hashlib.sha256()
    header: dict[str, Any] = {"recipe": _RECIPE, "command": command, "args": list(args)}
    for part in (json.dumps(header, sort_keys=True), environment):
        digest.update(part.encode("utf-8") + b"\0")
    for path in sorted(set(files), key=lambda p: _relative(p, root)):
        digest.update(_relative(path, root).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


class SuccessCache:
    """The keys each package of the workspace succeeded with, for one command."""

    def __init__(self, folder: Path, command: str) -> None:
        self.path = folder / "success-cache" / f"{command}.json"
        self._keys: dict[str, list[str]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        keys = data.get("keys") if isinstance(data, dict) else None
        if isinstance(keys, dict) and data.get("recipe") == _RECIPE:
            self._keys = {
                str(name): [str(key) for key in values]
                for name, values in keys.items()
                if isinstance(values, list)
            }

    def hit(self, package: str, key: str) -> bool:
        """Whether ``package`` already succeeded with inputs ``key``."""
        return key in self._keys.get(canonical(package), [])

    def record(self, package: str, key: str) -> None:
        """Remember a success (written by :meth:`save`)."""
        keys = [k for k in self._keys.get(canonical(package), []) if k != key]
        self._keys[canonical(package)] = [*keys, key][-_KEEP:]

    def save(self) -> None:
        """Write the keys, atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        data = {"recipe": _RECIPE, "keys": dict(sorted(self._keys.items()))}
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)
