"""The shared/private split: shared packages never land in a bundle; their ranges are checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bundle_builders import write_single_plugin
from bundle_support import drop_into_root, make_bundle, serving

from greenroom._dynamic.bundle_manifest import load_bundle_manifest
from greenroom._dynamic.models import BUNDLE_MANIFEST_NAME
from greenroom._dynamic.shared import shared_distribution_names
from greenroom._packaging.bundle import BundleResult

pytestmark = pytest.mark.anyio


def dist_names(folder: Path) -> set[str]:
    """Distribution names (as in the dist-info folder names) installed in ``folder``."""
    return {path.name.split("-")[0].lower() for path in folder.glob("*.dist-info")}


def test_no_shared_package_is_in_the_bundle(todo_bundle: BundleResult) -> None:
    """Nothing of greenroom's closure is installed into the bundle."""
    shared = {name.replace("-", "_") for name in shared_distribution_names()}
    assert {"greenroom", "starlette", "attrs", "click"} <= shared
    assert dist_names(todo_bundle.path) & shared == set()


async def test_shared_package_option_moves_a_dependency_to_the_host(
    offline: dict[str, str], tmp_path: Path
) -> None:
    """--shared-package iniconfig: not installed, its range recorded, the host's copy used."""
    folder = write_single_plugin(
        tmp_path / "pkg",
        dependencies=("greenroom>=0.1.0.dev0", "iniconfig>=1"),
        module_code="import iniconfig",
    )
    result = make_bundle(folder, tmp_path / "out", shared_packages=("iniconfig",))
    manifest = load_bundle_manifest(result.path / BUNDLE_MANIFEST_NAME)
    assert "iniconfig>=1" in manifest.shared_requirements
    assert manifest.private_packages == ()
    assert "iniconfig" not in dist_names(result.path)
    root = drop_into_root(result, tmp_path)
    async with serving(root, sharedPackages=["iniconfig"]) as (_, manager, client):
        assert [p.state for p in manager.plugins(include_failed=True)] == ["loaded"]
        assert (await client.get("/api/hello/hello")).json() == {"hello": "world"}


async def test_recorded_ranges_are_checked_at_load(
    todo_bundle: BundleResult, tmp_path: Path
) -> None:
    """A sharedRequirements range the host fails refuses the plugin at load, naming it."""
    root = drop_into_root(todo_bundle, tmp_path)
    manifest_path = root / todo_bundle.path.name / BUNDLE_MANIFEST_NAME
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    data["sharedRequirements"] = [*data["sharedRequirements"], "starlette>=999"]
    manifest_path.write_text(json.dumps(data), encoding="utf-8")
    async with serving(root) as (_, manager, client):
        [plugin] = manager.plugins(include_failed=True)
        assert plugin.state == "failed"
        assert "sharedRequirements requires 'starlette>=999'" in (plugin.failure or "")
        assert (await client.get("/api/todo/items")).status_code == 404


def test_no_install_leaves_private_dependencies_to_the_host(
    offline: dict[str, str], tmp_path: Path
) -> None:
    """--no-install ships the plugin alone; it loads only because the host has iniconfig."""
    folder = write_single_plugin(
        tmp_path / "pkg",
        dependencies=("greenroom>=0.1.0.dev0", "iniconfig>=1"),
        module_code="import iniconfig",
    )
    result = make_bundle(folder, tmp_path / "out", install=False)
    manifest = load_bundle_manifest(result.path / BUNDLE_MANIFEST_NAME)
    assert manifest.private_packages == ()
    assert dist_names(result.path) == {"acme_plugin_hello_backend"}
    assert manifest.shared_requirements == ("greenroom>=0.1.0.dev0",)
