"""One plugin's import namespace: its prefix, its folder, the names it owns.

A plugin ``plugin-a`` whose folder ships ``plugin_a`` and ``libx`` is imported
as ``greenroom_dynamic.plugin_a.plugin_a`` and ``greenroom_dynamic.plugin_a.libx``.
Its private names are what it ships minus the host's shared packages minus the
standard library: a private copy of a shared or standard-library name is
ignored, with a warning, because the host's copy is the one its code must use
(``isinstance`` against framework classes breaks silently otherwise).
"""

from __future__ import annotations

import logging
import os
import string
import sys
from collections.abc import Mapping
from pathlib import Path
from types import CodeType, MappingProxyType, ModuleType
from typing import Any, Final

from greenroom._dynamic.bytecode import BytecodeCache
from greenroom._dynamic.layout import ContentLayout, read_layout
from greenroom._dynamic.metadata_finder import PluginDistributions
from greenroom._dynamic.models import ScannedPluginPackage
from greenroom._dynamic.names import canonicalize_name
from greenroom._dynamic.rewrite import PREFIX, plugin_builtins

__all__ = ["PluginNamespace", "namespace_ident"]

_log = logging.getLogger("greenroom.dynamic")

_STDLIB: Final = frozenset(sys.stdlib_module_names)
_NONE: Final[Mapping[str, Path]] = MappingProxyType({})
_IDENT_CHARS: Final = frozenset(string.ascii_lowercase + string.digits + "_")


def namespace_ident(distribution: str) -> str:
    """The namespace segment of a distribution: ``My.Plugin-A`` -> ``my_plugin_a``."""
    # ASCII only: distribution names are ASCII (PEP 508), and a segment must be a
    # valid identifier whatever a malformed name holds.
    ident = "".join(c if c in _IDENT_CHARS else "_" for c in canonicalize_name(distribution))
    return ident if ident.isidentifier() else f"_{ident}"


class PluginNamespace:
    """Everything the finder, the loaders and the import hooks know about one plugin.

    Owned by the finder's table while loaded; modules it executed keep it
    alive through their loaders and ``__builtins__`` and nothing else does,
    so an unloaded plugin's objects can be collected.
    """

    def __init__(
        self,
        *,
        distribution: str,
        version: str,
        content_dir: Path,
        shared: frozenset[str],
        bytecode: BytecodeCache,
    ) -> None:
        self.distribution = distribution
        self.version = version
        self.ident = namespace_ident(distribution)
        self.prefix = f"{PREFIX}.{self.ident}"
        self.head = self.prefix + "."
        self.content_dir = content_dir = content_dir.absolute()
        self.shared = shared
        self.bytecode = bytecode
        self._listings: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        # The folders read_layout lists are those the finder lists next (issue 8).
        layout = read_layout(content_dir, self._listings)
        self.private = self._private_names(layout)
        self.distributions = PluginDistributions(content_dir, self.private)
        #: Every warning given about this plugin, for the manager to show.
        self.warnings: list[str] = []
        self._warn_about_layout(layout)
        #: Dotted (unprefixed) module name -> compiled module file: all the checks after a
        #: load need of the layout (the rest of it was ~0.6 KB per plugin: issue 8).
        self.extension_modules: Mapping[str, Path] = layout.extension_modules or _NONE
        #: Top-level names the plugin's code imported that it does not own: for a debug
        #: message only, so collected only while debug logging is on (issue 8: memory).
        self.host_imports: set[str] | None = set() if _log.isEnabledFor(logging.DEBUG) else None
        self.builtins: dict[str, Any] = plugin_builtins(
            self.prefix, self.private, self.host_imports
        )
        #: Prefixed name of a compiled module -> why it failed to load (kept as text:
        #: an exception would hold the plugin's frames alive).
        self.failed_extensions: dict[str, str] = {}
        #: Prefixed name of each module the finder found for the plugin since the checks
        #: after its last load -> what ``sys.modules`` held under its plain name then (the
        #: host's copy, if any). The checks after a load look at these names instead of
        #: scanning all of ``sys.modules`` (three scans per load, ~0.4 ms per plugin at
        #: 500 plugins and growing with their number: issue 8).
        self.fresh: dict[str, ModuleType | None] = {}

    @classmethod
    def of(
        cls, package: ScannedPluginPackage, *, shared: frozenset[str], bytecode: BytecodeCache
    ) -> PluginNamespace:
        """The namespace of a scanned package (which must be loadable)."""
        if package.manifest is None or package.content_dir is None:
            raise ValueError(f"{package.path}: not a loadable plugin package ({package.failure})")
        return cls(
            distribution=package.manifest.name,
            version=package.manifest.version,
            content_dir=package.content_dir,
            shared=shared,
            bytecode=bytecode,
        )

    def __repr__(self) -> str:
        return f"<PluginNamespace {self.prefix} {self.distribution} {self.version}>"

    # -- names -----------------------------------------------------------

    def _private_names(self, layout: ContentLayout) -> frozenset[str]:
        owned = set()
        for name in layout.top_level:
            if name not in self.shared and name not in _STDLIB and name != PREFIX:
                owned.add(name)
        return frozenset(owned)

    def warn(self, message: str, *args: object) -> None:
        """Log a warning about this plugin on ``greenroom.dynamic`` and keep its text."""
        _log.warning(message, *args)
        self.warnings.append(message % args if args else message)

    def _warn_about_layout(self, layout: ContentLayout) -> None:
        for name, path in layout.top_level.items():
            if name in self.private:
                continue
            owner = self.distributions.owners.get(name)  # read only when needed (issue 8)
            shipped = f"{owner[0]} {owner[1]}, " if owner else ""
            if name in self.shared:
                self.warn(
                    "plugin %r ships its own copy of %r (%s%s), a package shared with the host: "
                    "the plugin uses the host's copy and its own is ignored. Remove it from the "
                    "plugin, or make sure the plugin works with the host's version",
                    self.distribution,
                    name,
                    shipped,
                    path,
                )
            else:
                self.warn(
                    "plugin %r ships a top-level %r (%s%s) that shadows %s: it is ignored and "
                    "the host's is used. Rename it in the plugin",
                    self.distribution,
                    name,
                    shipped,
                    path,
                    "the standard library module" if name in _STDLIB else "Greenroom's namespace",
                )
        for pth in layout.pth_files:
            self.warn(
                "plugin %r ships %s: .pth files are not processed for dynamic plugins "
                "(nothing is added to sys.path); import what it names from the plugin's code",
                self.distribution,
                pth,
            )
        for foreign in layout.foreign_extensions:
            self.warn(
                "plugin %r ships %s, a compiled module built for another interpreter or "
                "platform (this one loads %s): it cannot be imported here, and its package may "
                "fall back to pure Python or fail. Install the plugin's dependencies for %s",
                self.distribution,
                foreign,
                sys.implementation.cache_tag,
                f"Python {sys.version_info.major}.{sys.version_info.minor} on {sys.platform}",
            )

    def owns(self, name: str) -> bool:
        """Whether the dotted, unprefixed ``name`` is one of the plugin's modules."""
        return name.partition(".")[0] in self.private

    def prefixed(self, name: str) -> str:
        """``libx.sub`` -> ``greenroom_dynamic.<plugin>.libx.sub``."""
        return self.head + name

    def plain(self, fullname: str) -> str:
        """The inverse of :meth:`prefixed`."""
        return fullname[len(self.head) :]

    def rewrite(self, name: str, package: str | None) -> tuple[str, str | None]:
        """``importlib.import_module`` arguments as plugin code meant them."""
        if name.startswith("."):
            if package and self.owns(package):
                package = self.head + package
        elif self.owns(name):
            name = self.head + name
        return name, package

    # -- files -----------------------------------------------------------

    def listing(self, directory: str) -> tuple[frozenset[str], frozenset[str]]:
        """(file names, folder names) of ``directory``, cached until invalidated."""
        cached = self._listings.get(directory)
        if cached is None:
            files: set[str] = set()
            folders: set[str] = set()
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        (folders if entry.is_dir() else files).add(entry.name)
            except OSError:
                pass
            cached = (frozenset(files), frozenset(folders))
            self._listings[directory] = cached
        return cached

    def invalidate_caches(self) -> None:
        """Forget directory listings (``importlib.invalidate_caches()``)."""
        self._listings.clear()

    def compile(self, source: bytes, filename: str) -> CodeType:
        """The code object of one of the plugin's source files."""
        return self.bytecode.code(source, filename)

    def owns_module(self, module: object) -> bool:
        """Whether ``module`` is one of the plugin's modules, whatever name it gives itself.

        Compiled modules may keep the plain name they were built with in
        ``__name__`` (markupsafe's ``_speedups``); their spec and file tell.
        """
        spec_name = getattr(getattr(module, "__spec__", None), "name", None)
        if isinstance(spec_name, str) and spec_name.startswith(self.head):
            return True
        name = getattr(module, "__name__", None)
        if isinstance(name, str) and name.startswith(self.head):
            return True
        file = getattr(module, "__file__", None)
        return isinstance(file, str) and file.startswith(os.path.join(str(self.content_dir), ""))

    def is_own_module(self, fullname: str) -> bool:
        """Whether ``fullname`` is a module of this namespace."""
        return fullname.startswith(self.head)
