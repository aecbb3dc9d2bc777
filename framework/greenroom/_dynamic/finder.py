"""The one meta-path finder of every dynamic plugin, first in ``sys.meta_path``.

Names under ``greenroom_dynamic.`` are dispatched through a table, one entry
per plugin; every other name gets ``None`` after one ``startswith`` (and one
attribute check), whatever the number of plugins. One finder per plugin, or
one ``sys.path`` entry per plugin, would make every failed host import slower
in proportion to the plugins loaded (~0.26 ms at 500 plugins, measured), and
a ``sys.path`` entry would isolate nothing.

The finder also answers ``importlib.metadata``'s ``find_distributions`` for
plugin code (see ``metadata_finder``) and, while a plugin's plain-name window
is open (see ``plain_names``), plain names the plugin owns.

It is installed when the first plugin namespace is registered and removed,
with the ``importlib`` wrappers and the ``greenroom_dynamic`` modules, when the
last one is unregistered: nothing is left in the process by a loader that
unloaded everything.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from importlib.metadata import Distribution, DistributionFinder
from pathlib import Path
from types import ModuleType
from typing import Final

from greenroom._dynamic.loaders import (
    AliasLoader,
    PluginExtensionLoader,
    PluginSourcelessLoader,
    PluginSourceLoader,
    PortionLoader,
)
from greenroom._dynamic.namespace import PluginNamespace
from greenroom._dynamic.rewrite import (
    PREFIX,
    PREFIX_DOT,
    caller_namespace,
    install_import_wrappers,
    uninstall_import_wrappers,
)

__all__ = ["PluginFinder", "active_finder", "register", "unregister", "unregister_all"]

#: The import system's own order in one folder: compiled, then source, then bytecode.
_MODULE_SUFFIXES: Final = (
    *((suffix, "extension") for suffix in EXTENSION_SUFFIXES),
    (".py", "source"),
    (".pyc", "sourceless"),
)


#: The loader of ``greenroom_dynamic`` and of each ``greenroom_dynamic.<plugin>`` (stateless).
_NO_FOLDERS: Final = PortionLoader(())


class PluginFinder(DistributionFinder):
    """Finds modules and distributions of registered plugin namespaces."""

    def __init__(self) -> None:
        #: Namespace segment -> namespace; the only per-plugin state the finder has.
        self.namespaces: dict[str, PluginNamespace] = {}
        #: Extracted folder -> its namespace (never two namespaces on one folder).
        self.folders: dict[Path, PluginNamespace] = {}
        #: The namespace whose plain-name window is open, if any.
        self.window: PluginNamespace | None = None

    def __repr__(self) -> str:
        return f"<PluginFinder for {len(self.namespaces)} dynamic plugin(s)>"

    # -- modules ---------------------------------------------------------

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname.startswith(PREFIX):
            return self._find_prefixed(fullname, path)
        window = self.window
        if window is None or fullname.partition(".")[0] not in window.private:
            return None
        # Native code of the loading plugin importing one of its own names plainly.
        prefixed = window.head + fullname
        if _locate(window, self, prefixed, fullname, path) is None:
            return None
        return ModuleSpec(fullname, AliasLoader(prefixed))

    def _find_prefixed(self, fullname: str, path: Sequence[str] | None) -> ModuleSpec | None:
        if fullname == PREFIX:
            return ModuleSpec(fullname, _NO_FOLDERS, is_package=True)
        if not fullname.startswith(PREFIX_DOT):
            return None
        parts = fullname.split(".", 2)
        namespace = self.namespaces.get(parts[1])
        if namespace is None:
            return None
        if len(parts) == 2:
            return ModuleSpec(fullname, _NO_FOLDERS, is_package=True)
        spec = _locate(namespace, self, fullname, parts[2], path)
        if spec is not None:
            # Recorded for the checks after the load (plain_names.sweep, checks).
            namespace.fresh.setdefault(fullname, sys.modules.get(parts[2]))
        return spec

    def invalidate_caches(self) -> None:
        for namespace in self.namespaces.values():
            namespace.invalidate_caches()

    # -- distributions ---------------------------------------------------

    def find_distributions(
        self,
        context: DistributionFinder.Context = DistributionFinder.Context(),  # noqa: B008
    ) -> Iterable[Distribution]:
        namespace = caller_namespace(sys._getframe(1), self.namespaces)
        if namespace is None:
            return ()
        return namespace.distributions.find(context)


def _locate(
    namespace: PluginNamespace,
    holder: PluginFinder,
    fullname: str,
    plain: str,
    path: Sequence[str] | None,
) -> ModuleSpec | None:
    """The spec of ``fullname`` (``plain`` inside the plugin), searched like ``FileFinder``."""
    parent, _, name = plain.rpartition(".")
    if not parent:
        if name not in namespace.private:
            return None
        folders: Sequence[str] = (str(namespace.content_dir),)
    elif path is not None:
        folders = path
    else:
        parent_module = sys.modules.get(namespace.head + parent)
        folders = getattr(parent_module, "__path__", None) or ()
    portions: list[str] = []
    for folder in folders:
        files, subfolders = namespace.listing(folder)
        if name in subfolders:
            package = os.path.join(folder, name)
            package_files = namespace.listing(package)[0]
            for suffix, kind in _MODULE_SUFFIXES:
                init = "__init__" + suffix
                if init in package_files:
                    return _spec(
                        namespace, holder, fullname, os.path.join(package, init), kind, package
                    )
            portions.append(package)
        for suffix, kind in _MODULE_SUFFIXES:
            if name + suffix in files:
                return _spec(namespace, holder, fullname, os.path.join(folder, name + suffix), kind)
    if portions:
        spec = ModuleSpec(fullname, PortionLoader(portions), is_package=True)
        spec.submodule_search_locations = portions
        return spec
    return None


def _spec(
    namespace: PluginNamespace,
    holder: PluginFinder,
    fullname: str,
    path: str,
    kind: str,
    package: str | None = None,
) -> ModuleSpec:
    loader: PluginSourceLoader | PluginSourcelessLoader | PluginExtensionLoader
    if kind == "source":
        loader = PluginSourceLoader(fullname, path, namespace, holder)
    elif kind == "sourceless":
        loader = PluginSourcelessLoader(fullname, path, namespace, holder)
    else:
        loader = PluginExtensionLoader(fullname, path, namespace, holder)
    spec = ModuleSpec(fullname, loader, origin=path, is_package=package is not None)
    spec.has_location = True
    if package is not None:
        spec.submodule_search_locations = [package]
    return spec


# -- the one installed finder ---------------------------------------------

_lock = threading.RLock()
_finder: PluginFinder | None = None


def active_finder() -> PluginFinder | None:
    """The installed finder, if any plugin namespace is registered."""
    return _finder


def register(namespace: PluginNamespace) -> PluginFinder:
    """Add ``namespace`` to the table (installing the finder first if needed).

    Raises ``ValueError`` when another namespace has the same segment (the
    same distribution loaded twice).
    """
    global _finder
    with _lock:
        finder = _finder
        if finder is None:
            finder = PluginFinder()
            sys.meta_path.insert(0, finder)
            install_import_wrappers(finder.namespaces)
            _finder = finder
        other = finder.namespaces.get(namespace.ident)
        if other is not None and other is not namespace:
            raise ValueError(
                f"{namespace.prefix} is already used by {other.distribution} "
                f"{other.version} from {other.content_dir}"
            )
        # One folder, one namespace: a compiled module file is one library in the
        # process, so two namespaces importing it would share its state.
        sharing = finder.folders.get(namespace.content_dir)
        if sharing is not None and sharing is not namespace:
            raise ValueError(
                f"{namespace.content_dir} is already loaded as {sharing.distribution} "
                f"{sharing.version}; every plugin needs its own extracted folder"
            )
        finder.namespaces[namespace.ident] = namespace
        finder.folders[namespace.content_dir] = namespace
        return finder


def unregister(namespace: PluginNamespace) -> None:
    """Remove ``namespace``'s modules and table entry (uninstalling when none is left)."""
    unregister_all([namespace])


def unregister_all(namespaces: Iterable[PluginNamespace]) -> None:
    """:func:`unregister` each of ``namespaces``, with one pass over ``sys.modules``.

    One pass per namespace made stopping a backend with N plugins O(N²): ~0.9 s
    at 1000 plugins (issue 8).
    """
    global _finder
    with _lock:
        finder = _finder
        if finder is None:
            return
        leaving = {ns.ident: ns for ns in namespaces if finder.namespaces.get(ns.ident) is ns}
        if not leaving:
            return
        for namespace in leaving.values():
            del finder.namespaces[namespace.ident]
            finder.folders.pop(namespace.content_dir, None)
        # Plain aliases only exist while a window is open; should one have survived, it
        # must not keep its plugin reachable. Only plain private names are looked at:
        # touching other entries could wake lazy modules.
        owners: dict[str, list[PluginNamespace]] = {}
        for namespace in leaving.values():
            for name in namespace.private:
                owners.setdefault(name, []).append(namespace)
        modules = sys.modules
        doomed = []
        for name, module in list(modules.items()):
            if name.startswith(PREFIX_DOT):
                if name.split(".", 2)[1] in leaving:
                    doomed.append(name)
                continue
            candidates = owners.get(name.partition(".")[0])
            if candidates and any(ns.owns_module(module) for ns in candidates):
                doomed.append(name)
        for name in doomed:
            del modules[name]
        root = modules.get(PREFIX)
        if root is not None:
            for ident in leaving:
                if ident in vars(root):
                    delattr(root, ident)
        if not finder.namespaces:
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            uninstall_import_wrappers()
            modules.pop(PREFIX, None)
            _finder = None
