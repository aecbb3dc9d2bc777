"""The service registry: which factory builds each service, and the instances built.

Validation covers every factory that could run, defaults included, so that a
dependency cycle is reported at start as ``'a' -> 'b' -> 'a'`` instead of
hanging (Backstage hangs on cycles through default factories).
"""

from __future__ import annotations

import asyncio
import graphlib
import inspect
from collections.abc import Iterable, Sequence
from typing import Any

from greenroom._api.service_ref import ServiceFactory, ServiceRef
from greenroom._errors import DependencyError, ServiceFactoryError

__all__ = ["ServiceRegistry"]


class ServiceRegistry:
    """Resolves service refs to factories and builds instances once per scope.

    ``explicit`` are the factories given to ``backend.add()``; they override
    defaults. ``internal`` are provided by the backend itself and cannot be
    overridden (``core.plugin_metadata`` and the backend's own state); an
    internal plugin-scoped factory is called with the keyword ``plugin_id``.
    """

    def __init__(
        self, explicit: Sequence[ServiceFactory[Any]], internal: Sequence[ServiceFactory[Any]]
    ) -> None:
        self._problems: list[str] = []
        #: Each service being built (its future) or built (its value).
        self._instances: dict[tuple[str, str | None], asyncio.Future[Any] | _Built] = {}
        self._contexts: dict[str, asyncio.Future[Any]] = {}
        self._internal = {f.service.id: f for f in internal}
        self._factories: dict[str, list[ServiceFactory[Any]]] = {}
        self._refs: dict[str, ServiceRef[Any]] = {}
        self._defaulted: set[str] = set()
        for factory in explicit:
            self.add(factory)
        for factory in internal:
            self._factories[factory.service.id] = [factory]
            self._refs[factory.service.id] = factory.service

    def add(self, factory: ServiceFactory[Any], *, source: str = "backend.add()") -> None:
        """Add an explicit factory; problems are reported by :meth:`resolve`."""
        ref = factory.service
        if ref.id in self._internal:
            self._problems.append(
                f"{ref!r} is provided by the backend and cannot be overridden: remove the "
                f"factory from {source}"
            )
            return
        if any(key[0] == ref.id for key in self._instances):
            self._problems.append(
                f"{source} added a factory for {ref!r} after the service was built: "
                "add the factory with backend.add() instead"
            )
            return
        if ref.id in self._defaulted:
            self._defaulted.discard(ref.id)
            del self._factories[ref.id]
        existing = self._factories.setdefault(ref.id, [])
        if existing and not ref.multiton:
            self._problems.append(
                f"two factories were added for {ref!r}, which is not a multiton: "
                f"{_describe(existing[0])} and {_describe(factory)}; add only one"
            )
            return
        existing.append(factory)
        self._refs.setdefault(ref.id, ref)

    def resolve(self, refs: Iterable[ServiceRef[Any]]) -> list[str]:
        """Load the default factories reachable from ``refs`` and check the whole graph.

        Returns every problem found (missing factories, root services that
        depend on plugin services, duplicate factories, cycles); an empty
        list means every ref can be built.
        """
        problems = list(self._problems)
        self._problems.clear()
        queue = list(refs) + [f.service for fs in list(self._factories.values()) for f in fs]
        seen: set[str] = set()
        while queue:
            ref = queue.pop()
            if ref.id in seen:
                continue
            seen.add(ref.id)
            self._refs.setdefault(ref.id, ref)
            factories = self._factories.get(ref.id)
            if factories is None:
                default = self._default_for(ref)
                if default is None:
                    continue
                factories = self._factories[ref.id] = [default]
                self._defaulted.add(ref.id)
            for factory in factories:
                queue.extend(factory.deps.values())
        for _ref_id, factories in self._factories.items():
            for factory in factories:
                problems.extend(_scope_problems(factory))
        try:
            graphlib.TopologicalSorter(
                {
                    ref_id: {dep.id for f in factories for dep in f.deps.values()}
                    for ref_id, factories in self._factories.items()
                }
            ).prepare()
        except graphlib.CycleError as exc:
            cycle = " -> ".join(repr(node) for node in exc.args[1])
            problems.append(
                f"circular service dependency: {cycle}; break the cycle by removing one of "
                "these dependencies"
            )
        return problems

    def missing(self, ref: ServiceRef[Any]) -> bool:
        """Whether nothing can build ``ref`` (after :meth:`resolve`)."""
        return ref.id not in self._factories and not ref.multiton

    def factories_for(self, ref: ServiceRef[Any]) -> list[ServiceFactory[Any]]:
        """The factories that build ``ref`` (after :meth:`resolve`)."""
        return list(self._factories.get(ref.id, ()))

    def root_refs(self) -> list[ServiceRef[Any]]:
        """Every root-scoped ref that has a factory, for eager construction."""
        return [
            self._refs[ref_id] for ref_id in self._factories if self._refs[ref_id].scope == "root"
        ]

    async def get(self, ref: ServiceRef[Any], plugin_id: str | None) -> Any:
        """The instance of ``ref`` for ``plugin_id`` (ignored for root services)."""
        key = (ref.id, None if self._scope(ref) == "root" else plugin_id)
        found = self._instances.get(key)
        if isinstance(found, _Built):
            return found.value
        if found is None:
            future = self._instances[key] = asyncio.get_running_loop().create_future()
            try:
                value = await self._build(ref, key[1])
            except BaseException as exc:
                future.set_exception(exc)
                future.exception()  # retrieved here: the caller re-raises it
                raise
            future.set_result(value)
            # Those who wait hold the future; the table keeps the value alone (a future
            # per service and plugin was ~0.3 KB of memory per plugin: issue 8).
            self._instances[key] = _Built(value)
            return value
        return await found

    def _scope(self, ref: ServiceRef[Any]) -> str:
        return self._refs.get(ref.id, ref).scope

    async def _build(self, ref: ServiceRef[Any], plugin_id: str | None) -> Any:
        factories = self._factories.get(ref.id)
        if factories is None:
            if ref.multiton:
                return []
            raise DependencyError(f"no factory for {ref!r}", [f"no factory for {ref!r}"])
        if self._refs.get(ref.id, ref).multiton:
            return [await self._call(f, plugin_id) for f in factories]
        return await self._call(factories[0], plugin_id)

    async def _call(self, factory: ServiceFactory[Any], plugin_id: str | None) -> Any:
        ref = factory.service
        kwargs = {name: await self.get(dep, plugin_id) for name, dep in factory.deps.items()}
        if ref.scope == "plugin" and self._internal.get(ref.id) is factory:
            kwargs["plugin_id"] = plugin_id
        where = "" if plugin_id is None else f" for plugin {plugin_id!r}"
        try:
            if factory.create_root_context is not None:
                kwargs["context"] = await self._root_context(factory)
            return await _maybe_await(factory.factory(**kwargs))
        except (DependencyError, ServiceFactoryError):
            raise
        except Exception as exc:
            raise ServiceFactoryError(
                f"the factory of {ref!r} failed{where}: {type(exc).__name__}: {exc}",
                service_id=ref.id,
                plugin_id=plugin_id,
            ) from exc

    async def _root_context(self, factory: ServiceFactory[Any]) -> Any:
        assert factory.create_root_context is not None
        future = self._contexts.get(factory.service.id)
        if future is None:
            future = self._contexts[factory.service.id] = asyncio.get_running_loop().create_future()
            try:
                kwargs = {
                    name: await self.get(dep, None)
                    for name, dep in factory.deps.items()
                    if self._scope(dep) == "root"
                }
                future.set_result(await _maybe_await(factory.create_root_context(**kwargs)))
            except BaseException as exc:
                future.set_exception(exc)
                future.exception()
                raise
        return await future

    def _default_for(self, ref: ServiceRef[Any]) -> ServiceFactory[Any] | None:
        loader = ref.default_factory or self._refs[ref.id].default_factory
        if loader is None:
            return None
        factory = loader()
        if not isinstance(factory, ServiceFactory) or factory.service.id != ref.id:
            raise DependencyError(
                f"the default factory of {ref!r} returned {factory!r}, not a ServiceFactory "
                f"for {ref!r}"
            )
        return factory


def _describe(factory: ServiceFactory[Any]) -> str:
    func = factory.factory
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def _scope_problems(factory: ServiceFactory[Any]) -> Iterable[str]:
    ref = factory.service
    if ref.scope != "root":
        return
    for dep in factory.deps.values():
        if dep.scope == "plugin":
            yield (
                f"root service {ref!r} depends on plugin-scoped service {dep!r}: a root "
                "service exists once per backend and cannot use a service that exists once "
                f"per plugin; make {dep.id!r} root-scoped or {ref.id!r} plugin-scoped"
            )


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class _Built:
    """A built service instance, as :attr:`ServiceRegistry._instances` keeps it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
