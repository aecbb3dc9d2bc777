"""``DynamicPluginManager``: every plugin found, installed or dropped in, and its fate.

One list from two sources: installed entry points first, then the entries of
``dynamicPlugins.rootDirectory`` in sorted order. The first of two copies of
a distribution (or of a plugin id) wins and the other is refused, with an
error naming both locations; nothing silently shadows anything.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from greenroom._api.features import BackendFeature
from greenroom._api.services.config import ConfigService
from greenroom._dynamic.installed import InstalledEntryPoint, discover_installed
from greenroom._dynamic.models import BACKEND_ROLES, EntryPointSpec, ScannedPluginPackage
from greenroom._dynamic.names import canonicalize_name
from greenroom._dynamic.settings import DynamicPluginsSettings
from greenroom._dynamic.targets import features_from_target
from greenroom._errors import GreenroomError

__all__ = ["DynamicPlugin", "DynamicPluginManager", "PluginState", "owner_of", "record_failure"]

_log = logging.getLogger("greenroom.dynamic")

PluginState = Literal["loaded", "failed", "disabled"]


@attrs.define(eq=False)
class DynamicPlugin:
    """One plugin entry point (or one unusable root entry) and what became of it."""

    name: str
    version: str
    role: str
    source: str
    #: Where this copy of the distribution lives (a root entry's path, or the environment).
    location: str = ""
    #: The entry point it stands for; ``None`` for an unusable root entry.
    entry_point: EntryPointSpec | None = None
    plugin_id: str | None = None
    state: PluginState = "loaded"
    failure: str | None = None
    #: The features it provides (backend roles), once loaded.
    features: list[BackendFeature] = attrs.field(factory=list, repr=False)
    #: The folder of built web assets, ``<package>/dist`` (frontend roles).
    assets_dir: Path | None = None
    #: The root-directory package it came from, if any.
    package: ScannedPluginPackage | None = attrs.field(default=None, repr=False)

    @property
    def platform(self) -> str:
        """``python`` for backend roles, ``web`` for frontend ones."""
        return "python" if self.role in BACKEND_ROLES else "web"

    def fail(self, reason: str) -> None:
        """Mark the plugin failed, keeping the first reason."""
        if self.state != "failed":
            self.state, self.failure = "failed", reason
            self.features = []

    def as_json(self) -> dict[str, Any]:
        """The listing's JSON shape (``greenroom plugins list --json``)."""
        return {
            "name": self.name,
            "version": self.version,
            "role": self.role,
            "plugin_id": self.plugin_id,
            "source": self.source,
            "state": self.state,
            "failure": self.failure,
        }


#: Which plugin each loaded feature came from, for failures reported after loading.
_owners: weakref.WeakKeyDictionary[Any, DynamicPlugin] = weakref.WeakKeyDictionary()


def owner_of(feature: object) -> DynamicPlugin | None:
    """The dynamic plugin a feature was loaded from, if any."""
    try:
        return _owners.get(feature)
    except TypeError:  # not weak-referenceable: not one of ours
        return None


def record_failure(feature: object, error: BaseException) -> None:
    """Mark the plugin of ``feature`` failed (its registration or dependencies failed)."""
    plugin = owner_of(feature)
    if plugin is None:
        raise GreenroomError(f"{feature!r} was not loaded as a dynamic plugin") from error
    plugin.fail(str(error))
    _log.error("dynamic plugin %s (%s) failed: %s", plugin.name, plugin.source, error)


class DynamicPluginManager:
    """Finds, validates and loads installed and dropped-in plugins.

    ``module_loader`` loads root-directory plugins (default: the namespaced
    loader, each plugin on its own import prefix). Nothing here aborts on one
    bad plugin: failures are recorded on its :class:`DynamicPlugin`.
    """

    def __init__(
        self,
        config: ConfigService,
        *,
        module_loader: Any = None,
        include_installed: bool = True,
    ) -> None:
        self.settings = DynamicPluginsSettings.from_config(config)
        self._module_loader = module_loader
        self._include_installed = include_installed
        self._plugins: list[DynamicPlugin] = []
        #: Canonical distribution name -> the plugins of that name, in order (issue 8:
        #: looking duplicates up in the whole list made loading N plugins O(N²)).
        self._by_name: dict[str, list[DynamicPlugin]] = {}
        self._packages: list[ScannedPluginPackage] = []
        self._loaded = False

    # -- the seed's API ---------------------------------------------------

    def plugins(self, include_failed: bool = False) -> list[DynamicPlugin]:
        """Every plugin found; failed ones (and unusable root entries) only when asked."""
        return [p for p in self._plugins if include_failed or p.state != "failed"]

    def backend_plugins(self) -> list[DynamicPlugin]:
        """The loaded backend plugins and modules."""
        return [p for p in self._plugins if p.state == "loaded" and p.role in BACKEND_ROLES]

    def frontend_plugins(self) -> list[DynamicPlugin]:
        """The loaded frontend plugins and modules."""
        return [p for p in self._plugins if p.state == "loaded" and p.role not in BACKEND_ROLES]

    @property
    def available_packages(self) -> Sequence[ScannedPluginPackage]:
        """Every entry scanned in the root directory, valid or not."""
        return tuple(self._packages)

    @property
    def module_loader(self) -> Any:
        """The module loader used for root-directory plugins."""
        if self._module_loader is None:
            from greenroom._dynamic.module_loader import NamespacedModuleLoader

            self._module_loader = NamespacedModuleLoader(
                shared_packages=self.settings.shared_packages,
                cache_root=self.settings.cache_root,
                bytecode_cache=self.settings.bytecode_cache,
            )
        return self._module_loader

    def close(self) -> None:
        """Unload the namespaces of root-directory plugins (their modules leave sys.modules)."""
        close = getattr(self._module_loader, "close", None)
        if close is not None:
            close()

    # -- loading ----------------------------------------------------------

    def load(self) -> None:
        """Discover and load everything once; later calls do nothing."""
        if self._loaded:
            return
        self._loaded = True
        if self._include_installed:
            for entry in discover_installed(skip=self.settings.disabled):
                self._add(self._from_entry_point(entry))
        root = self.settings.root_directory
        if root is not None:
            self._load_root(root)
        self._refuse_duplicate_ids()

    def features(self) -> list[BackendFeature]:
        """The features of every loaded backend plugin, in discovery order."""
        return [f for p in self.backend_plugins() for f in p.features]

    def _from_entry_point(self, entry: InstalledEntryPoint) -> DynamicPlugin:
        plugin = DynamicPlugin(
            entry.dist_name,
            entry.dist_version,
            entry.role,
            entry.source,
            location=f"the Python environment ({entry.dist_name} {entry.dist_version})",
            entry_point=EntryPointSpec(entry.group, entry.name, entry.value),
        )
        if canonicalize_name(entry.dist_name) in self.settings.disabled:
            return plugin  # never imported: _add marks it disabled
        if entry.failure is not None:
            plugin.fail(entry.failure)
        elif entry.role in BACKEND_ROLES:
            self._attach_features(plugin, lambda: entry.target)
        elif entry.package_dir is not None:
            plugin.assets_dir = entry.package_dir / "dist"
        return plugin

    def _load_root(self, root: Path) -> None:
        from greenroom._dynamic.scanner import scan_root

        self._packages = scan_root(
            root,
            cache_root=self.settings.cache_root,
            max_uncompressed=self.settings.max_uncompressed_size,
        )
        pending: list[tuple[ScannedPluginPackage, DynamicPlugin]] = []
        for package in self._packages:
            for plugin in _plugins_of(package):
                if self._add(plugin) and plugin.state == "loaded":
                    pending.append((package, plugin))
        # Only Python code needs an import namespace: frontend packages are never imported.
        usable = list(
            {
                p.path: p
                for p, plugin in pending
                if plugin.state == "loaded" and plugin.role in BACKEND_ROLES
            }.values()
        )
        try:
            if usable:
                self.module_loader.prepare(usable)
        except Exception as exc:
            for _, plugin in pending:
                if plugin.role in BACKEND_ROLES:
                    plugin.fail(f"the module loader could not prepare the root directory: {exc}")
        for package, plugin in pending:
            if plugin.state != "loaded":
                continue
            if plugin.role in BACKEND_ROLES:
                assert plugin.entry_point is not None
                reference = plugin.entry_point.value
                self._attach_features(
                    plugin, lambda p=package, r=reference: self.module_loader.load(p, r)
                )
            elif package.content_dir is not None and plugin.entry_point is not None:
                folder = package.content_dir / plugin.entry_point.value.replace(".", "/")
                if (folder / "dist").is_dir():
                    plugin.assets_dir = folder / "dist"
                else:
                    plugin.fail(
                        f"frontend package {plugin.entry_point.value!r} has no dist/ folder in "
                        f"{package.path}: build the assets into <package>/dist"
                    )

    def _attach_features(self, plugin: DynamicPlugin, load: Any) -> None:
        try:
            features = features_from_target(load(), plugin.role, plugin.source)
        except Exception as exc:
            plugin.fail(
                f"{type(exc).__name__}: {exc}" if not isinstance(exc, GreenroomError) else str(exc)
            )
            return
        plugin.features = features
        plugin.plugin_id = features[0].plugin_id
        for feature in features:
            _owners[feature] = plugin

    def _add(self, plugin: DynamicPlugin) -> bool:
        """Add ``plugin`` unless disabled or a duplicate distribution; True if it counts."""
        # Disabled wins over failed: a broken plugin is what one disables by config.
        named = plugin.entry_point is not None or (
            plugin.package is not None and plugin.package.manifest is not None
        )
        key = canonicalize_name(plugin.name) if named else None
        if key is not None and key in self.settings.disabled:
            plugin.state, plugin.failure = "disabled", None
            plugin.features = []
        elif key is not None and plugin.state != "failed":
            for other in self._by_name.get(key, ()):
                if other.state != "failed" and other.location != plugin.location:
                    plugin.fail(
                        f"distribution {plugin.name!r} is found twice: in {other.location} and "
                        f"in {plugin.location}; the first is used, remove the other"
                    )
                    break
        self._plugins.append(plugin)
        self._by_name.setdefault(key or canonicalize_name(plugin.name), []).append(plugin)
        return plugin.state == "loaded"

    def _refuse_duplicate_ids(self) -> None:
        seen: dict[str, DynamicPlugin] = {}
        for plugin in self._plugins:
            if plugin.state != "loaded" or plugin.role != "backend-plugin":
                continue
            assert plugin.plugin_id is not None
            first = seen.setdefault(plugin.plugin_id, plugin)
            if first is not plugin:
                plugin.fail(
                    f"plugin id {plugin.plugin_id!r} is provided by both {first.source} and "
                    f"{plugin.source}; the first is used, remove or disable the other"
                )


def _plugins_of(package: ScannedPluginPackage) -> Iterable[DynamicPlugin]:
    manifest = package.manifest
    if manifest is None or package.failure is not None:
        yield DynamicPlugin(
            package.path.name if manifest is None else manifest.name,
            "" if manifest is None else manifest.version,
            "unknown" if manifest is None else manifest.role,
            str(package.path),
            location=str(package.path),
            state="failed",
            failure=package.failure or "not a plugin package",
            package=package,
        )
        return
    for ep in manifest.entry_points:
        yield DynamicPlugin(
            manifest.name,
            manifest.version,
            ep.role,
            f"{package.path} ({ep.group}:{ep.name})",
            location=str(package.path),
            entry_point=ep,
            package=package,
        )
