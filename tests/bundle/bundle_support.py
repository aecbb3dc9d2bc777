"""Helpers of the bundle tests: bundle a package, drop a bundle into a root, serve the root."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from greenroom import Backend, GreenroomError, create_backend
from greenroom._packaging.bundle import BundleOptions, BundleResult, bundle_package
from greenroom.dynamic import (
    DynamicPluginManager,
    dynamic_plugins_feature_loader,
    dynamic_plugins_service_ref,
)

__all__ = ["REPO", "TODO", "TODO_DIR", "drop_into_root", "make_bundle", "patched_env", "serving"]

REPO = Path(__file__).resolve().parents[2]
TODO_DIR = REPO / "contrib_plugins" / "greenroom-plugin-todo-backend"
TODO = "greenroom-plugin-todo-backend"


def make_bundle(package_dir: Path, destination: Path, **options: Any) -> BundleResult:
    """``greenroom package bundle`` in ``package_dir`` into ``destination``."""
    return bundle_package(BundleOptions(cwd=package_dir, output_destination=destination, **options))


def drop_into_root(result: BundleResult, tmp_path: Path) -> Path:
    """Copy a bundle (folder or zip) into a new root directory under ``tmp_path``."""
    root = tmp_path / "dynamic-plugins-root"
    root.mkdir()
    if result.path.is_dir():
        shutil.copytree(result.path, root / result.path.name)
    else:
        shutil.copyfile(result.path, root / result.path.name)
    return root


@contextlib.asynccontextmanager
async def serving(
    root: Path, **dynamic: Any
) -> AsyncIterator[tuple[Backend, DynamicPluginManager, httpx.AsyncClient]]:
    """A started backend loading ``root`` (installed plugins left out), and a client."""
    config = {
        "dynamicPlugins": {
            "rootDirectory": str(root),
            "cacheDirectory": str(root.parent / "cache"),
            **dynamic,
        }
    }
    backend = create_backend(config, [dynamic_plugins_feature_loader(include_installed=False)])
    try:
        await backend.start()
        manager = await backend.get_service(dynamic_plugins_service_ref)
        transport = httpx.ASGITransport(app=backend.http_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield backend, manager, client
    finally:
        await backend.stop()
        with contextlib.suppress(GreenroomError):
            manager = await backend.get_service(dynamic_plugins_service_ref)
            manager.module_loader.close()


@contextlib.contextmanager
def patched_env(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """``env`` set in ``os.environ`` for the block only."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield env
