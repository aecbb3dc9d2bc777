"""``create_backend()`` and ``Backend``: add features, start them, stop them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from greenroom._api.feature_loader import FeatureLoader
from greenroom._api.features import BackendFeature
from greenroom._api.ids import is_valid_id
from greenroom._api.service_ref import ServiceFactory, ServiceRef
from greenroom._api.services.config import ConfigService
from greenroom._api.services.refs import core_services
from greenroom._backend.graph import Plan, plan_plugins
from greenroom._backend.initializer import PluginInitializer
from greenroom._backend.loaders import LoadedFeatures, run_loaders
from greenroom._backend.policy import StartupSettings
from greenroom._backend.registration import FeatureRecord
from greenroom._backend.registry import FeatureRegistry, as_feature
from greenroom._backend.services import ServiceRegistry
from greenroom._backend.state import BackendState, PluginPhase, PluginStatus, backend_state_ref
from greenroom._errors import (
    BackendStartupError,
    DependencyError,
    FeatureRegistrationError,
    GreenroomError,
)

__all__ = ["Backend", "create_backend"]

_log = logging.getLogger("greenroom.backend")


class Backend:
    """A set of features and service factories, started and stopped together.

    Create it with :func:`create_backend`. ``add()`` takes plugin and module
    instances or classes and :class:`~greenroom.ServiceFactory` objects;
    ``await start()`` initialises everything, ``await stop()`` runs the
    shutdown hooks (it is idempotent), and ``run()`` does both around an
    HTTP server on ``backend.listen``.
    """

    def __init__(self, config: ConfigService | Mapping[str, Any] | None = None) -> None:
        self._features: list[BackendFeature] = []
        self._loaders: list[FeatureLoader] = []
        self._loaded = LoadedFeatures()
        self._factories: list[ServiceFactory[Any]] = []
        self._config = _as_config(config) if config is not None else None
        self._state = BackendState()
        self._services: ServiceRegistry | None = None
        self._started: list[str] = []
        self._settings: StartupSettings | None = None
        self._http_app: Any = None
        self._prepare_task: asyncio.Task[None] | None = None
        self._start_task: asyncio.Task[None] | None = None
        self._stop_task: asyncio.Task[None] | None = None

    def add(self, feature: Any) -> None:
        """Add a plugin or module (instance or class), a service factory or a feature loader."""
        if self._start_task is not None:
            raise GreenroomError(
                f"backend.add({feature!r}) was called after start(): add every feature first"
            )
        if isinstance(feature, ServiceFactory):
            self._factories.append(feature)
        elif isinstance(feature, FeatureLoader):
            self._loaders.append(feature)
        else:
            self._features.append(as_feature(feature))

    @property
    def state(self) -> BackendState:
        """The running state: plugin phases, readiness, requests in flight."""
        return self._state

    @property
    def plugins(self) -> Mapping[str, PluginStatus]:
        """Each plugin's status by id (filled by ``start``)."""
        return self._state.plugins

    async def get_service(self, ref: Any, plugin_id: str | None = None) -> Any:
        """The instance of a service after start (``plugin_id`` for plugin services)."""
        if self._services is None:
            raise GreenroomError("the backend has not been started: await backend.start() first")
        return await self._services.get(ref, plugin_id)

    async def start(self) -> None:
        """Start every feature; raise :class:`BackendStartupError` if the start is aborted."""
        if self._start_task is None:
            self._start_task = asyncio.ensure_future(self._start())
        await asyncio.shield(self._start_task)

    async def stop(self) -> None:
        """Stop: readiness goes 503, plugin shutdown hooks in reverse start order, then root."""
        if self._stop_task is None:
            self._stop_task = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stop_task)

    def run(self) -> None:
        """Start, serve HTTP on ``backend.listen`` until SIGTERM/SIGINT, then stop."""
        from greenroom._backend.server import serve

        serve(self)

    async def prepare(self) -> None:
        """Build the service graph and every root service, without starting plugins.

        ``start()`` does this first; a server calls it earlier so that it can
        read ``backend.listen`` and answer health checks while plugins start.
        """
        if self._prepare_task is None:
            self._prepare_task = asyncio.ensure_future(self._prepare())
        await asyncio.shield(self._prepare_task)

    @property
    def http_app(self) -> Any:
        """The root HTTP router's ASGI app once :meth:`prepare` has run, else ``None``."""
        return self._http_app

    async def _prepare(self) -> None:
        internal: list[ServiceFactory[Any]] = [
            ServiceFactory(service=backend_state_ref, factory=lambda: self._state),
            ServiceFactory(service=core_services.plugin_metadata, factory=PluginMetadata),
        ]
        if self._config is not None:
            config = self._config
            internal.append(
                ServiceFactory(service=core_services.root_config, factory=lambda: config)
            )
        from greenroom._dynamic import schemas as config_schemas  # issue 6: config checks

        schemas_ref = config_schemas.dynamic_plugins_schemas_service_ref
        services = self._services = ServiceRegistry(self._factories, internal)
        _raise_problems(
            services.resolve([*core_services, schemas_ref]), "the service graph is invalid"
        )
        self._settings = StartupSettings(await services.get(core_services.root_config, None))
        self._settings.check()
        self._state.request_hold_seconds = self._settings.request_hold_seconds
        # Before the loaders, so that the secrets known so far are hidden while they run.
        await services.get(schemas_ref, None)
        self._loaded = await run_loaders(self._loaders, services)
        _raise_problems(services.resolve(core_services), "the service graph is invalid")
        await config_schemas.check_config_at_startup(
            services, [*self._features, *self._loaded.features], self._settings
        )
        for ref in services.root_refs():
            await services.get(ref, None)
        self._http_app = await services.get(core_services.root_http_router, None)

    async def inspect(self) -> Mapping[str, PluginStatus]:
        """Register every feature and check the graph, without running any init.

        What ``greenroom plugins list`` uses: it says what ``start()`` would
        do up to the inits. Raises as ``start()`` would for explicit features.
        """
        await self.prepare()
        plan = await self._plan()
        return {pid: PluginStatus(pid) for pid in plan.plugins}

    async def _plan(self) -> Plan:
        services, settings = self._services, self._settings
        assert services is not None
        assert settings is not None
        features = [*self._features, *self._loaded.features]
        registry = FeatureRegistry(trace=settings.trace_hooks)
        for feature in features:
            _block_if_disabled(registry, feature, settings)
        records, failures = registry.add_all(features)
        fatal = {
            error.feature or repr(feature): error
            for feature, error in failures
            if not self._tolerate(feature, error)
        }
        if fatal:
            raise FeatureRegistrationError(
                "features failed to register:\n  " + "\n  ".join(map(str, fatal.values())),
                feature=next(iter(fatal)) if len(fatal) == 1 else None,
                causes=fatal,
            )
        deps = [d for r in records if r.init for d in r.init.deps.values()]
        _raise_problems(
            services.resolve(d for d in deps if isinstance(d, ServiceRef)),
            "the service graph is invalid",
        )
        plan = plan_plugins(records, services)
        while tolerated := [r for r, ps in plan.problems.items() if self._tolerate_problems(r, ps)]:
            for record in tolerated:
                registry.remove(record)
            records = [r for r in records if r not in tolerated]
            plan = plan_plugins(records, services)
        for orphan in plan.orphans:
            _log.warning(
                "%s is skipped: its plugin %r is not installed or not enabled",
                orphan.name,
                orphan.plugin_id,
            )
        _raise_problems(
            [p for ps in plan.problems.values() for p in ps], "missing or invalid dependencies"
        )
        return plan

    async def _start(self) -> None:
        try:
            await self._start_features()
        except Exception:
            # Stop what did start (root services' hooks too) before reporting. A stop()
            # called meanwhile is waiting for this start and runs the hooks itself.
            if self._stop_task is None:
                self._stop_task = asyncio.ensure_future(self._stop(wait_for_start=False))
                await self._stop_task
            raise

    async def _start_features(self) -> None:
        await self.prepare()
        services, settings = self._services, self._settings
        assert services is not None
        assert settings is not None
        plan = await self._plan()
        for ref in services.root_refs():
            await services.get(ref, None)  # roots that plugin dependencies brought in
        self._state.plugins.update({pid: PluginStatus(pid) for pid in plan.plugins})
        initializer = PluginInitializer(services, self._state, settings)
        await initializer.start_all(plan.plugins)
        self._started = initializer.started
        if not initializer.fatal:
            root_lifecycle = await services.get(core_services.root_lifecycle, None)
            initializer.fatal.update(await root_lifecycle.startup_hooks.run())
        if initializer.fatal:
            raise BackendStartupError(initializer.fatal)
        self._state.ready = True
        _log.info("backend started with %d plugin(s)", len(self._started))

    def _tolerate(self, feature: object, error: Exception) -> bool:
        """Hand a loaded feature's failure to its loader; False when nobody takes it."""
        handler = self._loaded.handler_for(feature)
        if handler is None:
            return False
        handler(feature, error)
        return True

    def _tolerate_problems(self, record: FeatureRecord, problems: list[str]) -> bool:
        error = DependencyError(
            f"{record.name} has missing or invalid dependencies:\n  " + "\n  ".join(problems),
            problems,
        )
        return self._tolerate(record.feature, error)

    async def _stop(self, *, wait_for_start: bool = True) -> None:
        state = self._state
        state.draining = True
        state.ready = False
        if wait_for_start:
            tasks = [t for t in (self._prepare_task, self._start_task) if t and not t.done()]
            if tasks:
                await asyncio.wait(tasks)
        if self._services is None:
            return
        failures: dict[str, BaseException] = {}
        for plugin_id in reversed(self._started):
            lifecycle = state.lifecycles.get(plugin_id)
            if lifecycle is not None:
                failures.update(await lifecycle.shutdown_hooks.run())
            state.plugins[plugin_id].settle(PluginPhase.STOPPED)
        self._started = []
        try:
            root_lifecycle = await self._services.get(core_services.root_lifecycle, None)
        except Exception as exc:  # the start failed before root services existed
            _log.debug("no root lifecycle to stop: %s", exc)
        else:
            failures.update(await root_lifecycle.shutdown_hooks.run(reverse=True))
        for name, error in failures.items():
            _log.error("%s failed: %s", name, error, exc_info=error)
        _log.info("backend stopped")


class PluginMetadata:
    """The ``plugin_metadata`` service: the id of the plugin it was made for."""

    __slots__ = ("_plugin_id",)

    def __init__(self, plugin_id: str) -> None:
        self._plugin_id = plugin_id

    @property
    def plugin_id(self) -> str:
        """The plugin's id."""
        return self._plugin_id

    def __repr__(self) -> str:
        return f"PluginMetadata({self._plugin_id!r})"


def _block_if_disabled(
    registry: FeatureRegistry, feature: BackendFeature, settings: StartupSettings
) -> None:
    plugin_id = getattr(feature, "plugin_id", None)
    module_id = getattr(feature, "module_id", None)
    # An invalid id is no config key: leave it to the registry, which says what is wrong.
    if not isinstance(plugin_id, str) or not is_valid_id(plugin_id):
        return
    if module_id is not None and not (isinstance(module_id, str) and is_valid_id(module_id)):
        return
    key = plugin_id if module_id is None else f"{plugin_id}/{module_id}"
    if registry.is_blocked(key):
        return
    if not settings.plugin_enabled(plugin_id):
        registry.block(key)
        _log.info(
            "plugin %r is disabled by backend.plugins.%s.enabled: false (%s skipped)",
            plugin_id,
            plugin_id,
            key,
        )
    elif module_id is not None and not settings.module_enabled(plugin_id, module_id):
        registry.block(key)
        _log.info("module %r for plugin %r is disabled by config", module_id, plugin_id)


def _raise_problems(problems: Iterable[str], summary: str) -> None:
    problems = list(dict.fromkeys(problems))
    if problems:
        raise DependencyError(f"{summary}:\n  " + "\n  ".join(problems), problems)


def _as_config(config: ConfigService | Mapping[str, Any]) -> ConfigService:
    if isinstance(config, Mapping):
        from greenroom._config import Config

        return Config.from_data(config)
    return config


def create_backend(
    config: ConfigService | Mapping[str, Any] | None = None,
    features: Iterable[Any] = (),
) -> Backend:
    """A new :class:`Backend` with ``features`` added.

    ``config`` is a config object, a plain mapping, or ``None`` to load
    ``app-config.yaml`` and ``app-config.local.yaml`` from the working
    directory at start.
    """
    backend = Backend(config)
    for feature in features:
        backend.add(feature)
    return backend
