"""Feature loaders: features that produce other features at start (Backstage's
``createBackendFeatureLoader``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from greenroom._api.service_ref import ServiceRef

__all__ = ["FeatureLoader", "RegistrationFailureHandler"]

#: Called with the feature and the error when a loaded feature fails to register.
RegistrationFailureHandler = Callable[[Any, Exception], None]


class FeatureLoader:
    """Produces features at start from root services.

    ``load`` is called once with ``deps`` resolved (root-scoped services
    only) and returns (or yields, sync or async) plugins, modules, feature
    classes, service factories, or further loaders. A loader that discovers
    plugins passes ``on_registration_failure``: a feature of its that fails
    to register (a broken ``register`` hook, a duplicate id, a missing
    dependency) is then handed to it and left out instead of failing the
    start, so one bad plugin never takes the others down.
    """

    __slots__ = ("deps", "load", "name", "on_registration_failure")

    def __init__(
        self,
        load: Callable[..., Any],
        *,
        deps: Mapping[str, ServiceRef[Any]] | None = None,
        name: str | None = None,
        on_registration_failure: RegistrationFailureHandler | None = None,
    ) -> None:
        self.load = load
        self.deps = dict(deps or {})
        self.name = name or getattr(load, "__qualname__", repr(load))
        self.on_registration_failure = on_registration_failure
        for arg, dep in self.deps.items():
            if not isinstance(dep, ServiceRef):
                raise TypeError(
                    f"feature loader {self.name!r}: dependency {arg!r} must be a "
                    f"ServiceRef, got {dep!r}"
                )

    def __repr__(self) -> str:
        return f"FeatureLoader({self.name!r})"
