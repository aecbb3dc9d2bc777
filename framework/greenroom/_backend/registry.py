"""The registry of features: pluggy's plugin manager, plus Greenroom's rules.

pluggy validates every hook implementation when a feature is registered
(argument names against the spec), blocks disabled features by name and
traces hook calls. ``register`` is called per feature, each with its own env,
so it is dispatched to the feature's own implementation rather than broadcast.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from typing import Any

import pluggy

from greenroom._api.features import BackendFeature, BackendModule, BackendPlugin
from greenroom._api.hookspecs import PROJECT_NAME, FeatureHookSpecs
from greenroom._api.ids import is_valid_id
from greenroom._api.plugin_manager import FeaturePluginManager
from greenroom._backend.registration import FeatureRecord, RecordingEnv
from greenroom._errors import FeatureRegistrationError

__all__ = ["FeatureRegistry", "as_feature"]

_hooks_log = logging.getLogger("greenroom.hooks")
_SPEC_NAMES = frozenset(
    name
    for name in vars(FeatureHookSpecs)
    if hasattr(getattr(FeatureHookSpecs, name), "greenroom_spec")
)


def as_feature(obj: object, *, source: str = "backend.add()") -> BackendFeature:
    """``obj`` as a feature instance: instances pass, feature classes are instantiated."""
    if isinstance(obj, type) and issubclass(obj, BackendFeature):
        try:
            return obj()
        except Exception as exc:
            raise FeatureRegistrationError(
                f"{source}: could not instantiate {obj.__qualname__} without arguments: {exc}; "
                "pass an instance instead"
            ) from exc
    if isinstance(obj, BackendPlugin | BackendModule):
        return obj
    raise FeatureRegistrationError(
        f"{source}: {obj!r} is not a feature: expected a BackendPlugin or BackendModule "
        "(instance or class), a ServiceFactory or a FeatureLoader"
    )


def _check_ids(feature: BackendFeature) -> None:
    label = f"{type(feature).__qualname__}"
    names = ("plugin_id", "module_id") if isinstance(feature, BackendModule) else ("plugin_id",)
    for attr in names:
        value = getattr(feature, attr, None)
        if value is None:
            raise FeatureRegistrationError(
                f"{label} has no {attr}: set the class attribute {attr} = '<kebab-case-id>'",
                feature=label,
            )
        if not is_valid_id(value):
            raise FeatureRegistrationError(
                f"{label} has an invalid {attr} {value!r}: ids must be kebab-case "
                "(words of lower-case letters and digits, each starting with a letter, "
                "joined by '-'), for example 'catalog' or 'yaml-files'",
                feature=label,
            )


class FeatureRegistry:
    """Registers features with pluggy and collects what each declared."""

    def __init__(self, *, trace: bool = False) -> None:
        self._pm = FeaturePluginManager()
        self._trace = trace
        if trace:
            self._pm.trace.root.setwriter(lambda message: _hooks_log.info(message.rstrip()))
            self._pm.enable_tracing()

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """pluggy's plugin manager holding every registered feature."""
        return self._pm

    def block(self, key: str) -> None:
        """Refuse registration of the feature named ``key`` (``plugin`` or ``plugin/module``)."""
        self._pm.set_blocked(key)

    def is_blocked(self, key: str) -> bool:
        """Whether ``key`` was blocked."""
        return self._pm.is_blocked(key)

    def add_all(
        self, features: Iterable[BackendFeature]
    ) -> tuple[list[FeatureRecord], list[tuple[BackendFeature, FeatureRegistrationError]]]:
        """Validate and register ``features``, then run each one's ``register`` hook.

        Returns the records of the registered features (blocked ones are left
        out) and the failures with their features: one bad feature never
        stops the others from registering.
        """
        failures: list[tuple[BackendFeature, FeatureRegistrationError]] = []
        pending: list[FeatureRecord] = []
        for feature in features:
            try:
                record = self._register(feature)
            except FeatureRegistrationError as exc:
                failures.append((feature, exc))
                continue
            if record is not None:
                pending.append(record)
        impls = {id(impl.plugin): impl for impl in self._pm.hook.register.get_hookimpls()}
        records: list[FeatureRecord] = []
        for record in pending:
            try:
                self._call_register(record, impls.get(id(record.feature)))
            except FeatureRegistrationError as exc:
                failures.append((record.feature, exc))
                self._pm.unregister(record.feature)
            else:
                records.append(record)
        return records, failures

    def _register(self, feature: BackendFeature) -> FeatureRecord | None:
        _check_ids(feature)
        record = FeatureRecord.of(feature)
        if self._pm.is_blocked(record.key):
            return None
        existing = self._pm.get_plugin(record.key)
        if existing is not None:
            what = "plugin id" if record.kind == "plugin" else "module id"
            raise FeatureRegistrationError(
                f"duplicate {what}: {record.name} is provided by both "
                f"{type(existing).__module__}.{type(existing).__qualname__} and "
                f"{type(feature).__module__}.{type(feature).__qualname__}; "
                "remove one of them",
                feature=record.name,
            )
        try:
            self._pm.register(feature, name=record.key)
        except pluggy.PluginValidationError as exc:
            raise FeatureRegistrationError(f"{record.name}: {exc}", feature=record.name) from exc
        except ValueError as exc:  # the same instance added twice
            raise FeatureRegistrationError(
                f"{record.name} was added twice: {exc}", feature=record.name
            ) from exc
        try:
            self._check_hooks(record)
        except FeatureRegistrationError:
            self._pm.unregister(feature)
            raise
        return record

    def remove(self, record: FeatureRecord) -> None:
        """Unregister a feature again (a failed or refused one)."""
        if self._pm.is_registered(record.feature):
            self._pm.unregister(record.feature)

    def _check_hooks(self, record: FeatureRecord) -> None:
        # Not pm.get_hookcallers(): it looks at every implementation of every hook, so
        # registering N features cost O(N^2) (issue 8). Only hooks without a spec can be
        # wrong, and the feature's own ``register`` is found near the end of its list.
        feature = record.feature
        for caller in vars(self._pm.hook).values():
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            if any(impl.plugin is feature for impl in caller.get_hookimpls()):
                close = difflib.get_close_matches(caller.name, _SPEC_NAMES, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise FeatureRegistrationError(
                    f"{record.name} implements unknown hook {caller.name!r}: the known hooks "
                    f"are {sorted(_SPEC_NAMES)}{hint}",
                    feature=record.name,
                )
        registers = self._pm.hook.register.get_hookimpls()
        if not any(impl.plugin is feature for impl in reversed(registers)):
            # Every feature inherits the spec's own ``register``: only a subclass's
            # method is one the author wrote and forgot to decorate.
            method = getattr(type(record.feature), "register", None)
            hint = (
                "its register method lacks the @hookimpl decorator"
                if method is not None
                and method is not FeatureHookSpecs.register
                and not hasattr(method, f"{PROJECT_NAME}_impl")
                else "add a method `def register(self, env)` decorated with @hookimpl"
            )
            raise FeatureRegistrationError(
                f"{record.name} does not implement the hook 'register': {hint}",
                feature=record.name,
            )

    def _call_register(self, record: FeatureRecord, impl: pluggy.HookImpl | None) -> None:
        if impl is not None:
            if self._trace:
                _hooks_log.info("register(env) -> %s", record.name)
            kwargs: dict[str, Any] = {"env": RecordingEnv(record)}
            try:
                impl.function(*(kwargs[name] for name in impl.argnames))
            except FeatureRegistrationError:
                raise
            except Exception as exc:
                raise FeatureRegistrationError(
                    f"{record.name} failed in its register hook: {type(exc).__name__}: {exc}",
                    feature=record.name,
                ) from exc
        if record.init is None:
            raise FeatureRegistrationError(
                f"{record.name} did not call env.register_init in its register hook: every "
                "feature registers exactly one init",
                feature=record.name,
            )
