"""The catalog's HTTP API under ``/api/catalog``, a subset of Backstage's.

- ``GET /entities``: every entity, sorted by ref; ``?kind=`` and ``?name=`` filter
  (any case; repeated, any of the values).
- ``GET /entities/by-name/{kind}/{namespace}/{name}``: one entity, or 404.
"""

from __future__ import annotations

from greenroom_plugin_catalog_common import entity_ref, entity_to_dict
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, Router

from greenroom_plugin_catalog_backend.store import EntityStore

__all__ = ["catalog_router"]


def _not_found(message: str) -> JSONResponse:
    # Backstage's error body, so that its clients read it.
    body = {"error": {"name": "NotFoundError", "message": message}, "response": {"statusCode": 404}}
    return JSONResponse(body, status_code=404)


def catalog_router(store: EntityStore) -> Router:
    """The routes, reading ``store`` on each request."""

    async def entities(request: Request) -> JSONResponse:
        found = store.entities(
            kinds=request.query_params.getlist("kind"), names=request.query_params.getlist("name")
        )
        return JSONResponse([entity_to_dict(entity) for entity in found])

    async def by_name(request: Request) -> JSONResponse:
        kind, namespace, name = (request.path_params[k] for k in ("kind", "namespace", "name"))
        entity = store.get(entity_ref(kind, namespace, name))
        if entity is None:
            return _not_found(
                f"no entity named {name!r} found, with kind {kind!r} in namespace {namespace!r}"
            )
        return JSONResponse(entity_to_dict(entity))

    return Router(
        [
            Route("/entities", entities, methods=["GET"]),
            Route("/entities/by-name/{kind}/{namespace}/{name}", by_name, methods=["GET"]),
        ]
    )
