"""Checking and copying config data built in code (``Config.from_data``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from greenroom._config.paths import KEY_RULE, Path, is_valid_key, json_path, type_name
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["from_python"]


def from_python(data: Mapping[str, Any], file: str | None = None) -> dict[str, Any]:
    """Copy ``data`` into plain dicts and lists, checking it is valid config.

    Mappings become dicts, lists and tuples become lists; keys must be valid
    config keys and values JSON-like (str, finite int/float, bool, None).
    Every problem is reported at once, located in ``file`` when given.
    """
    issues: list[ConfigIssue] = []
    result = _copy(data, (), file, issues)
    if issues:
        raise ConfigError(
            issues,
            hint="Config data holds mappings with valid keys, lists, strings, numbers, "
            "booleans and None, as JSON does.",
        )
    if not isinstance(result, dict):
        raise ConfigError(
            ConfigIssue(f"config data must be a mapping, got {type_name(result)}", "$", file)
        )
    return result


def _copy(value: Any, path: Path, file: str | None, issues: list[ConfigIssue]) -> Any:
    if isinstance(value, Mapping):
        copied: dict[str, Any] = {}
        for key, item in value.items():
            if is_valid_key(key):
                copied[key] = _copy(item, (*path, key), file, issues)
            else:
                issues.append(
                    ConfigIssue(
                        f"invalid key {key!r}: {KEY_RULE}", json_path((*path, str(key))), file
                    )
                )
        return copied
    if isinstance(value, list | tuple):
        return [_copy(item, (*path, index), file, issues) for index, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        issues.append(
            ConfigIssue(f"invalid number {value}: numbers must be finite", json_path(path), file)
        )
    elif value is not None and not isinstance(value, str | bool | int | float):
        description = f"unsupported value of type {type(value).__name__}: config values are JSON"
        issues.append(ConfigIssue(description, json_path(path), file))
    return value
