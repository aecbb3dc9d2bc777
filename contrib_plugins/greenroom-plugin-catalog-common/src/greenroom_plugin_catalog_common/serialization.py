"""Entities to JSON-ready dicts and back (cattrs), validated on the way in.

``entity_from_dict`` is the one way in: cattrs checks the types (strictly: a
YAML ``1.0`` where a name belongs is an error, not ``"1.0"``) and unknown keys,
then :func:`~greenroom_plugin_catalog_common.validation.entity_issues` checks
the rules; every problem of both kinds is reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

from greenroom_plugin_catalog_common.model import Entity, EntityMetadata
from greenroom_plugin_catalog_common.validation import (
    EntityIssue,
    EntityValidationError,
    entity_issues,
)

__all__ = ["entity_from_dict", "entity_from_json", "entity_to_dict", "entity_to_json"]


def _strict_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__} {value!r}")
    return value


def _make_converter() -> cattrs.Converter:
    converter = make_converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict_str)
    # Compact output: unset optional fields are left out, but a namespace always shows.
    # Registered before Entity's hooks, which look up the metadata's when made.
    converter.register_unstructure_hook(
        EntityMetadata,
        make_dict_unstructure_fn(
            EntityMetadata,
            converter,
            _cattrs_omit_if_default=True,
            namespace=override(omit_if_default=False),
        ),
    )
    converter.register_structure_hook(
        Entity,
        make_dict_structure_fn(
            Entity,
            converter,
            api_version=override(rename="apiVersion"),
            _cattrs_forbid_extra_keys=True,
        ),
    )
    converter.register_unstructure_hook(
        Entity,
        make_dict_unstructure_fn(Entity, converter, api_version=override(rename="apiVersion")),
    )
    return converter


_converter: Final = _make_converter()


def _issue(line: str) -> EntityIssue:
    message, at, path = line.rpartition(" @ ")
    return EntityIssue(message, path) if at else EntityIssue(line)


def entity_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Entity:
    """The entity ``data`` describes (the JSON or YAML form), validated.

    Raises :class:`EntityValidationError` listing every problem, each with its
    JSON path; ``source`` (a file name, say) goes into the message.
    """
    if not isinstance(data, Mapping):
        raise EntityValidationError(
            [EntityIssue(f"an entity must be a mapping, not {type(data).__name__}")], source=source
        )
    try:
        entity = _converter.structure(data, Entity)
    except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
        lines = (
            cattrs.transform_error(exc)
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        raise EntityValidationError([_issue(line) for line in lines], source=source) from exc
    issues = entity_issues(entity)
    if issues:
        raise EntityValidationError(issues, source=source)
    return entity


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    """``entity`` as JSON-ready data: what :func:`entity_from_dict` reads back."""
    data: dict[str, Any] = _converter.unstructure(entity)
    return data


def entity_from_json(text: str | bytes, *, source: str | None = None) -> Entity:
    """The entity in the JSON document ``text``, validated as by :func:`entity_from_dict`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EntityValidationError([EntityIssue(f"not JSON: {exc}")], source=source) from exc
    return entity_from_dict(data, source=source)


def entity_to_json(entity: Entity) -> str:
    """``entity`` as a JSON document."""
    return json.dumps(entity_to_dict(entity))
