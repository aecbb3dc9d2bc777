"""Service references and service factories: the dependency injection vocabulary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Literal, TypeVar, final

import attrs

__all__ = ["ServiceFactory", "ServiceRef", "ServiceScope"]

T = TypeVar("T")
ServiceScope = Literal["root", "plugin"]


@final
class ServiceRef(Generic[T]):
    """A typed handle to a service, used as a dependency in inits and factories.

    ``scope="root"`` services exist once per backend; ``scope="plugin"``
    services exist once per plugin (a plugin and its modules share one).
    A ``multiton`` ref collects every factory added for it, and a dependency
    on it receives a list. ``default_factory`` is a zero-argument callable
    returning the :class:`ServiceFactory` used when the backend has none; it
    is called lazily, so refs can live apart from heavy implementations.
    Refs are keyed by ``id``; two refs with one id name the same service.
    """

    __slots__ = ("__orig_class__", "default_factory", "id", "multiton", "scope")

    def __init__(
        self,
        id: str,
        *,
        scope: ServiceScope = "plugin",
        multiton: bool = False,
        default_factory: Callable[[], ServiceFactory[T]] | None = None,
    ) -> None:
        if not isinstance(id, str) or not id:
            raise ValueError(f"a service ref needs a non-empty string id, got {id!r}")
        if scope not in ("root", "plugin"):
            raise ValueError(
                f"invalid scope {scope!r} for service ref {id!r}: use 'root' or 'plugin'"
            )
        self.id = id
        self.scope: ServiceScope = scope
        self.multiton = multiton
        self.default_factory = default_factory

    def __repr__(self) -> str:
        return f"ServiceRef({self.id!r})"


def _check_deps(
    instance: ServiceFactory[Any], attribute: attrs.Attribute[Any], value: Mapping[str, Any]
) -> None:
    for name, dep in value.items():
        if not isinstance(dep, ServiceRef):
            raise TypeError(
                f"dependency {name!r} of the factory for {instance.service!r} must be a "
                f"ServiceRef, got {dep!r}"
            )


@final
@attrs.frozen
class ServiceFactory(Generic[T]):
    """Builds the implementation of one service.

    ``factory`` is called with the dependencies named in ``deps`` as keyword
    arguments and may be sync or async. For a root-scoped service it runs
    once. For a plugin-scoped service it runs once per plugin; if
    ``create_root_context`` is given, it runs once first (with the *root*
    dependencies among ``deps``) and its result is passed to every call of
    ``factory`` as the keyword argument ``context``.
    """

    service: ServiceRef[T]
    factory: Callable[..., T | Awaitable[T]]
    deps: Mapping[str, ServiceRef[Any]] = attrs.field(factory=dict, validator=_check_deps)
    create_root_context: Callable[..., Any] | None = None

    def __attrs_post_init__(self) -> None:
        if self.create_root_context is not None and "context" in self.deps:
            raise ValueError(
                f"the factory for {self.service!r} has a dependency named 'context', which "
                "clashes with the root context argument: rename the dependency"
            )

    def __repr__(self) -> str:
        return f"ServiceFactory({self.service!r})"
