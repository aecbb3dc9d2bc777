"""Checks the features' dependencies and orders the inits of each plugin.

Within a plugin, every module inits before the plugin, and a module that
provides an extension point inits after the modules that consume it (they
add to it in their init; the provider reads it in its own). Plugins are
independent of each other and init concurrently.
"""

from __future__ import annotations

import graphlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import attrs

from greenroom._api.extension_points import ExtensionPoint
from greenroom._api.service_ref import ServiceRef
from greenroom._backend.registration import FeatureRecord
from greenroom._backend.services import ServiceRegistry

__all__ = ["PluginPlan", "plan_plugins"]


@attrs.define(eq=False)
class PluginPlan:
    """A plugin, its modules in init order (groups that may run concurrently)."""

    plugin_id: str
    plugin: FeatureRecord
    module_groups: list[list[FeatureRecord]] = attrs.field(factory=list)
    extension_points: dict[ExtensionPoint[Any], Any] = attrs.field(factory=dict)

    @property
    def modules(self) -> list[FeatureRecord]:
        """Every module of the plugin, in init order."""
        return [module for group in self.module_groups for module in group]


@attrs.define
class Plan:
    """The outcome of planning: what starts, what is skipped, and what is wrong."""

    plugins: dict[str, PluginPlan]
    orphans: list[FeatureRecord]
    problems: dict[FeatureRecord, list[str]]


def plan_plugins(records: Iterable[FeatureRecord], services: ServiceRegistry) -> Plan:
    """Group ``records`` by plugin, check every dependency and order the modules.

    ``problems`` maps a feature to what is wrong with it (missing services
    and extension points, illegal extension point use, module cycles);
    modules whose plugin is not there are returned as ``orphans``.
    """
    plugins: dict[str, FeatureRecord] = {}
    modules: dict[str, list[FeatureRecord]] = defaultdict(list)
    for record in records:
        if record.kind == "plugin":
            plugins[record.plugin_id] = record
        else:
            modules[record.plugin_id].append(record)
    orphans = [m for pid, ms in modules.items() if pid not in plugins for m in ms]
    owners: dict[ExtensionPoint[Any], FeatureRecord] = {}
    problems: dict[FeatureRecord, list[str]] = defaultdict(list)
    for pid, plugin in plugins.items():
        for record in [plugin, *modules.get(pid, ())]:
            for ext_point in record.extension_points:
                other = owners.setdefault(ext_point, record)
                if other is not record:
                    problems[record].append(
                        f"{ext_point!r} is registered by both {other.name} and {record.name}"
                    )
    result: dict[str, PluginPlan] = {}
    for pid, plugin in sorted(plugins.items()):
        own_modules = modules.get(pid, [])
        plan = PluginPlan(pid, plugin)
        for record in [plugin, *own_modules]:
            plan.extension_points.update(record.extension_points)
            problems[record].extend(_dependency_problems(record, owners, services))
        try:
            plan.module_groups = _order_modules(own_modules, owners)
        except graphlib.CycleError as exc:
            cycle = " -> ".join(node.name for node in exc.args[1])
            problems[plugin].append(
                f"modules of {plugin.name} depend on each other's extension points: {cycle}"
            )
        result[pid] = plan
    return Plan(result, orphans, {record: p for record, p in problems.items() if p})


def _dependency_problems(
    record: FeatureRecord,
    owners: dict[ExtensionPoint[Any], FeatureRecord],
    services: ServiceRegistry,
) -> Iterable[str]:
    assert record.init is not None
    for arg, dep in record.init.deps.items():
        if isinstance(dep, ServiceRef):
            if services.missing(dep):
                yield (
                    f"{record.name} depends on {dep!r} (argument {arg!r}), which no service "
                    "factory provides: add one with backend.add(ServiceFactory(...))"
                )
        elif record.kind == "plugin":
            yield (
                f"{record.name} depends on {dep!r} (argument {arg!r}): only modules may "
                "depend on extension points; a plugin uses its own implementation directly"
            )
        else:
            owner = owners.get(dep)
            if owner is None:
                yield (
                    f"{record.name} depends on {dep!r} (argument {arg!r}), which no plugin or "
                    f"module registered: is the plugin providing it installed and enabled?"
                )
            elif owner.plugin_id != record.plugin_id:
                yield (
                    f"{record.name} depends on {dep!r} (argument {arg!r}) of {owner.name}: a "
                    f"module may only use the extension points of its own plugin "
                    f"{record.plugin_id!r}"
                )
            elif owner is record:
                yield f"{record.name} depends on its own {dep!r} (argument {arg!r})"


def _order_modules(
    modules: list[FeatureRecord], owners: dict[ExtensionPoint[Any], FeatureRecord]
) -> list[list[FeatureRecord]]:
    graph: dict[FeatureRecord, set[FeatureRecord]] = {module: set() for module in modules}
    for consumer in modules:
        assert consumer.init is not None
        for dep in consumer.init.deps.values():
            provider = owners.get(dep) if isinstance(dep, ExtensionPoint) else None
            if provider is not None and provider in graph and provider is not consumer:
                graph[provider].add(consumer)  # the provider waits for its consumers
    sorter = graphlib.TopologicalSorter(graph)
    sorter.prepare()
    groups: list[list[FeatureRecord]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=lambda record: record.key)
        groups.append(ready)
        sorter.done(*ready)
    return groups
