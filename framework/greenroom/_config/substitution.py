"""Resolving one parsed config document: ``${VAR}``, ``$env``, ``$file`` and ``$include``.

The walk also checks every key and value, collecting all problems instead
of stopping at the first, and records where each value came from.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path as FsPath
from typing import Any, Final

from attrs import frozen

from greenroom._config.documents import parse_document, read_text
from greenroom._config.layer import Layer, Substitution
from greenroom._config.paths import KEY_RULE, Path, is_valid_key, json_path, type_name
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["DIRECTIVES", "Interpolation", "Problem", "Resolver", "interpolate"]

DIRECTIVES: Final = ("$env", "$file", "$include")

# ``$${...}`` is an escape for a literal ``${...}``; Backstage uses the same pattern.
_REFERENCE: Final = re.compile(r"\$?\$\{([^{}]*)\}")
_VARIABLE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INCLUDE_PARSERS: Final = {".json": True, ".yaml": False, ".yml": False}  # suffix -> as_json


@frozen
class Problem:
    """One problem found while interpolating a string, with how to fix it."""

    description: str
    hint: str = ""


@frozen
class Interpolation:
    """The outcome of :func:`interpolate`.

    ``inserted`` holds the non-empty values taken from the environment,
    ``referenced`` whether ``text`` used any variable (escapes do not count)
    and ``problems`` what went wrong (unset variables, bad names).
    """

    text: str
    inserted: tuple[str, ...]
    referenced: bool
    problems: tuple[Problem, ...]


def interpolate(text: str, env: Mapping[str, str]) -> Interpolation:
    """Fill in ``${VAR}`` and ``${VAR:-default}`` references in ``text`` from ``env``.

    A default is used when the variable is unset or empty; an unset variable
    without a default is a problem and its reference is left in place.
    ``$${VAR}`` yields the literal ``${VAR}``.
    """
    inserted: list[str] = []
    problems: list[Problem] = []
    referenced = False

    def replace(match: re.Match[str]) -> str:
        nonlocal referenced
        if match.group(0).startswith("$$"):
            return match.group(0)[1:]
        referenced = True
        body = match.group(1)
        name, has_default, default = body.partition(":-")
        name = name.strip()
        if not _VARIABLE_NAME.fullmatch(name):
            hint = " (a default value is written ${VAR:-default})" if ":" in name else ""
            problems.append(
                Problem(
                    f"invalid variable name {name!r} in '{match.group(0)}': names are letters, "
                    f"digits and '_', not starting with a digit{hint}",
                    "Escape a literal '${' as '$${'.",
                )
            )
            return match.group(0)
        value = env.get(name)
        if has_default and not value:
            return default
        if value is None:
            problems.append(
                Problem(
                    f"environment variable {name!r} is not set",
                    "Set the variables named above, or give defaults with ${VAR:-default}.",
                )
            )
            return match.group(0)
        if value:
            inserted.append(value)
        return value

    result = _REFERENCE.sub(replace, text)
    return Interpolation(result, tuple(inserted), referenced, tuple(problems))


@frozen
class _Document:
    file: FsPath  # absolute
    display: str


class Resolver:
    """Resolves config documents read from files into :class:`Layer` objects.

    ``display`` turns an absolute file path into the name shown in messages
    and provenance (relative to the working directory when possible).
    """

    def __init__(self, env: Mapping[str, str], display: Callable[[FsPath], str]) -> None:
        self._env = env
        self._display = display
        self.issues: list[ConfigIssue] = []
        self.hints: list[str] = []
        self._origins: dict[Path, str | None] = {}
        self._substitutions: dict[Path, Substitution] = {}
        self._includes: list[FsPath] = []

    def resolve(self, data: dict[str, Any], file: FsPath) -> Layer:
        """Resolve the top-level mapping ``data`` parsed from the absolute path ``file``."""
        self._origins, self._substitutions = {}, {}
        self._includes = [file]
        resolved = self._value(data, (), _Document(file, self._display(file)))
        return Layer(resolved, self._origins, self._substitutions)

    def _report(self, path: Path, doc: _Document, description: str, fix: str = "") -> None:
        self.issues.append(ConfigIssue(description, json_path(path), doc.display))
        if fix and fix not in self.hints:
            self.hints.append(fix)

    def _value(self, value: Any, path: Path, doc: _Document) -> Any:
        self._origins[path] = doc.display
        if isinstance(value, dict):
            directives = [key for key in value if isinstance(key, str) and key.startswith("$")]
            if directives:
                return self._directive(value, directives[0], path, doc)
            resolved: dict[str, Any] = {}
            for key, item in value.items():
                if is_valid_key(key):
                    resolved[key] = self._value(item, (*path, key), doc)
                else:
                    description = f"invalid key {str(key)!r}: {KEY_RULE}"
                    self._report((*path, str(key)), doc, description, "Rename the key.")
            return resolved
        if isinstance(value, list):
            return [self._value(item, (*path, index), doc) for index, item in enumerate(value)]
        if isinstance(value, str):
            return self._string(value, path, doc)
        if isinstance(value, float) and not math.isfinite(value):
            self._report(path, doc, f"invalid number {value}: numbers must be finite")
        elif value is not None and not isinstance(value, bool | int | float):
            description = f"unsupported value of type {type_name(value)}: config values are JSON"
            self._report(path, doc, description, "Quote the value to make it a string.")
        return value

    def _string(self, text: str, path: Path, doc: _Document) -> str:
        outcome = interpolate(text, self._env)
        for problem in outcome.problems:
            self._report(path, doc, problem.description, problem.hint)
        if outcome.referenced:
            self._substitutions[path] = Substitution(
                json_path(path), outcome.text, outcome.inserted
            )
        return outcome.text

    def _directive(self, mapping: dict[Any, Any], name: str, path: Path, doc: _Document) -> Any:
        if len(mapping) != 1:
            others = ", ".join(repr(str(key)) for key in mapping if key != name)
            fix = f"Move the other keys out of the mapping holding {name}."
            self._report(
                path, doc, f"{name} must be the only key in its mapping, found also {others}", fix
            )
            return None
        if name not in DIRECTIVES:
            fix = "Keys starting with '$' are directives; rename the key."
            self._report(
                path,
                doc,
                f"unknown directive {name!r}, expected one of {', '.join(DIRECTIVES)}",
                fix,
            )
            return None
        argument = mapping[name]
        if not isinstance(argument, str) or not argument.strip():
            self._report(path, doc, f"{name} needs a non-empty string, got {type_name(argument)}")
            return None
        outcome = interpolate(argument, self._env)
        for problem in outcome.problems:
            self._report(path, doc, problem.description, problem.hint)
        if outcome.problems:
            return None
        argument = outcome.text
        if name == "$env":
            return self._env_value(argument.strip(), path, doc)
        if name == "$file":
            return self._file_value(argument, path, doc)
        return self._include(argument, path, doc)

    def _env_value(self, variable: str, path: Path, doc: _Document) -> str | None:
        value = self._env.get(variable)
        if value is None:
            fix = "Set the variables named above, or give defaults with ${VAR:-default}."
            self._report(
                path, doc, f"environment variable {variable!r} is not set (required by $env)", fix
            )
            return None
        self._origins[path] = None  # the value comes from the environment, not the file
        self._substitutions[path] = Substitution(json_path(path), value, (value,) if value else ())
        return value

    def _file_value(self, argument: str, path: Path, doc: _Document) -> str | None:
        target = _relative_to(doc, argument)
        try:
            text = read_text(
                target, self._display(target), path=json_path(path), referrer=doc.display
            )
        except ConfigError as exc:
            self._absorb(exc)
            return None
        self._substitutions[path] = Substitution(json_path(path), text, (text,) if text else ())
        return text

    def _include(self, argument: str, path: Path, doc: _Document) -> Any:
        file_part, _, key_part = argument.partition("#")
        target = _relative_to(doc, file_part)
        display = self._display(target)
        as_json = _INCLUDE_PARSERS.get(target.suffix.lower())
        if as_json is None:
            fix = "Include a .yaml, .yml or .json file, or use $file to read text."
            self._report(
                path, doc, f"cannot include {display}: unsupported file type {target.suffix!r}", fix
            )
            return None
        if target in self._includes:
            chain = " -> ".join(self._display(file) for file in [*self._includes, target])
            self._report(
                path, doc, f"include cycle: {chain}", "Remove one of the $include directives."
            )
            return None
        try:
            text = read_text(target, display, path=json_path(path), referrer=doc.display)
            value = parse_document(text, display, as_json=as_json)
        except ConfigError as exc:
            self._absorb(exc)
            return None
        for part in key_part.split(".") if key_part else ():
            if not isinstance(value, dict) or part not in value:
                fix = "Check the key path after '#'; it is a dot path into the included file."
                self._report(
                    path, doc, f"included file {display} has no value at {key_part!r}", fix
                )
                return None
            value = value[part]
        self._includes.append(target)
        try:
            return self._value(value, path, _Document(target, display))
        finally:
            self._includes.pop()

    def _absorb(self, error: ConfigError) -> None:
        self.issues.extend(error.issues)
        if error.hint and error.hint not in self.hints:
            self.hints.append(error.hint)


def _relative_to(doc: _Document, argument: str) -> FsPath:
    return FsPath(os.path.normpath(doc.file.parent / argument.strip()))
