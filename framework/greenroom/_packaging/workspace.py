"""A workspace: the root ``pyproject.toml`` and the member packages it lists.

Members are found the standard way, uv's: ``[tool.uv.workspace]`` ``members``
globs, minus ``exclude`` globs, each matching folders with a
``pyproject.toml``. ``[tool.greenroom.workspace]`` may list ``members`` (and
``exclude``) instead, for a workspace not managed by uv or to hand Greenroom a
subset of uv's members; when it lists members, they are the ones used. It may
also set the ``prefix`` of the naming scheme, for ``greenroom new``.

Unlike uv, the root project is a member only if it is listed (``"."``): a
repository whose root is a framework or a tool lists only its plugins. A
project with ``[tool.greenroom]`` and no workspace table is a workspace of one.
Hidden folders (``.venv``, ``.git``) never match.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Final

import attrs

from greenroom._errors import PackageMetadataError
from greenroom._packaging.project import PYPROJECT, Package, read_package, read_pyproject

__all__ = [
    "Member",
    "Workspace",
    "WorkspaceSettings",
    "find_workspace_root",
    "load_workspace",
    "source_url",
]

_UV: Final = "tool.uv.workspace"
_GREENROOM: Final = "tool.greenroom.workspace"
#: PEP 753 labels (normalized) that name a project's source repository.
_SOURCE_LABELS: Final = ("source", "repository", "sourcecode")


@attrs.frozen
class WorkspaceSettings:
    """Which table lists the members, the globs, and the naming scheme's prefix."""

    #: ``tool.uv.workspace``, ``tool.greenroom.workspace``, or ``None`` for a single package.
    table: str | None
    members: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    prefix: str | None = None


@attrs.frozen
class Member:
    """A member package and where it sits in the workspace."""

    package: Package
    #: Its folder relative to the root, as a POSIX path (``.`` for the root).
    relative: str

    @property
    def name(self) -> str | None:
        """``[project] name`` as written."""
        return self.package.name


@attrs.frozen
class Workspace:
    """The root, its settings, every member (sorted by folder) and the workspace's problems."""

    root: Path
    settings: WorkspaceSettings
    members: tuple[Member, ...]
    #: The root ``pyproject.toml``, parsed.
    root_data: dict[str, Any] = attrs.field(factory=dict, repr=False)
    problems: tuple[str, ...] = ()

    @property
    def root_file(self) -> Path:
        """The root ``pyproject.toml``."""
        return self.root / PYPROJECT

    @property
    def source_url(self) -> str | None:
        """The root project's source repository URL (``[project.urls]``), if any."""
        project = self.root_data.get("project")
        urls = project.get("urls") if isinstance(project, dict) else None
        return source_url(urls) if isinstance(urls, dict) else None

    def packages(self) -> Iterator[Package]:
        """Every member's package."""
        return (member.package for member in self.members)


def source_url(urls: dict[str, Any]) -> str | None:
    """The URL of a ``[project.urls]`` table whose label means the source (PEP 753)."""
    by_label = {_normalize_label(label): url for label, url in urls.items()}
    for label in _SOURCE_LABELS:
        url = by_label.get(label)
        if isinstance(url, str) and url:
            return url
    return None


def _normalize_label(label: str) -> str:
    """PEP 753: lower case, punctuation and whitespace removed."""
    drop = string.punctuation + string.whitespace
    return "".join(char for char in label.lower() if char not in drop)


def _table(data: Any, *keys: str) -> dict[str, Any] | None:
    """The table at ``keys`` (``"tool", "uv", "workspace"``), or ``None``."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def _workspace_table(data: dict[str, Any]) -> str | None:
    """Which table lists the members: greenroom's when it has members, else uv's."""
    own = _table(data, "tool", "greenroom", "workspace")
    if own is not None and "members" in own:
        return _GREENROOM
    if _table(data, "tool", "uv", "workspace") is not None:
        return _UV
    return _GREENROOM if own is not None else None


def find_workspace_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` whose ``pyproject.toml`` declares a workspace.

    Without one, the nearest project with ``[tool.greenroom]`` is a workspace of
    one; raise :class:`PackageMetadataError` when there is neither.
    """
    start = start.resolve()
    single: Path | None = None
    for folder in (start, *start.parents):
        path = folder / PYPROJECT
        if not path.is_file():
            continue
        data = read_pyproject(path, str(path))
        if _workspace_table(data):
            return folder
        if single is None and _table(data, "tool", "greenroom") is not None:
            single = folder
    if single is not None:
        return single
    raise PackageMetadataError(
        f"no Greenroom workspace at or above {start}",
        hint="run this inside a workspace: a root pyproject.toml with "
        '[tool.uv.workspace] members = ["plugins/*"] (or [tool.greenroom.workspace])',
    )


def _settings(data: dict[str, Any], problems: list[str]) -> WorkspaceSettings:
    table_name = _workspace_table(data)
    own = _table(data, "tool", "greenroom", "workspace") or {}
    prefix = own.get("prefix")
    if prefix is not None and not isinstance(prefix, str):
        problems.append(f"expected a string @ {PYPROJECT}:$.{_GREENROOM}.prefix")
        prefix = None
    if table_name is None:
        return WorkspaceSettings(None, members=(".",), prefix=prefix)
    table = own if table_name == _GREENROOM else _table(data, "tool", "uv", "workspace") or {}
    globs: dict[str, tuple[str, ...]] = {}
    for key in ("members", "exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"expected an array of glob strings @ {PYPROJECT}:$.{table_name}.{key}")
            value = []
        globs[key] = tuple(value)
    return WorkspaceSettings(table_name, globs["members"], globs["exclude"], prefix)


def _matches(root: Path, pattern: str, where: str, problems: list[str]) -> list[Path]:
    """Folders (not hidden) that ``pattern`` matches under ``root``."""
    posix = PurePosixPath(pattern)
    if posix.is_absolute() or ".." in posix.parts:
        problems.append(
            f"glob {pattern!r} leaves the workspace; fix: use a path relative to the "
            f"root, without '..' @ {where}"
        )
        return []
    if str(posix) in (".", ""):
        return [root]
    try:
        found = root.glob(str(posix))
    except ValueError as exc:
        problems.append(f"invalid glob {pattern!r} ({exc}) @ {where}")
        return []
    return sorted(
        path
        for path in found
        if path.is_dir()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and path.name != "__pycache__"
    )


def load_workspace(start: Path | None = None) -> Workspace:
    """Find the workspace at or above ``start`` (default: the working directory) and read it.

    Raise :class:`PackageMetadataError` only when there is no workspace or its
    root ``pyproject.toml`` cannot be parsed; every other problem is kept on
    the workspace and its members.
    """
    root = find_workspace_root(start or Path.cwd())
    data = read_pyproject(root / PYPROJECT, PYPROJECT)
    problems: list[str] = []
    settings = _settings(data, problems)
    table = settings.table or "tool.greenroom"
    excluded: set[Path] = set()
    for index, pattern in enumerate(settings.exclude):
        where = f"{PYPROJECT}:$.{table}.exclude[{index}]"
        excluded.update(_matches(root, pattern, where, problems))
    folders: dict[Path, None] = {}
    for index, pattern in enumerate(settings.members):
        where = f"{PYPROJECT}:$.{table}.members[{index}]"
        for folder in _matches(root, pattern, where, problems):
            if folder in excluded or folder in folders:
                continue
            if not (folder / PYPROJECT).is_file():
                relative = folder.relative_to(root).as_posix()
                problems.append(
                    f"members glob {pattern!r} matches {relative}/, which has no "
                    f"{PYPROJECT}; fix: add one, or list the folder in exclude @ {where}"
                )
                continue
            folders[folder] = None
    members = []
    for folder in sorted(folders, key=lambda path: path.relative_to(root).as_posix()):
        relative = folder.relative_to(root).as_posix()
        file = PYPROJECT if relative == "." else f"{relative}/{PYPROJECT}"
        package = read_package(folder, file, data if folder == root else None)
        members.append(Member(package, relative))
    return Workspace(root, settings, tuple(members), data, tuple(problems))
