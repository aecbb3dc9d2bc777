"""The todo contrib plugin, bundled and dropped into a root: it serves, with its private dependency.

Issue 5, "Must show": a folder, a zip (``--archive``), and a bundle made from
a ``build-workspace`` output (``--pre-packed-dir``), each started in a real
backend whose route is called.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest
from bundle_support import REPO, TODO, TODO_DIR, drop_into_root, make_bundle, serving
from click.testing import CliRunner

from greenroom._config.schema import read_serialized
from greenroom._dynamic.bundle_manifest import load_bundle_manifest
from greenroom._dynamic.models import BUNDLE_MANIFEST_NAME, CONFIG_SCHEMA_NAME
from greenroom._packaging.build_workspace import WorkspaceBuild
from greenroom._packaging.bundle import BundleResult
from greenroom.cli.main import cli

pytestmark = pytest.mark.anyio


async def check_todo_serves(root: Path) -> None:
    """Start a backend on ``root``: the todo routes work and slugify is the bundle's copy."""
    async with serving(root) as (_, manager, client):
        [plugin] = manager.plugins(include_failed=True)
        assert (plugin.name, plugin.state, plugin.plugin_id) == (TODO, "loaded", "todo")
        created = await client.post("/api/todo/items", json={"title": "Café au lait"})
        assert created.status_code == 201, created.text
        assert created.json() == {"id": "cafe-au-lait", "title": "Café au lait"}
        listed = await client.get("/api/todo/items")
        assert listed.json() == {"items": [{"id": "cafe-au-lait", "title": "Café au lait"}]}
        assert (await client.delete("/api/todo/items/cafe-au-lait")).status_code == 204
        prefix = manager.module_loader.module_name(plugin.package, "slugify")
        slugify = Path(sys.modules[prefix].__file__ or "")
        assert "slugify" in slugify.parts
        assert not slugify.is_relative_to(Path(sys.prefix)), "slugify must be the bundle's"


async def test_folder_bundle_serves(todo_bundle: BundleResult, tmp_path: Path) -> None:
    """A folder bundle dropped into the root serves /api/todo with its private slugify."""
    await check_todo_serves(drop_into_root(todo_bundle, tmp_path))


async def test_archive_bundle_serves(todo_archive: BundleResult, tmp_path: Path) -> None:
    """--archive writes <name>.zip, which serves the same when dropped into the root."""
    assert todo_archive.path.name == f"{TODO}.zip"
    assert todo_archive.sha256 == hashlib.sha256(todo_archive.path.read_bytes()).hexdigest()
    await check_todo_serves(drop_into_root(todo_archive, tmp_path))


async def test_prepacked_bundle_serves(
    todo_prepacked: tuple[WorkspaceBuild, BundleResult], tmp_path: Path
) -> None:
    """build-workspace, then bundle --pre-packed-dir: the wheel comes from DIR, and it serves."""
    built, result = todo_prepacked
    assert [wheel.name for wheel in built.wheels] == [
        "greenroom_plugin_todo_backend-0.1.0-py3-none-any.whl"
    ]
    assert built.lock is None  # this repository has no uv.lock
    await check_todo_serves(drop_into_root(result, tmp_path))


def test_bundle_layout_and_manifest(todo_bundle: BundleResult) -> None:
    """The bundle holds the plugin and its private packages, never the shared ones."""
    folder = todo_bundle.path
    manifest = load_bundle_manifest(folder / BUNDLE_MANIFEST_NAME)
    assert (manifest.name, manifest.version, manifest.role, manifest.plugin_id) == (
        TODO,
        "0.1.0",
        "backend-plugin",
        "todo",
    )
    assert {(p.name, p.version) for p in manifest.private_packages} == {
        ("python-slugify", "9.1.3"),
        ("text-unidecode", "1.3"),
    }
    assert manifest.shared_requirements == (
        "attrs>=23.1",
        "greenroom>=0.1.0.dev0",
        "starlette>=0.40",
    )
    dists = {p.name.split("-")[0].lower() for p in folder.glob("*.dist-info")}
    folders = {p.name for p in folder.iterdir() if p.is_dir() and p.suffix != ".dist-info"}
    assert dists == {"greenroom_plugin_todo_backend", "python_slugify", "text_unidecode"}
    assert folders == {"greenroom_plugin_todo_backend", "slugify", "text_unidecode"}
    assert (
        todo_bundle.sha256
        == hashlib.sha256((folder / BUNDLE_MANIFEST_NAME).read_bytes()).hexdigest()
    )
    assert set(manifest.files) == {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != BUNDLE_MANIFEST_NAME
    }


def test_config_schema_is_collected(todo_bundle: BundleResult) -> None:
    """.config-schema.json holds the plugin's schema in the format the loader reads."""
    path = todo_bundle.path / CONFIG_SCHEMA_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["greenroomConfigSchemaVersion"] == 1
    schema = read_serialized(path, TODO)
    assert schema.problems == ()
    [source] = schema.sources
    assert source.package == TODO
    assert "maxItems" in source.value["properties"]["todo"]["properties"]


def test_cli_prints_path_and_sha256(
    offline: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`greenroom package bundle --package NAME --archive` prints the zip and its sha256."""
    monkeypatch.chdir(REPO)
    args = ["package", "bundle", "--package", TODO, "--archive"]
    result = CliRunner().invoke(cli, [*args, "--output-destination", str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = tmp_path / f"{TODO}.zip"
    lines = result.stdout.splitlines()
    assert lines == [
        f"bundle: {archive}",
        f"sha256: {hashlib.sha256(archive.read_bytes()).hexdigest()}",
    ]
    assert not (tmp_path / f"{TODO}-bundle.log").exists(), "the log is removed on success"
    with zipfile.ZipFile(archive) as zipped:
        assert f"{TODO}/{BUNDLE_MANIFEST_NAME}" in zipped.namelist()
    assert TODO_DIR.is_dir()


def test_pip_is_the_fallback_without_uv(
    todo_bundle: BundleResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without uv, pip builds and installs: the same private packages, shared ranges and code."""
    import greenroom._packaging.tools

    monkeypatch.setattr(greenroom._packaging.tools, "find_uv", lambda: None)
    result = make_bundle(TODO_DIR, tmp_path)
    manifest = load_bundle_manifest(result.path / BUNDLE_MANIFEST_NAME)
    expected = load_bundle_manifest(todo_bundle.path / BUNDLE_MANIFEST_NAME)
    assert manifest.private_packages == expected.private_packages
    assert manifest.shared_requirements == expected.shared_requirements
    code = {k: v for k, v in expected.files.items() if not k.endswith(("INSTALLER", "RECORD"))}
    assert {k: v for k, v in manifest.files.items() if k in code} == code
