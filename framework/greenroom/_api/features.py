"""Backend features: ``BackendPlugin`` and ``BackendModule``."""

from __future__ import annotations

from typing import ClassVar

from greenroom._api.hookspecs import FeatureHookSpecs

__all__ = ["BackendFeature", "BackendModule", "BackendPlugin"]


class BackendFeature(FeatureHookSpecs):
    """What plugins and modules have in common; subclass one of those two."""

    plugin_id: ClassVar[str]

    @property
    def feature_name(self) -> str:
        """A readable name used in every message about this feature."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} {self.feature_name}>"


class BackendPlugin(BackendFeature):
    """A backend plugin: subclass it, set ``plugin_id`` and implement ``register``.

    ::

        class CatalogPlugin(BackendPlugin):
            plugin_id = "catalog"

            @hookimpl
            def register(self, env):
                env.register_init(self.init, deps={"router": core_services.http_router})

            async def init(self, router): ...

    Its HTTP routes live under ``/api/<plugin_id>``.
    """

    @property
    def feature_name(self) -> str:
        return f"plugin {getattr(self, 'plugin_id', '<missing plugin_id>')!r}"


class BackendModule(BackendFeature):
    """A module that extends plugin ``plugin_id``; ``module_id`` names it within that plugin.

    Modules initialise before their plugin and may depend on the plugin's
    extension points.
    """

    module_id: ClassVar[str]

    @property
    def feature_name(self) -> str:
        module_id = getattr(self, "module_id", "<missing module_id>")
        plugin_id = getattr(self, "plugin_id", "<missing plugin_id>")
        return f"module {module_id!r} for plugin {plugin_id!r}"
