"""Checks after each load: did the plugin's native code really load, and stay isolated?

What the loader tells the user, on the ``greenroom.dynamic`` logger (and in
``PluginNamespace.warnings``):

- a compiled module the plugin ships failed to load: packages like msgpack,
  PyYAML or markupsafe catch that and fall back to pure Python *silently*
  (slower, sometimes different behaviour), so it is reported with the error;
- a module of the plugin holds the host's copy of one of the plugin's own
  packages (a module, class or function that is the host's object): the
  package imported itself by its plain name outside the load window, which a
  namespace cannot redirect. Such a package must be declared shared
  (``dynamicPlugins.sharedPackages``, shipping no private copy) or pinned to
  the host's version;
- (at debug level) the top-level names the plugin imported from the host
  without shipping them, and shipped compiled modules that were not imported.
"""

from __future__ import annotations

import logging
import sys
from types import BuiltinFunctionType, FunctionType, ModuleType

from greenroom._dynamic.namespace import PluginNamespace
from greenroom._dynamic.shared import ALWAYS_SHARED

__all__ = ["check_after_load"]

_log = logging.getLogger("greenroom.dynamic")


def check_after_load(namespace: PluginNamespace) -> None:
    """Report what the last load of ``namespace`` revealed (each finding once)."""
    _report_failed_extensions(namespace)
    _report_host_copies(namespace)
    _report_unused_extensions(namespace)
    if namespace.host_imports is None:
        return
    unshipped = sorted(
        namespace.host_imports
        - namespace.private
        - namespace.shared
        - sys.stdlib_module_names
        - ALWAYS_SHARED
        - {"__future__"}
    )
    if unshipped:
        _log.debug(
            "plugin %r uses the host's %s, which it does not ship",
            namespace.distribution,
            ", ".join(unshipped),
        )


def _report_failed_extensions(namespace: PluginNamespace) -> None:
    failed = namespace.failed_extensions
    while failed:
        name, error = failed.popitem()
        plain = namespace.plain(name)
        path = namespace.extension_modules.get(plain)
        namespace.warn(
            "plugin %r: the compiled module %r (%s) failed to load (%s); its package may have "
            "fallen back to pure Python silently, or fail later. Ship a build for %s, or declare "
            "%r shared (dynamicPlugins.sharedPackages) and use the host's",
            namespace.distribution,
            plain,
            path or "not shipped",
            error,
            sys.implementation.cache_tag,
            plain.partition(".")[0],
        )


def _host_copy(namespace: PluginNamespace, value: object) -> str | None:
    """The dotted name of ``value`` if it is the host's copy of one of the plugin's names."""
    if isinstance(value, ModuleType):
        name = getattr(value, "__name__", None)
        if isinstance(name, str) and namespace.owns(name) and not namespace.owns_module(value):
            return name
        return None
    if not isinstance(value, type | FunctionType | BuiltinFunctionType):
        return None
    module_name = getattr(value, "__module__", None)
    if not isinstance(module_name, str) or not namespace.owns(module_name):
        return None
    # Compiled types keep the plain module name they were built with, so the name
    # alone proves nothing: only the very object of the host's module does.
    host = sys.modules.get(module_name)
    name = getattr(value, "__name__", None)
    if host is not None and isinstance(name, str) and vars(host).get(name) is value:
        return f"{module_name}.{name}"
    return None


def _report_host_copies(namespace: PluginNamespace) -> None:
    modules = sys.modules
    # The modules found since the last check, not a scan of sys.modules (issue 8).
    fresh, namespace.fresh = namespace.fresh, {}
    for module_name in fresh:
        module = modules.get(module_name)
        if module is None:  # found, but its import failed (or it is not imported yet)
            continue
        for attribute, value in list(vars(module).items()):
            leaked = _host_copy(namespace, value)
            if leaked is not None:
                namespace.warn(
                    "plugin %r: %s.%s is the host's %r, not the plugin's own copy: the package "
                    "imports itself by its plain name outside the plugin's namespace (native "
                    "code does this), which cannot be isolated in one process. Declare %r in "
                    "dynamicPlugins.sharedPackages and ship no private copy, or pin the plugin "
                    "to the host's version",
                    namespace.distribution,
                    namespace.plain(module_name),
                    attribute,
                    leaked,
                    leaked.partition(".")[0],
                )


def _report_unused_extensions(namespace: PluginNamespace) -> None:
    modules = sys.modules
    for plain, path in namespace.extension_modules.items():
        if not namespace.owns(plain):
            continue
        parent = plain.rpartition(".")[0]
        loaded_parent = not parent or namespace.prefixed(parent) in modules
        if loaded_parent and namespace.prefixed(plain) not in modules:
            _log.debug(
                "plugin %r: compiled module %r (%s) was not imported (yet)",
                namespace.distribution,
                plain,
                path,
            )
