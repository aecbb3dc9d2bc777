"""Running feature loaders: the features and factories they produce, and who handles
their registration failures."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, Iterable
from typing import Any

import attrs

from greenroom._api.feature_loader import FeatureLoader, RegistrationFailureHandler
from greenroom._api.features import BackendFeature
from greenroom._api.service_ref import ServiceFactory
from greenroom._backend.registry import as_feature
from greenroom._backend.services import ServiceRegistry
from greenroom._errors import FeatureRegistrationError

__all__ = ["LoadedFeatures", "run_loaders"]

#: How deep loaders may nest (a loader returning loaders ...) before it is an error.
_MAX_DEPTH = 8


@attrs.define
class LoadedFeatures:
    """What the loaders produced, and the failure handler of each feature that has one."""

    features: list[BackendFeature] = attrs.field(factory=list)
    handlers: dict[int, RegistrationFailureHandler] = attrs.field(factory=dict)

    def handler_for(self, feature: object) -> RegistrationFailureHandler | None:
        """The failure handler of the loader ``feature`` came from, if any."""
        return self.handlers.get(id(feature))


async def run_loaders(
    loaders: Iterable[FeatureLoader], services: ServiceRegistry
) -> LoadedFeatures:
    """Call each loader with its root services and collect what it returns."""
    loaded = LoadedFeatures()
    pending = [(loader, 0) for loader in loaders]
    while pending:
        loader, depth = pending.pop(0)
        if depth > _MAX_DEPTH:
            raise FeatureRegistrationError(f"{loader!r} nests feature loaders too deeply")
        for arg, dep in loader.deps.items():
            if dep.scope != "root":
                raise FeatureRegistrationError(
                    f"{loader!r} depends on plugin-scoped {dep!r} (argument {arg!r}): feature "
                    "loaders run before any plugin exists and may only use root services"
                )
        kwargs = {arg: await services.get(dep, None) for arg, dep in loader.deps.items()}
        for item in await _collect(loader.load(**kwargs)):
            if isinstance(item, FeatureLoader):
                pending.append((item, depth + 1))
            elif isinstance(item, ServiceFactory):
                services.add(item, source=repr(loader))
            else:
                try:
                    feature = as_feature(item, source=repr(loader))
                except FeatureRegistrationError as exc:
                    if loader.on_registration_failure is None:
                        raise
                    loader.on_registration_failure(item, exc)
                    continue
                loaded.features.append(feature)
                if loader.on_registration_failure is not None:
                    loaded.handlers[id(feature)] = loader.on_registration_failure
    return loaded


async def _collect(result: Any) -> list[Any]:
    if inspect.isawaitable(result):
        result = await result
    if result is None:
        return []
    if isinstance(result, AsyncIterable):
        return [item async for item in result]
    if isinstance(result, Iterable) and not isinstance(result, str | bytes):
        return list(result)
    return [result]
