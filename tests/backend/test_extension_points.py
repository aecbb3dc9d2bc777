"""Extension point handles: ids, reprs, typing spelling and identity."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from greenroom import ExtensionPoint


def test_repr_shows_the_id() -> None:
    """The repr is ExtensionPoint('<id>'), as error messages show it."""
    assert repr(ExtensionPoint("catalog.processing")) == "ExtensionPoint('catalog.processing')"


def test_typed_spelling_is_the_same_extension_point_kind() -> None:
    """ExtensionPoint[T](...) builds an ExtensionPoint with the same id and repr."""
    ext = ExtensionPoint[list[str]]("catalog.processing")
    assert isinstance(ext, ExtensionPoint)
    assert ext.id == "catalog.processing"
    assert ext.plugin_id == "catalog"
    assert repr(ext) == "ExtensionPoint('catalog.processing')"


@pytest.mark.parametrize(
    "ext_id", ["catalog.processing", "tech-docs.preparers", "catalog.a.b", "search.Collators"]
)
def test_valid_ids_are_a_plugin_id_a_dot_and_a_name(ext_id: str) -> None:
    """'<pluginId>.<name>' with a kebab-case plugin id is accepted."""
    assert ExtensionPoint(ext_id).id == ext_id


@pytest.mark.parametrize(
    "ext_id", ["catalog", "catalog.", ".processing", "Catalog.processing", "my_plugin.x", "", 7]
)
def test_invalid_ids_are_refused_with_the_rule(ext_id: Any) -> None:
    """Ids without '<pluginId>.<name>' shape are refused with an example."""
    with pytest.raises(ValueError) as info:
        ExtensionPoint(ext_id)
    assert str(info.value) == (
        f"invalid extension point id {ext_id!r}: it must be '<pluginId>.<name>' with a "
        "kebab-case plugin id, for example 'catalog.processing'"
    )


def test_extension_points_compare_by_identity() -> None:
    """Two handles with one id are different extension points."""
    first = ExtensionPoint("catalog.processing")
    second = ExtensionPoint("catalog.processing")
    assert first != second
    assert first == first
    assert len({first, second}) == 2


def test_extension_point_pickles_by_id() -> None:
    """A pickled handle comes back with the same id (for multiprocessing and caches)."""
    restored = pickle.loads(pickle.dumps(ExtensionPoint[int]("catalog.processing")))
    assert repr(restored) == "ExtensionPoint('catalog.processing')"
