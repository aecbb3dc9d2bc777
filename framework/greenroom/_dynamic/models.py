"""What the scanner found: manifests and packages, as attrs classes structured by cattrs.

These are the one contract between the scanner, the module loader, the
manager, the CLI and the bundle command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import attrs

__all__ = [
    "BACKEND_ROLES",
    "BUNDLE_MANIFEST_NAME",
    "CONFIG_SCHEMA_GROUP",
    "CONFIG_SCHEMA_NAME",
    "ENTRY_POINT_GROUPS",
    "FRONTEND_ROLES",
    "BundleManifest",
    "EntryPointSpec",
    "PackageKind",
    "PrivatePackage",
    "ScannedPluginManifest",
    "ScannedPluginPackage",
    "SharedRequirement",
]

#: Entry point group -> the package role it carries.
ENTRY_POINT_GROUPS: Final = {
    "greenroom.backend_plugin": "backend-plugin",
    "greenroom.backend_plugin_module": "backend-plugin-module",
    "greenroom.frontend_plugin": "frontend-plugin",
    "greenroom.frontend_plugin_module": "frontend-plugin-module",
}
BACKEND_ROLES: Final = frozenset({"backend-plugin", "backend-plugin-module"})
FRONTEND_ROLES: Final = frozenset({"frontend-plugin", "frontend-plugin-module"})

#: The bundle manifest at the root of a bundle folder or zip.
BUNDLE_MANIFEST_NAME: Final = "greenroom-bundle.json"
#: The collected config schema at the root of a bundle.
CONFIG_SCHEMA_NAME: Final = ".config-schema.json"
#: The entry point group naming a distribution's config schema files (as in
#: ``greenroom._config.schema``, which this module does not import).
CONFIG_SCHEMA_GROUP: Final = "greenroom.config_schema"

#: ``wheel``: a ``*.whl``; ``folder``: a ``pip install --target`` folder;
#: ``bundle``: such a folder, or a ``.zip`` of one, with ``greenroom-bundle.json``.
PackageKind = Literal["wheel", "folder", "bundle"]


@attrs.frozen
class EntryPointSpec:
    """One greenroom entry point: ``name = value`` in ``group``."""

    group: str
    name: str
    value: str

    @property
    def role(self) -> str:
        """The package role the group carries (not for ``config_schemas`` entries)."""
        return ENTRY_POINT_GROUPS[self.group]


@attrs.frozen
class PrivatePackage:
    """A dependency installed inside a plugin folder or bundle, private to that plugin."""

    name: str
    version: str
    #: Top-level import names it provides (``yaml`` for PyYAML).
    top_level: tuple[str, ...] = ()


@attrs.frozen
class SharedRequirement:
    """A requirement the host must satisfy (``greenroom>=0.1``), recorded in a bundle."""

    requirement: str


@attrs.frozen
class BundleManifest:
    """``greenroom-bundle.json``, written by ``greenroom package bundle``.

    ``files`` maps every file of the bundle (POSIX paths relative to the
    bundle root, the manifest itself excluded) to its sha256 hex digest.
    """

    schema_version: int
    name: str
    version: str
    role: str
    plugin_id: str | None
    entry_points: tuple[EntryPointSpec, ...]
    shared_requirements: tuple[str, ...] = ()
    private_packages: tuple[PrivatePackage, ...] = ()
    files: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class ScannedPluginManifest:
    """A plugin distribution's metadata, read without importing it."""

    name: str
    version: str
    entry_points: tuple[EntryPointSpec, ...]
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    #: Top-level import names of the plugin's own distribution.
    top_level: tuple[str, ...] = ()
    private_packages: tuple[PrivatePackage, ...] = ()
    bundle: BundleManifest | None = None
    #: The plugin's ``*.dist-info`` folder name, relative to the package's content dir.
    dist_info: str | None = None
    #: Its ``greenroom.config_schema`` entry points (group, name, value), read with the
    #: others, so that a start need not read ``entry_points.txt`` again (issue 8).
    config_schemas: tuple[EntryPointSpec, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles of its entry points, in a stable order."""
        return tuple(sorted({ep.role for ep in self.entry_points}))

    @property
    def role(self) -> str:
        """The main role: a plugin role before a module role, backend before frontend."""
        order = (
            "backend-plugin",
            "backend-plugin-module",
            "frontend-plugin",
            "frontend-plugin-module",
        )
        return min(self.roles, key=order.index) if self.roles else "unknown"

    @property
    def platform(self) -> str:
        """``python`` for backend plugins, ``web`` for frontend ones (Backstage: node/web)."""
        return "web" if self.role in FRONTEND_ROLES else "python"


@attrs.frozen
class ScannedPluginPackage:
    """One entry of the dynamic plugins root directory, valid or not.

    ``content_dir`` is the folder in ``pip install --target`` layout the
    module loader imports from (the extraction cache for archives).
    ``failure`` says why a package cannot be loaded; the other packages go on.
    """

    path: Path
    kind: PackageKind | None
    manifest: ScannedPluginManifest | None = None
    content_dir: Path | None = None
    failure: str | None = None
    #: sha256 of the archive (wheels and zips): the extraction folder's name.
    digest: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the package can be loaded."""
        return self.failure is None and self.manifest is not None
