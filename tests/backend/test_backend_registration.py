"""Registering features: ids, the register hook (pluggy validation) and the env's rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy
import pytest

from greenroom import (
    BackendModule,
    BackendPlugin,
    ExtensionPoint,
    FeatureRegistrationError,
    GreenroomError,
    ServiceFactory,
    ServiceRef,
    core_services,
    create_backend,
    hookimpl,
)

pytestmark = pytest.mark.anyio


async def registration_error(*features: Any) -> FeatureRegistrationError:
    """Start a backend with ``features`` and return the registration error it raises."""
    backend = create_backend(config={}, features=features)
    with pytest.raises(FeatureRegistrationError) as info:
        await backend.start()
    await backend.stop()
    return info.value


class CatalogPlugin(BackendPlugin):
    plugin_id = "catalog"
    inits = 0

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(self.init)

    def init(self) -> None:
        type(self).inits += 1


@pytest.mark.parametrize("plugin_id", ["catalog", "yaml-files", "a1", "tech-docs-v2"])
async def test_kebab_case_plugin_ids_are_accepted(
    plugin_id: str, make_plugin: Callable[..., BackendPlugin]
) -> None:
    """Lower-case words of letters and digits joined by single dashes are valid plugin ids."""
    backend = create_backend(config={}, features=[make_plugin(plugin_id)])
    await backend.start()
    assert list(backend.plugins) == [plugin_id]
    await backend.stop()


@pytest.mark.parametrize(
    "plugin_id",
    ["Catalog", "yaml_files", "tech--docs", "-catalog", "catalog-", "1st", "docs-2", ""],
)
async def test_plugin_ids_must_be_kebab_case(
    plugin_id: str, make_plugin: Callable[..., BackendPlugin]
) -> None:
    """A plugin id that is not kebab-case is refused with the rule and an example."""
    error = await registration_error(make_plugin(plugin_id))
    assert f"has an invalid plugin_id {plugin_id!r}: ids must be kebab-case" in str(error)
    assert "for example 'catalog' or 'yaml-files'" in str(error)


@pytest.mark.parametrize("module_id", ["YamlFiles", "yaml_files", "yaml.files"])
async def test_module_ids_must_be_kebab_case(
    module_id: str,
    make_plugin: Callable[..., BackendPlugin],
    make_module: Callable[..., BackendModule],
) -> None:
    """A module id that is not kebab-case is refused, naming the module id."""
    error = await registration_error(make_plugin("catalog"), make_module("catalog", module_id))
    assert f"has an invalid module_id {module_id!r}: ids must be kebab-case" in str(error)


async def test_plugin_without_plugin_id_is_refused() -> None:
    """A plugin class without plugin_id is told to set the class attribute."""

    class NamelessPlugin(BackendPlugin):
        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda: None)

    error = await registration_error(NamelessPlugin)
    assert "NamelessPlugin has no plugin_id: set the class attribute plugin_id" in str(error)
    assert error.feature is not None
    assert error.feature.endswith("NamelessPlugin")


async def test_module_without_module_id_is_refused() -> None:
    """A module class without module_id is told to set the class attribute."""

    class CatalogModuleNameless(BackendModule):
        plugin_id = "catalog"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda: None)

    error = await registration_error(CatalogPlugin, CatalogModuleNameless)
    assert "CatalogModuleNameless has no module_id: set the class attribute module_id" in str(error)


@pytest.mark.parametrize("as_class", [True, False], ids=["class", "instance"])
async def test_backend_add_accepts_feature_classes_and_instances(as_class: bool) -> None:
    """backend.add() takes a plugin instance or its class, instantiated without arguments."""
    CatalogPlugin.inits = 0
    backend = create_backend(config={})
    backend.add(CatalogPlugin if as_class else CatalogPlugin())
    await backend.start()
    assert CatalogPlugin.inits == 1
    await backend.stop()


@pytest.mark.parametrize("thing", [object(), int, "catalog", CatalogPlugin.register])
def test_backend_add_refuses_what_is_not_a_feature(thing: object) -> None:
    """Anything but a plugin, a module or a service factory is refused at add() time."""
    backend = create_backend(config={})
    with pytest.raises(FeatureRegistrationError) as info:
        backend.add(thing)
    assert f"backend.add(): {thing!r} is not a feature: expected a BackendPlugin or " in str(
        info.value
    )


def test_create_backend_refuses_what_is_not_a_feature() -> None:
    """create_backend(features=...) applies the same check as backend.add()."""
    with pytest.raises(FeatureRegistrationError, match="is not a feature"):
        create_backend(config={}, features=[42])


def test_feature_class_that_needs_arguments_is_refused() -> None:
    """A feature class that cannot be built without arguments is refused with a hint."""

    class ConfiguredPlugin(BackendPlugin):
        plugin_id = "configured"

        def __init__(self, setting: str) -> None:
            self.setting = setting

    with pytest.raises(FeatureRegistrationError) as info:
        create_backend(config={}, features=[ConfiguredPlugin])
    message = str(info.value)
    assert "could not instantiate" in message
    assert "ConfiguredPlugin without arguments" in message
    assert "pass an instance instead" in message
    assert isinstance(info.value.__cause__, TypeError)


async def test_backend_add_after_start_is_an_error() -> None:
    """Features are added before start(); adding one later is refused."""
    backend = create_backend(config={}, features=[CatalogPlugin])
    await backend.start()
    with pytest.raises(GreenroomError, match=r"was called after start\(\): add every feature"):
        backend.add(ServiceFactory(ServiceRef("test.late"), lambda: None))
    await backend.stop()


async def test_register_extension_point_after_register_init_is_an_error() -> None:
    """register_extension_point after register_init breaks Backstage's ordering rule."""
    points = ExtensionPoint[list[str]]("catalog.processors")

    class LatePlugin(BackendPlugin):
        plugin_id = "catalog"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda: None)
            env.register_extension_point(points, [])

    error = await registration_error(LatePlugin)
    assert error.feature == "plugin 'catalog'"
    assert (
        "plugin 'catalog' called register_extension_point after register_init: register every "
        "extension point first, then the init"
    ) in str(error)


async def test_register_init_is_required() -> None:
    """A register hook that never calls register_init is an error naming the feature."""

    class IdlePlugin(BackendPlugin):
        plugin_id = "idle"

        @hookimpl
        def register(self, env: Any) -> None:
            pass

    error = await registration_error(IdlePlugin)
    assert error.feature == "plugin 'idle'"
    assert "plugin 'idle' did not call env.register_init in its register hook" in str(error)


async def test_register_init_twice_is_an_error() -> None:
    """A feature has exactly one init; a second register_init is refused."""

    class GreedyModule(BackendModule):
        plugin_id = "catalog"
        module_id = "greedy"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda: None)
            env.register_init(lambda: None)

    error = await registration_error(CatalogPlugin, GreedyModule)
    assert error.feature == "module 'greedy' for plugin 'catalog'"
    assert (
        "module 'greedy' for plugin 'catalog' called register_init more than once: a feature "
        "has exactly one init"
    ) in str(error)


async def test_register_init_refuses_a_dependency_that_is_not_a_ref() -> None:
    """A dependency must be a ServiceRef or an ExtensionPoint, and the message says so."""

    class TypoPlugin(BackendPlugin):
        plugin_id = "typo"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda logger: None, deps={"logger": "core.logger"})

    error = await registration_error(TypoPlugin)
    assert (
        "plugin 'typo' declares dependency 'logger' as 'core.logger': a dependency must be a "
        "ServiceRef"
    ) in str(error)


async def test_register_init_refuses_a_non_callable() -> None:
    """The init must be callable."""

    class NotCallablePlugin(BackendPlugin):
        plugin_id = "not-callable"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init("init")

    error = await registration_error(NotCallablePlugin)
    assert "plugin 'not-callable' passed 'init' to register_init, which is not callable" in str(
        error
    )


async def test_the_same_extension_point_registered_twice_is_an_error() -> None:
    """One feature cannot offer the same extension point twice."""
    points = ExtensionPoint[list[str]]("catalog.processors")

    class TwicePlugin(BackendPlugin):
        plugin_id = "catalog"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_extension_point(points, [])
            env.register_extension_point(points, [])
            env.register_init(lambda: None)

    error = await registration_error(TwicePlugin)
    assert "plugin 'catalog' registered ExtensionPoint('catalog.processors') twice" in str(error)


async def test_feature_without_register_method_is_told_to_add_one() -> None:
    """A feature that does not define register at all is told to add the hook."""

    class EmptyPlugin(BackendPlugin):
        plugin_id = "empty"

    error = await registration_error(EmptyPlugin)
    assert error.feature == "plugin 'empty'"
    assert (
        "plugin 'empty' does not implement the hook 'register': add a method "
        "`def register(self, env)` decorated with @hookimpl"
    ) in str(error)


async def test_register_method_without_hookimpl_is_reported() -> None:
    """A register method without @hookimpl is named as the cause."""

    class UndecoratedPlugin(BackendPlugin):
        plugin_id = "undecorated"

        def register(self, env: Any) -> None:
            env.register_init(lambda: None)

    error = await registration_error(UndecoratedPlugin)
    assert (
        "plugin 'undecorated' does not implement the hook 'register': its register method "
        "lacks the @hookimpl decorator"
    ) in str(error)


async def test_unknown_hook_name_is_refused_with_a_suggestion() -> None:
    """A @hookimpl whose name matches no hook spec is refused, with 'did you mean'."""

    class TypoHookPlugin(BackendPlugin):
        plugin_id = "typo-hook"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda: None)

        @hookimpl
        def regster(self, env: Any) -> None:
            pass

    error = await registration_error(TypoHookPlugin)
    assert error.feature == "plugin 'typo-hook'"
    assert (
        "plugin 'typo-hook' implements unknown hook 'regster': the known hooks are "
        "['config_schema', 'register']; did you mean 'register'?"
    ) in str(error)


async def test_wrong_hookimpl_argument_name_is_translated_from_pluggy() -> None:
    """pluggy's PluginValidationError becomes a registration error naming plugin and hook."""

    class MisspeltArgPlugin(BackendPlugin):
        plugin_id = "misspelt"

        @hookimpl
        def register(self, envv: Any) -> None:
            envv.register_init(lambda: None)

    error = await registration_error(MisspeltArgPlugin)
    message = str(error)
    assert "plugin 'misspelt': Plugin 'misspelt' for hook 'register'" in message
    assert "Argument(s) {'envv'} are declared in the hookimpl but can not be found" in message
    cause = error.causes["plugin 'misspelt'"]
    assert isinstance(cause, FeatureRegistrationError)
    assert isinstance(cause.__cause__, pluggy.PluginValidationError)


async def test_register_hook_that_raises_is_reported_with_its_feature() -> None:
    """An exception inside register is wrapped, naming the feature, with the cause chained."""

    class BrokenPlugin(BackendPlugin):
        plugin_id = "broken"

        @hookimpl
        def register(self, env: Any) -> None:
            raise KeyError("oops")

    error = await registration_error(BrokenPlugin)
    assert "plugin 'broken' failed in its register hook: KeyError: 'oops'" in str(error)
    assert isinstance(error.causes["plugin 'broken'"].__cause__, KeyError)


async def test_every_registration_failure_is_reported_at_once(
    make_plugin: Callable[..., BackendPlugin],
) -> None:
    """Several bad features give one error listing each of them, the good ones unaffected."""

    class IdlePlugin(BackendPlugin):
        plugin_id = "idle"

        @hookimpl
        def register(self, env: Any) -> None:
            pass

    error = await registration_error(make_plugin("Bad_Id"), make_plugin("good"), IdlePlugin)
    assert error.feature is None
    assert len(error.causes) == 2
    assert "plugin 'idle'" in error.causes
    assert str(error).startswith("features failed to register:\n  ")
    assert "invalid plugin_id 'Bad_Id'" in str(error)
    assert "plugin 'idle' did not call env.register_init" in str(error)


async def test_duplicate_plugin_id_is_an_error(make_plugin: Callable[..., BackendPlugin]) -> None:
    """Two plugins with one id are refused, naming both classes."""
    error = await registration_error(CatalogPlugin, make_plugin("catalog"))
    assert error.feature == "plugin 'catalog'"
    message = str(error)
    assert "duplicate plugin id: plugin 'catalog' is provided by both" in message
    assert "CatalogPlugin and " in message
    assert "remove one of them" in message


async def test_the_same_plugin_added_twice_is_a_duplicate() -> None:
    """Adding one plugin class twice is a duplicate plugin id, not a silent no-op."""
    error = await registration_error(CatalogPlugin, CatalogPlugin)
    assert "duplicate plugin id: plugin 'catalog'" in str(error)


async def test_duplicate_module_id_for_a_plugin_is_an_error(
    make_module: Callable[..., BackendModule],
) -> None:
    """Two modules with one module id for the same plugin are refused."""
    error = await registration_error(
        CatalogPlugin, make_module("catalog", "yaml-files"), make_module("catalog", "yaml-files")
    )
    assert error.feature == "module 'yaml-files' for plugin 'catalog'"
    assert "duplicate module id: module 'yaml-files' for plugin 'catalog' is provided by" in str(
        error
    )


async def test_one_module_id_may_serve_two_plugins(
    make_plugin: Callable[..., BackendPlugin], make_module: Callable[..., BackendModule]
) -> None:
    """Module ids are scoped by plugin: the same module id under two plugins is fine."""
    inits: list[str] = []
    backend = create_backend(
        config={},
        features=[
            make_plugin("catalog"),
            make_plugin("search"),
            make_module("catalog", "github", lambda: inits.append("catalog")),
            make_module("search", "github", lambda: inits.append("search")),
        ],
    )
    await backend.start()
    assert sorted(inits) == ["catalog", "search"]
    await backend.stop()


def test_feature_reprs_name_the_feature() -> None:
    """Features have readable reprs: the class and 'plugin ...' or 'module ... for plugin ...'."""

    class CatalogModuleGithub(BackendModule):
        plugin_id = "catalog"
        module_id = "github"

    assert repr(CatalogPlugin()) == "<CatalogPlugin plugin 'catalog'>"
    assert repr(CatalogModuleGithub()).endswith(
        "CatalogModuleGithub module 'github' for plugin 'catalog'>"
    )


def test_core_services_refs_are_not_features() -> None:
    """A ServiceRef is neither a feature nor a factory and is refused by add()."""
    with pytest.raises(FeatureRegistrationError, match="is not a feature"):
        create_backend(config={}).add(core_services.logger)
