"""pluggy's plugin manager for features, with a hook-implementation lookup that scales.

pluggy looks at every name ``dir(feature)`` lists through
``inspect.getattr_static``, so that properties are never evaluated. A feature
lists about 35 names, nearly all inherited from ``BackendPlugin`` and
``object``, and registering one cost about 0.5 ms: the largest per-plugin cost
of a start with 500 plugins (issue 8). Here a walk over the instance's and its
classes' ``__dict__`` finds the raw attribute first; only one that carries the
marker (or that the walk cannot classify) goes on to pluggy's own lookup, so
what counts as a hook implementation is exactly what pluggy decides.
"""

from __future__ import annotations

import types
from typing import Any, Final, final

import pluggy

from greenroom._api.hookspecs import PROJECT_NAME, FeatureHookSpecs

__all__ = ["FeaturePluginManager"]

_ABSENT: Final = object()
_MARKER: Final = PROJECT_NAME + "_impl"
#: What pluggy never reads as a hook implementation (it binds only functions,
#: methods, staticmethods and classmethods): most of what ``dir()`` lists.
_NEVER_HOOKS: Final = (
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
    types.GetSetDescriptorType,
    types.BuiltinFunctionType,
    property,
    type(None),
    str,
    int,
    float,
    bool,
    bytes,
    tuple,
    frozenset,
    dict,
)


@final
class FeaturePluginManager(pluggy.PluginManager):
    """A ``PluginManager`` for the ``greenroom`` project with :class:`FeatureHookSpecs` added."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(FeatureHookSpecs)

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        if not isinstance(plugin, type) and _surely_unmarked(plugin, name):
            return None
        return super().parse_hookimpl_opts(plugin, name)


def _surely_unmarked(plugin: object, name: str) -> bool:
    """Whether no object pluggy could read as ``plugin.<name>`` carries the marker."""
    try:
        own = object.__getattribute__(plugin, "__dict__")
    except AttributeError:
        own = None
    found = False
    if isinstance(own, dict) and name in own:
        if _may_carry_marker(own[name]):
            return False
        found = True
    for klass in type(plugin).__mro__:
        raw = klass.__dict__.get(name, _ABSENT)
        if raw is not _ABSENT:
            return not _may_carry_marker(raw)
    # Listed by dir() yet in no __dict__ (a custom __dir__): pluggy decides.
    return found


def _may_carry_marker(raw: Any) -> bool:
    if isinstance(raw, types.MemberDescriptorType):  # a __slots__ slot: its value is unknown here
        return True
    if isinstance(raw, _NEVER_HOOKS):
        return False
    try:
        return (
            getattr(raw, _MARKER, None) is not None
            or getattr(getattr(raw, "__func__", None), _MARKER, None) is not None
        )
    except Exception:  # an object with an odd __getattr__: let pluggy look
        return True
