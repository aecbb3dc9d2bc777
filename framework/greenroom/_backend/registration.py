"""What a feature declared in ``register(env)``, and the env that records it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import attrs

from greenroom._api.extension_points import ExtensionPoint
from greenroom._api.features import BackendFeature, BackendModule
from greenroom._api.registration import Dependency
from greenroom._api.service_ref import ServiceRef
from greenroom._errors import FeatureRegistrationError

__all__ = ["FeatureRecord", "InitRegistration", "RecordingEnv"]

T = TypeVar("T")


@attrs.frozen
class InitRegistration:
    """An init function and the dependencies to call it with."""

    func: Callable[..., Any]
    deps: Mapping[str, Dependency]


@attrs.define(eq=False)
class FeatureRecord:
    """One added feature and what its ``register`` hook declared."""

    feature: BackendFeature
    kind: Literal["plugin", "module"]
    plugin_id: str
    module_id: str | None
    init: InitRegistration | None = None
    extension_points: dict[ExtensionPoint[Any], Any] = attrs.field(factory=dict)

    @property
    def name(self) -> str:
        """The readable name: ``plugin 'catalog'`` or ``module 'x' for plugin 'catalog'``."""
        if self.module_id is None:
            return f"plugin {self.plugin_id!r}"
        return f"module {self.module_id!r} for plugin {self.plugin_id!r}"

    @property
    def key(self) -> str:
        """The name under which pluggy holds the feature: ``catalog`` or ``catalog/x``."""
        return self.plugin_id if self.module_id is None else f"{self.plugin_id}/{self.module_id}"

    @classmethod
    def of(cls, feature: BackendFeature) -> FeatureRecord:
        """A record for ``feature``; its ids are validated by the caller."""
        if isinstance(feature, BackendModule):
            return cls(feature, "module", feature.plugin_id, feature.module_id)
        return cls(feature, "plugin", feature.plugin_id, None)


class RecordingEnv:
    """The ``RegistrationEnv`` handed to one feature's ``register`` hook."""

    __slots__ = ("_record",)

    def __init__(self, record: FeatureRecord) -> None:
        self._record = record

    def register_init(
        self, init: Callable[..., Any], deps: Mapping[str, Dependency] | None = None
    ) -> None:
        record = self._record
        if record.init is not None:
            raise FeatureRegistrationError(
                f"{record.name} called register_init more than once: a feature has exactly "
                "one init; merge the two functions into one",
                feature=record.name,
            )
        if not callable(init):
            raise FeatureRegistrationError(
                f"{record.name} passed {init!r} to register_init, which is not callable",
                feature=record.name,
            )
        deps = dict(deps or {})
        for arg, dep in deps.items():
            if not isinstance(dep, ServiceRef | ExtensionPoint):
                raise FeatureRegistrationError(
                    f"{record.name} declares dependency {arg!r} as {dep!r}: a dependency must "
                    "be a ServiceRef (core_services.<name>) or an ExtensionPoint",
                    feature=record.name,
                )
        record.init = InitRegistration(init, deps)

    def register_extension_point(self, ext_point: ExtensionPoint[T], impl: T) -> None:
        record = self._record
        if record.init is not None:
            raise FeatureRegistrationError(
                f"{record.name} called register_extension_point after register_init: "
                "register every extension point first, then the init",
                feature=record.name,
            )
        if not isinstance(ext_point, ExtensionPoint):
            raise FeatureRegistrationError(
                f"{record.name} passed {ext_point!r} to register_extension_point: "
                "expected an ExtensionPoint",
                feature=record.name,
            )
        if ext_point in record.extension_points:
            raise FeatureRegistrationError(
                f"{record.name} registered {ext_point!r} twice", feature=record.name
            )
        record.extension_points[ext_point] = impl
