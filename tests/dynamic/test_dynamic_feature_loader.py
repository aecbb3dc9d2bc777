"""The feature loader in process: a root of good and broken plugins, served over ASGI."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from dynamic_plugin_sources import MODULE_GROUP, module_source, plugin_dist, root_config
from dynamic_scan_builders import FRONTEND, Dist, write_folder, write_wheel

from greenroom import (
    Backend,
    BackendPlugin,
    BackendStartupError,
    create_backend,
    hookimpl,
)
from greenroom.dynamic import (
    DynamicPluginManager,
    ModuleLoader,
    ScannedPluginPackage,
    dynamic_plugins_feature_loader,
    dynamic_plugins_service_ref,
)

pytestmark = pytest.mark.anyio

LISTING = "/.greenroom/dynamic-features/plugins"


@pytest.fixture
def mixed_root(tmp_path: Path) -> Path:
    """A root with good plugins, broken ones, and what installers leave beside them.

    Good: ``acme-todo`` (a wheel, plugin ``todo``) and ``acme-notes`` (a
    folder with its private ``notelib`` and a module ``extra`` for ``todo``).
    Broken: a wheel with bad metadata, a plugin whose register raises, one
    that needs a service nobody provides, one with an invalid plugin id. Also
    ``init-fails``, whose init raises, and junk files.
    """
    root = tmp_path / "plugins"
    root.mkdir()
    write_wheel(root, plugin_dist("acme-todo", "todo", route="items"))
    notes = plugin_dist(
        "acme-notes",
        "notes",
        version="0.2.0",
        requires=("notelib>=1",),
        imports="import notelib",
        payload='{"notelib": notelib.VERSION}',
        extra_code={"acme_notes/todo_module.py": module_source("todo", "extra", "extra")},
        extra_entry_points={MODULE_GROUP: {"todo-extra": "acme_notes.todo_module:Module"}},
    )
    notelib = Dist(
        name="notelib",
        version="1.5",
        entry_points={},
        code={"notelib/__init__.py": "VERSION = '1.5'\n"},
    )
    write_folder(root / "acme-notes", notes, notelib)
    write_wheel(root, Dist(name="broken-meta", metadata="not: metadata\n"))
    write_wheel(
        root, plugin_dist("bad-register", "bad-register", register_error="register blew up")
    )
    write_wheel(root, plugin_dist("needs-missing", "needs-missing", missing_service="missing.svc"))
    write_wheel(root, plugin_dist("bad-id", "Bad_Id"))
    write_wheel(root, plugin_dist("init-fails", "init-fails", init_error="init blew up"))
    for name in ("README.md", "pip.log", "requirements.txt"):
        (root / name).write_text("left by an installer\n")
    (root / "unknown.dat").write_bytes(b"\x00junk")
    return root


@contextlib.asynccontextmanager
async def running(
    config: dict[str, Any], loader: Any = None
) -> AsyncIterator[tuple[Backend, DynamicPluginManager, httpx.AsyncClient]]:
    """A started backend with the dynamic plugins loader (installed plugins left out)."""
    loader = loader or dynamic_plugins_feature_loader(include_installed=False)
    backend = create_backend(config, [loader])
    try:
        await backend.start()
        manager = await backend.get_service(dynamic_plugins_service_ref)
        transport = httpx.ASGITransport(app=backend.http_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield backend, manager, client
    finally:
        await backend.stop()  # also unloads the plugin namespaces (a root shutdown hook)


def continue_on(*plugin_ids: str) -> dict[str, Any]:
    """``backend.startup``: the boot failure policy ``continue`` for these plugins."""
    plugins = {pid: {"onPluginBootFailure": "continue"} for pid in plugin_ids}
    return {"backend": {"startup": {"plugins": plugins}}}


async def test_good_plugins_serve_next_to_broken_ones(
    mixed_root: Path, clean_process: None
) -> None:
    """The good plugins (and the module) serve; every bad entry is recorded; start completes."""
    config = {**root_config(mixed_root), **continue_on("init-fails")}
    async with running(config) as (backend, manager, client):
        assert backend.state.ready
        items = await client.get("/api/todo/items")
        assert items.json() == {"plugin": "todo", "version": "1.0.0"}
        assert (await client.get("/api/todo/extra")).json() == {"module": "extra"}
        notes = await client.get("/api/notes/hello")
        assert notes.json() == {"plugin": "notes", "version": "0.2.0", "notelib": "1.5"}
        for plugin_id in ("bad-register", "needs-missing"):
            assert (await client.get(f"/api/{plugin_id}/hello")).status_code == 404

        failures = {p.source.split(" ")[0]: p.failure for p in manager.plugins(True) if p.failure}

    def failure(entry: str) -> str:
        return failures.pop(str(mixed_root / entry)) or ""

    assert "METADATA: Name is missing" in failure("broken_meta-1.0.0-py3-none-any.whl")
    assert failure("bad_register-1.0.0-py3-none-any.whl") == (
        "plugin 'bad-register' failed in its register hook: RuntimeError: register blew up"
    )
    assert failure("needs_missing-1.0.0-py3-none-any.whl").startswith(
        "plugin 'needs-missing' has missing or invalid dependencies:\n  plugin 'needs-missing' "
        "depends on ServiceRef('missing.svc') (argument 'missing'), which no service factory "
        "provides"
    )
    assert "'Bad_Id'" in failure("bad_id-1.0.0-py3-none-any.whl")
    assert failure("unknown.dat") == "not a plugin package: expected a wheel, a zip or a folder"
    assert failures == {}  # the installer's files were skipped quietly


async def test_the_listing_endpoint_adds_init_results(
    mixed_root: Path, clean_process: None
) -> None:
    """GET /.greenroom/dynamic-features/plugins: every record, with 'init' ready or failed."""
    config = {**root_config(mixed_root), **continue_on("init-fails")}
    async with running(config) as (_, manager, client):
        response = await client.get(LISTING)

    assert response.status_code == 200
    listing = {(row["name"], row["role"]): row for row in response.json()}
    assert len(listing) == len(manager.plugins(include_failed=True))
    assert listing["acme-todo", "backend-plugin"] == {
        "name": "acme-todo",
        "version": "1.0.0",
        "role": "backend-plugin",
        "plugin_id": "todo",
        "source": f"{mixed_root / 'acme_todo-1.0.0-py3-none-any.whl'} "
        "(greenroom.backend_plugin:plugin)",
        "state": "loaded",
        "failure": None,
        "init": "ready",
        "init_failure": None,
    }
    assert listing["acme-notes", "backend-plugin-module"]["init"] == "ready"
    init_fails = listing["init-fails", "backend-plugin"]
    assert (init_fails["state"], init_fails["init"]) == ("loaded", "failed")
    assert init_fails["init_failure"] == "init blew up"
    bad = listing["bad-register", "backend-plugin"]
    assert (bad["state"], bad["init"], bad["init_failure"]) == ("failed", None, None)


async def test_an_init_failure_follows_the_boot_failure_policy(
    mixed_root: Path, clean_process: None
) -> None:
    """Under the default policy (abort) a dynamic plugin's failing init aborts the start."""
    with pytest.raises(
        BackendStartupError, match="plugin 'init-fails': RuntimeError: init blew up"
    ):
        async with running(root_config(mixed_root)):
            pass


async def test_the_service_is_the_manager_and_lists_by_role(
    tmp_path: Path, clean_process: None
) -> None:
    """dynamic_plugins_service_ref gives the manager: plugins, backend, frontend, packages."""
    root = tmp_path / "plugins"
    todo = write_wheel(root, plugin_dist("acme-todo", "todo"))
    web = write_folder(
        root / "acme-web",
        Dist(
            name="acme-web",
            entry_points={FRONTEND: {"web": "acme_web"}},
            code={"acme_web/__init__.py": "", "acme_web/dist/remoteEntry.js": "export {};\n"},
        ),
    )
    junk = root / "junk.bin"
    junk.write_bytes(b"junk")
    async with running(root_config(root)) as (_, manager, _client):
        pass

    assert isinstance(manager, DynamicPluginManager)
    # Root entries in sorted order: "acme-web" < "acme_todo-1.0.0-py3-none-any.whl" < "junk.bin".
    loaded = manager.plugins()
    assert [p.name for p in loaded] == ["acme-web", "acme-todo"]
    assert [p.name for p in manager.plugins(include_failed=True)] == [
        "acme-web",
        "acme-todo",
        "junk.bin",
    ]
    assert manager.backend_plugins() == loaded[1:]
    assert manager.frontend_plugins() == loaded[:1]
    assert loaded[0].assets_dir == web / "acme_web" / "dist"
    assert [(p.path, p.kind, p.ok) for p in manager.available_packages] == [
        (web, "folder", True),
        (todo, "wheel", True),
        (junk, None, False),
    ]


async def test_a_disabled_plugin_is_not_started(tmp_path: Path, clean_process: None) -> None:
    """dynamicPlugins.disabled: listed as disabled, no init, no route."""
    root = tmp_path / "plugins"
    write_wheel(root, plugin_dist("acme-todo", "todo"))
    write_wheel(root, plugin_dist("acme-notes", "notes"))
    async with running(root_config(root, disabled=["acme-todo"])) as (backend, manager, client):
        assert (await client.get("/api/todo/hello")).status_code == 404
        assert (await client.get("/api/notes/hello")).status_code == 200
        assert sorted(backend.plugins) == ["notes"]
        response = await client.get(LISTING)

    todo = next(row for row in response.json() if row["name"] == "acme-todo")
    assert (todo["state"], todo["init"]) == ("disabled", None)
    assert [p.state for p in manager.plugins()] == ["loaded", "disabled"]


class FixedLoader:
    """A module loader that imports nothing: every reference gives one plugin class."""

    def __init__(self) -> None:
        self.prepared: list[str] = []
        self.loaded: list[str] = []

    def prepare(self, packages: Sequence[ScannedPluginPackage]) -> None:
        self.prepared += [p.path.name for p in packages]

    def load(self, package: ScannedPluginPackage, reference: str) -> Any:
        self.loaded.append(reference)

        class Plugin(BackendPlugin):
            plugin_id = "from-the-loader"

            @hookimpl
            def register(self, env: Any) -> None:
                env.register_init(lambda: None)

        return Plugin

    def unload(self, package: ScannedPluginPackage) -> None:
        """Nothing to forget."""

    def close(self) -> None:
        """Nothing to close."""


async def test_a_custom_module_loader_is_used(tmp_path: Path, clean_process: None) -> None:
    """dynamic_plugins_feature_loader(module_loader=...) loads root plugins through it."""
    root = tmp_path / "plugins"
    wheel = write_wheel(root, plugin_dist("acme-todo", "todo"))
    module_loader = FixedLoader()
    assert isinstance(module_loader, ModuleLoader)
    loader = dynamic_plugins_feature_loader(module_loader=module_loader, include_installed=False)

    async with running(root_config(root), loader) as (backend, manager, _client):
        assert manager.module_loader is module_loader
        assert sorted(backend.plugins) == ["from-the-loader"]

    assert module_loader.prepared == [wheel.name]
    assert module_loader.loaded == ["acme_todo:Plugin"]


async def test_stopping_unloads_plugins_so_a_new_backend_can_load_them(
    tmp_path: Path, clean_process: None
) -> None:
    """After stop(), the same root loads again in a new backend of the same process."""
    root = tmp_path / "plugins"
    root.mkdir()
    write_wheel(root, plugin_dist("acme-todo", "todo", route="items"))
    for _ in range(2):
        async with running(root_config(root)) as (_, manager, client):
            assert (await client.get("/api/todo/items")).status_code == 200
            assert [p.state for p in manager.plugins(True)] == ["loaded"]
    assert not [name for name in sys.modules if name.startswith("greenroom_dynamic.")]
