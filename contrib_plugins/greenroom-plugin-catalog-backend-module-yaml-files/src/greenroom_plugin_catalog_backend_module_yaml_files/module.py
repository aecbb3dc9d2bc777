"""``CatalogModuleYamlFiles``: the yaml-files module of the catalog plugin."""

from __future__ import annotations

from greenroom_plugin_catalog_backend import (
    CatalogProcessingExtensionPoint,
    catalog_processing_extension_point,
)

from greenroom import (
    BackendModule,
    ConfigService,
    LifecycleService,
    LoggerService,
    RegistrationEnv,
    core_services,
    hookimpl,
)
from greenroom_plugin_catalog_backend_module_yaml_files.provider import YamlFilesEntityProvider
from greenroom_plugin_catalog_backend_module_yaml_files.settings import YamlFilesSettings

__all__ = ["CatalogModuleYamlFiles"]


class CatalogModuleYamlFiles(BackendModule):
    """Adds a provider of the entities in the files of ``catalog.yamlFiles.paths``.

    Its init reads the config and nothing else: the files are read when the
    catalog connects its providers, after start, and again every
    ``catalog.yamlFiles.refreshSeconds`` until the backend stops.
    """

    plugin_id = "catalog"
    module_id = "yaml-files"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(
            self.init,
            deps={
                "config": core_services.root_config,
                "logger": core_services.logger,
                "lifecycle": core_services.lifecycle,
                "processing": catalog_processing_extension_point,
            },
        )

    async def init(
        self,
        config: ConfigService,
        logger: LoggerService,
        lifecycle: LifecycleService,
        processing: CatalogProcessingExtensionPoint,
    ) -> None:
        provider = YamlFilesEntityProvider(YamlFilesSettings.from_config(config), logger)
        processing.add_entity_provider(provider)
        lifecycle.add_shutdown_hook(provider.stop)
