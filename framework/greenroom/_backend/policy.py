"""Startup settings read from config: boot failure policy, disabled features, tracing."""

from __future__ import annotations

import os
from typing import Final, Literal

import attrs

from greenroom._api.services.config import ConfigService
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["StartupSettings"]

BootFailure = Literal["abort", "continue"]
_CHOICES: Final = ("abort", "continue")


def _policy(config: ConfigService, key: str, fallback: BootFailure) -> BootFailure:
    value = config.get_optional_string(key)
    if value is None:
        return fallback
    if value not in _CHOICES:
        raise ConfigError(
            ConfigIssue(
                f"invalid boot failure policy {value!r}, use 'abort' or 'continue'", f"$.{key}"
            )
        )
    return value  # type: ignore[return-value]  # checked against _CHOICES just above


@attrs.frozen
class StartupSettings:
    """The part of the config that decides how features start."""

    config: ConfigService

    @property
    def trace_hooks(self) -> bool:
        """``GREENROOM_TRACE_HOOKS=1`` or ``backend.traceHooks: true``."""
        if os.environ.get("GREENROOM_TRACE_HOOKS", "").lower() in ("1", "true", "yes"):
            return True
        return bool(self.config.get_optional_boolean("backend.traceHooks"))

    @property
    def request_hold_seconds(self) -> float:
        """How long a request waits for a plugin that is still starting (default 5 s)."""
        value = self.config.get_optional_number("backend.startup.requestHoldTimeout")
        return 5.0 if value is None else float(value)

    def plugin_enabled(self, plugin_id: str) -> bool:
        """``backend.plugins.<id>.enabled`` (default true)."""
        value = self.config.get_optional_boolean(f"backend.plugins.{plugin_id}.enabled")
        return value is not False

    def module_enabled(self, plugin_id: str, module_id: str) -> bool:
        """``backend.plugins.<id>.modules.<moduleId>.enabled`` (default true)."""
        key = f"backend.plugins.{plugin_id}.modules.{module_id}.enabled"
        return self.config.get_optional_boolean(key) is not False

    def on_plugin_failure(self, plugin_id: str) -> BootFailure:
        """``backend.startup.plugins.<id>.onPluginBootFailure``, else the default (abort)."""
        default = _policy(self.config, "backend.startup.default.onPluginBootFailure", "abort")
        return _policy(
            self.config, f"backend.startup.plugins.{plugin_id}.onPluginBootFailure", default
        )

    def on_module_failure(self, plugin_id: str, module_id: str) -> BootFailure:
        """``...plugins.<id>.modules.<moduleId>.onPluginModuleBootFailure``, else the default."""
        default = _policy(self.config, "backend.startup.default.onPluginModuleBootFailure", "abort")
        key = f"backend.startup.plugins.{plugin_id}.modules.{module_id}.onPluginModuleBootFailure"
        return _policy(self.config, key, default)

    def check(self) -> None:
        """Raise one :class:`ConfigError` listing every invalid boot failure policy.

        Called at start, so that a typo is reported at once rather than only
        when a plugin fails and the policy is finally read.
        """
        keys = [
            "backend.startup.default.onPluginBootFailure",
            "backend.startup.default.onPluginModuleBootFailure",
        ]
        plugins = self.config.get_optional_config("backend.startup.plugins")
        for plugin_id in plugins.keys() if plugins is not None else ():
            prefix = f"backend.startup.plugins.{plugin_id}"
            keys.append(f"{prefix}.onPluginBootFailure")
            modules = self.config.get_optional_config(f"{prefix}.modules")
            for module_id in modules.keys() if modules is not None else ():
                keys.append(f"{prefix}.modules.{module_id}.onPluginModuleBootFailure")
        issues: list[ConfigIssue] = []
        for key in keys:
            try:
                _policy(self.config, key, "abort")
            except ConfigError as exc:
                issues.extend(exc.issues)
        if issues:
            raise ConfigError(issues)
