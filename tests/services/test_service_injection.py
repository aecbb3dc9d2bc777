"""Service refs, factories and injection: scopes, overrides, multitons, cycles, laziness."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from greenroom import (
    Backend,
    BackendModule,
    BackendPlugin,
    BackendStartupError,
    DependencyError,
    GreenroomError,
    ServiceFactory,
    ServiceFactoryError,
    ServiceRef,
    core_services,
    create_backend,
    hookimpl,
)

pytestmark = pytest.mark.anyio


def consumer(plugin_id: str, got: dict[str, dict[str, Any]], **deps: Any) -> BackendPlugin:
    """A plugin whose init stores the services it was given in ``got[plugin_id]``."""

    class ConsumerPlugin(BackendPlugin):
        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(self.init, deps=deps)

        def init(self, **services: Any) -> None:
            got[plugin_id] = services

    ConsumerPlugin.plugin_id = plugin_id
    return ConsumerPlugin()


async def start_error(backend: Backend, error: type[Exception]) -> Any:
    """Start ``backend`` (within 2 s, so a hang fails) and return the error it raises."""
    with pytest.raises(error) as info:
        await asyncio.wait_for(backend.start(), timeout=2)
    await backend.stop()
    return info.value


def test_service_refs_are_plugin_scoped_by_default() -> None:
    """A ref without scope is plugin-scoped, a singleton, without default factory."""
    ref = ServiceRef[str]("test.thing")
    assert (ref.id, ref.scope, ref.multiton, ref.default_factory) == (
        "test.thing",
        "plugin",
        False,
        None,
    )
    assert ServiceRef("test.root", scope="root").scope == "root"


def test_service_ref_repr_is_readable() -> None:
    """ServiceRef's repr names its id, as every error message shows it."""
    assert repr(core_services.logger) == "ServiceRef('core.logger')"
    assert repr(ServiceRef[int]("test.count", scope="root")) == "ServiceRef('test.count')"


def test_service_ref_refuses_an_unknown_scope() -> None:
    """The scope is 'root' or 'plugin'; anything else names the ref and the choices."""
    with pytest.raises(ValueError, match=r"invalid scope 'global' for service ref 'test\.x': use"):
        ServiceRef("test.x", scope="global")  # type: ignore[arg-type]


@pytest.mark.parametrize("ref_id", ["", None, 3])
def test_service_ref_needs_a_string_id(ref_id: Any) -> None:
    """A ref's id is a non-empty string."""
    with pytest.raises(ValueError, match="a service ref needs a non-empty string id"):
        ServiceRef(ref_id)


def test_service_factory_deps_must_be_refs() -> None:
    """A factory's dependencies are service refs; anything else names the factory's ref."""
    with pytest.raises(TypeError, match=r"dependency 'db' of the factory for ServiceRef"):
        ServiceFactory(ServiceRef("test.x"), lambda db: db, deps={"db": "test.db"})  # type: ignore[dict-item]


def test_service_factory_refuses_a_dependency_named_context() -> None:
    """With create_root_context, the name 'context' is taken by the root context."""
    with pytest.raises(ValueError, match="has a dependency named 'context'"):
        ServiceFactory(
            ServiceRef("test.x"),
            lambda context: context,
            deps={"context": core_services.root_config},
            create_root_context=lambda: None,
        )


def test_core_services_lists_every_core_ref() -> None:
    """core_services iterates over its refs, ids 'core.<name>', scopes as documented."""
    scopes = {ref.id: ref.scope for ref in core_services}
    assert scopes == {
        "core.discovery": "root",
        "core.http_router": "plugin",
        "core.lifecycle": "plugin",
        "core.logger": "plugin",
        "core.plugin_metadata": "plugin",
        "core.root_config": "root",
        "core.root_health": "root",
        "core.root_http_router": "root",
        "core.root_lifecycle": "root",
        "core.root_logger": "root",
    }


async def test_root_service_cannot_depend_on_a_plugin_service() -> None:
    """A root factory depending on a plugin-scoped ref is refused with how to fix it."""
    cache = ServiceRef[str]("test.cache", scope="root")
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(cache, lambda logger: "cache", deps={"logger": core_services.logger})
        ],
    )
    error = await start_error(backend, DependencyError)
    assert error.problems == (
        "root service ServiceRef('test.cache') depends on plugin-scoped service "
        "ServiceRef('core.logger'): a root service exists once per backend and cannot use a "
        "service that exists once per plugin; make 'core.logger' root-scoped or 'test.cache' "
        "plugin-scoped",
    )


async def test_plugin_service_may_depend_on_a_root_service() -> None:
    """Plugin services use root services freely; they get the one shared instance."""
    counter = ServiceRef[list[str]]("test.counter", scope="root")
    tagged = ServiceRef[str]("test.tagged")
    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(counter, list),
            ServiceFactory(
                tagged,
                lambda counter, meta: counter.append(meta.plugin_id) or meta.plugin_id,
                deps={"counter": counter, "meta": core_services.plugin_metadata},
            ),
            consumer("catalog", got, tagged=tagged, counter=counter),
            consumer("search", got, tagged=tagged, counter=counter),
        ],
    )
    await backend.start()
    assert got["catalog"]["tagged"] == "catalog"
    assert got["search"]["tagged"] == "search"
    assert got["catalog"]["counter"] is got["search"]["counter"]
    assert sorted(got["catalog"]["counter"]) == ["catalog", "search"]
    await backend.stop()


async def test_added_factory_overrides_the_default() -> None:
    """backend.add(factory) replaces a core service's default implementation."""

    class StaticDiscovery:
        async def get_base_url(self, plugin_id: str) -> str:
            return f"http://static/{plugin_id}"

        async def get_external_base_url(self, plugin_id: str) -> str:
            return f"https://static/{plugin_id}"

    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(core_services.discovery, StaticDiscovery),
            consumer("catalog", got, discovery=core_services.discovery),
        ],
    )
    await backend.start()
    discovery = got["catalog"]["discovery"]
    assert isinstance(discovery, StaticDiscovery)
    assert await discovery.get_base_url("search") == "http://static/search"
    await backend.stop()


async def test_two_factories_for_a_singleton_ref_are_an_error() -> None:
    """Two explicit factories for a ref that is not a multiton are refused, naming both."""
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(core_services.discovery, lambda: "first"),
            ServiceFactory(core_services.discovery, lambda: "second"),
        ],
    )
    error = await start_error(backend, DependencyError)
    (problem,) = error.problems
    assert problem.startswith(
        "two factories were added for ServiceRef('core.discovery'), which is not a multiton: "
    )
    assert problem.endswith("; add only one")
    assert problem.count("<lambda>") == 2


async def test_multiton_collects_every_factory_into_a_list() -> None:
    """A multiton ref gets one instance per factory, delivered as a list in order added."""
    checks = ServiceRef[str]("test.checks", scope="root", multiton=True)
    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(checks, lambda: "database"),
            ServiceFactory(checks, lambda: "cache"),
            consumer("catalog", got, checks=checks),
        ],
    )
    await backend.start()
    assert got["catalog"]["checks"] == ["database", "cache"]
    await backend.stop()


async def test_multiton_without_factories_is_an_empty_list() -> None:
    """A multiton nobody contributes to is not missing: the dependent gets []."""
    checks = ServiceRef[str]("test.checks", multiton=True)
    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(config={}, features=[consumer("catalog", got, checks=checks)])
    await backend.start()
    assert got["catalog"]["checks"] == []
    await backend.stop()


async def test_cycle_between_explicit_factories_is_reported() -> None:
    """A dependency cycle is reported at start as 'a' -> 'b' -> 'a' instead of hanging."""
    a = ServiceRef[str]("a", scope="root")
    b = ServiceRef[str]("b", scope="root")
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(a, lambda b: "a", deps={"b": b}),
            ServiceFactory(b, lambda a: "b", deps={"a": a}),
        ],
    )
    error = await start_error(backend, DependencyError)
    (problem,) = error.problems
    assert problem in (
        "circular service dependency: 'a' -> 'b' -> 'a'; break the cycle by removing one of "
        "these dependencies",
        "circular service dependency: 'b' -> 'a' -> 'b'; break the cycle by removing one of "
        "these dependencies",
    )


async def test_cycle_through_default_factories_is_reported() -> None:
    """Cycles made only of default factories are found too (Backstage hangs on these)."""
    a: ServiceRef[str] = ServiceRef(
        "a", default_factory=lambda: ServiceFactory(a, lambda b: "a", deps={"b": b})
    )
    b: ServiceRef[str] = ServiceRef(
        "b", default_factory=lambda: ServiceFactory(b, lambda a: "b", deps={"a": a})
    )
    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(config={}, features=[consumer("catalog", got, a=a)])
    error = await start_error(backend, DependencyError)
    assert any("'a' -> 'b' -> 'a'" in p or "'b' -> 'a' -> 'b'" in p for p in error.problems)
    assert got == {}


async def test_cycle_through_a_core_default_factory_is_reported() -> None:
    """An override that closes a loop with a core default factory is a cycle at start."""
    backend = create_backend(
        config={},
        features=[
            ServiceFactory(
                core_services.root_health,
                lambda router: router,
                deps={"router": core_services.root_http_router},
            )
        ],
    )
    error = await start_error(backend, DependencyError)
    (problem,) = error.problems
    assert problem.startswith("circular service dependency: ")
    assert "'core.root_health' -> 'core.root_http_router'" in problem or (
        "'core.root_http_router' -> 'core.root_health'" in problem
    )


async def test_root_services_are_built_eagerly() -> None:
    """A root factory runs at start even when nothing depends on it, before any init."""
    events: list[str] = []
    audit = ServiceRef[None]("test.audit", scope="root")

    class EventsPlugin(BackendPlugin):
        plugin_id = "events"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda: events.append("init"))

    backend = create_backend(
        config={},
        features=[ServiceFactory(audit, lambda: events.append("audit")), EventsPlugin],
    )
    await backend.start()
    assert events == ["audit", "init"]
    await backend.stop()


async def test_plugin_services_are_built_lazily_once_per_plugin() -> None:
    """A plugin factory runs once per plugin that uses it, shared with its modules."""
    calls: list[str] = []
    scoped = ServiceRef[str]("test.scoped")
    unused = ServiceRef[str]("test.unused")

    def build(meta: Any) -> str:
        calls.append(meta.plugin_id)
        return f"scoped:{meta.plugin_id}"

    got: dict[str, dict[str, Any]] = {}
    module_got: list[str] = []

    class CatalogModuleUser(BackendModule):
        plugin_id = "catalog"
        module_id = "user"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(lambda scoped: module_got.append(scoped), deps={"scoped": scoped})

    backend = create_backend(
        config={},
        features=[
            ServiceFactory(scoped, build, deps={"meta": core_services.plugin_metadata}),
            ServiceFactory(unused, lambda: calls.append("unused") or "unused"),
            consumer("catalog", got, scoped=scoped),
            consumer("search", got, scoped=scoped),
            consumer("idle", got),
            CatalogModuleUser,
        ],
    )
    await backend.start()
    assert sorted(calls) == ["catalog", "search"]
    assert got["catalog"]["scoped"] == "scoped:catalog"
    assert module_got == ["scoped:catalog"]
    assert await backend.get_service(scoped, "catalog") == "scoped:catalog"
    assert sorted(calls) == ["catalog", "search"]
    await backend.stop()


async def test_create_root_context_runs_once_for_every_plugin() -> None:
    """create_root_context runs once; each plugin's factory call receives its result."""
    contexts: list[str] = []
    pool = ServiceRef[tuple[str, str]]("test.pool")

    def make_context(config: Any) -> str:
        contexts.append("context")
        return "shared-pool"

    backend = create_backend(
        config={},
        features=[
            ServiceFactory(
                pool,
                lambda context, meta, config: (context, meta.plugin_id),
                deps={"meta": core_services.plugin_metadata, "config": core_services.root_config},
                create_root_context=make_context,
            ),
            consumer("catalog", got := {}, pool=pool),
            consumer("search", got, pool=pool),
            consumer("scaffolder", got, pool=pool),
        ],
    )
    await backend.start()
    assert contexts == ["context"]
    assert {pid: services["pool"] for pid, services in got.items()} == {
        "catalog": ("shared-pool", "catalog"),
        "search": ("shared-pool", "search"),
        "scaffolder": ("shared-pool", "scaffolder"),
    }
    await backend.stop()


async def test_plugin_metadata_cannot_be_overridden() -> None:
    """core.plugin_metadata comes from the backend; a factory for it is refused."""
    backend = create_backend(
        config={}, features=[ServiceFactory(core_services.plugin_metadata, lambda: "fake")]
    )
    error = await start_error(backend, DependencyError)
    assert error.problems == (
        "ServiceRef('core.plugin_metadata') is provided by the backend and cannot be "
        "overridden: remove the factory from backend.add()",
    )


async def test_plugin_metadata_names_the_plugin() -> None:
    """Each plugin's plugin_metadata carries its own id."""
    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(
        config={},
        features=[
            consumer("catalog", got, meta=core_services.plugin_metadata),
            consumer("search", got, meta=core_services.plugin_metadata),
        ],
    )
    await backend.start()
    assert got["catalog"]["meta"].plugin_id == "catalog"
    assert got["search"]["meta"].plugin_id == "search"
    await backend.stop()


async def test_failing_plugin_service_factory_names_the_ref_and_plugin() -> None:
    """A plugin factory that raises gives ServiceFactoryError with the ref, plugin and cause."""
    tokens = ServiceRef[str]("test.tokens")

    def broken() -> str:
        raise RuntimeError("vault unreachable")

    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(
        config={}, features=[ServiceFactory(tokens, broken), consumer("catalog", got, t=tokens)]
    )
    startup = await start_error(backend, BackendStartupError)
    error = startup.causes["plugin 'catalog'"]
    assert isinstance(error, ServiceFactoryError)
    assert str(error) == (
        "the factory of ServiceRef('test.tokens') failed for plugin 'catalog': "
        "RuntimeError: vault unreachable"
    )
    assert (error.service_id, error.plugin_id) == ("test.tokens", "catalog")
    assert isinstance(error.__cause__, RuntimeError)


async def test_failing_root_service_factory_fails_the_start() -> None:
    """A root factory that raises fails start() with a ServiceFactoryError for the ref."""
    database = ServiceRef[str]("test.database", scope="root")

    async def broken() -> str:
        raise ConnectionError("refused")

    backend = create_backend(config={}, features=[ServiceFactory(database, broken)])
    error = await start_error(backend, ServiceFactoryError)
    assert str(error) == (
        "the factory of ServiceRef('test.database') failed: ConnectionError: refused"
    )
    assert (error.service_id, error.plugin_id) == ("test.database", None)


async def test_async_factories_are_awaited() -> None:
    """A factory may be a coroutine function; the dependent gets the awaited value."""
    value = ServiceRef[int]("test.value", scope="root")

    async def build() -> int:
        await asyncio.sleep(0)
        return 42

    got: dict[str, dict[str, Any]] = {}
    backend = create_backend(
        config={}, features=[ServiceFactory(value, build), consumer("catalog", got, v=value)]
    )
    await backend.start()
    assert got["catalog"]["v"] == 42
    await backend.stop()


async def test_get_service_before_start_is_an_error() -> None:
    """backend.get_service() needs a started backend and says so."""
    backend = create_backend(config={})
    with pytest.raises(GreenroomError, match=r"await backend.start\(\) first"):
        await backend.get_service(core_services.root_config)
