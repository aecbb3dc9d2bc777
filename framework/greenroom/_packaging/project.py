"""A workspace package as its ``pyproject.toml`` declares it: name, entry points, metadata.

Reading never stops at the first problem: :func:`read_package` keeps every
problem it finds on the :class:`Package`, so that ``repo list`` can still show
a broken package and ``repo fix`` can report all packages' problems at once.
Reading uses the standard library's ``tomllib``; only edits need tomlkit.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Final

import attrs

from greenroom._errors import PackageMetadataError
from greenroom._packaging.metadata import KEY_PATH, GreenroomMetadata, parse_metadata
from greenroom._packaging.roles import Role

__all__ = ["PYPROJECT", "Package", "entry_point_path", "read_package", "read_pyproject"]

PYPROJECT: Final = "pyproject.toml"


def entry_point_path(group: str, name: str | None = None) -> str:
    """The key path of an entry point group (or of one entry point) in messages."""
    path = f'$.project.entry-points["{group}"]'
    return path if name is None else f'{path}["{name}"]'


@attrs.frozen
class Package:
    """One package: what its ``pyproject.toml`` says, and what is wrong with it."""

    directory: Path
    #: The ``pyproject.toml`` as shown in messages (relative to the workspace root).
    file: str
    #: ``[project] name`` as written, or ``None`` when missing.
    name: str | None
    version: str | None
    metadata: GreenroomMetadata | None
    #: ``[project.entry-points]``: group -> entry point name -> value.
    entry_points: dict[str, dict[str, str]] = attrs.field(factory=dict)
    dynamic: frozenset[str] = frozenset()
    classifiers: tuple[str, ...] = ()
    #: ``[project.urls]``: label -> URL.
    urls: dict[str, str] = attrs.field(factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def pyproject(self) -> Path:
        """The ``pyproject.toml`` file."""
        return self.directory / PYPROJECT

    @property
    def label(self) -> str:
        """The name, or the folder when the name is missing: for listings and messages."""
        return self.name or self.directory.name

    @property
    def role(self) -> Role | None:
        """The role, when ``[tool.greenroom]`` could be read."""
        return self.metadata.role if self.metadata else None

    @property
    def private(self) -> bool:
        """Whether the package may not be published (a ``Private ::`` classifier)."""
        return any(c.replace(" ", "").startswith("Private::") for c in self.classifiers)


def read_pyproject(path: Path, file: str) -> dict[str, Any]:
    """Parse a ``pyproject.toml``; raise :class:`PackageMetadataError` naming the file."""
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError as exc:
        raise PackageMetadataError(f"{file} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageMetadataError(f"{file} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PackageMetadataError(f"{file} is not valid TOML: {exc}") from exc


def read_package(
    directory: Path, file: str | None = None, data: dict[str, Any] | None = None
) -> Package:
    """Read the package in ``directory``, collecting problems instead of raising.

    ``data`` is the already parsed ``pyproject.toml``, when the caller has it.
    """
    file = file or str(directory / PYPROJECT)
    if data is None:
        try:
            data = read_pyproject(directory / PYPROJECT, file)
        except PackageMetadataError as exc:
            return Package(directory, file, None, None, None, problems=exc.problems)
    problems: list[str] = []
    project = data.get("project")
    if not isinstance(project, dict):
        problems.append(f"no [project] table; fix: add one with name and version @ {file}:$")
        project = {}
    name = _string(project, "name", file, "$.project.name", problems)
    if name is None and "name" not in project:
        problems.append(f"[project] name is missing @ {file}:$.project.name")
    elif name is not None:
        from packaging.utils import InvalidName, canonicalize_name

        try:
            canonicalize_name(name, validate=True)
        except InvalidName:
            problems.append(f"{name!r} is not a valid distribution name @ {file}:$.project.name")
    version = _string(project, "version", file, "$.project.version", problems)
    dynamic = frozenset(_strings(project, "dynamic", file, "$.project.dynamic", problems))
    classifiers = _strings(project, "classifiers", file, "$.project.classifiers", problems)
    urls = _table_of_strings(project.get("urls", {}), file, "$.project.urls", problems)
    entry_points = _entry_points(project.get("entry-points", {}), file, problems)

    metadata: GreenroomMetadata | None = None
    tool = data.get("tool", {})
    table = tool.get("greenroom") if isinstance(tool, dict) else None
    if table is None:
        problems.append(
            f"no [tool.greenroom] table; fix: add one with the package's role, "
            f'e.g. role = "backend-plugin" @ {file}:{KEY_PATH}'
        )
    else:
        try:
            metadata = parse_metadata(table, file)
        except PackageMetadataError as exc:
            problems.extend(exc.problems)
    package = Package(
        directory,
        file,
        name,
        version,
        metadata,
        entry_points,
        dynamic,
        classifiers,
        urls,
        tuple(problems),
    )
    if metadata is not None and metadata.inline and not package.private:
        problems.append(
            "inline = true needs a private package (one that is never published): add "
            f"the classifier 'Private :: Do Not Upload' to [project] classifiers "
            f"@ {file}:{KEY_PATH}.inline"
        )
        package = attrs.evolve(package, problems=tuple(problems))
    return package


def _string(table: dict[str, Any], key: str, file: str, path: str, problems: list[str]) -> Any:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        problems.append(f"expected a string @ {file}:{path}")
        return None
    return value


def _strings(
    table: dict[str, Any], key: str, file: str, path: str, problems: list[str]
) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"expected an array of strings @ {file}:{path}")
        return ()
    return tuple(value)


def _table_of_strings(value: Any, file: str, path: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(f"expected a table @ {file}:{path}")
        return {}
    result: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, str):
            result[key] = item
        else:
            problems.append(f'expected a string @ {file}:{path}["{key}"]')
    return result


def _entry_points(value: Any, file: str, problems: list[str]) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict):
        problems.append(f"expected a table of groups @ {file}:$.project.entry-points")
        return {}
    groups: dict[str, dict[str, str]] = {}
    for group, entries in value.items():
        groups[group] = _table_of_strings(entries, file, entry_point_path(group), problems)
    return groups
