"""Initialises plugins: modules first, then the plugin, then its startup hooks.

Plugins start concurrently; within a plugin, module groups run in order and
the modules of one group concurrently. Failures follow the boot failure
policy: ``continue`` leaves the plugin out (its routes answer 503) and the
rest start; ``abort`` lets every other plugin finish, then fails the start.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from greenroom._api.extension_points import ExtensionPoint
from greenroom._backend.graph import PluginPlan
from greenroom._backend.policy import StartupSettings
from greenroom._backend.registration import FeatureRecord
from greenroom._backend.services import ServiceRegistry
from greenroom._backend.state import BackendState, PluginPhase

__all__ = ["PluginInitializer"]

_log = logging.getLogger("greenroom.backend")


class _Aborted(Exception):
    """A module failed under the abort policy; the cause is already recorded."""


class PluginInitializer:
    """Starts every planned plugin and records which failed and why."""

    def __init__(
        self,
        services: ServiceRegistry,
        state: BackendState,
        settings: StartupSettings,
    ) -> None:
        self._services = services
        self._state = state
        self._settings = settings
        self._trace = settings.trace_hooks
        #: Failures that abort the start, by feature name.
        self.fatal: dict[str, BaseException] = {}
        #: Failures tolerated by a ``continue`` policy, by feature name.
        self.tolerated: dict[str, BaseException] = {}
        #: Plugins in the order they finished starting.
        self.started: list[str] = []

    async def start_all(self, plans: dict[str, PluginPlan]) -> None:
        """Start every plugin concurrently and wait for all of them."""
        await asyncio.gather(*(self._start_plugin(plan) for plan in plans.values()))

    async def _start_plugin(self, plan: PluginPlan) -> None:
        status = self._state.plugins[plan.plugin_id]
        try:
            for group in plan.module_groups:
                results = await asyncio.gather(
                    *(self._init(module, plan) for module in group), return_exceptions=True
                )
                for module, result in zip(group, results, strict=True):
                    if isinstance(result, BaseException):
                        self._module_failed(module, result)
            await self._init(plan.plugin, plan)
            lifecycle = self._state.lifecycles.get(plan.plugin_id)
            if lifecycle is not None:
                failures = await lifecycle.startup_hooks.run()
                if failures:
                    name, error = next(iter(failures.items()))
                    raise RuntimeError(f"{name} failed: {error}") from error
        except _Aborted as exc:
            status.settle(PluginPhase.FAILED, exc.__cause__)
            return
        except Exception as exc:
            status.settle(PluginPhase.FAILED, exc)
            self._plugin_failed(plan.plugin, exc)
            return
        self.started.append(plan.plugin_id)
        status.settle(PluginPhase.READY)
        _log.info("plugin %r started", plan.plugin_id, extra={"plugin": plan.plugin_id})

    def _module_failed(self, module: FeatureRecord, error: BaseException) -> None:
        assert module.module_id is not None
        policy = self._settings.on_module_failure(module.plugin_id, module.module_id)
        if policy == "continue":
            self.tolerated[module.name] = error
            _log.error(
                "%s failed to start, continuing without it: %s",
                module.name,
                error,
                exc_info=error,
                extra={"plugin": module.plugin_id},
            )
            return
        self.fatal[module.name] = error
        raise _Aborted(module.name) from error

    def _plugin_failed(self, plugin: FeatureRecord, error: BaseException) -> None:
        if self._settings.on_plugin_failure(plugin.plugin_id) == "continue":
            self.tolerated[plugin.name] = error
            _log.error(
                "%s failed to start; its routes answer 503: %s",
                plugin.name,
                error,
                exc_info=error,
                extra={"plugin": plugin.plugin_id},
            )
        else:
            self.fatal[plugin.name] = error

    async def _init(self, record: FeatureRecord, plan: PluginPlan) -> None:
        assert record.init is not None
        kwargs: dict[str, Any] = {}
        for arg, dep in record.init.deps.items():
            if isinstance(dep, ExtensionPoint):
                kwargs[arg] = plan.extension_points[dep]
            else:
                kwargs[arg] = await self._services.get(dep, record.plugin_id)
        if self._trace:
            logging.getLogger("greenroom.hooks").info("init -> %s", record.name)
        result = record.init.func(**kwargs)
        if inspect.isawaitable(result):
            await result
