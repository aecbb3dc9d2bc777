"""Key paths: validating config keys, rendering paths as ``$.a.b[0].c``, naming value types."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from greenroom._errors import ConfigError, ConfigIssue

__all__ = [
    "KEY_PATTERN",
    "KEY_RULE",
    "Path",
    "is_valid_key",
    "json_path",
    "split_key",
    "type_name",
]

#: A location in the config tree: mapping keys and array indexes from the root.
Path = tuple[str | int, ...]

#: Backstage's ``CONFIG_KEY_PART_PATTERN``, so that keys mean the same in both worlds.
KEY_PATTERN: Final = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z][a-z0-9]*)*$", re.IGNORECASE)

KEY_RULE: Final = (
    "keys start with a letter and contain letters and digits, optionally joined by single "
    "'-' or '_' (e.g. 'baseUrl', 'client-id', 'max_age')"
)


def is_valid_key(key: object) -> bool:
    """Whether ``key`` is a string Backstage accepts as one part of a config key."""
    return isinstance(key, str) and KEY_PATTERN.fullmatch(key) is not None


def json_path(path: Path) -> str:
    """Render ``path`` as ``$.backend.listen.port`` / ``$.a.b[0].c``.

    Keys that are not valid config keys (only seen in error messages about
    them) are quoted, ``$.a["bad key"]``, so that the path stays unambiguous.
    """
    parts = ["$"]
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif is_valid_key(part):
            parts.append(f".{part}")
        else:
            parts.append(f"[{json.dumps(str(part))}]")
    return "".join(parts)


def split_key(key: str, prefix: Path = ()) -> tuple[str, ...]:
    """Split the dot path ``key`` into its parts, raising when a part is not a valid key."""
    parts = tuple(key.split("."))
    if all(is_valid_key(part) for part in parts):
        return parts
    raise ConfigError(
        ConfigIssue(f"invalid config key {key!r}: {KEY_RULE}", json_path(prefix)),
        hint="Config keys are dot-separated paths such as 'backend.listen.port'.",
    )


def type_name(value: Any) -> str:
    """Name the JSON type of ``value`` the way Backstage's config reader does."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "number"
    if isinstance(value, float):
        return "number" if math.isfinite(value) else "nan"
    if isinstance(value, str):
        return "string" if value else "empty-string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
