"""Redirecting a plugin's imports of its private names into its namespace.

Two mechanisms, both measured in ``isolation-notes.md``:

- every module the plugin's loaders execute gets a per-plugin ``__builtins__``
  whose ``__import__`` turns ``libx`` into ``greenroom_dynamic.<plugin>.libx``.
  This covers ``import`` statements, ``from ... import``, ``__import__()``,
  bytecode-only files and code generated at run time (``exec`` without
  ``__builtins__`` inherits the caller's), ~0.12 µs per executed import;
- ``importlib.import_module`` and ``importlib.util.find_spec`` bypass
  ``__import__``, so they are wrapped while the finder is installed: a call
  whose first caller outside the standard library is plugin code is rewritten
  the same way (~0.26 µs per call). Standard-library helpers that go through
  them (``importlib.resources.files``, ``pkgutil.resolve_name``,
  ``pkgutil.get_data``) are covered too.

Not covered (documented): code holding a reference to the original
``importlib.import_module`` taken before the finder was installed,
``importlib.__import__``, ``builtins.__import__`` called through the
``builtins`` module, reading ``sys.modules["libx"]`` directly, names derived
from ``__name__.split(".")[0]``, and dotted strings resolved by
``logging.config`` (it uses the standard library's own ``__import__``).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from importlib.machinery import ModuleSpec
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from greenroom._dynamic.namespace import PluginNamespace

__all__ = [
    "PREFIX",
    "PREFIX_DOT",
    "caller_namespace",
    "install_import_wrappers",
    "plugin_builtins",
    "uninstall_import_wrappers",
]

#: Every plugin's modules live under ``greenroom_dynamic.<normalized distribution name>``.
PREFIX: Final = "greenroom_dynamic"
PREFIX_DOT: Final = PREFIX + "."

#: Frames of these top-level modules are skipped when looking for who called: they
#: act on behalf of their caller (``importlib.resources`` calling ``import_module``).
_TRANSPARENT: Final = frozenset(sys.stdlib_module_names) | {
    "importlib_metadata",
    "importlib_resources",
}

ImportFunction = Callable[..., ModuleType]


def plugin_builtins(
    prefix: str, private: frozenset[str], host_imports: set[str] | None
) -> dict[str, Any]:
    """A ``__builtins__`` mapping whose ``__import__`` keeps ``private`` names under ``prefix``.

    ``host_imports`` (unless ``None``) collects the other absolute top-level names the plugin
    imports (the standard library, shared packages, and host packages it
    relies on without shipping them). The mapping is a snapshot of
    ``builtins``: names added to ``builtins`` later are not seen by plugin code.
    """
    original: ImportFunction = builtins.__import__
    modules = sys.modules
    head = prefix + "."

    def __import__(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: tuple[str, ...] | list[str] | None = (),
        level: int = 0,
    ) -> ModuleType:
        if level == 0:
            top = name.partition(".")[0]
            if top in private:
                module = original(head + name, globals, locals, fromlist, 0)
                # ``import libx.sub`` binds ``libx``: the prefixed top-level package.
                return module if fromlist else modules[head + top]
            if host_imports is not None and top not in host_imports:
                host_imports.add(top)
        return original(name, globals, locals, fromlist, level)

    namespace = dict(builtins.__dict__)
    namespace["__import__"] = __import__
    return namespace


def caller_namespace(
    frame: FrameType | None, namespaces: Mapping[str, PluginNamespace]
) -> PluginNamespace | None:
    """The plugin whose code is the first caller outside the standard library, if any."""
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if type(name) is str:
            if name.startswith(PREFIX_DOT):
                return namespaces.get(name.split(".", 2)[1])
            if name.partition(".")[0] not in _TRANSPARENT:
                return None
        frame = frame.f_back
    return None


class _Wrappers:
    """The installed wrappers and the functions they replaced."""

    def __init__(self, namespaces: Mapping[str, PluginNamespace]) -> None:
        self.original_import_module = importlib.import_module
        self.original_find_spec = importlib.util.find_spec
        original_import_module = self.original_import_module
        original_find_spec = self.original_find_spec
        getframe = sys._getframe

        def import_module(name: str, package: str | None = None) -> ModuleType:
            namespace = caller_namespace(getframe(1), namespaces)
            if namespace is not None:
                name, package = namespace.rewrite(name, package)
            return original_import_module(name, package)

        def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
            namespace = caller_namespace(getframe(1), namespaces)
            if namespace is not None:
                name, package = namespace.rewrite(name, package)
            return original_find_spec(name, package)

        import_module.__doc__ = original_import_module.__doc__
        find_spec.__doc__ = original_find_spec.__doc__
        self.import_module = import_module
        self.find_spec = find_spec


_installed: _Wrappers | None = None


def install_import_wrappers(namespaces: Mapping[str, PluginNamespace]) -> None:
    """Wrap ``importlib.import_module`` and ``importlib.util.find_spec`` (idempotent)."""
    global _installed
    if _installed is not None:
        return
    wrappers = _Wrappers(namespaces)
    # setattr: the functions are replaced in their modules on purpose.
    setattr(importlib, "import_module", wrappers.import_module)  # noqa: B010
    setattr(importlib.util, "find_spec", wrappers.find_spec)  # noqa: B010
    _installed = wrappers


def uninstall_import_wrappers() -> None:
    """Put the original functions back, unless someone wrapped ours since (then leave theirs)."""
    global _installed
    wrappers = _installed
    if wrappers is None:
        return
    _installed = None
    if importlib.import_module is wrappers.import_module:
        setattr(importlib, "import_module", wrappers.original_import_module)  # noqa: B010
    if importlib.util.find_spec is wrappers.find_spec:
        setattr(importlib.util, "find_spec", wrappers.original_find_spec)  # noqa: B010
