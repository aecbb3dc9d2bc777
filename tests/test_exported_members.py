"""The public API: greenroom.__all__ is sorted, complete and names only real members."""

from __future__ import annotations

import types

import greenroom


def test_every_name_in_all_exists() -> None:
    """Each name listed in __all__ is an attribute of the package."""
    missing = [name for name in greenroom.__all__ if not hasattr(greenroom, name)]
    assert missing == []


def test_all_is_sorted_without_duplicates() -> None:
    """__all__ is sorted (one import per line, easy to review) and lists each name once."""
    assert greenroom.__all__ == sorted(set(greenroom.__all__))


def test_every_public_member_is_in_all() -> None:
    """Every public attribute that is not a submodule is exported through __all__."""
    public = {
        name
        for name, value in vars(greenroom).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - set(greenroom.__all__) == set()
