"""The http_router and root_http_router services, the health endpoints and request holding."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from greenroom import (
    Backend,
    BackendPlugin,
    BackendStartupError,
    core_services,
    create_backend,
    hookimpl,
)

pytestmark = pytest.mark.anyio

ROUTER = {"router": core_services.http_router}
READINESS = "/.greenroom/health/v1/readiness"
LIVENESS = "/.greenroom/health/v1/liveness"


def plugin(plugin_id: str, init: Callable[..., Any], deps: dict[str, Any]) -> BackendPlugin:
    """A plugin registering ``init`` with ``deps``."""

    class Plugin(BackendPlugin):
        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(init, deps=deps)

    Plugin.plugin_id = plugin_id
    return Plugin()


def client(backend: Backend) -> httpx.AsyncClient:
    """An in-process HTTP client for the backend's ASGI app."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=backend.http_app), base_url="http://testserver"
    )


async def until(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    """Poll ``condition`` until it holds, failing after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        await asyncio.sleep(0.001)


async def describe(request: Request) -> JSONResponse:
    """Echo what the mounted app sees of the request."""
    return JSONResponse({"path": request.url.path, "root_path": request.scope["root_path"]})


@pytest.mark.parametrize("kind", ["router", "starlette-app", "route-list"])
async def test_http_router_mounts_any_asgi_app_under_api_plugin_id(kind: str) -> None:
    """use() takes a Starlette Router, a Starlette app or a list of routes."""
    routes = [Route("/things", describe)]
    app = {
        "router": Router(routes=routes),
        "starlette-app": Starlette(routes=routes),
        "route-list": routes,
    }[kind]
    backend = create_backend(
        config={}, features=[plugin("catalog", lambda router: router.use(app), ROUTER)]
    )
    await backend.start()
    async with client(backend) as http:
        response = await http.get("/api/catalog/things")
    assert response.status_code == 200
    assert response.json() == {"path": "/api/catalog/things", "root_path": "/api/catalog"}
    await backend.stop()


async def test_a_404_falls_through_to_the_next_app_with_the_body_replayed() -> None:
    """With two apps, a 404 from the first lets the second answer, reading the same body."""
    first_saw: list[bytes] = []

    async def body_reading_404(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        first_saw.append(await request.body())
        await PlainTextResponse("not mine", status_code=404)(scope, receive, send)

    async def echo(request: Request) -> Response:
        return Response(b"echo:" + await request.body())

    def init(router: Any) -> None:
        router.use(body_reading_404)
        router.use(Starlette(routes=[Route("/echo", echo, methods=["POST"])]))

    backend = create_backend(config={}, features=[plugin("catalog", init, ROUTER)])
    await backend.start()
    async with client(backend) as http:
        response = await http.post("/api/catalog/echo", content=b"payload")
    assert (response.status_code, response.content) == (200, b"echo:payload")
    assert first_saw == [b"payload"]
    await backend.stop()


async def test_first_app_that_answers_wins() -> None:
    """An answer other than 404 from the first app is final; later apps are not asked."""
    asked: list[str] = []

    def app(name: str, status: int) -> Starlette:
        def handler(request: Request) -> Response:
            asked.append(name)
            return PlainTextResponse(name, status_code=status)

        return Starlette(routes=[Route("/x", handler)])

    def init(router: Any) -> None:
        router.use(app("first", 500))
        router.use(app("second", 200))

    backend = create_backend(config={}, features=[plugin("catalog", init, ROUTER)])
    await backend.start()
    async with client(backend) as http:
        response = await http.get("/api/catalog/x")
    assert (response.status_code, response.text, asked) == (500, "first", ["first"])
    await backend.stop()


async def test_last_apps_404_is_the_answer() -> None:
    """When every app answers 404, the client gets the last app's 404."""

    def init(router: Any) -> None:
        router.use([Route("/a", lambda request: PlainTextResponse("a"))])
        router.use([Route("/b", lambda request: PlainTextResponse("b"))])

    backend = create_backend(config={}, features=[plugin("catalog", init, ROUTER)])
    await backend.start()
    async with client(backend) as http:
        assert (await http.get("/api/catalog/b")).text == "b"
        assert (await http.get("/api/catalog/c")).status_code == 404
    await backend.stop()


async def test_plugin_without_routes_answers_404_naming_it() -> None:
    """A plugin that took the router but mounted nothing answers 404 with its id."""
    backend = create_backend(config={}, features=[plugin("catalog", lambda router: None, ROUTER)])
    await backend.start()
    async with client(backend) as http:
        response = await http.get("/api/catalog/anything")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "plugin 'catalog' has no routes"
    await backend.stop()


@pytest.mark.parametrize(
    ("app", "message"),
    [
        (42, "http_router.use() got 42, which is not an ASGI app"),
        (["/x"], "http_router.use() got '/x' in a sequence"),
    ],
    ids=["not-callable", "not-a-route"],
)
async def test_use_refuses_what_is_not_an_app_or_routes(app: Any, message: str) -> None:
    """use() names the plugin and what was wrong with its argument."""
    backend = create_backend(
        config={}, features=[plugin("catalog", lambda router: router.use(app), ROUTER)]
    )
    with pytest.raises(BackendStartupError) as info:
        await backend.start()
    error = info.value.causes["plugin 'catalog'"]
    assert isinstance(error, TypeError)
    assert str(error).startswith(f"plugin 'catalog': {message}")


async def test_unknown_paths_answer_404_json() -> None:
    """A path nothing serves gets Backstage's JSON error body with status 404."""
    backend = create_backend(config={}, features=[plugin("catalog", lambda: None, {})])
    await backend.start()
    async with client(backend) as http:
        unknown = await http.get("/nothing/here")
        no_plugin = await http.get("/api/search/x")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/json"
    assert unknown.json() == {
        "error": {"name": "NotFoundError", "message": "no route for /nothing/here"},
        "response": {"statusCode": 404},
    }
    assert no_plugin.status_code == 404
    await backend.stop()


async def test_health_endpoints_follow_the_backend_life() -> None:
    """Liveness is 200; readiness is 503 while starting, 200 once started, 503 when stopping."""
    release_init, in_shutdown, release_shutdown = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def init(lifecycle: Any) -> None:
        await release_init.wait()

        async def shutdown() -> None:
            in_shutdown.set()
            await release_shutdown.wait()

        lifecycle.add_shutdown_hook(shutdown)

    backend = create_backend(
        config={}, features=[plugin("catalog", init, {"lifecycle": core_services.lifecycle})]
    )
    starting = asyncio.ensure_future(backend.start())
    await backend.prepare()
    async with client(backend) as http:
        before = await http.get(READINESS)
        assert (await http.get(LIVENESS)).status_code == 200
        release_init.set()
        await asyncio.wait_for(starting, timeout=2)
        started = await http.get(READINESS)
        stopping = asyncio.ensure_future(backend.stop())
        await asyncio.wait_for(in_shutdown.wait(), timeout=2)
        during_stop = await http.get(READINESS)
        live_during_stop = await http.get(LIVENESS)
        release_shutdown.set()
        await asyncio.wait_for(stopping, timeout=2)
        after_stop = await http.get(READINESS)
        missing = await http.get("/.greenroom/health/v1/other")
    assert (before.status_code, before.json()) == (
        503,
        {"status": "error", "message": "Backend has not started yet"},
    )
    assert (started.status_code, started.json()) == (200, {"status": "ok"})
    assert (during_stop.status_code, during_stop.json()) == (
        503,
        {"status": "error", "message": "Backend is shutting down"},
    )
    assert live_during_stop.status_code == 200
    assert live_during_stop.json() == {"status": "ok"}
    assert after_stop.status_code == 503
    assert started.headers["cache-control"] == "no-store"
    assert missing.status_code == 404


async def test_request_to_a_starting_plugin_is_held_until_it_is_ready() -> None:
    """A request to a plugin still in its init waits and is served once the plugin is up."""
    release = asyncio.Event()

    async def init(router: Any) -> None:
        router.use([Route("/hello", lambda request: PlainTextResponse("hello"))])
        await release.wait()

    backend = create_backend(config={}, features=[plugin("catalog", init, ROUTER)])
    starting = asyncio.ensure_future(backend.start())
    await backend.prepare()
    async with client(backend) as http:
        request = asyncio.ensure_future(http.get("/api/catalog/hello"))
        await until(lambda: backend.state.in_flight == 1)
        assert not request.done()
        release.set()
        response = await asyncio.wait_for(request, timeout=2)
    assert (response.status_code, response.text) == (200, "hello")
    await asyncio.wait_for(starting, timeout=2)
    await backend.stop()


async def test_request_held_too_long_answers_503_naming_the_plugin() -> None:
    """After backend.startup.requestHoldTimeout a held request gets 503 with the plugin id."""
    release = asyncio.Event()

    async def init(router: Any) -> None:
        router.use([Route("/hello", lambda request: PlainTextResponse("hello"))])
        await release.wait()

    backend = create_backend(
        config={"backend": {"startup": {"requestHoldTimeout": 0.2}}},
        features=[plugin("catalog", init, ROUTER)],
    )
    starting = asyncio.ensure_future(backend.start())
    await backend.prepare()
    async with client(backend) as http:
        response = await asyncio.wait_for(http.get("/api/catalog/hello"), timeout=2)
    release.set()
    await asyncio.wait_for(starting, timeout=2)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"] == {
        "name": "ServiceUnavailableError",
        "message": "plugin 'catalog' is still starting",
    }
    await backend.stop()


async def test_stopped_plugin_answers_503() -> None:
    """Once the backend has stopped, a plugin's routes answer 503 saying it stopped."""
    backend = create_backend(
        config={},
        features=[
            plugin(
                "catalog",
                lambda router: router.use([Route("/x", lambda r: PlainTextResponse("x"))]),
                ROUTER,
            )
        ],
    )
    await backend.start()
    await backend.stop()
    async with client(backend) as http:
        response = await http.get("/api/catalog/x")
    assert response.status_code == 503
    assert response.json()["error"]["message"] == "plugin 'catalog' has stopped"


async def test_root_http_router_mounts_apps_outside_api() -> None:
    """root_http_router.use('/custom', app) serves the app with root_path '/custom'."""
    mounted: list[BaseException] = []

    def init(root: Any) -> None:
        root.use("/custom", Starlette(routes=[Route("/where", describe)]))
        for path in ("/custom", "/.greenroom/health/v1/extra", "no-slash"):
            try:
                root.use(path, Starlette())
            except ValueError as exc:
                mounted.append(exc)

    backend = create_backend(
        config={}, features=[plugin("admin", init, {"root": core_services.root_http_router})]
    )
    await backend.start()
    async with client(backend) as http:
        response = await http.get("/custom/where")
    assert response.json() == {"path": "/custom/where", "root_path": "/custom"}
    assert [str(exc) for exc in mounted] == [
        "something is already mounted at '/custom'; mount each path once",
        "'/.greenroom/health/v1/extra' is reserved for the health endpoints",
        "mount path 'no-slash' must start with '/'",
    ]
    await backend.stop()


async def test_plugin_routes_are_dispatched_by_id_among_many_plugins() -> None:
    """Each of many plugins answers under its own /api/<id>, and only there."""
    plugins = [
        plugin(
            f"plugin-{name}",
            lambda router, name=name: router.use(
                [Route("/who", lambda request: PlainTextResponse(name))]
            ),
            ROUTER,
        )
        for name in ("a", "b", "c", "d", "e")
    ]
    backend = create_backend(config={}, features=plugins)
    await backend.start()
    async with client(backend) as http:
        answers = [(await http.get(f"/api/plugin-{n}/who")).text for n in "abcde"]
    assert answers == ["a", "b", "c", "d", "e"]
    await backend.stop()
