"""The remotes listing over real HTTP, resolvers, the frontend remotes service, bad plugins."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from frontend_server import PLUGINS, REMOTES, ServedBackend, mf_manifest, write_frontend_plugin

from greenroom import BackendPlugin, Config, hookimpl
from greenroom._dynamic.frontend_http import FrontendRemotesApp
from greenroom._dynamic.frontend_remotes import FrontendRemotes
from greenroom._dynamic.manager import DynamicPluginManager
from greenroom._services.cors import CorsPolicy
from greenroom.dynamic import DynamicPlugin as Plugin
from greenroom.dynamic import (
    DynamicPluginsFrontendRemotesService,
    FrontendRemoteResolver,
    dynamic_plugins_frontend_service_ref,
)

Serve = Callable[..., ServedBackend]


def manifest_plugin(root: Path, name: str = "acme-hello", **extra: str) -> Path:
    """A plugin with a manifest exposing ``Greeting`` and ``Settings``, and its entry."""
    container = name.replace("-", "_")
    return write_frontend_plugin(
        root,
        name,
        {
            "mf-manifest.json": mf_manifest(container, ["Greeting", "Settings"]),
            "remoteEntry.js": "// entry\n",
            **extra,
        },
        version="1.2.3",
    )


def test_listing_has_backstages_shape_with_absolute_entries(
    serve: Serve, plugins_root: Path
) -> None:
    """Manifest plugins list type ``manifest``; plain ones ``javascript`` with remoteEntry.js."""
    manifest_plugin(plugins_root)
    write_frontend_plugin(plugins_root, "acme-plain", {"remoteEntry.js": "// plain\n"})
    backend = serve()

    response = backend.client.get(REMOTES)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    base = f"{backend.base_url}{REMOTES}"
    assert response.json() == [
        {
            "packageName": "acme-hello",
            "version": "1.2.3",
            "remoteInfo": {
                "name": "acme_hello",
                "entry": f"{base}/acme-hello/mf-manifest.json",
                "type": "manifest",
            },
            "exposedModules": ["Greeting", "Settings"],
        },
        {
            "packageName": "acme-plain",
            "version": "1.0.0",
            "remoteInfo": {
                "name": "acme_plain",
                "entry": f"{base}/acme-plain/remoteEntry.js",
                "type": "javascript",
            },
            "exposedModules": [],
        },
    ]
    for remote in response.json():
        assert backend.client.get(remote["remoteInfo"]["entry"]).status_code == 200
    assert backend.client.get(REMOTES + "/").json() == response.json()


def test_entry_urls_follow_backend_base_url(serve: Serve, plugins_root: Path) -> None:
    """``entry`` is built from ``backend.baseUrl``, e.g. a public URL behind a proxy."""
    manifest_plugin(plugins_root)
    backend = serve(config={"backend": {"baseUrl": "https://dev.example.com/"}})
    [remote] = backend.client.get(REMOTES).json()
    assert remote["remoteInfo"]["entry"] == (
        f"https://dev.example.com{REMOTES}/acme-hello/mf-manifest.json"
    )


def test_javascript_entry_comes_from_the_manifest(serve: Serve, plugins_root: Path) -> None:
    """With the entry type ``javascript``, the entry is the manifest's metaData.remoteEntry."""
    manifest = json.loads(mf_manifest("acme_hello", ["Greeting"]))
    manifest["metaData"]["remoteEntry"] = {"name": "entry.3f2a1b9c.js", "path": "static"}
    write_frontend_plugin(
        plugins_root,
        "acme-hello",
        {"mf-manifest.json": json.dumps(manifest), "static/entry.3f2a1b9c.js": "// e\n"},
    )
    resolver = FrontendRemoteResolver(remote_entry_type=lambda manifest: "javascript")
    backend = serve(frontend_remote_resolver=resolver)
    [remote] = backend.client.get(REMOTES).json()
    assert remote["remoteInfo"]["type"] == "javascript"
    assert remote["remoteInfo"]["entry"].endswith("/acme-hello/static/entry.3f2a1b9c.js")
    assert remote["exposedModules"] == ["Greeting"]


def test_resolver_option_changes_manifest_name_modules_and_info(
    serve: Serve, plugins_root: Path
) -> None:
    """The loader's resolver renames the manifest, rewrites exposed modules, adds info."""
    write_frontend_plugin(
        plugins_root,
        "acme-hello",
        {"federation.json": mf_manifest("acme_hello", ["Greeting", "Internal"])},
    )
    seen: list[Any] = []

    def only_public(modules: list[str], manifest: Any) -> list[str]:
        seen.append(manifest["name"])
        return [m for m in modules if m != "Internal"]

    resolver = FrontendRemoteResolver(
        manifest_file_name="federation.json",
        override_exposed_modules=only_public,
        additional_remote_info=lambda manifest: {"shareScope": "greenroom"},
    )
    backend = serve(frontend_remote_resolver=resolver)
    [remote] = backend.client.get(REMOTES).json()
    assert remote["remoteInfo"] == {
        "name": "acme_hello",
        "entry": f"{backend.base_url}{REMOTES}/acme-hello/federation.json",
        "type": "manifest",
        "shareScope": "greenroom",
    }
    assert remote["exposedModules"] == ["Greeting"]
    assert seen == ["acme_hello"]


def test_resolver_provider_applies_per_plugin(serve: Serve, plugins_root: Path) -> None:
    """A provider function returns a resolver for some plugins and ``None`` for the others."""
    manifest_plugin(plugins_root, "acme-hello")
    manifest_plugin(plugins_root, "acme-other")

    def provider(plugin: Plugin) -> FrontendRemoteResolver | None:
        if plugin.name != "acme-other":
            return None
        return FrontendRemoteResolver(override_exposed_modules=lambda modules, manifest: [])

    backend = serve(frontend_remote_resolver=provider)
    listing = {r["packageName"]: r["exposedModules"] for r in backend.client.get(REMOTES).json()}
    assert listing == {"acme-hello": ["Greeting", "Settings"], "acme-other": []}


class ResolverPlugin(BackendPlugin):
    """Sets a resolver provider on the frontend remotes service from its init."""

    plugin_id = "resolver"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(self.init, deps={"remotes": dynamic_plugins_frontend_service_ref})

    def init(self, remotes: DynamicPluginsFrontendRemotesService) -> None:
        assert isinstance(remotes, DynamicPluginsFrontendRemotesService)
        remotes.set_resolver_provider(
            lambda plugin: FrontendRemoteResolver(
                override_exposed_modules=lambda modules, manifest: [m.lower() for m in modules]
            )
        )


def test_plugin_sets_the_resolver_provider_from_its_init(serve: Serve, plugins_root: Path) -> None:
    """A plugin's init customizes every remote, over the loader's option, field by field."""
    manifest_plugin(plugins_root)
    option = FrontendRemoteResolver(
        override_exposed_modules=lambda modules, manifest: ["ignored"],
        additional_remote_info=lambda manifest: {"shareScope": "app"},
    )
    backend = serve(features=(ResolverPlugin(),), frontend_remote_resolver=option)
    [remote] = backend.client.get(REMOTES).json()
    assert remote["exposedModules"] == ["greeting", "settings"]
    assert remote["remoteInfo"]["shareScope"] == "app"


def test_provider_cannot_be_set_twice_or_after_resolution() -> None:
    """The provider is set once, before the remotes are resolved; else a clear error."""
    manager = DynamicPluginManager(Config.from_data({}), include_installed=False)
    remotes = FrontendRemotes(manager, "http://x")
    remotes.set_resolver_provider(lambda plugin: None)
    with pytest.raises(Exception, match="already set; set it once"):
        remotes.set_resolver_provider(lambda plugin: None)
    other = FrontendRemotes(manager, "http://x")
    assert other.remotes() == ()
    with pytest.raises(Exception, match="from a plugin's init"):
        other.set_resolver_provider(lambda plugin: None)


@pytest.mark.parametrize(
    ("files", "resolver", "reason"),
    [
        ({"mf-manifest.json": "{not json"}, None, "is not readable JSON"),
        ({"mf-manifest.json": "[]"}, None, "must be a JSON object @ $"),
        (
            {"mf-manifest.json": json.dumps({"name": "", "exposes": [{"id": 1}, "x"]})},
            None,
            "non-empty string @ $.name; must be an object with a string name @ $.exposes[0]; "
            "must be an object with a string name @ $.exposes[1]",
        ),
        ({"main.js": "// no entry"}, None, "remote entry remoteEntry.js is missing"),
        (
            {"remoteEntry.js": "//"},
            FrontendRemoteResolver(remote_entry_type=lambda m: "manifest"),
            "the entry type is 'manifest' but there is no mf-manifest.json",
        ),
        (
            {"remoteEntry.js": "//"},
            FrontendRemoteResolver(manifest_file_name="../outside.json"),
            "must be a relative path inside",
        ),
        (
            {"remoteEntry.js": "//"},
            FrontendRemoteResolver(additional_remote_info=lambda m: {"entry": "x"}),
            "additional_remote_info may not set entry",
        ),
    ],
)
def test_broken_remotes_fail_their_plugin_only(
    serve: Serve,
    plugins_root: Path,
    caplog: pytest.LogCaptureFixture,
    files: dict[str, str],
    resolver: FrontendRemoteResolver | None,
    reason: str,
) -> None:
    """A bad manifest or entry fails that plugin (listed, logged); the others are served."""
    write_frontend_plugin(plugins_root, "acme-broken", files)
    write_frontend_plugin(plugins_root, "acme-good", {"remoteEntry.js": "// good\n"})
    with caplog.at_level(logging.ERROR, logger="greenroom.dynamic"):
        backend = serve(
            frontend_remote_resolver=lambda p: resolver if p.name == "acme-broken" else None
        )
    assert [r["packageName"] for r in backend.client.get(REMOTES).json()] == ["acme-good"]
    [broken] = [p for p in backend.client.get(PLUGINS).json() if p["name"] == "acme-broken"]
    assert broken["state"] == "failed"
    assert broken["failure"].startswith("frontend remote not served: ")
    assert reason in broken["failure"]
    assert reason in caplog.text
    assert backend.client.get(f"{REMOTES}/acme-broken/remoteEntry.js").status_code == 404


def test_two_frontend_entry_points_of_one_distribution(serve: Serve, plugins_root: Path) -> None:
    """A distribution serves one remote: its second frontend entry point fails, named."""
    dist = write_frontend_plugin(plugins_root, "acme-twice", {"remoteEntry.js": "//"})
    second = dist.parents[1] / "acme_twice_extra" / "dist"
    second.mkdir(parents=True)
    (second / "remoteEntry.js").write_text("//")
    [info] = dist.parents[1].glob("*.dist-info")
    (info / "entry_points.txt").write_text(
        "[greenroom.frontend_plugin]\nacme-twice = acme_twice\n"
        "[greenroom.frontend_plugin_module]\nextra = acme_twice_extra\n"
    )
    backend = serve()
    assert len(backend.client.get(REMOTES).json()) == 1
    failed = [p for p in backend.client.get(PLUGINS).json() if p["state"] == "failed"]
    assert len(failed) == 1
    assert "more than one frontend entry point" in failed[0]["failure"]


def test_root_and_installed_plugins_both_serve_dist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``assets_dir`` is ``<package>/dist`` for root-directory and installed plugins alike."""
    root = tmp_path / "root"
    dropped = write_frontend_plugin(root, "acme-dropped", {"remoteEntry.js": "//"})
    site = tmp_path / "site"
    installed = write_frontend_plugin(site, "acme-installed", {"remoteEntry.js": "//"})
    monkeypatch.syspath_prepend(str(installed.parents[1]))
    config = Config.from_data(
        {
            "dynamicPlugins": {
                "rootDirectory": str(root),
                "cacheDirectory": str(tmp_path / "cache"),
            }
        }
    )
    manager = DynamicPluginManager(config)
    manager.load()
    found = {p.name: p.assets_dir for p in manager.frontend_plugins()}
    assert found["acme-dropped"] == dropped
    assert found["acme-installed"] == installed


@pytest.mark.anyio
async def test_requests_made_while_starting_wait_for_the_remotes() -> None:
    """Before the remotes are resolved a request waits for them, then gets 503 at the deadline."""
    manager = DynamicPluginManager(Config.from_data({}), include_installed=False)
    remotes = FrontendRemotes(manager, "http://x")
    hold = [0.05]
    app = FrontendRemotesApp(remotes, CorsPolicy(), lambda: hold[0])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        late = await client.get("/")
        assert late.status_code == 503
        assert late.headers["retry-after"] == "5"
        hold[0] = 5.0
        waiting = asyncio.ensure_future(client.get("/"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        remotes.resolve()
        response = await waiting
    assert response.status_code == 200
    assert response.json() == []
