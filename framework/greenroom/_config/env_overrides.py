"""``APP_CONFIG_<path>`` environment variables: config values set from the environment."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, NoReturn

from greenroom._config.layer import Layer, iter_nodes
from greenroom._config.paths import KEY_RULE, is_valid_key, json_path
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["ENV_PREFIX", "read_env_overrides"]

ENV_PREFIX: Final = "APP_CONFIG_"

# One part of the name between underscores: a key part without '_' joins.
_NAME_PART: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*", re.IGNORECASE)

_HINT: Final = (
    "APP_CONFIG_backend_listen_port=7008 sets backend.listen.port: the name after "
    "APP_CONFIG_ is the key path with '_' for '.', and keys are case-sensitive."
)


def read_env_overrides(env: Mapping[str, str]) -> Layer:
    """Build the layer set by the ``APP_CONFIG_*`` variables in ``env``.

    As in Backstage, each value is parsed as JSON when it parses and kept as a
    string otherwise, and empty values are ignored. Every problem is collected
    and raised as one :class:`ConfigError`.
    """
    data: dict[str, Any] = {}
    issues: list[ConfigIssue] = []
    # Sorted so that a parent (APP_CONFIG_a) is always seen before its children (APP_CONFIG_a_b).
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or not env[name]:
            continue
        parts = name[len(ENV_PREFIX) :].split("_")
        if not all(_NAME_PART.fullmatch(part) for part in parts):
            issues.append(
                ConfigIssue(
                    f"invalid environment variable name {name!r}: each '_'-separated part after "
                    f"{ENV_PREFIX} must start with a letter and hold only letters, digits and '-'",
                    json_path(tuple(parts)),
                )
            )
            continue
        issue = _set(data, parts, name, _parse(env[name]))
        if issue is not None:
            issues.append(issue)
    if issues:
        raise ConfigError(issues, hint=_HINT)
    return Layer.uniform(data, None)


def _set(data: dict[str, Any], parts: list[str], name: str, value: Any) -> ConfigIssue | None:
    path = json_path(tuple(parts))
    if value is None:
        return ConfigIssue(f"{name} may not be null; leave the variable unset instead", path)
    for node_path, node in iter_nodes(value):
        if isinstance(node, dict):
            bad = [key for key in node if not is_valid_key(key)]
            if bad:
                where = json_path((*parts, *node_path, str(bad[0])))
                return ConfigIssue(
                    f"invalid key {bad[0]!r} in the JSON value of {name}: {KEY_RULE}", where
                )
    target = data
    for index, part in enumerate(parts[:-1]):
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            parent = ENV_PREFIX + "_".join(parts[: index + 1])
            return ConfigIssue(f"cannot set {name} inside the non-object value of {parent}", path)
        target = child
    if parts[-1] in target:
        return ConfigIssue(
            f"{name} sets a value already set by another {ENV_PREFIX} variable", path
        )
    target[parts[-1]] = value
    return None


def _parse(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _reject_constant(constant: str) -> NoReturn:
    # NaN and Infinity are not JSON (JavaScript's JSON.parse rejects them), so they stay strings.
    raise ValueError(constant)
