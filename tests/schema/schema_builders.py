"""Builders for the schema tests: plugin folders and bundles with config schemas, by hand.

A folder follows ``pip install --target`` (the package, its ``*.dist-info`` with
METADATA, entry_points.txt and RECORD); a bundle is such a folder plus
``.config-schema.json`` and a ``greenroom-bundle.json`` whose hashes match.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from greenroom._dynamic.bundle_manifest import dump_bundle_manifest
from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    CONFIG_SCHEMA_NAME,
    BundleManifest,
    EntryPointSpec,
)

BACKEND = "greenroom.backend_plugin"
SCHEMA_GROUP = "greenroom.config_schema"


def write_folder(
    root: Path,
    name: str,
    files: Mapping[str, str],
    entry_points: Mapping[str, Mapping[str, str]],
    version: str = "1.0.0",
) -> Path:
    """A ``--target`` folder at ``root`` holding ``files`` and the dist-info of ``name``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    info = root / f"{canonicalize_name(name).replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in eps.items()) + "\n"
            for group, eps in entry_points.items()
        ),
        encoding="utf-8",
    )
    own = ["METADATA", "entry_points.txt", "RECORD"]
    record = [f"{file},," for file in files] + [f"{info.name}/{file},," for file in own]
    (info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")
    return root


def write_bundle(
    root: Path,
    name: str,
    files: Mapping[str, str],
    entry_points: Mapping[str, Mapping[str, str]],
    schemas: Any,
    *,
    plugin_id: str = "todo",
) -> Path:
    """A bundle folder: ``write_folder`` plus ``.config-schema.json`` and the manifest."""
    write_folder(root, name, files, entry_points)
    text = schemas if isinstance(schemas, str) else json.dumps(schemas)
    (root / CONFIG_SCHEMA_NAME).write_text(text, encoding="utf-8")
    hashes = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != BUNDLE_MANIFEST_NAME
    }
    manifest = BundleManifest(
        schema_version=1,
        name=name,
        version="1.0.0",
        role="backend-plugin",
        plugin_id=plugin_id,
        entry_points=tuple(
            sorted(
                EntryPointSpec(group, key, value)
                for group, eps in entry_points.items()
                for key, value in eps.items()
                if group == BACKEND
            )
        ),
        shared_requirements=("greenroom>=0.0.1",),
        files=hashes,
    )
    (root / BUNDLE_MANIFEST_NAME).write_text(dump_bundle_manifest(manifest), encoding="utf-8")
    return root
