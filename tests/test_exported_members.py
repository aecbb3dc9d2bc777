"""The public surfaces: each __all__ is sorted, complete and names only real members."""

from __future__ import annotations

import importlib
import types

import pytest

PUBLIC_MODULES = ["greenroom", "greenroom.dev", "greenroom.dynamic", "greenroom.testing"]


@pytest.fixture(params=PUBLIC_MODULES)
def surface(request: pytest.FixtureRequest) -> types.ModuleType:
    """Each public module in turn."""
    return importlib.import_module(request.param)


def test_every_name_in_all_exists(surface: types.ModuleType) -> None:
    """Each name listed in __all__ is an attribute of the module."""
    missing = [name for name in surface.__all__ if not hasattr(surface, name)]
    assert missing == []


def test_all_is_sorted_without_duplicates(surface: types.ModuleType) -> None:
    """__all__ is sorted (one import per line, easy to review) and lists each name once."""
    assert surface.__all__ == sorted(set(surface.__all__))


def test_every_public_member_is_in_all(surface: types.ModuleType) -> None:
    """Every public attribute that is not a submodule is exported through __all__."""
    public = {
        name
        for name, value in vars(surface).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - set(surface.__all__) == set()
