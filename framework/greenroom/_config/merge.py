"""Merging config sources: later sources win, mappings merge deeply, arrays are replaced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from greenroom._config.layer import Layer, Substitution, iter_nodes
from greenroom._config.paths import Path

__all__ = ["merge_layers", "merge_values"]


def merge_values(base: Any, overlay: Any) -> Any:
    """Merge ``overlay`` onto ``base`` the way Backstage merges app-config files.

    Two mappings merge key by key, recursively; anything else in ``overlay``
    (a scalar, ``null`` or an array) replaces what ``base`` held, so arrays are
    never concatenated. Neither argument is changed; the result may share
    untouched subtrees with them.
    """
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = merge_values(base[key], value) if key in base else value
        return merged
    return overlay


def merge_layers(layers: Sequence[Layer]) -> Layer:
    """Merge ``layers`` in order (the last wins) and work out where each value came from.

    A node's provenance is that of the last layer holding a node at the same
    path: a later layer either replaced the node there or, for mappings,
    merged into it, so it is the layer that last wrote it.
    """
    data: dict[str, Any] = {}
    for layer in layers:
        data = merge_values(data, layer.data)
    origins: dict[Path, str | None] = {}
    substitutions: dict[Path, Substitution] = {}
    for path, _ in iter_nodes(data):
        for layer in reversed(layers):
            if path in layer.origins:
                origins[path] = layer.origins[path]
                if path in layer.substitutions:
                    substitutions[path] = layer.substitutions[path]
                break
        else:
            origins[path] = None  # only the root of an empty merge has no layer
    return Layer(data, origins, substitutions)
