"""The module loader: how the code of root-directory plugins gets imported.

``ModuleLoader`` is the seed's ``moduleLoader``, replaceable by option;
``NamespacedModuleLoader`` is the default. It imports each plugin under
``greenroom_dynamic.<normalized distribution name>`` from its extracted
folder, nothing added to ``sys.path``, so that two plugins may carry two
versions of one library and the host a third, all live at once, while the
host's shared packages (Greenroom, its dependencies, ``sharedPackages``) stay
single. How, and where that stops, is in the docstrings of ``rewrite``
(import redirection), ``plain_names`` (native code), ``metadata_finder``
(``importlib.metadata``), ``bytecode`` (the bytecode cache) and ``checks``
(what the user is told).

Which native packages can be isolated
-------------------------------------
Compiled modules are always loaded from the extracted folder (never from a
zip: msgpack, markupsafe and PyYAML fall back to pure Python silently there,
orjson fails), each plugin from its own folder (one ``.so`` path is one
library in the process).

Isolated: compiled modules that import their own package, or other private
packages, by plain name only *while they are being imported*, and Cython
modules that file themselves in ``sys.modules`` under their plain name; the
plain-name window (``plain_names``) covers both. Tested here: msgpack (Cython
``_cmsgpack``) and markupsafe 2.1 (``_speedups`` looks up ``markupsafe.Markup``
at init), two builds each in two plugins plus a third in the host. Measured
the same way before (``isolation-notes.md``): PyYAML's ``_yaml`` and
mypyc-compiled charset-normalizer. Pure-Python packages are always isolated,
except for the forms listed in ``rewrite``.

Not isolated, and cannot be in one process: native code that imports a
package by its plain name when one of its *functions* is called (after the
load): it gets the host's copy if the host has one, else an ``ImportError``
or a stray copy. Also shared by every copy: process-wide native state (signal
handlers, ``atexit``, codecs, globals of a C library), and a shared library
two builds bundle under the same file name (the first one loaded serves
both). Such packages must be declared shared (``dynamicPlugins.sharedPackages``,
the plugin shipping no copy) or pinned to the host's version; plugins out of
process are the long-term answer.

What the loader tells the user (warnings on ``greenroom.dynamic``, also in
``PluginNamespace.warnings``), each naming the plugin, the module or file and
the fix: a compiled module that failed to load (the silent pure-Python
fallback); a compiled module built for another interpreter or platform; a
module of the plugin holding the host's copy of one of the plugin's packages
(what a call-time plain import leaves behind, when it happens during the
load); a plugin module that reached ``sys.modules`` under its plain name (it is
removed, the host's entry restored); a private copy of a shared or
standard-library package (ignored); ``.pth`` files (not processed); a
compiled module loaded again after an unload (its old state is kept). Call-time
imports made after the load cannot be seen in process: a probe in a fresh
subprocess at install time is the reliable detector (a follow-up).

Other limits (pure Python)
--------------------------
Not redirected: reading ``sys.modules["libx"]``, names derived from
``__name__.split(".")[0]`` (it is ``greenroom_dynamic``), dotted strings
resolved by a shared package on the plugin's behalf (``logging.config``
included), ``importlib.__import__`` and ``builtins.__import__`` called
explicitly, ``pkg_resources`` (it sees ``sys.path`` only), ``.pth`` files.
Plugin module names carry the prefix: loggers made with
``logging.getLogger(__name__)``, warning filters and pickles name
``greenroom_dynamic.<plugin>.<module>`` (pickles load only while the plugin
is loaded, and never in a ``multiprocessing`` spawned child). Objects of
private types cannot cross to the host or to other plugins (``isinstance``
fails): types that cross come from shared packages. Names added to
``builtins`` after a plugin loaded are not seen by its code.

Unloading frees a plugin's Python objects once nothing outside holds them.
Compiled modules never unload, and loading the same file again returns its
old state (Cython's module, markupsafe's ``Markup``): a plugin with compiled
modules needs a restart to be reloaded from the same folder (an updated
plugin is extracted to a new folder and gets fresh native modules, the old
ones staying in memory).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, Protocol, final, runtime_checkable

from greenroom._dynamic import finder as _finder
from greenroom._dynamic.bytecode import BytecodeCache
from greenroom._dynamic.checks import check_after_load
from greenroom._dynamic.models import ScannedPluginPackage
from greenroom._dynamic.namespace import PluginNamespace
from greenroom._dynamic.plain_names import snapshot, sweep
from greenroom._dynamic.shared import cached_shared_import_names
from greenroom._errors import GreenroomError

__all__ = ["ModuleLoader", "NamespacedModuleLoader", "PluginLoadError"]

_log = logging.getLogger("greenroom.dynamic")


class PluginLoadError(GreenroomError, ImportError):
    """A root-directory plugin's code could not be imported; the cause is chained.

    ``plugin`` is the distribution name, ``reference`` the entry point value
    (``module:attr``), ``path`` the package in the root directory.
    """

    def __init__(self, message: str, *, plugin: str, reference: str | None, path: Path) -> None:
        super().__init__(message, name=reference, path=str(path))
        self.plugin = plugin
        self.reference = reference


class _NotPrepared(Exception):
    """Why one package cannot be prepared (internal; load() raises PluginLoadError)."""


@runtime_checkable
class ModuleLoader(Protocol):
    """Imports the code of root-directory plugin packages (the seed's ``moduleLoader``)."""

    def prepare(self, packages: Sequence[ScannedPluginPackage]) -> None:
        """Make ``packages`` importable (called once with every package, before any load)."""

    def load(self, package: ScannedPluginPackage, reference: str) -> Any:
        """The object ``reference`` (``module:attr`` or ``module``) names in ``package``.

        Module names are the plugin's own, as written in its entry points.
        """

    def unload(self, package: ScannedPluginPackage) -> None:
        """Forget ``package``'s modules, so that its objects can be freed."""


@final
class NamespacedModuleLoader:
    """The default loader: each plugin under its own import prefix, private dependencies its own.

    ``shared_packages`` adds distribution or import names to the host's shared
    set (config ``dynamicPlugins.sharedPackages``); ``cache_root`` is
    Greenroom's cache directory (``None``: no bytecode cache), and
    ``bytecode_cache`` switches the cache off.

    Loads are serialised and not thread-safe against other threads' imports
    (see ``plain_names``): load plugins at start-up, before serving.
    """

    def __init__(
        self,
        *,
        shared_packages: Iterable[str] = (),
        cache_root: Path | None = None,
        bytecode_cache: bool = True,
    ) -> None:
        self._extra_shared = tuple(shared_packages)
        self._shared: frozenset[str] | None = None
        self._cache_root = cache_root
        self._bytecode = BytecodeCache.under(cache_root, enabled=bytecode_cache)
        self._namespaces: dict[Path, PluginNamespace] = {}
        #: Package path -> why it could not be prepared.
        self._failures: dict[Path, str] = {}
        self._lock = threading.RLock()

    @property
    def shared(self) -> frozenset[str]:
        """Import names every plugin gets from the host (computed on first use)."""
        if self._shared is None:
            self._shared = cached_shared_import_names(self._extra_shared, self._cache_root)
        return self._shared

    @property
    def bytecode(self) -> BytecodeCache:
        """The bytecode cache (its ``directory`` is ``None`` when off)."""
        return self._bytecode

    def namespace(self, package: ScannedPluginPackage) -> PluginNamespace | None:
        """The namespace ``package`` was prepared into, if it was."""
        return self._namespaces.get(package.path)

    def module_name(self, package: ScannedPluginPackage, module: str) -> str:
        """The name under which the plugin's ``module`` is (or will be) in ``sys.modules``."""
        namespace = self._require(package, module)
        return namespace.prefixed(module)

    # -- the protocol ----------------------------------------------------

    def prepare(self, packages: Sequence[ScannedPluginPackage]) -> None:
        """Register a namespace for each loadable package.

        One bad package never stops the others: why it cannot be prepared (a
        scan failure, an unreadable folder, its distribution already loaded
        from another folder) is logged, and :meth:`load` raises it as a
        :class:`PluginLoadError`.
        """
        with self._lock:
            for package in packages:
                if package.path in self._namespaces:
                    continue
                self._failures.pop(package.path, None)
                try:
                    self._prepare(package)
                except _NotPrepared as exc:
                    self._failures[package.path] = str(exc)
                    _log.warning("cannot prepare plugin package %s: %s", package.path, exc)

    def _prepare(self, package: ScannedPluginPackage) -> None:
        if not package.ok or package.content_dir is None:
            raise _NotPrepared(f"it is not loadable: {package.failure or 'no content folder'}")
        try:
            namespace = PluginNamespace.of(package, shared=self.shared, bytecode=self._bytecode)
        except OSError as exc:
            raise _NotPrepared(f"its folder cannot be read: {exc}") from exc
        try:
            _finder.register(namespace)
        except ValueError as exc:
            raise _NotPrepared(f"{exc}; remove one of the two copies") from exc
        self._namespaces[package.path] = namespace
        importlib.import_module(namespace.prefix)

    def load(self, package: ScannedPluginPackage, reference: str) -> Any:
        """Import ``reference`` from ``package`` (preparing it first if needed)."""
        with self._lock:
            if package.path not in self._namespaces:
                self.prepare([package])
            match = EntryPoint.pattern.match(reference)
            module_name = match.group("module") if match else ""
            attribute = (match.group("attr") if match else None) or ""
            namespace = self._require(package, module_name, reference)
            before = snapshot(namespace)
            try:
                module = importlib.import_module(namespace.prefixed(module_name))
            except Exception as exc:
                raise PluginLoadError(
                    f"plugin {namespace.distribution!r} ({package.path}): importing "
                    f"{module_name!r} failed: {type(exc).__name__}: {exc}",
                    plugin=namespace.distribution,
                    reference=reference,
                    path=package.path,
                ) from exc
            finally:
                sweep(namespace, before)
                check_after_load(namespace)
                # The folder listings served this load; kept, they were ~1.2 KB per
                # plugin for the life of the process (issue 8). A later import lists again.
                namespace.invalidate_caches()
            target: Any = module
            for part in attribute.split(".") if attribute else ():
                try:
                    target = getattr(target, part)
                except AttributeError as exc:
                    raise PluginLoadError(
                        f"plugin {namespace.distribution!r} ({package.path}): module "
                        f"{module_name!r} has no attribute {attribute!r} (entry point "
                        f"{reference!r}); fix the entry point or the module",
                        plugin=namespace.distribution,
                        reference=reference,
                        path=package.path,
                    ) from exc
            return target

    def unload(self, package: ScannedPluginPackage) -> None:
        """Remove the plugin's modules and namespace; unknown packages are ignored."""
        with self._lock:
            namespace = self._namespaces.pop(package.path, None)
            if namespace is not None:
                _finder.unregister(namespace)

    def close(self) -> None:
        """Unload every package this loader prepared."""
        with self._lock:
            _finder.unregister_all(list(self._namespaces.values()))
            self._namespaces.clear()

    # -- helpers ---------------------------------------------------------

    def _require(
        self, package: ScannedPluginPackage, module: str, reference: str | None = None
    ) -> PluginNamespace:
        namespace = self._namespaces.get(package.path)
        name = package.manifest.name if package.manifest else str(package.path)
        if namespace is None:
            raise PluginLoadError(
                f"plugin package {package.path} cannot be loaded: "
                f"{self._failures.get(package.path, 'it was not prepared')}",
                plugin=name,
                reference=reference,
                path=package.path,
            )
        if not module or not all(part.isidentifier() for part in module.split(".")):
            raise PluginLoadError(
                f"plugin {name!r} ({package.path}): {reference or module!r} is not a "
                "'module' or 'module:attribute' reference",
                plugin=name,
                reference=reference,
                path=package.path,
            )
        if not namespace.owns(module):
            raise PluginLoadError(
                f"plugin {name!r} ({package.path}): {reference or module!r} names module "
                f"{module!r}, which the plugin does not ship (it ships: "
                f"{', '.join(sorted(namespace.private)) or 'nothing importable'}); fix the "
                "entry point",
                plugin=name,
                reference=reference,
                path=package.path,
            )
        return namespace
