"""Checking dependencies before any init runs: extension points, missing services, orphans."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from greenroom import (
    BackendModule,
    BackendPlugin,
    DependencyError,
    ExtensionPoint,
    ServiceRef,
    create_backend,
)

pytestmark = pytest.mark.anyio

MakePlugin = Callable[..., BackendPlugin]
MakeModule = Callable[..., BackendModule]

processing = ExtensionPoint[list[str]]("catalog.processing")


async def dependency_error(*features: Any) -> DependencyError:
    """Start a backend with ``features`` and return the dependency error it raises."""
    backend = create_backend(config={}, features=features)
    with pytest.raises(DependencyError) as info:
        await backend.start()
    await backend.stop()
    return info.value


async def test_module_uses_its_plugins_extension_point(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """A module receives the object its plugin registered for the extension point."""
    processors: list[str] = []
    seen: list[list[str]] = []

    def add_processor(ext: list[str]) -> None:
        ext.append("yaml")
        seen.append(ext)

    backend = create_backend(
        config={},
        features=[
            make_plugin("catalog", extension_points={processing: processors}),
            make_module("catalog", "yaml", add_processor, deps={"ext": processing}),
        ],
    )
    await backend.start()
    assert seen == [processors]
    assert processors == ["yaml"]
    await backend.stop()


async def test_module_cannot_use_another_plugins_extension_point(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """A module may only depend on extension points of its own plugin."""
    error = await dependency_error(
        make_plugin("catalog", extension_points={processing: []}),
        make_plugin("search"),
        make_module("search", "collator", deps={"ext": processing}),
    )
    assert error.problems == (
        "module 'collator' for plugin 'search' depends on ExtensionPoint('catalog.processing') "
        "(argument 'ext') of plugin 'catalog': a module may only use the extension points of "
        "its own plugin 'search'",
    )


async def test_plugin_cannot_depend_on_an_extension_point(make_plugin: MakePlugin) -> None:
    """Only modules depend on extension points; a plugin uses its own object directly."""
    error = await dependency_error(
        make_plugin("catalog", deps={"ext": processing}, extension_points={processing: []})
    )
    assert error.problems == (
        "plugin 'catalog' depends on ExtensionPoint('catalog.processing') (argument 'ext'): "
        "only modules may depend on extension points; a plugin uses its own implementation "
        "directly",
    )


async def test_extension_point_nobody_registered_is_reported(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """Depending on an extension point that no installed feature offers is an error."""
    error = await dependency_error(
        make_plugin("catalog"), make_module("catalog", "yaml", deps={"ext": processing})
    )
    (problem,) = error.problems
    assert problem.startswith(
        "module 'yaml' for plugin 'catalog' depends on ExtensionPoint('catalog.processing') "
        "(argument 'ext'), which no plugin or module registered"
    )


async def test_extension_point_registered_by_two_features_is_reported(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """One extension point object offered by two features is ambiguous and refused."""
    error = await dependency_error(
        make_plugin("catalog", extension_points={processing: []}),
        make_module("catalog", "copy", extension_points={processing: []}),
    )
    assert (
        "ExtensionPoint('catalog.processing') is registered by both plugin 'catalog' and "
        "module 'copy' for plugin 'catalog'"
    ) in error.problems


async def test_modules_depending_on_each_others_extension_points_are_a_cycle(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """Two modules that each consume the other's extension point cannot be ordered."""
    first = ExtensionPoint[list[str]]("catalog.first")
    second = ExtensionPoint[list[str]]("catalog.second")
    error = await dependency_error(
        make_plugin("catalog"),
        make_module("catalog", "one", deps={"ext": second}, extension_points={first: []}),
        make_module("catalog", "two", deps={"ext": first}, extension_points={second: []}),
    )
    (problem,) = error.problems
    assert problem.startswith(
        "modules of plugin 'catalog' depend on each other's extension points: module '"
    )


async def test_missing_dependencies_are_listed_all_at_once(make_plugin: MakePlugin) -> None:
    """Two missing services in two plugins are both reported by one DependencyError."""
    tokens = ServiceRef[str]("test.tokens")
    database = ServiceRef[str]("test.database", scope="root")
    error = await dependency_error(
        make_plugin("catalog", deps={"tokens": tokens}),
        make_plugin("search", deps={"db": database}),
    )
    assert error.problems == (
        "plugin 'catalog' depends on ServiceRef('test.tokens') (argument 'tokens'), which no "
        "service factory provides: add one with backend.add(ServiceFactory(...))",
        "plugin 'search' depends on ServiceRef('test.database') (argument 'db'), which no "
        "service factory provides: add one with backend.add(ServiceFactory(...))",
    )
    assert str(error).startswith("missing or invalid dependencies:\n  plugin 'catalog' depends")
    assert "\n  plugin 'search' depends on ServiceRef('test.database')" in str(error)


async def test_no_init_runs_when_a_dependency_is_missing(make_plugin: MakePlugin) -> None:
    """Dependencies are checked before any init, so nothing half-starts."""
    inits: list[str] = []
    await dependency_error(
        make_plugin("catalog", lambda: inits.append("catalog")),
        make_plugin("search", lambda db: None, deps={"db": ServiceRef("test.database")}),
    )
    assert inits == []


async def test_module_whose_plugin_is_missing_is_skipped_with_a_warning(
    make_plugin: MakePlugin, make_module: MakeModule, caplog: pytest.LogCaptureFixture
) -> None:
    """An orphan module is not started, a warning names it, and the backend still starts."""
    inits: list[str] = []
    backend = create_backend(
        config={},
        features=[
            make_plugin("catalog", lambda: inits.append("catalog")),
            make_module("search", "collator", lambda: inits.append("collator")),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="greenroom"):
        await backend.start()
    assert inits == ["catalog"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "module 'collator' for plugin 'search' is skipped: its plugin 'search' is not "
        "installed or not enabled"
    ]
    assert warnings[0].name == "greenroom.backend"
    await backend.stop()


def test_dependency_error_is_a_lookup_error() -> None:
    """DependencyError refines LookupError, keeping its problems as a tuple."""
    error = DependencyError("summary", ["a", "b"])
    assert isinstance(error, LookupError)
    assert error.problems == ("a", "b")
