"""The rules an entity must follow beyond its types, and the error that lists every break.

The rules are Backstage's (its ``KubernetesValidatorFunctions`` and the kinds'
JSON schemas), so a descriptor valid there is valid here: names of at most 63
characters, namespaces that are DNS labels, lower-case tags, and for each kind
the ``spec`` fields it requires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from greenroom_plugin_catalog_common.model import API_VERSIONS, KINDS, Entity

__all__ = ["EntityIssue", "EntityValidationError", "entity_issues"]

_NAME: Final = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_LABEL: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DNS_SUBDOMAIN: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*")
_TAG: Final = re.compile(r"[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*")
_MAX_NAME: Final = 63
_MAX_PREFIX: Final = 253


@attrs.frozen
class _SpecRule:
    required: tuple[str, ...]
    strings: tuple[str, ...] = ()
    string_lists: tuple[str, ...] = ()


#: Per kind: the ``spec`` fields that must be non-empty strings, and the optional ones.
_SPECS: Final = {
    "API": _SpecRule(("type", "lifecycle", "owner", "definition"), ("system",)),
    "Component": _SpecRule(
        ("type", "lifecycle", "owner"),
        ("system", "subcomponentOf"),
        ("providesApis", "consumesApis", "dependsOn"),
    ),
    "System": _SpecRule(("owner",), ("domain",)),
}


@attrs.frozen
class EntityIssue:
    """One broken rule: what is wrong, and where (a JSON path such as ``$.metadata.name``)."""

    message: str
    path: str = "$"

    def __str__(self) -> str:
        return f"{self.message} @ {self.path}"


class EntityValidationError(ValueError):
    """An entity that breaks rules; ``issues`` lists every one, ``source`` says where it came from.

    The message names the source (a file, a document in it) and lists each
    issue as ``<description> @ <JSON path>``.
    """

    def __init__(self, issues: Iterable[EntityIssue], *, source: str | None = None) -> None:
        self.issues = tuple(issues)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.issues)
        lines = "".join(f"\n  - {issue}" for issue in self.issues)
        super().__init__(f"invalid entity{where}: {count} problem{'s' * (count != 1)}:{lines}")


def _name_problem(value: str, what: str) -> str | None:
    if len(value) > _MAX_NAME:
        return f"{what} {value!r} is longer than {_MAX_NAME} characters"
    if not _NAME.fullmatch(value):
        return (
            f"{what} {value!r} is not valid: use letters, digits and '-', '_' or '.' between "
            "them, starting and ending with a letter or digit"
        )
    return None


def _key_problem(key: str, what: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and (len(prefix) > _MAX_PREFIX or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        return f"{what} {key!r} has an invalid prefix: use a lower-case DNS name like 'acme.com/'"
    return _name_problem(name, what)


def _metadata_issues(entity: Entity) -> Iterator[EntityIssue]:
    metadata = entity.metadata
    if problem := _name_problem(metadata.name, "name"):
        yield EntityIssue(problem, "$.metadata.name")
    namespace = metadata.namespace
    if len(namespace) > _MAX_NAME or not _DNS_LABEL.fullmatch(namespace):
        yield EntityIssue(
            f"namespace {namespace!r} is not valid: use at most {_MAX_NAME} lower-case letters, "
            "digits and single '-' between them",
            "$.metadata.namespace",
        )
    for field in ("labels", "annotations"):
        mapping: Mapping[str, str] = getattr(metadata, field)
        for key, value in mapping.items():
            if problem := _key_problem(key, f"{field[:-1]} key"):
                yield EntityIssue(problem, f"$.metadata.{field}")
            if field == "labels" and value and (problem := _name_problem(value, "label value")):
                yield EntityIssue(problem, f"$.metadata.labels.{key}")
    for index, tag in enumerate(metadata.tags):
        if len(tag) > _MAX_NAME or not _TAG.fullmatch(tag):
            yield EntityIssue(
                f"tag {tag!r} is not valid: use lower-case letters, digits, ':', '+' or '#', "
                f"words joined by single '-', at most {_MAX_NAME} characters",
                f"$.metadata.tags[{index}]",
            )


def _spec_issues(kind: str, spec: Mapping[str, Any]) -> Iterator[EntityIssue]:
    rule = _SPECS[kind]
    for field in rule.required:
        value = spec.get(field)
        if value is None:
            yield EntityIssue(f"a {kind} needs spec.{field}", f"$.spec.{field}")
        elif not isinstance(value, str) or not value:
            yield EntityIssue(f"spec.{field} must be a non-empty string", f"$.spec.{field}")
    for field in rule.strings:
        value = spec.get(field)
        if value is not None and (not isinstance(value, str) or not value):
            yield EntityIssue(f"spec.{field} must be a non-empty string", f"$.spec.{field}")
    for field in rule.string_lists:
        value = spec.get(field)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
        ):
            yield EntityIssue(
                f"spec.{field} must be a list of entity references", f"$.spec.{field}"
            )


def entity_issues(entity: Entity) -> list[EntityIssue]:
    """Every rule ``entity`` breaks (an empty list when it is valid)."""
    issues: list[EntityIssue] = []
    if entity.api_version not in API_VERSIONS:
        issues.append(
            EntityIssue(
                f"unknown apiVersion {entity.api_version!r}, expected one of "
                + ", ".join(API_VERSIONS),
                "$.apiVersion",
            )
        )
    if entity.kind in _SPECS:
        issues += _spec_issues(entity.kind, entity.spec)
    else:
        close = [k for k in KINDS if k.lower() == entity.kind.lower()]
        hint = f"did you mean {close[0]!r}?" if close else "expected one of " + ", ".join(KINDS)
        issues.append(EntityIssue(f"unknown kind {entity.kind!r}: {hint}", "$.kind"))
    issues += _metadata_issues(entity)
    return issues
