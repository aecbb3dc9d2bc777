"""How ``start_test_backend`` builds its backend from features, config and services.

The real ``Backend`` does the wiring; this module only adds what a test needs:
the config from a dict, mocks in place of default services, an empty plugin
for each module whose plugin is not among the features (so that a module can
be tested alone, as Backstage's ``startTestBackend`` does) and a module that
offers the extension points a test provides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from greenroom._api.extension_points import ExtensionPoint
from greenroom._api.features import BackendFeature, BackendModule, BackendPlugin
from greenroom._api.hookspecs import hookimpl
from greenroom._api.ids import is_valid_id
from greenroom._api.registration import RegistrationEnv
from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.refs import core_services
from greenroom._backend.backend import Backend
from greenroom.testing._mock_config import MockRootConfig

__all__ = ["EXTENSION_POINTS_MODULE_ID", "build_test_backend"]

#: The id of the module that offers the extension points given to ``start_test_backend``.
EXTENSION_POINTS_MODULE_ID = "test-extension-points"


def _noop() -> None:
    """The init of the features made here: they only exist to be there."""


class EmptyPlugin(BackendPlugin):
    """A plugin with nothing in it, standing in for the plugin of a module under test."""

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(_noop)


class ExtensionPointsModule(BackendModule):
    """A module offering extension point implementations that a test provides."""

    module_id = EXTENSION_POINTS_MODULE_ID

    def __init__(self, implementations: Mapping[ExtensionPoint[Any], Any]) -> None:
        self.implementations = dict(implementations)

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        for ext_point, impl in self.implementations.items():
            env.register_extension_point(ext_point, impl)
        env.register_init(_noop)


def _ids(feature: object) -> tuple[str, bool] | None:
    """``(plugin_id, is_module)`` of a plugin or module (class or instance), else None."""
    cls = feature if isinstance(feature, type) else type(feature)
    if not issubclass(cls, BackendFeature):
        return None
    plugin_id = getattr(feature, "plugin_id", None)
    if not isinstance(plugin_id, str) or not is_valid_id(plugin_id):
        return None  # the backend says what is wrong with it when it registers
    return plugin_id, issubclass(cls, BackendModule)


def _for_plugin(base: type[Any], plugin_id: str) -> type[Any]:
    """A subclass of ``base`` with ``plugin_id`` set, as plugin ids are class attributes."""
    return type(base.__name__, (base,), {"plugin_id": plugin_id, "__module__": base.__module__})


def _as_factory(item: object) -> ServiceFactory[Any]:
    if isinstance(item, ServiceFactory):
        return item
    factory = getattr(item, "service_factory", None)
    if isinstance(factory, ServiceFactory):
        return factory
    raise TypeError(
        f"start_test_backend(services=[...]) got {item!r}, which is not a service: pass a "
        "ServiceFactory or a mock from mock_services (an object with a service_factory)"
    )


def build_test_backend(
    features: Iterable[Any],
    config: Mapping[str, Any] | None,
    services: Iterable[object],
    extension_points: Mapping[ExtensionPoint[Any], Any] | None,
) -> Backend:
    """A backend with ``features``, ready to start; see ``start_test_backend``."""
    features = list(features)
    factories = [_as_factory(item) for item in services]
    if any(f.service.id == core_services.root_config.id for f in factories):
        if config is not None:
            raise ValueError(
                "start_test_backend() got both config= and a root_config service: pass the "
                "data once, as config={...} or as mock_services.root_config(data={...})"
            )
    else:
        # Never the default, which would read app-config.yaml from the working directory.
        factories.append(MockRootConfig(config).service_factory)

    offered: dict[str, dict[ExtensionPoint[Any], Any]] = {}
    for ext_point, impl in (extension_points or {}).items():
        if not isinstance(ext_point, ExtensionPoint):
            raise TypeError(
                f"start_test_backend(extension_points={{...}}) got the key {ext_point!r}: "
                "map each ExtensionPoint to the implementation the modules should get"
            )
        offered.setdefault(ext_point.plugin_id, {})[ext_point] = impl
    features += [
        _for_plugin(ExtensionPointsModule, plugin_id)(impls) for plugin_id, impls in offered.items()
    ]

    plugins: set[str] = set()
    module_plugins: list[str] = []
    for feature in features:
        ids = _ids(feature)
        if ids is None:
            continue
        plugin_id, is_module = ids
        if is_module:
            module_plugins.append(plugin_id)
        else:
            plugins.add(plugin_id)
    orphaned = [pid for pid in dict.fromkeys(module_plugins) if pid not in plugins]
    features += [_for_plugin(EmptyPlugin, plugin_id)() for plugin_id in orphaned]

    backend = Backend()
    for factory in factories:
        backend.add(factory)
    for feature in features:
        backend.add(feature)
    return backend
