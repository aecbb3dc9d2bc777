"""Merging config sources: properties of merge_values and provenance through merge_layers."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from greenroom._config.layer import Layer, iter_nodes
from greenroom._config.merge import merge_layers, merge_values

KEYS = st.sampled_from(["a", "b", "c", "d"])
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)
CONFIGS = st.dictionaries(KEYS, VALUES, max_size=4)
_UNTOUCHED = object()

# Configs of one shape: keys "m*" always hold mappings, keys "v*" never do. Merging is
# associative only then; a scalar between two mappings cuts off the earlier one.
_LEAVES = SCALARS | st.lists(SCALARS, max_size=3)
SHAPED = st.recursive(
    st.dictionaries(st.sampled_from(["v1", "v2"]), _LEAVES, max_size=2),
    lambda inner: st.dictionaries(st.sampled_from(["m1", "m2"]), inner, max_size=2).flatmap(
        lambda mappings: st.dictionaries(st.sampled_from(["v1", "v2"]), _LEAVES, max_size=2).map(
            lambda leaves: {**mappings, **leaves}
        )
    ),
    max_leaves=10,
)


def leaves(value: Any) -> dict[tuple[str | int, ...], Any]:
    """Map the path of every non-mapping node to its value (arrays count as leaves)."""
    found: dict[tuple[str | int, ...], Any] = {}
    for path, node in iter_nodes(value):
        if not isinstance(node, dict) and not any(
            isinstance(parent, list) for parent in _parents(value, path)
        ):
            found[path] = node
    return found


def _parents(root: Any, path: tuple[str | int, ...]) -> list[Any]:
    nodes, node = [], root
    for part in path[:-1]:
        node = node[part]
        nodes.append(node)
    return nodes


@given(CONFIGS)
def test_empty_config_is_an_identity(config: dict[str, Any]) -> None:
    """Merging with an empty config on either side changes nothing."""
    assert merge_values({}, config) == config
    assert merge_values(config, {}) == config


@given(CONFIGS, CONFIGS)
def test_later_config_wins_on_every_leaf(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    """Every scalar and array of the later config is in the result unchanged."""
    merged = merge_values(base, overlay)
    for path, value in leaves(overlay).items():
        assert _at(merged, path) == value


@given(CONFIGS, CONFIGS)
def test_arrays_are_replaced_not_concatenated(
    base: dict[str, Any], overlay: dict[str, Any]
) -> None:
    """An array in the later config replaces whatever the earlier one had there."""
    merged = merge_values(base, overlay)
    for path, node in iter_nodes(overlay):
        if isinstance(node, list):
            assert _at(merged, path) == node


@given(CONFIGS, CONFIGS)
def test_deep_merge_keeps_untouched_keys(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    """Keys the later config does not mention keep their earlier values, however deep."""
    merged = merge_values(base, overlay)
    for path, value in leaves(base).items():
        if _reaches_through_mappings(overlay, path) is _UNTOUCHED:
            assert _at(merged, path) == value


@given(CONFIGS, CONFIGS)
def test_merge_does_not_change_its_arguments(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    """merge_values leaves both inputs as they were."""
    before = (repr(base), repr(overlay))
    merge_values(base, overlay)
    assert (repr(base), repr(overlay)) == before


@given(SHAPED, SHAPED, SHAPED)
def test_merge_is_associative_for_configs_of_one_shape(
    first: dict[str, Any], second: dict[str, Any], third: dict[str, Any]
) -> None:
    """For configs that agree on which keys hold mappings, merge order of grouping is irrelevant."""
    left = merge_values(merge_values(first, second), third)
    right = merge_values(first, merge_values(second, third))
    assert left == right


def test_scalar_between_mappings_breaks_associativity() -> None:
    """A scalar in the middle config drops the first config's mapping, as Backstage does."""
    first, second, third = {"a": {"x": 1}}, {"a": 5}, {"a": {"y": 2}}
    assert merge_values(merge_values(first, second), third) == {"a": {"y": 2}}
    assert merge_values(first, merge_values(second, third)) == {"a": {"x": 1, "y": 2}}


@given(st.lists(CONFIGS, min_size=1, max_size=4))
def test_provenance_names_the_layer_that_wrote_each_value(configs: list[dict[str, Any]]) -> None:
    """After merging, each leaf's origin is the layer its value came from."""
    tagged = [_tag(config, f"layer{index}") for index, config in enumerate(configs)]
    merged = merge_layers([Layer.uniform(data, f"layer{i}") for i, data in enumerate(tagged)])
    assert merged.data == _fold(tagged)
    for path, node in iter_nodes(merged.data):
        if isinstance(node, str):  # every tagged scalar is its layer's name
            assert merged.origins[path] == node
        assert path in merged.origins


def _tag(value: Any, name: str) -> Any:
    """Replace every scalar in ``value`` with ``name``."""
    if isinstance(value, dict):
        return {key: _tag(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_tag(item, name) for item in value]
    return name


def _fold(configs: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for config in configs:
        result = merge_values(result, config)
    return result


def _at(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _reaches_through_mappings(overlay: Any, path: tuple[str | int, ...]) -> Any:
    """The overlay node that replaces something on ``path``, or _UNTOUCHED if there is none."""
    node = overlay
    for part in path:
        if not isinstance(node, dict):
            return node
        if part not in node:
            return _UNTOUCHED
        node = node[part]
    return node
