"""A backend serving a host page and dynamic frontend plugins, for the browser test.

Usage: ``python frontend_host.py CONFIG_FILE``. The backend is the one
``greenroom start`` runs (the dynamic plugins loader: every installed plugin,
such as ``greenroom-plugin-hello``, and those dropped into
``dynamicPlugins.rootDirectory``) plus the ``host`` plugin, which serves
``GET /api/host/index.html``: a page that reads
``/.greenroom/dynamic-features/remotes``, loads each remote's entry (through
its module federation manifest for ``manifest`` entries), initialises the
container, and lets every exposed module render into the page. The page
itself contains none of the text the plugins render.
"""

from __future__ import annotations

import sys

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from greenroom import (
    BackendPlugin,
    HttpRouterService,
    RegistrationEnv,
    core_services,
    create_backend,
    hookimpl,
    load_config,
)
from greenroom.dynamic import dynamic_plugins_feature_loader

HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Greenroom host</title>
  <style>
    body { font-family: sans-serif; margin: 2rem; background: #fafafa; }
    #plugins > section { border: 1px solid #ccc; padding: 1rem; margin: 1rem 0; background: white; }
    #status { color: #666; }
  </style>
</head>
<body>
  <h1>Greenroom host page</h1>
  <p id="status">loading remotes</p>
  <div id="plugins"></div>
  <script>
    function loadScript(url) {
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("cannot load " + url)); };
        document.head.appendChild(script);
      });
    }

    async function entryOf(remote) {
      var info = remote.remoteInfo;
      if (info.type !== "manifest") {
        return { url: info.entry, global: info.name };
      }
      var manifest = await (await fetch(info.entry)).json();
      var entry = manifest.metaData.remoteEntry;
      var path = entry.path ? entry.path.replace(/\\/?$/, "/") : "";
      return {
        url: new URL(path + entry.name, info.entry).href,
        global: manifest.metaData.globalName || info.name,
      };
    }

    async function main() {
      var status = document.getElementById("status");
      try {
        var remotes = await (await fetch("/.greenroom/dynamic-features/remotes")).json();
        for (var remote of remotes) {
          var entry = await entryOf(remote);
          await loadScript(entry.url);
          var container = self[entry.global];
          await container.init({});
          for (var name of remote.exposedModules) {
            var section = document.createElement("section");
            section.dataset.remote = remote.packageName;
            section.dataset.module = name;
            document.getElementById("plugins").appendChild(section);
            var factory = await container.get("./" + name);
            await factory().render(section);
          }
        }
        status.textContent = "rendered " + remotes.length + " remote(s)";
        status.dataset.state = "done";
      } catch (error) {
        status.textContent = "failed: " + error;
        status.dataset.state = "failed";
      }
    }
    main();
  </script>
</body>
</html>
"""


class HostPlugin(BackendPlugin):
    """Serves the host page at ``/api/host/index.html``."""

    plugin_id = "host"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"router": core_services.http_router})

    def init(self, router: HttpRouterService) -> None:
        async def page(request: Request) -> HTMLResponse:
            return HTMLResponse(HOST_PAGE)

        router.use([Route("/index.html", page)])


def main(config_file: str) -> None:
    config = load_config([config_file])
    # As greenroom start does, plus the page: installed plugins count (issue 7).
    create_backend(config, [HostPlugin, dynamic_plugins_feature_loader]).run()


if __name__ == "__main__":
    main(sys.argv[1])
