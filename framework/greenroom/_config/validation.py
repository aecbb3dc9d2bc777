"""Validating the merged config against the merged schema, with jsonschema.

Each package's schema is applied to the whole config on its own (``allOf``),
so each error names the package that demands it; all errors are collected.

Two validator classes per dialect, both built with ``jsonschema.validators.extend``:

- the checking class accepts the strings Config's typed getters convert
  (``"7007"`` for a number, ``"true"`` for a boolean: values from ``${VAR}``
  are strings) and knows the ``visibility`` keyword;
- the marking class turns each ``visibility`` keyword met during validation
  into a marker error, which jsonschema hands back with the path of the value
  in the data, through ``$ref``, ``items``, ``additionalProperties`` and the
  rest. ``anyOf``/``oneOf`` keep the markers of the branches that match.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from greenroom._config.layer import Substitution
from greenroom._config.paths import Path, is_valid_key, json_path
from greenroom._config.redaction import Redactor
from greenroom._config.visibility import VISIBILITIES, Visibility, merge_visibility, secret_values
from greenroom._errors import ConfigError, ConfigIssue

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

    from greenroom._api.services.config import ConfigService
    from greenroom._config.schema import ConfigSchema, SchemaProblem, SchemaSource

__all__ = [
    "ConfigSchemaIssue",
    "ConfigValidation",
    "base_validator",
    "validate_config",
    "validate_data",
]

_INTEGER: Final = re.compile(r"[+-]?\d+")
_DECIMAL: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NUMERIC_KEYWORDS: Final = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
)
_MARKER: Final = "greenroom visibility marker"
#: Messages longer than this are cut (after redaction): jsonschema quotes whole values.
_MAX_MESSAGE: Final = 400


class ConfigSchemaIssue(ConfigIssue):
    """A config value that a package's schema rejects.

    Rendered ``<message> (schema of <package>) @ <file>:<path>``; ``package``
    and ``keyword`` (the schema keyword that failed) are attributes too.
    """

    __slots__ = ("keyword", "message", "package")

    def __init__(
        self, message: str, path: str, file: str | None, *, package: str, keyword: str
    ) -> None:
        super().__init__(f"{message} (schema of {package})", path, file)
        self.message = message
        self.package = package
        self.keyword = keyword


@attrs.frozen
class ConfigValidation:
    """The outcome of validating a config: its problems, and the visibility of its values."""

    issues: tuple[ConfigSchemaIssue, ...] = ()
    #: The visibility of each value that has one other than ``backend``, by path.
    visibility: Mapping[Path, Visibility] = attrs.field(factory=dict)
    #: Every text to hide in logs: the values at secret paths and their inserted pieces.
    secrets: frozenset[str] = frozenset()
    #: Schemas that could not be applied to this config (a ``$ref`` that does not resolve).
    problems: tuple[SchemaProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the config satisfies every schema."""
        return not self.issues

    def error(self, hint: str = "") -> ConfigError:
        """Every issue as one :class:`ConfigError`."""
        return ConfigError(self.issues, hint=hint)


# -- validator classes -----------------------------------------------------------


def _coerced(text: str) -> list[Any]:
    """What Config's typed getters turn ``text`` into: a number, a boolean, or nothing."""
    stripped = text.strip()
    try:
        if _INTEGER.fullmatch(stripped):
            return [int(stripped)]
        if _DECIMAL.fullmatch(stripped):
            number = float(stripped)
            return [number] if math.isfinite(number) else []
    except ValueError:  # more digits than int() converts: no number Config would read either
        return []
    if stripped.lower() in ("true", "false"):
        return [stripped.lower() == "true"]
    return []


Keyword = Callable[[Any, Any, Any, dict[str, Any]], Iterator[Any]]


def _type_keyword(original: Keyword) -> Keyword:
    def type_(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        errors = list(original(validator, types, instance, schema))
        if errors and isinstance(instance, str):
            for value in _coerced(instance):
                if not list(original(validator, types, value, schema)):
                    return
        yield from errors

    return type_


def _numeric_keyword(original: Keyword) -> Keyword:
    """``minimum`` and friends: a numeric string is judged by its number."""

    def keyword(
        validator: Any, expected: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterator[Any]:
        if isinstance(instance, str):
            numbers = [v for v in _coerced(instance) if not isinstance(v, bool)]
            instance = numbers[0] if numbers else instance
        yield from original(validator, expected, instance, schema)

    return keyword


def _value_keyword(original: Keyword) -> Keyword:
    """``enum`` and ``const``: a string also passes when its coerced value does."""

    def keyword(
        validator: Any, expected: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterator[Any]:
        errors = list(original(validator, expected, instance, schema))
        if errors and isinstance(instance, str):
            for value in _coerced(instance):
                if not list(original(validator, expected, value, schema)):
                    return
        yield from errors

    return keyword


def _visibility_ignored(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    return iter(())


def _visibility_marker(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if value in VISIBILITIES:
        yield ValidationError(_MARKER, validator="visibility", validator_value=value)


def _is_marker(error: Any) -> bool:
    return bool(error.validator == "visibility" and error.message == _MARKER)


def _matching_branches(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``anyOf``/``oneOf`` for marking: the markers of every branch that matches."""
    from jsonschema.exceptions import ValidationError

    matched = False
    for index, branch in enumerate(branches):
        errors = list(validator.descend(instance, branch, schema_path=index))
        if all(_is_marker(error) for error in errors):
            matched = True
            yield from errors
    if not matched:
        yield ValidationError("no branch matches")


@functools.cache
def _classes(base: type[Validator]) -> tuple[type[Validator], type[Validator]]:
    from jsonschema import validators

    keywords: dict[str, Any] = {"visibility": _visibility_ignored}
    if "type" in base.VALIDATORS:
        keywords["type"] = _type_keyword(base.VALIDATORS["type"])
    for name in _NUMERIC_KEYWORDS:
        if name in base.VALIDATORS:
            keywords[name] = _numeric_keyword(base.VALIDATORS[name])
    for name in ("enum", "const"):
        if name in base.VALIDATORS:
            keywords[name] = _value_keyword(base.VALIDATORS[name])
    # jsonschema's ``extend`` is not annotated; it returns a validator class.
    checking = validators.extend(base, keywords)  # type: ignore[no-untyped-call]
    marking = validators.extend(  # type: ignore[no-untyped-call]
        checking,
        {
            "visibility": _visibility_marker,
            "anyOf": _matching_branches,
            "oneOf": _matching_branches,
        },
    )
    return checking, marking


def base_validator(schema: Any) -> type[Validator]:
    """The checking validator class for ``schema``'s dialect (2020-12 by default)."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    return _classes(validator_for(schema, default=Draft202012Validator))[0]


def _marking_validator(schema: Any) -> type[Validator]:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    return _classes(validator_for(schema, default=Draft202012Validator))[1]


# -- validating --------------------------------------------------------------------


def validate_config(schema: ConfigSchema, config: ConfigService) -> ConfigValidation:
    """Validate ``config`` (a Config, or any ConfigService) against every source of ``schema``.

    Issues are located in the file each value came from when ``config``
    knows it, and their messages are redacted (jsonschema quotes values).
    """
    substitutions: Iterable[Substitution] = ()
    getter = getattr(config, "substitutions", None)
    if callable(getter):
        substitutions = getter()
    return validate_data(
        schema, config.get(), substitutions=substitutions, origin=_origin_finder(config)
    )


def validate_data(
    schema: ConfigSchema,
    data: Any,
    *,
    substitutions: Iterable[Substitution] = (),
    origin: Callable[[Path], str | None] | None = None,
) -> ConfigValidation:
    """Validate plain ``data`` against every source of ``schema``; never raises on a bad schema.

    A config that satisfied the same schemas before is not validated again
    (``schema_cache``): its visibility is remembered and its secrets recomputed.
    """
    from greenroom._config.schema import SchemaProblem
    from greenroom._config.schema_cache import schema_cache

    cache = schema_cache()
    remembered = cache.validation(schema.sources, data)
    if remembered is not None:
        return ConfigValidation((), remembered, secret_values(data, remembered, substitutions))

    raw: list[tuple[SchemaSource, Any]] = []
    visibility: dict[Path, Visibility] = {}
    problems: list[SchemaProblem] = []
    for source in schema.sources:
        try:
            errors = list(base_validator(source.value)(source.value).iter_errors(data))
            markers = list(
                _markers(_marking_validator(source.value)(source.value).iter_errors(data))
            )
        except Exception as exc:  # an unresolvable $ref, a bad regex: the schema's fault
            problems.append(
                SchemaProblem(
                    source.package,
                    f"cannot be applied: {type(exc).__name__}: {exc}",
                    source.origin,
                )
            )
            continue
        raw.extend((source, leaf) for error in errors for leaf in _leaf_errors(error))
        for path, value in markers:
            merge_visibility(visibility, path, value)
    secrets = secret_values(data, visibility, substitutions)
    redactor = Redactor(secrets)
    issues = [_issue(source, error, redactor, origin) for source, error in raw]
    issues.sort(key=lambda issue: (issue.path, issue.package, issue.description))
    if not issues and not problems:
        cache.remember_validation(schema.sources, data, visibility)
    return ConfigValidation(tuple(issues), visibility, secrets, tuple(problems))


def _markers(errors: Iterable[Any]) -> Iterator[tuple[Path, Visibility]]:
    for error in errors:
        if _is_marker(error):
            yield tuple(error.absolute_path), error.validator_value
        yield from _markers(error.context or ())


def _leaf_errors(error: Any) -> list[Any]:
    """The errors to report for ``error``: for an ``anyOf``/``oneOf`` whose branches all
    fail, those of the one branch that fits the value's type, if exactly one does.

    ``backend.listen`` is a string or an object; for an object with a bad port,
    "port is not an integer" says more than "matches none of the forms".
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        if not sub.relative_schema_path:  # a boolean ``false`` branch: no sub-schema to blame
            return [error]
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        errors
        for errors in branches.values()
        if not any(sub.validator == "type" and not sub.relative_path for sub in errors)
    ]
    if len(fitting) != 1:
        return [error]
    return [leaf for sub in fitting[0] for leaf in _leaf_errors(sub)]


def _issue(
    source: SchemaSource,
    error: Any,
    redactor: Redactor,
    origin: Callable[[Path], str | None] | None,
) -> ConfigSchemaIssue:
    message = redactor.redact(error.message)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    path = tuple(error.absolute_path)
    missing = _missing_property(error)
    if missing is not None:  # located at the missing key, as Config's own errors are
        path, message = (*path, missing), "missing required config value"
    return ConfigSchemaIssue(
        message,
        json_path(path),
        origin(path) if origin is not None else None,
        package=source.package,
        keyword=str(error.validator),
    )


def _missing_property(error: Any) -> str | None:
    """The property a ``required`` error is about (jsonschema reports one error per name)."""
    if error.validator != "required" or not isinstance(error.instance, dict):
        return None
    names = error.validator_value if isinstance(error.validator_value, list) else []
    missing = [name for name in names if isinstance(name, str) and name not in error.instance]
    for name in missing:
        if error.message.startswith(f"{name!r} "):
            return name
    return None


def _origin_finder(config: ConfigService) -> Callable[[Path], str | None] | None:
    """The file a value at a path came from, read through ``Config.origin`` when there is one."""
    find = getattr(config, "origin", None)
    if not callable(find):
        return None

    def origin(path: Path) -> str | None:
        keys: list[str] = []
        for part in path:  # the nearest mapping: Config keys cannot index arrays
            if not isinstance(part, str) or not is_valid_key(part):
                break
            keys.append(part)
        # A missing (required) value is located in the file of the nearest value that exists.
        for size in range(len(keys), -1, -1):
            try:
                result = find(".".join(keys[:size]) if size else None)
            except Exception:
                continue
            return result if isinstance(result, str) else None
        return None

    return origin
