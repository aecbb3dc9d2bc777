"""greenroom-bundle.json: all problems at once, agreement with the dist-info, checksums."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from dynamic_scan_builders import BACKEND, Dist, write_bundle
from hypothesis import given, settings
from hypothesis import strategies as st

from greenroom._dynamic.bundle_manifest import dump_bundle_manifest, load_bundle_manifest
from greenroom._dynamic.manifest import read_folder_manifest
from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    ENTRY_POINT_GROUPS,
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
)
from greenroom._errors import PluginPackageError

LIBX = Dist(name="libx", version="1.0", entry_points={}, code={"libx/__init__.py": "v = 1\n"})


def bundle_problems(folder: Path) -> list[str]:
    """The problems reading the bundle folder reports."""
    with pytest.raises(PluginPackageError) as info:
        read_folder_manifest(folder)
    return list(info.value.problems)


def edit_manifest(folder: Path, **changes: Any) -> None:
    """Change keys of the bundle's JSON manifest in place."""
    path = folder / BUNDLE_MANIFEST_NAME
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_a_valid_bundle_is_read_with_its_manifest(tmp_path: Path) -> None:
    """A bundle folder gives the dist-info manifest plus the parsed bundle manifest."""
    folder = write_bundle(tmp_path / "todo", Dist(), LIBX)
    manifest = read_folder_manifest(folder)
    assert manifest.bundle is not None
    assert manifest.bundle.plugin_id == "todo"
    assert manifest.bundle.private_packages == (PrivatePackage("libx", "1.0"),)
    assert "libx/__init__.py" in manifest.bundle.files


def test_the_manifest_json_is_camel_case_sorted_and_stable(tmp_path: Path) -> None:
    """dump_bundle_manifest writes camelCase keys, sorted, and reads back equal."""
    manifest = BundleManifest(
        1,
        "acme-plugin-todo",
        "1.0",
        "backend-plugin",
        "todo",
        (EntryPointSpec(BACKEND, "todo", "acme_todo:P"),),
        shared_requirements=("greenroom>=0.1",),
        private_packages=(PrivatePackage("libx", "1.0", ("libx",)),),
        files={"b.py": "0" * 64, "a.py": "1" * 64},
    )
    text = dump_bundle_manifest(manifest)
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert {
        "schemaVersion",
        "pluginId",
        "entryPoints",
        "sharedRequirements",
        "privatePackages",
    } <= set(data)
    assert data["privatePackages"] == [{"name": "libx", "version": "1.0", "topLevel": ["libx"]}]
    assert data["entryPoints"] == [{"group": BACKEND, "name": "todo", "value": "acme_todo:P"}]
    assert text == dump_bundle_manifest(manifest)
    assert text.endswith("}\n")
    path = tmp_path / BUNDLE_MANIFEST_NAME
    path.write_text(text)
    assert load_bundle_manifest(path) == manifest


def test_an_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    """schemaVersion must be 1, reported at its key."""
    folder = write_bundle(tmp_path / "todo", Dist())
    edit_manifest(folder, schemaVersion=2)
    problems = bundle_problems(folder)
    assert any(
        "unsupported schema version 2" in p
        and p.endswith("@ greenroom-bundle.json:$.schemaVersion")
        for p in problems
    )


def test_every_shape_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Missing keys, wrong types and unknown keys all appear, each with its JSON path."""
    folder = write_bundle(tmp_path / "todo", Dist())
    data = json.loads((folder / BUNDLE_MANIFEST_NAME).read_text())
    del data["name"]
    data["version"] = 1
    data["entryPoints"][0]["group"] = None
    data["surprise"] = True
    (folder / BUNDLE_MANIFEST_NAME).write_text(json.dumps(data))
    problems = bundle_problems(folder)
    where = [p.rpartition(" @ ")[2] for p in problems]
    assert "greenroom-bundle.json:$.name" in where
    assert "greenroom-bundle.json:$.version" in where
    assert "greenroom-bundle.json:$.entryPoints[0].group" in where
    assert any("surprise" in p for p in problems)


def test_invalid_json_is_reported(tmp_path: Path) -> None:
    """A manifest that is not JSON, or not an object, is one clear problem."""
    folder = write_bundle(tmp_path / "todo", Dist())
    (folder / BUNDLE_MANIFEST_NAME).write_text("{nope")
    assert any("not valid JSON" in p for p in bundle_problems(folder))
    (folder / BUNDLE_MANIFEST_NAME).write_text("[]")
    assert any(
        "must be a JSON object @ greenroom-bundle.json:$" in p for p in bundle_problems(folder)
    )


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"name": "someone-else"}, "$.name"),
        ({"version": "2.0"}, "$.version"),
        ({"role": "frontend-plugin"}, "$.role"),
        ({"entryPoints": [{"group": BACKEND, "name": "x", "value": "y:Z"}]}, "$.entryPoints"),
        ({"privatePackages": []}, "$.privatePackages"),
        ({"pluginId": "Not_Kebab"}, "$.pluginId"),
        ({"role": "sidecar"}, "$.role"),
        ({"sharedRequirements": ["greenroom >> 1"]}, "$.sharedRequirements[0]"),
    ],
)
def test_the_manifest_must_agree_with_the_dist_info(
    tmp_path: Path, changes: dict[str, Any], where: str
) -> None:
    """Name, version, role, entry points and private packages must match what is installed."""
    folder = write_bundle(tmp_path / "todo", Dist(), LIBX)
    edit_manifest(folder, **changes)
    problems = bundle_problems(folder)
    assert any(p.endswith(f"@ greenroom-bundle.json:{where}") for p in problems), problems


def test_missing_extra_and_changed_files_are_each_named(tmp_path: Path) -> None:
    """Checksums catch a changed file, a deleted one and one added after bundling."""
    folder = write_bundle(tmp_path / "todo", Dist(), LIBX)
    (folder / "libx" / "__init__.py").write_text("v = 2\n")
    (folder / ".config-schema.json").unlink()
    (folder / "acme_todo" / "sneaky.py").write_text("")
    (folder / "acme_todo" / "__pycache__").mkdir()
    (folder / "acme_todo" / "__pycache__" / "x.pyc").write_bytes(b"")  # ignored
    problems = bundle_problems(folder)
    assert len(problems) == 3
    assert "file '.config-schema.json' is listed but missing" in problems[0]
    assert "file 'acme_todo/sneaky.py' is in the bundle but not listed" in problems[1]
    assert "file 'libx/__init__.py' was changed" in problems[2]


def test_unsafe_or_malformed_file_entries_are_refused(tmp_path: Path) -> None:
    """File paths must stay inside the bundle and digests must be sha256 hex."""
    folder = write_bundle(tmp_path / "todo", Dist())
    data = json.loads((folder / BUNDLE_MANIFEST_NAME).read_text())
    data["files"]["../../etc/passwd"] = "0" * 64
    data["files"]["acme_todo/__init__.py"] = "XYZ"
    (folder / BUNDLE_MANIFEST_NAME).write_text(json.dumps(data))
    problems = bundle_problems(folder)
    assert any("'../../etc/passwd'" in p and "'..' segment" in p for p in problems)
    assert any("not a lower-case sha256" in p for p in problems)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
_KEYS = [
    "schemaVersion",
    "name",
    "version",
    "role",
    "pluginId",
    "entryPoints",
    "sharedRequirements",
    "privatePackages",
    "files",
]


@settings(max_examples=100, deadline=None)
@given(data=_JSON | st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=9))
def test_arbitrary_json_gives_a_validation_error(data: object) -> None:
    """Any JSON document is either a valid manifest or a PluginPackageError, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / BUNDLE_MANIFEST_NAME
        path.write_text(json.dumps(data))
        try:
            load_bundle_manifest(path)
        except PluginPackageError as exc:
            error = exc
        else:
            return
    assert error.problems
    assert all(" @ greenroom-bundle.json:$" in p for p in error.problems)


_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z][a-z0-9]{0,4}){0,2}", fullmatch=True)
_MANIFESTS = st.builds(
    BundleManifest,
    schema_version=st.just(1),
    name=_NAMES,
    version=st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True),
    role=st.sampled_from(sorted(set(ENTRY_POINT_GROUPS.values()))),
    plugin_id=st.none() | _NAMES,
    entry_points=st.lists(
        st.builds(
            EntryPointSpec, st.sampled_from(sorted(ENTRY_POINT_GROUPS)), _NAMES, st.just("pkg:Attr")
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    shared_requirements=st.lists(_NAMES.map(lambda n: f"{n}>=1"), max_size=3).map(tuple),
    private_packages=st.lists(
        st.builds(
            PrivatePackage,
            _NAMES,
            st.just("1.0"),
            st.lists(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), max_size=2).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
    files=st.dictionaries(
        st.from_regex(r"[a-z]{1,5}(/[a-z]{1,5}){0,2}\.py", fullmatch=True),
        st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
        max_size=4,
    ),
)


@settings(max_examples=60, deadline=None)
@given(manifest=_MANIFESTS)
def test_valid_manifests_round_trip(manifest: BundleManifest) -> None:
    """What dump_bundle_manifest writes, load_bundle_manifest reads back equal."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / BUNDLE_MANIFEST_NAME
        path.write_text(dump_bundle_manifest(manifest))
        assert load_bundle_manifest(path) == manifest
        assert attrs.asdict(load_bundle_manifest(path)) == attrs.asdict(manifest)
