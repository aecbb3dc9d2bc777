"""The exception hierarchy: every error Greenroom raises derives from ``GreenroomError``.

Each exception keeps the objects it talks about as attributes (plugin id, key
path, file) so that callers can act on them without parsing the message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "BackendStartupError",
    "BundleError",
    "ConfigError",
    "ConfigIssue",
    "DependencyError",
    "DevDataStoreError",
    "FeatureRegistrationError",
    "GreenroomError",
    "PackageMetadataError",
    "PackageScriptError",
    "PluginPackageError",
    "ServiceFactoryError",
]


class GreenroomError(Exception):
    """Base class of every error raised by Greenroom."""


class FeatureRegistrationError(GreenroomError, ValueError):
    """A plugin or module broke a rule of the backend system while registering.

    ``feature`` is the readable name of the offending feature (``plugin 'catalog'``
    or ``module 'yaml-files' for plugin 'catalog'``) when one is known. The
    error ``start()`` raises for all failed features keeps each one's own error
    in ``causes``, by feature name.
    """

    def __init__(
        self,
        message: str,
        *,
        feature: str | None = None,
        causes: Mapping[str, FeatureRegistrationError] | None = None,
    ) -> None:
        super().__init__(message)
        self.feature = feature
        self.causes = dict(causes or {})


class DependencyError(GreenroomError, LookupError):
    """The dependency graph of services and extension points cannot be satisfied.

    ``problems`` lists every individual problem, so that all of them are fixed
    in one go rather than one per start.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class ServiceFactoryError(GreenroomError, RuntimeError):
    """A service factory raised while building its service; the cause is chained."""

    def __init__(self, message: str, *, service_id: str, plugin_id: str | None) -> None:
        super().__init__(message)
        self.service_id = service_id
        self.plugin_id = plugin_id


class ConfigIssue:
    """One problem with the configuration: what is wrong, where, and in which file.

    Rendered as ``<description> @ <file>:$.backend.listen.port``; the file is
    left out when the value came from the environment or from code.
    """

    __slots__ = ("description", "file", "path")

    def __init__(self, description: str, path: str, file: str | None = None) -> None:
        self.description = description
        self.path = path
        self.file = file

    def __str__(self) -> str:
        where = f"{self.file}:{self.path}" if self.file else self.path
        return f"{self.description} @ {where}"

    def __repr__(self) -> str:
        return f"ConfigIssue({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConfigIssue):
            return NotImplemented
        return (self.description, self.path, self.file) == (
            other.description,
            other.path,
            other.file,
        )

    def __hash__(self) -> int:
        return hash((self.description, self.path, self.file))


class ConfigError(GreenroomError, ValueError):
    """The configuration could not be loaded or a value has the wrong shape.

    ``issues`` holds every problem found, each a :class:`ConfigIssue`.
    """

    def __init__(self, issues: Sequence[ConfigIssue] | ConfigIssue, *, hint: str = "") -> None:
        self.issues = (issues,) if isinstance(issues, ConfigIssue) else tuple(issues)
        self.hint = hint
        lines = [str(issue) for issue in self.issues]
        message = lines[0] if len(lines) == 1 else "invalid configuration:\n  " + "\n  ".join(lines)
        if hint:
            message = f"{message}\n{hint}"
        super().__init__(message)


class BackendStartupError(GreenroomError, RuntimeError):
    """The backend could not start; ``causes`` maps each failed feature to its error.

    Keys are readable feature names such as ``plugin 'catalog'`` or
    ``module 'yaml-files' for plugin 'catalog'``.
    """

    def __init__(self, causes: dict[str, BaseException]) -> None:
        self.causes = dict(causes)
        lines = [f"{name}: {type(exc).__name__}: {exc}" for name, exc in self.causes.items()]
        message = f"backend startup failed, {len(lines)} feature(s) failed to start:\n  " + (
            "\n  ".join(lines)
        )
        super().__init__(message)


class PluginPackageError(GreenroomError, ValueError):
    """A dynamic plugin package (wheel, zip, folder or bundle) is unsafe or invalid.

    ``path`` is the package (or the missing root directory); ``problems`` lists
    every problem found, each naming the file inside the package, the rule and
    the fix; ``hint`` is a fix shared by all of them.
    """

    def __init__(
        self, path: str | os.PathLike[str], problems: str | Sequence[str], *, hint: str = ""
    ) -> None:
        self.path = Path(path)
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        self.hint = hint
        super().__init__(f"{self.path}: {self.detail}")

    @property
    def detail(self) -> str:
        """The message without the path: what a scan record shows as its failure."""
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = f"{len(self.problems)} problems:\n  - " + "\n  - ".join(self.problems)
        return f"{text}\nfix: {self.hint}" if self.hint else text


class PackageMetadataError(GreenroomError, ValueError):
    """A workspace package's ``pyproject.toml`` metadata is invalid or out of sync.

    ``problems`` lists every problem found, each rendered as
    ``<description> @ <file>:$.tool.greenroom.<key>`` where a key is to blame;
    ``hint`` is the command or edit that fixes them (``greenroom repo fix --publish``).
    """

    def __init__(self, problems: str | Sequence[str], *, hint: str = "") -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        self.hint = hint
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:\n  - " + "\n  - ".join(self.problems)
        super().__init__(message)


class BundleError(GreenroomError, RuntimeError):
    """``greenroom package bundle`` (or ``build-workspace``, ``backend bundle``) failed.

    ``package`` is the distribution being bundled, ``step`` the step that
    failed (``build``, ``install``, ``validate``, ...), ``problems`` every
    problem found, ``log`` the log file holding the tools' output (if kept)
    and ``hint`` the fix.
    """

    def __init__(
        self,
        problems: str | Sequence[str],
        *,
        package: str | None = None,
        step: str | None = None,
        hint: str = "",
        log: Path | None = None,
    ) -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        self.package = package
        self.step = step
        self.hint = hint
        self.log = log
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:\n  - " + "\n  - ".join(self.problems)
        super().__init__(message)


class PackageScriptError(GreenroomError, RuntimeError):
    """A package script (``greenroom package start|build|lint|typecheck|test|clean``) cannot run.

    ``package`` is the package it was run for, ``script`` the script, and
    ``hint`` the fix (a tool to install, a role that has the script).
    """

    def __init__(
        self, message: str, *, package: str | None = None, script: str | None = None, hint: str = ""
    ) -> None:
        super().__init__(message)
        self.package = package
        self.script = script
        self.hint = hint


class DevDataStoreError(GreenroomError, ValueError):
    """A value cannot be kept in the development data store (``greenroom.dev``).

    ``key`` is the key it was saved under; the cause (a pickling error) is chained.
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key
