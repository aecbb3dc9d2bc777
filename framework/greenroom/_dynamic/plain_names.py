"""The plain-name window: a plugin's copies under their plain names while it loads.

Python code in a plugin is redirected by its ``__builtins__`` (``rewrite``),
but compiled code imports through the C API, by the names it was built with:
Cython registers ``msgpack._cmsgpack`` in ``sys.modules`` under that plain
name, markupsafe's ``_speedups`` imports ``markupsafe`` to find ``Markup``,
mypyc modules import their ``<hash>__mypyc`` helper and their siblings. Left
alone, these bind the *host's* copy (markupsafe returned the host's
``Markup``), or leak the plugin's copy to the host (its later
``import msgpack`` ran the plugin's code), mostly silently.

So while one of a plugin's compiled modules is being created and executed,
``sys.modules`` maps the plain names of the plugin's private packages to its
own prefixed modules (host entries are set aside; the plugin's package being
imported is already there, half-initialised, as a normal import would have it),
and the finder answers plain private names not imported yet with the plugin's
copy. When the window closes every plain private name is removed again
(strays are reported) and the host's entries come back. About 0.3-0.8 ms per
window (measured).

The window is opened around each compiled module rather than around a whole
plugin load (what ``isolation-notes.md`` measured): host code that runs
during a window and imports one of the plugin's plain names gets the
plugin's copy, so the window is kept to the code that needs it. Pure-Python
code is redirected by its ``__builtins__`` and needs no window.

Not thread-safe: another thread importing one of those plain names while a
window is open gets the plugin's copy. Plugins load at start-up, before the
server takes requests; a plugin that imports compiled modules lazily at run
time opens a short window then.

After each load, :func:`sweep` removes copies of the plugin's modules that
reached ``sys.modules`` under a plain name some other way, and puts back the
host's entry. It looks at the plain names of the plugin's top-level packages
and of the modules the finder found for the plugin since its last load (the
finder records them, with the host's entry under the plain name at that
moment), not at all of ``sys.modules``: three scans of it per load cost
~0.4 ms per plugin at 500 plugins, growing with their number (issue 8). A
plugin module that files itself by hand under a plain name that is not its
own (``sys.modules["libx.compat"] = ...``) is therefore not seen.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from greenroom._dynamic.namespace import PluginNamespace

__all__ = ["WindowHolder", "alias_while_open", "plain_names", "snapshot", "sweep"]

_log = logging.getLogger("greenroom.dynamic")


class WindowHolder(Protocol):
    """Who knows the namespace whose window is open (the finder)."""

    window: PluginNamespace | None


def alias_while_open(
    holder: WindowHolder, namespace: PluginNamespace, fullname: str, module: ModuleType
) -> None:
    """File ``module`` (``fullname``) under its plain name too, if the window is open."""
    if holder.window is namespace:
        sys.modules[namespace.plain(fullname)] = module


@contextmanager
def plain_names(holder: WindowHolder, namespace: PluginNamespace) -> Iterator[None]:
    """Open ``namespace``'s window for the duration (nothing to do if it is already open)."""
    if holder.window is namespace:
        yield
        return
    previous = holder.window
    saved = _open(namespace)
    holder.window = namespace
    try:
        yield
    finally:
        holder.window = previous
        _close(namespace, saved)


def _open(namespace: PluginNamespace) -> dict[str, ModuleType]:
    """Set aside the entries under the plugin's private names and alias its own modules."""
    modules = sys.modules
    private = namespace.private
    head = namespace.head
    cut = len(head)
    saved: dict[str, ModuleType] = {}
    aliases: dict[str, ModuleType] = {}
    for name, module in list(modules.items()):
        if name.startswith(head):
            aliases[name[cut:]] = module
        elif name.partition(".")[0] in private:
            saved[name] = module
    for name in saved:
        del modules[name]
    modules.update(aliases)
    return saved


def _close(namespace: PluginNamespace, saved: dict[str, ModuleType]) -> None:
    """Remove every plain private name and put the host's entries back."""
    modules = sys.modules
    private = namespace.private
    strays: list[tuple[str, object]] = []
    for name in _names_under(private):
        module = modules.pop(name)
        if not namespace.owns_module(module):
            strays.append((name, getattr(module, "__file__", None)))
    modules.update(saved)
    for name, file in strays:
        _warn_stray(namespace, name, file)


def _warn_stray(namespace: PluginNamespace, name: str, file: object) -> None:
    namespace.warn(
        "plugin %r: module %r (%s) was imported under its plain name while the plugin "
        "loaded, outside the plugin's namespace; it was removed from sys.modules. Code that "
        "imports it by that name later gets the host's copy (or none): declare %r in "
        "dynamicPlugins.sharedPackages and ship no private copy, or pin the plugin to the "
        "host's version",
        namespace.distribution,
        name,
        file or "no file",
        name.partition(".")[0],
    )


def _names_under(private: frozenset[str]) -> list[str]:
    """The names in ``sys.modules`` whose top-level name is one of ``private``.

    Used when a window closes (compiled modules only); ``str.startswith`` with a
    tuple rejects nearly all names in C before the exact test (issue 8).
    """
    heads = tuple(private)
    return [n for n in sys.modules if n.startswith(heads) and n.partition(".")[0] in private]


def snapshot(namespace: PluginNamespace) -> dict[str, ModuleType | None]:
    """What ``sys.modules`` holds under the plugin's top-level private names, before a load."""
    modules = sys.modules
    return {name: modules.get(name) for name in namespace.private}


def sweep(namespace: PluginNamespace, before: dict[str, ModuleType | None]) -> None:
    """Remove the plugin's modules filed under plain names during the load; restore the host's.

    The names looked at are those of ``before`` and the plain names of the
    modules the finder found for the plugin (``namespace.fresh``). Host
    modules the load caused to be imported (a host package the plugin uses
    importing its own dependencies) are the host's and stay.
    """
    modules = sys.modules
    head = len(namespace.head)
    candidates = dict(before)
    for fullname, host in namespace.fresh.items():
        candidates.setdefault(fullname[head:], host)
    for name, host in candidates.items():
        module = modules.get(name)
        if module is None or module is host or not namespace.owns_module(module):
            continue
        del modules[name]
        if host is not None:
            modules[name] = host
        _warn_stray(namespace, name, getattr(module, "__file__", None))
