"""Config schemas: where each package's schema comes from, and how they merge (issue 6).

Every package may describe its part of the app config with a JSON schema
(Draft 2020-12 unless its ``$schema`` says otherwise, e.g. Draft 7):

- an installed distribution names a file in one of its packages with an
  entry point in the group ``greenroom.config_schema``, written
  ``"<path in the package>" = "<package>"`` (what ``config-schema`` in
  ``[tool.greenroom]`` becomes in the wheel). Entry points are the one piece
  of a wheel's metadata readable at run time without custom files, and the
  value stays a valid object reference (the package) while the name carries
  the path. The file (JSON, or YAML by its suffix) is read with
  ``importlib.resources``, which imports the package;
- a feature returns a schema from its ``config_schema()`` hook;
- a bundle carries ``.config-schema.json`` in the serialized format below,
  which ``greenroom package bundle`` writes and the loader reads.

The merged schema is the list of all of them, each applied to the whole
config (``allOf``), so every error names the package whose schema demands it.
Nothing here raises on a bad schema: an unreadable or invalid one becomes a
:class:`SchemaProblem` for its package and is left out.

The serialized format of ``.config-schema.json`` (and of
:meth:`ConfigSchema.serialize`)::

    {
      "greenroomConfigSchemaVersion": 1,
      "schemas": [
        {"packageName": "acme-plugin-todo-backend",
         "path": "acme_todo/config.schema.json",
         "value": {"type": "object", "properties": {"todo": {...}}}}
      ]
    }

``path`` is optional (where the schema was read from); ``{}`` means "no schemas".
"""

from __future__ import annotations

import importlib.resources
import json
import types
from collections.abc import Callable, Iterable, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import attrs

from greenroom._config.visibility import visibility_problems

if TYPE_CHECKING:
    from greenroom._api.features import BackendFeature
    from greenroom._api.services.config import ConfigService
    from greenroom._config.validation import ConfigValidation

__all__ = [
    "DEFAULT_DIALECT",
    "FRAMEWORK_PACKAGE",
    "SCHEMA_ENTRY_POINT_GROUP",
    "SERIALIZED_VERSION",
    "ConfigSchema",
    "SchemaProblem",
    "SchemaSource",
    "builtin_schema",
    "check_source",
    "feature_schemas",
    "installed_schemas",
    "read_schema_file",
    "read_serialized",
    "schema_from_entry_point",
]

#: The entry point group naming a distribution's config schema file.
SCHEMA_ENTRY_POINT_GROUP: Final = "greenroom.config_schema"
#: ``greenroomConfigSchemaVersion`` of the serialized format.
SERIALIZED_VERSION: Final = 1
#: The package the framework's own schema is attributed to.
FRAMEWORK_PACKAGE: Final = "greenroom"
#: The dialect of schemas without ``$schema``.
DEFAULT_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

_BUILTIN_RESOURCE: Final = "greenroom.schema.yaml"
_ID_PREFIX: Final = "urn:greenroom:config-schema:"


@attrs.frozen
class SchemaSource:
    """One package's config schema and where it was read from."""

    package: str
    value: dict[str, Any]
    #: A file path, or the hook it came from; shown in messages.
    origin: str = ""


@attrs.frozen
class SchemaProblem:
    """A schema that could not be used, and why; its package's config goes unchecked."""

    package: str
    message: str
    origin: str = ""

    def __str__(self) -> str:
        where = f" ({self.origin})" if self.origin else ""
        return f"config schema of {self.package}{where}: {self.message}"


@attrs.frozen
class ConfigSchema:
    """The merged config schema: every package's schema, and the ones that were skipped."""

    sources: tuple[SchemaSource, ...] = ()
    problems: tuple[SchemaProblem, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        """The packages with a schema, in merge order, each once."""
        return tuple(dict.fromkeys(source.package for source in self.sources))

    def extend(self, *others: ConfigSchema) -> ConfigSchema:
        """This schema followed by ``others``; a source or problem seen before is not repeated."""
        sources, problems = list(self.sources), list(self.problems)
        seen = {_identity(source) for source in sources}
        for other in others:
            for source in other.sources:
                if _identity(source) not in seen:
                    seen.add(_identity(source))
                    sources.append(source)
            problems.extend(problem for problem in other.problems if problem not in problems)
        return ConfigSchema(tuple(sources), tuple(problems))

    def merged(self) -> dict[str, Any]:
        """One JSON schema document: ``allOf`` every source.

        Each source becomes an embedded resource with its own ``$id`` (its own
        one, or ``urn:greenroom:config-schema:<package>``), so that the local
        ``$ref`` pointers inside it keep resolving within it.
        """
        return {
            "$schema": DEFAULT_DIALECT,
            "title": "Greenroom app config",
            "allOf": [value for _, value in self._embedded(self.sources)],
        }

    def frontend(self) -> dict[str, Any]:
        """The frontend-visible part of :meth:`merged`: what describes ``visibility: frontend``."""
        from greenroom._config.visibility import frontend_schema

        parts = [frontend_schema(value) for _, value in self._embedded(self.sources)]
        return {
            "$schema": DEFAULT_DIALECT,
            "title": "Greenroom app config (frontend)",
            "allOf": [part for part in parts if part],
        }

    def serialize(self) -> dict[str, Any]:
        """The serialized format of ``.config-schema.json``."""
        return {
            "greenroomConfigSchemaVersion": SERIALIZED_VERSION,
            "schemas": [
                {
                    "packageName": s.package,
                    **({"path": s.origin} if s.origin else {}),
                    "value": s.value,
                }
                for s in self.sources
            ],
        }

    def validate(self, config: ConfigService) -> ConfigValidation:
        """Check ``config`` against every source (see ``validation.validate_config``)."""
        from greenroom._config.validation import validate_config

        return validate_config(self, config)

    @staticmethod
    def _embedded(sources: Iterable[SchemaSource]) -> list[tuple[SchemaSource, dict[str, Any]]]:
        used: set[str] = set()
        embedded = []
        for source in sources:
            value = dict(source.value)
            own = value.get("$id")
            if not isinstance(own, str) or own in used:
                base = _ID_PREFIX + quote(source.package, safe="")
                own, count = base, 1
                while own in used:
                    count += 1
                    own = f"{base}:{count}"
                value["$id"] = own
            used.add(own)
            embedded.append((source, value))
        return embedded


def _identity(source: SchemaSource) -> str:
    return json.dumps([source.package, source.origin, source.value], sort_keys=True, default=str)


def check_source(package: str, value: Any, origin: str = "") -> SchemaSource | SchemaProblem:
    """``value`` as a schema of ``package`` if it is a valid JSON schema, else the problem.

    Checked against the meta-schema of its dialect, and every ``visibility``
    keyword must be ``frontend``, ``backend`` or ``secret``.
    """
    from greenroom._config.schema_cache import schema_cache

    if not isinstance(value, dict):
        kind = type(value).__name__
        return SchemaProblem(package, f"a config schema must be a JSON object, got {kind}", origin)
    cache = schema_cache()
    if cache.schema_known_valid(value):  # a warm start imports no jsonschema (issue 8)
        return SchemaSource(package, value, origin)

    from jsonschema.exceptions import SchemaError

    from greenroom._config.validation import base_validator

    try:
        json.dumps(value, allow_nan=False)
        base_validator(value).check_schema(value)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        return SchemaProblem(
            package, f"not a valid JSON schema: {exc.message} (at #/{where})", origin
        )
    except (TypeError, ValueError) as exc:
        return SchemaProblem(package, f"not JSON data: {exc}", origin)
    except Exception as exc:  # jsonschema on schemas it does not expect; never fatal
        return SchemaProblem(
            package, f"cannot check the schema: {type(exc).__name__}: {exc}", origin
        )
    problems = visibility_problems(value)
    if problems:
        return SchemaProblem(package, "; ".join(problems), origin)
    cache.remember_valid_schema(value)
    return SchemaSource(package, value, origin)


def _collect(results: Iterable[SchemaSource | SchemaProblem]) -> ConfigSchema:
    items = list(results)
    return ConfigSchema(
        tuple(item for item in items if isinstance(item, SchemaSource)),
        tuple(item for item in items if isinstance(item, SchemaProblem)),
    )


def _parse(text: str, name: str) -> Any:
    if name.lower().endswith((".yaml", ".yml")):
        import yaml

        # libyaml's safe loader when present: with the pure-Python one the framework's
        # own schema took ~20 ms to read, on every start (issue 8).
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return json.loads(text)


def read_schema_file(
    package: str, file: Traversable | FsPath, origin: str | None = None
) -> SchemaSource | SchemaProblem:
    """The schema in ``file`` (JSON, or YAML for ``.yaml``/``.yml``), checked."""
    shown = origin if origin is not None else str(file)
    try:
        value = _parse(file.read_text(encoding="utf-8"), file.name)
    except FileNotFoundError:
        return SchemaProblem(package, "the schema file does not exist", shown)
    except Exception as exc:  # unreadable, not UTF-8, not JSON/YAML: reported, never fatal
        return SchemaProblem(
            package, f"cannot read the schema file: {type(exc).__name__}: {exc}", shown
        )
    return check_source(package, value, shown)


def builtin_schema() -> ConfigSchema:
    """The framework's own schema for ``backend.*``, ``discovery.*`` and ``dynamicPlugins.*``."""
    file = importlib.resources.files("greenroom._config").joinpath("schemas", _BUILTIN_RESOURCE)
    return _collect([read_schema_file(FRAMEWORK_PACKAGE, file, f"greenroom/{_BUILTIN_RESOURCE}")])


def schema_from_entry_point(
    dist_name: str, name: str, value: str, locate: Callable[[str, str], Traversable | FsPath]
) -> SchemaSource | SchemaProblem:
    """The schema an entry point ``name = value`` of ``dist_name`` names.

    ``locate(package, path)`` finds the file ``path`` in the package
    ``value``; a bad entry point is reported for the distribution.
    """
    origin = f"{value.replace('.', '/')}/{name}"
    parts = [part for part in name.replace("\\", "/").split("/") if part]
    package = value.strip()
    if not parts or ".." in parts or not all(p.isidentifier() for p in package.split(".")):
        return SchemaProblem(
            dist_name,
            f"entry point {name!r} = {value!r} in group {SCHEMA_ENTRY_POINT_GROUP!r} must be "
            '"<path in the package>" = "<package>", e.g. "config.schema.json" = "my_plugin"',
            origin,
        )
    try:
        file = locate(package, "/".join(parts))
    except Exception as exc:  # the package cannot be found or imported
        return SchemaProblem(
            dist_name, f"cannot find package {package!r}: {type(exc).__name__}: {exc}", origin
        )
    return read_schema_file(dist_name, file, origin)


def _importable(package: str, path: str) -> Traversable:
    return importlib.resources.files(package).joinpath(*path.split("/"))


def installed_schemas(skip: Iterable[str] = ()) -> ConfigSchema:
    """The schemas named by the ``greenroom.config_schema`` entry points of installed packages.

    Distributions in ``skip`` (canonical names: disabled plugins) are not read,
    since reading imports the package.
    """
    # The process's one scan of installed entry points, not another scan of every
    # distribution's entry_points.txt (~5-10 ms per start: issue 8).
    from greenroom._entry_points import installed_entry_points

    skipped = {_canonical_name(name) for name in skip}
    entries = sorted(
        (spec.dist_name, spec.entry_point.name, spec.entry_point.value)
        for spec in installed_entry_points(SCHEMA_ENTRY_POINT_GROUP)
    )
    entries = [entry for entry in entries if _canonical_name(entry[0]) not in skipped]
    return _collect(schema_from_entry_point(*entry, locate=_importable) for entry in entries)


def _canonical_name(name: str) -> str:
    """PEP 503's canonical name, as ``packaging.utils.canonicalize_name`` gives it.

    Here so that a start does not import ``packaging`` (~10 ms) for this alone.
    """
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


def read_serialized(file: FsPath, package: str) -> ConfigSchema:
    """The schemas in a ``.config-schema.json`` of ``package``; problems are reported per entry."""
    origin = str(file)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ConfigSchema()
    except Exception as exc:
        return ConfigSchema(problems=(SchemaProblem(package, f"cannot read: {exc}", origin),))
    if not isinstance(data, dict) or (data and "schemas" not in data):
        return ConfigSchema(
            problems=(
                SchemaProblem(
                    package,
                    'not a serialized schema list: expected {"greenroomConfigSchemaVersion": 1, '
                    '"schemas": [{"packageName", "path", "value"}]}',
                    origin,
                ),
            )
        )
    version = data.get("greenroomConfigSchemaVersion", SERIALIZED_VERSION)
    if version != SERIALIZED_VERSION:
        message = f"unsupported greenroomConfigSchemaVersion {version!r}, expected 1"
        return ConfigSchema(problems=(SchemaProblem(package, message, origin),))
    entries = data.get("schemas", [])
    if not isinstance(entries, list):
        message = f"'schemas' must be a list, got {type(entries).__name__}"
        return ConfigSchema(problems=(SchemaProblem(package, message, origin),))
    return _collect(
        _serialized_entry(entry, index, package, origin) for index, entry in enumerate(entries)
    )


def _serialized_entry(
    entry: Any, index: int, package: str, origin: str
) -> SchemaSource | SchemaProblem:
    where = f"{origin} schemas[{index}]"
    if not isinstance(entry, Mapping) or "value" not in entry:
        return SchemaProblem(package, "each entry must be an object with a 'value'", where)
    name = entry.get("packageName", package)
    path = entry.get("path")
    if not isinstance(name, str) or not name or (path is not None and not isinstance(path, str)):
        return SchemaProblem(package, "'packageName' and 'path' must be strings", where)
    return check_source(name, entry["value"], f"{origin}: {path}" if path else where)


def feature_schemas(
    features: Iterable[BackendFeature], package_of: Callable[[BackendFeature], str]
) -> ConfigSchema:
    """The schemas the features' ``config_schema()`` hooks return, each checked.

    The hook is called on each feature's own implementation (through pluggy,
    which validates it); a hook that raises or returns something else than a
    dict or None is a problem for that feature's package.
    """
    # pluggy's own lookup costs ~1 ms per feature; this one ~0.05 ms (issue 8).
    from greenroom._api.hookspecs import PROJECT_NAME
    from greenroom._api.plugin_manager import FeaturePluginManager

    marker = f"{PROJECT_NAME}_impl"  # what pluggy's HookimplMarker sets
    manager = FeaturePluginManager()
    ordered = []
    for feature in features:
        # Registering costs ~0.1 ms even so, and most features have no such hook: one
        # that cannot implement it would add nothing, so it is left out (issue 8).
        if not _may_implement(feature, "config_schema", marker):
            continue
        try:
            manager.register(feature)
        except Exception:  # the feature registry reports invalid hooks at start
            continue
        ordered.append(feature)
    impls = {id(impl.plugin): impl for impl in manager.hook.config_schema.get_hookimpls()}
    results: list[SchemaSource | SchemaProblem] = []
    for feature in ordered:
        impl = impls.get(id(feature))
        if impl is None:
            continue
        package, origin = package_of(feature), f"config_schema() of {feature.feature_name}"
        try:
            value = impl.function()
        except Exception as exc:
            results.append(
                SchemaProblem(package, f"the hook raised {type(exc).__name__}: {exc}", origin)
            )
            continue
        if value is not None:
            results.append(check_source(package, value, origin))
    return _collect(results)


#: What pluggy can read as a hook implementation (``_static_hook_attr``): anything else
#: in a ``__dict__`` is never one; a ``__slots__`` slot may hold one.
_HOOKABLE: Final = (
    types.FunctionType,
    types.MethodType,
    classmethod,
    staticmethod,
    types.MemberDescriptorType,
)


def _may_implement(feature: object, hook: str, marker: str) -> bool:
    """Whether registering ``feature`` with pluggy could give an implementation of ``hook``.

    False only when nothing in the instance's or its classes' ``__dict__``
    (where pluggy looks, without ``getattr``) carries ``marker`` as an
    implementation under the name ``hook`` or with ``specname=hook``.
    """
    if isinstance(feature, type):
        return True
    try:
        own = object.__getattribute__(feature, "__dict__")
    except AttributeError:
        own = {}
    mappings: list[Mapping[str, Any]] = [own] if isinstance(own, dict) else []
    for klass in type(feature).__mro__:
        if klass is not object:  # slot wrappers carry no attributes
            mappings.append(klass.__dict__)
    for mapping in mappings:
        for name, raw in mapping.items():
            if not isinstance(raw, _HOOKABLE):
                continue
            if isinstance(raw, types.MemberDescriptorType):
                return True  # a slot's value is unknown here
            try:
                opts = getattr(raw, marker, None)
                if opts is None:
                    opts = getattr(getattr(raw, "__func__", None), marker, None)
            except Exception:  # an odd object: let pluggy decide
                return True
            if opts is not None and (
                name == hook or not isinstance(opts, dict) or opts.get("specname") == hook
            ):
                return True
    return False
