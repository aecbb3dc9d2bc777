"""``DynamicPluginsSchemasService``: the merged config schema, and the config checked at start.

The seed's ``dynamicPluginsSchemasServiceFactory`` (and the part of
``dynamicPluginsRootLoggerServiceFactory`` that feeds secrets to the logger):
one root service holding the framework's schema, every installed package's,
every dropped-in plugin's (a bundle's ``.config-schema.json``, a wheel's or
folder's ``greenroom.config_schema`` entry points) and every feature's
``config_schema()`` hook. Every backend has it; it is built before the
feature loaders run, so the secrets of the framework's and the installed
packages' schemas are hidden from the first plugin import on, and it learns
the dynamic plugins' and features' schemas once the loaders are done.

It serves ``GET /.greenroom/dynamic-features/config`` (the config values
marked ``visibility: frontend``) and ``GET /.greenroom/dynamic-features/schemas``
(the frontend-visible part of the merged schema), so that a frontend can read
and check its plugins' settings (the seed's ``dynamicPluginsFrontendSchemas``).
A schema that cannot be read or is invalid is reported for its package and
skipped; it never stops the start.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from greenroom._api.features import BackendFeature
from greenroom._api.service_ref import ServiceFactory, ServiceRef
from greenroom._api.services.config import ConfigService
from greenroom._api.services.logger import RootLoggerService
from greenroom._api.services.refs import core_services
from greenroom._api.services.root_http_router import RootHttpRouterService
from greenroom._config.schema import (
    ConfigSchema,
    SchemaProblem,
    builtin_schema,
    feature_schemas,
    installed_schemas,
    read_serialized,
    schema_from_entry_point,
)
from greenroom._dynamic.models import CONFIG_SCHEMA_NAME, ScannedPluginPackage

if TYPE_CHECKING:
    from greenroom._backend.policy import StartupSettings
    from greenroom._backend.services import ServiceRegistry
    from greenroom._config.validation import ConfigValidation
    from greenroom._dynamic.manager import DynamicPluginManager

__all__ = [
    "CONFIG_PATH",
    "ON_INVALID_CONFIG_KEY",
    "SCHEMAS_PATH",
    "DynamicPluginsSchemas",
    "DynamicPluginsSchemasService",
    "check_config_at_startup",
    "dynamic_plugins_schemas_service_factory",
    "dynamic_plugins_schemas_service_ref",
    "load_schemas",
    "package_schemas",
]

_log = logging.getLogger("greenroom.config")

#: The ``visibility: frontend`` config, as JSON.
CONFIG_PATH: Final = "/.greenroom/dynamic-features/config"
#: The frontend-visible part of the merged schema, as JSON.
SCHEMAS_PATH: Final = "/.greenroom/dynamic-features/schemas"
#: ``abort`` (default) or ``warn``: what an invalid config does to the start.
ON_INVALID_CONFIG_KEY: Final = "backend.startup.onInvalidConfig"


@runtime_checkable
class DynamicPluginsSchemasService(Protocol):
    """The merged config schema of the backend (the seed's ``DynamicPluginsSchemasService``)."""

    @property
    def schema(self) -> ConfigSchema:
        """Every schema: framework, installed packages, dynamic plugins, feature hooks."""
        ...

    def add_dynamic_plugins_schemas(self, schema: ConfigSchema) -> ConfigSchema:
        """``schema`` with the dynamic plugins' schemas added (the seed's method)."""
        ...


class DynamicPluginsSchemas:
    """The default :class:`DynamicPluginsSchemasService`.

    Built from ``config``: the framework's schema and the installed packages'
    (less those in ``dynamicPlugins.disabled``). :meth:`add_dynamic_plugins`
    and :meth:`add_features` add more; :meth:`validate` checks the config
    against all of them and registers its secrets for redaction.
    """

    def __init__(self, config: ConfigService, *, base: ConfigSchema | None = None) -> None:
        self._config = config
        self._disabled = _disabled(config)
        if base is None:
            base = builtin_schema().extend(installed_schemas(skip=self._disabled))
        self._base = base
        self._dynamic = ConfigSchema()
        self._features = ConfigSchema()
        self._validation: ConfigValidation | None = None

    @property
    def schema(self) -> ConfigSchema:
        return self._base.extend(self._dynamic, self._features)

    @property
    def problems(self) -> tuple[SchemaProblem, ...]:
        """Every schema that was skipped, and why."""
        return self.schema.problems + (self._validation.problems if self._validation else ())

    def add_dynamic_plugins_schemas(self, schema: ConfigSchema) -> ConfigSchema:
        return schema.extend(self._dynamic)

    def add_dynamic_plugins(self, manager: DynamicPluginManager) -> None:
        """Add the schemas of the plugins ``manager`` loaded from the root directory."""
        seen: set[str] = set()
        found = []
        for plugin in manager.plugins():
            package = plugin.package
            if plugin.state != "loaded" or package is None or str(package.path) in seen:
                continue
            seen.add(str(package.path))
            found.append(package_schemas(package))
        self._dynamic = self._dynamic.extend(*found)
        self._validation = None

    def add_features(self, features: Iterable[BackendFeature]) -> None:
        """Add the schemas the features' ``config_schema()`` hooks return."""
        self._features = self._features.extend(feature_schemas(features, _PackageNames()))
        self._validation = None

    def validate(self) -> ConfigValidation:
        """Check the config against every schema; its secrets are hidden in logs from now on."""
        from greenroom._config.redaction import default_redactor, install_redaction

        if self._validation is None:
            self._validation = self.schema.validate(self._config)
            default_redactor().add(self._validation.secrets)
            if self._validation.secrets:
                install_redaction(greenroom=True)  # loggers made since the root logger was
        return self._validation

    def frontend_config(self) -> dict[str, Any]:
        """The config values marked ``visibility: frontend`` (secrets in them redacted)."""
        from greenroom._config.redaction import default_redactor, redact_value
        from greenroom._config.visibility import filter_by_visibility

        validation = self.validate()
        data = filter_by_visibility(self._config.get(), validation.visibility)
        return dict(redact_value(data, default_redactor()))

    def frontend_schema(self) -> dict[str, Any]:
        """The frontend-visible part of the merged schema."""
        return self.schema.frontend()


def _disabled(config: ConfigService) -> frozenset[str]:
    from greenroom._dynamic.names import canonicalize_name

    try:
        names = config.get_optional_string_array("dynamicPlugins.disabled") or []
    except Exception:  # a wrong type is the schema's and the loader's to report
        return frozenset()
    return frozenset(canonicalize_name(name) for name in names)


class _PackageNames:
    """The distribution a feature comes from, for messages; its name when unknown."""

    def __init__(self) -> None:
        self._distributions: Mapping[str, list[str]] | None = None

    def __call__(self, feature: BackendFeature) -> str:
        from greenroom._dynamic.manager import owner_of

        owner = owner_of(feature)
        if owner is not None:
            return owner.name
        if self._distributions is None:  # one scan of the environment per call of add_features
            self._distributions = importlib.metadata.packages_distributions()
        names = self._distributions.get(type(feature).__module__.partition(".")[0])
        return names[0] if names else feature.feature_name


def package_schemas(package: ScannedPluginPackage) -> ConfigSchema:
    """The schemas a root-directory package carries.

    A bundle: its ``.config-schema.json``. A wheel or ``--target`` folder:
    the ``greenroom.config_schema`` entry points of its own ``*.dist-info``
    (as its manifest recorded them), the files read from its content folder
    without importing anything.
    """
    manifest, content = package.manifest, package.content_dir
    if manifest is None or content is None:
        return ConfigSchema()
    if package.kind == "bundle":
        return read_serialized(content / CONFIG_SCHEMA_NAME, manifest.name)
    if manifest.dist_info is None:
        return ConfigSchema()
    # Read with the rest of the manifest when the package was scanned (and kept in the
    # scan cache): reading entry_points.txt again cost ~0.1 ms per plugin (issue 8).
    selected = manifest.config_schemas
    results = [
        schema_from_entry_point(
            manifest.name,
            ep.name,
            ep.value,
            locate=lambda pkg, path: content.joinpath(*pkg.split("."), *path.split("/")),
        )
        for ep in selected
    ]
    return ConfigSchema().extend(*(_single(result) for result in results))


def _single(result: Any) -> ConfigSchema:
    if isinstance(result, SchemaProblem):
        return ConfigSchema(problems=(result,))
    return ConfigSchema(sources=(result,))


# -- HTTP -------------------------------------------------------------------------


class _JsonApp:
    """``GET`` one JSON document, computed per request; other methods get 405."""

    def __init__(self, produce: Any) -> None:
        self._produce = produce

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        from greenroom._services.responses import error_body, send_json, send_json_value

        if scope["type"] != "http":
            return
        if scope["path"].rstrip("/") != scope.get("root_path", "").rstrip("/"):
            await send_json(
                send, 404, error_body(404, "NotFoundError", f"no route for {scope['path']}")
            )
            return
        if scope["method"] not in ("GET", "HEAD"):
            body = error_body(405, "MethodNotAllowedError", f"{scope['method']} is not allowed")
            await send_json(send, 405, body, {"allow": "GET, HEAD"})
            return
        await send_json_value(send, 200, self._produce(), {"cache-control": "no-store"})


# -- the service factory and the startup check ----------------------------------


def _factory(
    config: ConfigService, root_router: RootHttpRouterService, root_logger: RootLoggerService
) -> DynamicPluginsSchemas:
    del root_logger  # a dependency so that logging (and its redaction filter) is set up first
    schemas = DynamicPluginsSchemas(config)
    schemas.validate()  # hides the secrets known so far before any plugin is imported
    root_router.use(CONFIG_PATH, _JsonApp(schemas.frontend_config))
    root_router.use(SCHEMAS_PATH, _JsonApp(schemas.frontend_schema))
    return schemas


def _default_factory() -> ServiceFactory[DynamicPluginsSchemasService]:
    return dynamic_plugins_schemas_service_factory


#: The :class:`DynamicPluginsSchemasService` of a backend (root scope); every backend has one.
dynamic_plugins_schemas_service_ref: Final = ServiceRef[DynamicPluginsSchemasService](
    "greenroom.dynamic_plugins_schemas", scope="root", default_factory=_default_factory
)

#: The default factory of :data:`dynamic_plugins_schemas_service_ref`.
dynamic_plugins_schemas_service_factory: Final = ServiceFactory[DynamicPluginsSchemasService](
    service=dynamic_plugins_schemas_service_ref,
    factory=_factory,
    deps={
        "config": core_services.root_config,
        "root_router": core_services.root_http_router,
        "root_logger": core_services.root_logger,
    },
)


async def check_config_at_startup(
    services: ServiceRegistry,
    features: Sequence[BackendFeature],
    settings: StartupSettings | None = None,
) -> None:
    """Validate the config against the full merged schema, once the loaders have run.

    ``features`` contribute their ``config_schema()`` hooks, except those
    that ``settings`` disables (``backend.plugins.<id>.enabled: false``).
    Raises :class:`~greenroom.ConfigError` listing every issue, unless
    ``backend.startup.onInvalidConfig`` is ``warn``; schemas that had to be
    skipped are logged as warnings.
    """
    from greenroom._dynamic.feature_loader import dynamic_plugins_service_ref

    schemas = await services.get(dynamic_plugins_schemas_service_ref, None)
    if not isinstance(schemas, DynamicPluginsSchemas):  # an app's own implementation
        return
    if not services.missing(dynamic_plugins_service_ref):
        schemas.add_dynamic_plugins(await services.get(dynamic_plugins_service_ref, None))
    schemas.add_features(f for f in features if settings is None or _enabled(f, settings))
    validation = schemas.validate()
    for problem in schemas.problems:
        _log.warning("%s; its part of the config is not checked", problem)
    if validation.ok:
        return
    config: ConfigService = await services.get(core_services.root_config, None)
    policy = _policy(config)
    if policy == "warn":
        _log.warning(
            "the config does not match its schema (%s: warn, starting anyway):\n  %s",
            ON_INVALID_CONFIG_KEY,
            "\n  ".join(map(str, validation.issues)),
        )
        return
    raise validation.error(
        hint="Fix the values above (`greenroom config check` lists them), or set "
        f"{ON_INVALID_CONFIG_KEY}: warn to start anyway."
    )


def load_schemas(config: ConfigService, *, dynamic_plugins: bool = True) -> DynamicPluginsSchemas:
    """The schemas ``greenroom start`` would check ``config`` against, without a backend.

    With ``dynamic_plugins``, installed and dropped-in plugins are loaded (and
    so imported) as at start, for their root-directory schemas and hooks.
    """
    from greenroom._backend.policy import StartupSettings
    from greenroom._dynamic.manager import DynamicPluginManager

    schemas = DynamicPluginsSchemas(config)
    schemas.validate()  # secrets hidden before plugins are imported
    if dynamic_plugins:
        manager = DynamicPluginManager(config)
        manager.load()
        schemas.add_dynamic_plugins(manager)
        settings = StartupSettings(config)
        schemas.add_features(f for f in manager.features() if _enabled(f, settings))
    return schemas


def _enabled(feature: BackendFeature, settings: StartupSettings) -> bool:
    plugin_id = getattr(feature, "plugin_id", None)
    module_id = getattr(feature, "module_id", None)
    try:
        if isinstance(plugin_id, str) and not settings.plugin_enabled(plugin_id):
            return False
        if isinstance(plugin_id, str) and isinstance(module_id, str):
            return settings.module_enabled(plugin_id, module_id)
    except Exception:  # an id that is no config key: the registry reports it
        return True
    return True


def _policy(config: ConfigService) -> str:
    try:
        value = config.get_optional_string(ON_INVALID_CONFIG_KEY)
    except Exception:  # the schema reports the wrong type
        return "abort"
    return "warn" if value == "warn" else "abort"
