"""Bundling from a workspace: sibling libraries embedded, inline ones merged, pins from uv.lock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bundle_builders import NOTES_PLUGIN
from bundle_support import drop_into_root, make_bundle, serving

from greenroom._config.schema import read_serialized
from greenroom._dynamic.bundle_manifest import load_bundle_manifest
from greenroom._dynamic.models import BUNDLE_MANIFEST_NAME, CONFIG_SCHEMA_NAME
from greenroom._errors import BundleError
from greenroom._packaging.build_workspace import build_workspace
from greenroom._packaging.bundle import BundleResult

pytestmark = pytest.mark.anyio

PLUGIN_INFO = "acme_plugin_notes_backend-1.2.0.dist-info"


async def test_workspace_bundle_serves(notes_bundle: BundleResult, tmp_path: Path) -> None:
    """The plugin, its common library and its inline library all work from the bundle."""
    async with serving(drop_into_root(notes_bundle, tmp_path)) as (_, manager, client):
        assert [p.state for p in manager.plugins(include_failed=True)] == ["loaded"]
        response = await client.get("/api/notes/note/Café crème")
        assert response.json() == {"id": "cafe-creme", "greeting": "hello, Cafe creme"}


def test_libraries_are_embedded_and_inline_ones_merged(notes_bundle: BundleResult) -> None:
    """The common library is a private package; the inline one became the plugin's own code."""
    folder = notes_bundle.path
    manifest = load_bundle_manifest(folder / BUNDLE_MANIFEST_NAME)
    assert {(p.name, p.version) for p in manifest.private_packages} == {
        ("acme-plugin-notes-common", "1.0.3"),
        ("python-slugify", "9.1.3"),
        ("text-unidecode", "1.3"),
    }
    assert not list(folder.glob("acme_notes_text-*.dist-info"))
    assert (folder / "acme_notes_text" / "__init__.py").is_file()
    record = (folder / PLUGIN_INFO / "RECORD").read_text(encoding="utf-8")
    assert "acme_notes_text/__init__.py,sha256=" in record
    metadata = (folder / PLUGIN_INFO / "METADATA").read_text(encoding="utf-8")
    assert "Requires-Dist: acme-notes-text" not in metadata
    assert "Requires-Dist: text-unidecode>=1.3" in metadata
    assert manifest.shared_requirements == ("greenroom>=0.1.0.dev0", "starlette>=0.40")


def test_schemas_of_embedded_packages_are_collected(notes_bundle: BundleResult) -> None:
    """The common library's schema is in the bundle's .config-schema.json."""
    schema = read_serialized(notes_bundle.path / CONFIG_SCHEMA_NAME, NOTES_PLUGIN)
    assert [(s.package, s.value["properties"]) for s in schema.sources] == [
        ("acme-plugin-notes-common", {"notes": {"type": "object"}})
    ]


def test_pins_come_from_the_lock(notes_workspace: Path, tmp_path: Path) -> None:
    """With uv.lock, its pins are installed as they are: a pin nobody has fails the install."""
    workspace = tmp_path / "workspace"
    shutil.copytree(notes_workspace, workspace)
    lock = workspace / "uv.lock"
    text = lock.read_text(encoding="utf-8")
    start = text.index('name = "text-unidecode"\nversion = "1.3"')
    end = text.index("[[package]]", start) if "[[package]]" in text[start:] else len(text)
    pinned = text[start:end].replace("1.3", "1.2")  # the version and its wheel's name
    lock.write_text(text[:start] + pinned + text[end:], encoding="utf-8")
    with pytest.raises(BundleError, match="installing") as info:
        make_bundle(workspace / "plugins" / "notes-backend", tmp_path / "out")
    assert info.value.log is not None
    assert "text-unidecode==1.2" in info.value.log.read_text(encoding="utf-8")


def test_build_workspace_then_pre_packed_bundles(
    notes_workspace: Path, notes_bundle: BundleResult, tmp_path: Path
) -> None:
    """build-workspace builds every member once, dependencies first, with the lock beside."""
    built = build_workspace(tmp_path / "packed", cwd=notes_workspace)
    names = [wheel.name.split("-")[0] for wheel in built.wheels]
    assert names.index("acme_plugin_notes_common") < names.index("acme_plugin_notes_backend")
    assert names.index("acme_notes_text") < names.index("acme_plugin_notes_backend")
    assert built.lock == tmp_path / "packed" / "uv.lock"
    result = make_bundle(
        notes_workspace / "plugins" / "notes-backend",
        tmp_path / "out",
        pre_packed_dir=built.directory,
    )
    assert result.sha256 == notes_bundle.sha256  # the same wheels and pins, the same bundle
