"""``TodoPlugin``: the todo plugin, serving the list under ``/api/todo``.

| route | answer |
|---|---|
| ``GET /api/todo/items`` | ``{"items": [{"id", "title"}, ...]}`` |
| ``POST /api/todo/items`` with ``{"title": "..."}`` | 201 and the new item |
| ``DELETE /api/todo/items/{id}`` | 204, or 404 when there is no such item |
| ``GET /api/todo/health`` | ``{"status": "ok"}`` |

Config (every key optional): ``todo.maxItems``, how many items the list holds
(default 100); the schema is ``config.schema.json`` beside this module.

The list lives in memory. Under ``greenroom package start`` it survives the
restarts that every saved change causes: the plugin hands its items to the
development data store when the backend stops and takes them back when the
next one starts (``greenroom.dev``); anywhere else that store keeps nothing.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from greenroom import (
    BackendPlugin,
    ConfigService,
    HttpRouterService,
    LifecycleService,
    core_services,
    hookimpl,
)
from greenroom.dev import DevDataStoreService, dev_data_store
from greenroom_plugin_todo_backend.store import DEFAULT_MAX_ITEMS, TodoListFullError, TodoStore

__all__ = ["TodoPlugin"]


def _error(status: int, name: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"name": name, "message": message}}, status_code=status)


def routes(store: TodoStore) -> Router:
    """The plugin's routes over ``store``."""

    async def list_items(request: Request) -> JSONResponse:
        return JSONResponse({"items": [item.as_json() for item in store.items()]})

    async def add_item(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "InputError", 'the body must be JSON: {"title": "..."}')
        title = body.get("title") if isinstance(body, dict) else None
        if not isinstance(title, str) or not title.strip():
            return _error(400, "InputError", "'title' must be a non-empty string")
        try:
            item = store.add(title.strip())
        except TodoListFullError as exc:
            return _error(409, "ConflictError", str(exc))
        return JSONResponse(item.as_json(), status_code=201)

    async def delete_item(request: Request) -> Response:
        item_id = request.path_params["item_id"]
        if not store.remove(item_id):
            return _error(404, "NotFoundError", f"no todo item {item_id!r}")
        return Response(status_code=204)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Router(
        [
            Route("/items", list_items, methods=["GET"]),
            Route("/items", add_item, methods=["POST"]),
            Route("/items/{item_id}", delete_item, methods=["DELETE"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


#: The development data store's key of the items: ``[[id, title], ...]``, plain data.
DEV_DATA_KEY = "items"


class TodoPlugin(BackendPlugin):
    """The todo backend plugin: an in-memory list, empty at every start (but in development)."""

    plugin_id = "todo"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(
            self.init,
            deps={
                "router": core_services.http_router,
                "config": core_services.root_config,
                "lifecycle": core_services.lifecycle,
                "dev_data": dev_data_store,
            },
        )

    async def init(
        self,
        router: HttpRouterService,
        config: ConfigService,
        lifecycle: LifecycleService,
        dev_data: DevDataStoreService,
    ) -> None:
        max_items = config.get_optional_number("todo.maxItems")
        store = TodoStore(int(max_items) if max_items else DEFAULT_MAX_ITEMS)
        store.restore((item_id, title) for item_id, title in await dev_data.load(DEV_DATA_KEY, []))

        async def hand_over() -> None:
            await dev_data.save(DEV_DATA_KEY, [[i.id, i.title] for i in store.items()])

        if dev_data.available:
            lifecycle.add_shutdown_hook(hand_over)
        router.use(routes(store))
