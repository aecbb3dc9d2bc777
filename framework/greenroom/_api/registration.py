"""The registration environment a feature receives in its ``register`` hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar, runtime_checkable

from greenroom._api.extension_points import ExtensionPoint
from greenroom._api.service_ref import ServiceRef

__all__ = ["Dependency", "RegistrationEnv"]

T = TypeVar("T")

#: What an init may depend on: a service, or (modules only) an extension point.
Dependency = ServiceRef[Any] | ExtensionPoint[Any]


@runtime_checkable
class RegistrationEnv(Protocol):
    """What ``register(env)`` may do; one env per feature."""

    def register_init(
        self, init: Callable[..., Any], deps: Mapping[str, Dependency] | None = None
    ) -> None:
        """Register the feature's init, called with ``deps`` resolved as keyword arguments.

        ``init`` may be sync or async. Call exactly once per feature.
        """

    def register_extension_point(self, ext_point: ExtensionPoint[T], impl: T) -> None:
        """Offer ``impl`` to the modules of this plugin through ``ext_point``.

        Must be called before ``register_init``.
        """
