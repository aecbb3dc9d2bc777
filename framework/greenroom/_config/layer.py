"""The values passed between loading steps: one config source with its provenance."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import field, frozen

from greenroom._config.paths import Path

__all__ = ["Layer", "Substitution", "iter_nodes"]


@frozen
class Substitution:
    """A string value that was filled in from outside the config files.

    ``path`` is the JSON path of the value (``$.backend.auth.secret``),
    ``value`` the final string stored there and ``inserted`` the pieces that
    came from environment variables (``${VAR}``, ``$env``) or files (``$file``),
    so that a redacting logger can hide secrets that are part of a longer
    string such as a connection URL.
    """

    path: str
    value: str
    inserted: tuple[str, ...] = ()


@frozen
class Layer:
    """One source of config (a file, the environment, code) after substitution.

    ``origins`` maps the path of every node in ``data`` (containers included,
    the root is ``()``) to the file it came from, or None for the environment
    and code. ``substitutions`` holds the string values filled in from outside.
    ``files`` are the absolute paths of the config files read, in load order.
    """

    data: dict[str, Any]
    origins: Mapping[Path, str | None] = field(factory=dict)
    substitutions: Mapping[Path, Substitution] = field(factory=dict)
    files: tuple[pathlib.Path, ...] = ()

    @classmethod
    def uniform(cls, data: dict[str, Any], origin: str | None) -> Layer:
        """A layer whose every value comes from the one source ``origin``."""
        return cls(data, {path: origin for path, _ in iter_nodes(data)})


def iter_nodes(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Yield ``(path, node)`` for ``value`` and everything inside it, parents first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_nodes(item, (*path, index))
