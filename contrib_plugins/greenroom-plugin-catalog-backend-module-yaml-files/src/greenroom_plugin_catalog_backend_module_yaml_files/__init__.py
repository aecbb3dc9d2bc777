"""The yaml-files module of the catalog plugin: entities from YAML files named in config."""

from greenroom_plugin_catalog_backend_module_yaml_files.module import CatalogModuleYamlFiles
from greenroom_plugin_catalog_backend_module_yaml_files.provider import (
    PROVIDER_NAME,
    YamlFilesEntityProvider,
)
from greenroom_plugin_catalog_backend_module_yaml_files.reader import FileRead, read_entities_file
from greenroom_plugin_catalog_backend_module_yaml_files.settings import YamlFilesSettings

__all__ = [
    "PROVIDER_NAME",
    "CatalogModuleYamlFiles",
    "FileRead",
    "YamlFilesEntityProvider",
    "YamlFilesSettings",
    "read_entities_file",
]
