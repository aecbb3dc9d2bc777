"""``Config``: typed, provenance-aware read access to the merged configuration."""

from __future__ import annotations

import copy
import math
import pathlib
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar, final

from greenroom._config.data import from_python
from greenroom._config.layer import Layer, Substitution
from greenroom._config.paths import Path, json_path, split_key, type_name
from greenroom._errors import ConfigError, ConfigIssue

if TYPE_CHECKING:
    from greenroom._api.services.config import ConfigService

__all__ = ["Config"]

_T = TypeVar("_T")
_MISSING: Final[Any] = object()
_INTEGER: Final = re.compile(r"[+-]?\d+")
_DECIMAL: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_MISSING_HINT: Final = "Add the value to a config file, or set it with an APP_CONFIG_ variable."


@final
class Config:
    """The merged configuration, or a part of it, with Backstage's accessors in snake_case.

    Keys are dot paths relative to this object; error messages always show
    the absolute path and the file a value came from:
    ``invalid type: wanted number, got string @ app-config.yaml:$.backend.listen.port``.
    Build one with :func:`~greenroom._config.load_config` or :meth:`from_data`.
    """

    __slots__ = ("_data", "_layer", "_prefix")

    def __init__(self, layer: Layer, prefix: Path = ()) -> None:
        self._layer = layer
        self._prefix = prefix
        node: Any = layer.data
        for part in prefix:
            node = node[part]
        self._data: dict[str, Any] = node

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, file: str | None = None) -> Config:
        """Build a config from JSON-like ``data``; every value's origin is ``file``.

        No substitution is done. Mappings, lists and tuples are copied; a key
        that is not a valid config key or a value that is not JSON-like is a
        :class:`ConfigError` listing every such problem.
        """
        return cls(Layer.uniform(from_python(data, file), file))

    def __repr__(self) -> str:
        return f"Config({json_path(self._prefix)}, keys={self.keys()!r})"

    # -- untyped access ---------------------------------------------------

    def get(self, key: str | None = None) -> Any:
        """The value at ``key`` (this whole object when None), as a deep copy."""
        return copy.deepcopy(self._require(key)[1])

    def get_optional(self, key: str | None = None) -> Any:
        """The value at ``key`` as a deep copy, or None when it is missing."""
        value = self._read(key)[1]
        return None if value is _MISSING else copy.deepcopy(value)

    def has(self, key: str) -> bool:
        """Whether a value (``null`` included) is set at ``key``."""
        return self._read(key)[1] is not _MISSING

    def keys(self) -> list[str]:
        """The keys of this object, in file order."""
        return list(self._data)

    def as_dict(self) -> dict[str, Any]:
        """A deep copy of this object's data."""
        return copy.deepcopy(self._data)

    # -- typed access -----------------------------------------------------

    def get_string(self, key: str) -> str:
        """The non-empty string at ``key``."""
        return self._required(self.get_optional_string(key), key)

    def get_optional_string(self, key: str) -> str | None:
        """The non-empty string at ``key``, or None when missing; ``""`` is a type error."""
        path, value = self._read(key)
        if value is _MISSING:
            return None
        if isinstance(value, str) and value:
            return value
        raise self._type_error(path, value, "string")

    def get_number(self, key: str) -> int | float:
        """The number at ``key``; numeric strings such as ``"7007"`` are converted."""
        return self._required(self.get_optional_number(key), key)

    def get_optional_number(self, key: str) -> int | float | None:
        """The number at ``key`` (numeric strings converted), or None when missing."""
        path, value = self._read(key)
        if value is _MISSING:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return value
        if isinstance(value, str):
            text = value.strip()
            if _INTEGER.fullmatch(text):
                return int(text)
            if _DECIMAL.fullmatch(text) and math.isfinite(number := float(text)):
                return number
            raise self._conversion_error(path, value, "number")
        raise self._type_error(path, value, "number")

    def get_boolean(self, key: str) -> bool:
        """The boolean at ``key``; the strings ``"true"``/``"false"`` (any case) are converted."""
        return self._required(self.get_optional_boolean(key), key)

    def get_optional_boolean(self, key: str) -> bool | None:
        """The boolean at ``key`` (``"true"``/``"false"`` converted), or None when missing."""
        path, value = self._read(key)
        if value is _MISSING or isinstance(value, bool):
            return None if value is _MISSING else value
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("true", "false"):
                return text == "true"
            raise self._conversion_error(path, value, "boolean")
        raise self._type_error(path, value, "boolean")

    def get_config(self, key: str) -> Config:
        """The object at ``key`` as a Config; its messages keep absolute paths."""
        return self._required(self.get_optional_config(key), key)

    def get_optional_config(self, key: str) -> Config | None:
        """The object at ``key`` as a Config, or None when missing."""
        path, value = self._read(key)
        if value is _MISSING:
            return None
        if isinstance(value, dict):
            return Config(self._layer, path)
        raise self._type_error(path, value, "object")

    def get_config_array(self, key: str) -> list[ConfigService]:
        """The array of objects at ``key``, each as a Config."""
        return self._required(self.get_optional_config_array(key), key)

    def get_optional_config_array(self, key: str) -> list[ConfigService] | None:
        """The array of objects at ``key``, each as a Config, or None when missing."""
        path, value = self._read(key)
        if value is _MISSING:
            return None
        self._check_array(path, value, "object-array", lambda item: isinstance(item, dict))
        return [Config(self._layer, (*path, index)) for index in range(len(value))]

    def get_string_array(self, key: str) -> list[str]:
        """The array of non-empty strings at ``key``."""
        return self._required(self.get_optional_string_array(key), key)

    def get_optional_string_array(self, key: str) -> list[str] | None:
        """The array of non-empty strings at ``key``, or None when missing."""
        path, value = self._read(key)
        if value is _MISSING:
            return None
        self._check_array(path, value, "string-array", lambda item: isinstance(item, str) and item)
        return list(value)

    # -- provenance -------------------------------------------------------

    @property
    def files(self) -> tuple[pathlib.Path, ...]:
        """The config files that were loaded, as absolute paths in load order."""
        return self._layer.files

    def origin(self, key: str | None = None) -> str | None:
        """The file the value at ``key`` came from; None for the environment and code."""
        return self._layer.origins.get(self._require(key)[0])

    def issue(self, key: str | None, description: str) -> ConfigIssue:
        """A :class:`ConfigIssue` about the value at ``key``, located by path and file.

        For plugins that validate config further: ``raise ConfigError(config.issue(
        "port", "must be between 1 and 65535"))``.
        """
        path = (*self._prefix, *split_key(key, self._prefix)) if key is not None else self._prefix
        return ConfigIssue(description, json_path(path), self._layer.origins.get(path))

    def substitutions(self) -> tuple[Substitution, ...]:
        """The values in this object filled in by ``${VAR}``, ``$env`` or ``$file``."""
        size = len(self._prefix)
        return tuple(
            substitution
            for path, substitution in self._layer.substitutions.items()
            if path[:size] == self._prefix
        )

    def substituted_values(self) -> dict[str, str]:
        """Map the JSON path of each substituted value in this object to its string value."""
        return {item.path: item.value for item in self.substitutions()}

    # -- internals --------------------------------------------------------

    def _read(self, key: str | None) -> tuple[Path, Any]:
        """Return the absolute path of ``key`` and its value, or ``_MISSING``."""
        parts = split_key(key, self._prefix) if key is not None else ()
        node: Any = self._data
        for depth, part in enumerate(parts):
            if not isinstance(node, dict):
                raise self._type_error((*self._prefix, *parts[:depth]), node, "object")
            node = node.get(part, _MISSING)
            if node is _MISSING:
                break
        return (*self._prefix, *parts), node

    def _require(self, key: str | None) -> tuple[Path, Any]:
        path, value = self._read(key)
        if value is _MISSING:
            raise ConfigError(
                ConfigIssue("missing required config value", json_path(path)), hint=_MISSING_HINT
            )
        return path, value

    def _required(self, value: _T | None, key: str) -> _T:
        if value is None:  # typed getters only return None for a missing key
            self._require(key)
            raise AssertionError(f"unreachable: {key!r} is missing but _require did not raise")
        return value

    def _check_array(
        self, path: Path, value: Any, expected: str, valid: Callable[[Any], object]
    ) -> None:
        if not isinstance(value, list):
            raise self._type_error(path, value, expected)
        for index, item in enumerate(value):
            if not valid(item):
                raise self._type_error((*path, index), item, expected)

    def _type_error(self, path: Path, value: Any, expected: str) -> ConfigError:
        description = f"invalid type: wanted {expected}, got {type_name(value)}"
        return ConfigError(ConfigIssue(description, json_path(path), self._layer.origins.get(path)))

    def _conversion_error(self, path: Path, value: str, expected: str) -> ConfigError:
        description = f"invalid value: cannot convert {type_name(value)} to a {expected}"
        return ConfigError(ConfigIssue(description, json_path(path), self._layer.origins.get(path)))


if TYPE_CHECKING:
    _conforms: ConfigService = Config(Layer({}))
