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


def test_the_package_imports_its_names_on_first_use() -> None:
    """``import greenroom`` loads no server stack: every CLI command starts without it."""
    import subprocess
    import sys

    code = (
        "import sys, greenroom; "
        "print(' '.join(m for m in ('starlette', 'uvicorn', 'pluggy', 'attrs', 'jsonschema') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


def test_each_lazy_name_is_the_object_its_module_defines() -> None:
    """``greenroom.<name>`` is the very object of the private module it comes from."""
    import greenroom

    sources: dict[str, str] = greenroom._SOURCES  # type: ignore[attr-defined]
    assert set(sources) | {"__version__"} == set(greenroom.__all__)
    for name, module in sources.items():
        assert getattr(greenroom, name) is getattr(importlib.import_module(module), name), name
    with pytest.raises(AttributeError, match="no attribute 'NotAName'"):
        greenroom.NotAName  # type: ignore[attr-defined]  # noqa: B018
    assert "BackendPlugin" in dir(greenroom)
