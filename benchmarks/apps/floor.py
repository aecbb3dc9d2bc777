"""The floor: uvicorn + Starlette + pluggy, importing N plugin modules from one plain directory.

What Greenroom does at its simplest, with nothing of its own: one ``sys.path``
entry for all plugins, pluggy registration, each plugin's routes behind a dict
keyed by the plugin id (the same O(1) dispatch as Greenroom's root router).
"""

import importlib
import sys

from common import READINESS, plugin_manager, run_plugin_app


def build(directory, count):
    from starlette.responses import PlainTextResponse
    from starlette.routing import Router

    manager = plugin_manager()
    sys.path.insert(0, directory)
    plugins = []
    for index in range(1, count + 1):
        plugin = importlib.import_module(f"bench_plugin_{index:04d}").Plugin()
        manager.register(plugin)
        plugins.append(plugin)
    # pluggy calls implementations last-registered first.
    routes = manager.hook.routes()
    mounts = {p.plugin_id: Router(r) for p, r in zip(reversed(plugins), routes, strict=True)}
    ready = PlainTextResponse("ready")
    missing = PlainTextResponse("not found", 404)

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == READINESS:
            await ready(scope, receive, send)
            return
        parts = path.split("/", 3)
        router = mounts.get(parts[2]) if len(parts) > 2 and parts[1] == "api" else None
        if router is None:
            await missing(scope, receive, send)
            return
        child = dict(scope)
        child["root_path"] = scope.get("root_path", "") + f"/api/{parts[2]}"
        await router(child, receive, send)

    return app


if __name__ == "__main__":
    run_plugin_app(build, __doc__ or "")
