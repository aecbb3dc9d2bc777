"""Turning what a backend entry point names into features, checked against its group.

An entry point names a ``BackendPlugin``/``BackendModule`` class or instance,
a list of them, or an installer: a callable returning one or a list (the
seed's ``dynamicPluginInstaller``).
"""

from __future__ import annotations

from typing import Any

from greenroom._api.features import BackendFeature, BackendModule, BackendPlugin
from greenroom._errors import FeatureRegistrationError

__all__ = ["features_from_target"]

_EXPECTED = {"backend-plugin": BackendPlugin, "backend-plugin-module": BackendModule}
#: The entry point group of each kind of feature, for the fix in a wrong-group message.
_GROUPS = {
    "greenroom.backend_plugin": BackendPlugin,
    "greenroom.backend_plugin_module": BackendModule,
}


def features_from_target(target: Any, role: str, source: str) -> list[BackendFeature]:
    """The features ``target`` stands for, each of the kind ``role`` promises."""
    expected = _EXPECTED[role]
    items = _expand(target, source, installer_allowed=True)
    if not items:
        raise FeatureRegistrationError(f"{source} provides no features")
    features = []
    for item in items:
        feature = _instantiate(item, source)
        if not isinstance(feature, expected):
            other = next((g for g, kind in _GROUPS.items() if isinstance(feature, kind)), None)
            fix = (
                f"move the entry point to the {other} group"
                if other
                else f"point the entry point at a {expected.__name__}"
            )
            raise FeatureRegistrationError(
                f"{source} is in a {role} group but provides {feature!r}, not a "
                f"{expected.__name__}: {fix}"
            )
        features.append(feature)
    return features


def _expand(target: Any, source: str, *, installer_allowed: bool) -> list[Any]:
    if isinstance(target, list | tuple):
        return list(target)
    if isinstance(target, BackendFeature) or (
        isinstance(target, type) and issubclass(target, BackendFeature)
    ):
        return [target]
    if callable(target) and installer_allowed:
        try:
            result = target()
        except Exception as exc:
            raise FeatureRegistrationError(
                f"the installer {source} failed: {type(exc).__name__}: {exc}"
            ) from exc
        return _expand(result, source, installer_allowed=False)
    raise FeatureRegistrationError(
        f"{source} names {target!r}: expected a BackendPlugin or BackendModule (class or "
        "instance), a list of them, or an installer function returning those"
    )


def _instantiate(item: Any, source: str) -> Any:
    if isinstance(item, type) and issubclass(item, BackendFeature):
        try:
            return item()
        except Exception as exc:
            raise FeatureRegistrationError(
                f"{source}: could not instantiate {item.__qualname__} without arguments: {exc}"
            ) from exc
    return item
