"""The naive peer: pluggy, a ``sys.path`` entry per plugin, a Starlette ``Mount`` per plugin.

What a Python user would write first: each plugin installed into a folder of
its own (``pip install --target``), that folder appended to ``sys.path``, the
plugin imported and registered with pluggy, its routes mounted under
``/api/<plugin id>``.
"""

import importlib
import os
import sys

from common import READINESS, plugin_manager, run_plugin_app


def build(directory, count):
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    manager = plugin_manager()
    plugins = []
    for folder in sorted(os.listdir(directory))[:count]:
        path = os.path.join(directory, folder)
        sys.path.append(path)
        name = next(n[:-3] for n in os.listdir(path) if n.endswith(".py"))
        plugin = importlib.import_module(name).Plugin()
        manager.register(plugin)
        plugins.append(plugin)
    routes = manager.hook.routes()
    mounts = [
        Mount(f"/api/{p.plugin_id}", routes=r)
        for p, r in zip(reversed(plugins), routes, strict=True)
    ]
    mounts.reverse()  # in plugin order: the first plugin's Mount is tried first

    async def ready(request):
        return PlainTextResponse("ready")

    return Starlette(routes=[Route(READINESS, ready), *mounts])


if __name__ == "__main__":
    run_plugin_app(build, __doc__ or "")
