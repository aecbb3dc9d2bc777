"""The ``plugin_metadata`` service: who the current plugin is."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["PluginMetadataService"]


@runtime_checkable
class PluginMetadataService(Protocol):
    """The id of the plugin a service instance belongs to. It cannot be overridden."""

    @property
    def plugin_id(self) -> str: ...
