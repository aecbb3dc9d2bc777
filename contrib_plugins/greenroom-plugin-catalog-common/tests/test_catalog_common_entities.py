"""Entities: read from data with every problem reported, written back to the same data."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from greenroom_plugin_catalog_common import (
    API_VERSION,
    Entity,
    EntityMetadata,
    EntityValidationError,
    entity_from_dict,
    entity_from_json,
    entity_ref,
    entity_to_dict,
    entity_to_json,
)
from hypothesis import given
from hypothesis import strategies as st

COMPONENT: dict[str, Any] = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "Component",
    "metadata": {
        "name": "web",
        "title": "The web shop",
        "labels": {"acme.com/tier": "front"},
        "annotations": {"github.com/project-slug": "acme/web"},
        "tags": ["python", "web"],
    },
    "spec": {"type": "service", "lifecycle": "production", "owner": "team-a", "system": "shop"},
}


def problems(data: Any) -> list[str]:
    """The problems entity_from_dict reports for ``data``, as ``<message> @ <path>``."""
    with pytest.raises(EntityValidationError) as caught:
        entity_from_dict(data, source="catalog-info.yaml")
    assert str(caught.value).startswith("invalid entity in catalog-info.yaml: ")
    return [str(issue) for issue in caught.value.issues]


def test_reads_a_backstage_descriptor() -> None:
    """A Backstage catalog-info entity reads as it is, namespace defaulting to 'default'."""
    entity = entity_from_dict(COMPONENT)
    assert entity.kind == "Component"
    assert entity.metadata.namespace == "default"
    assert entity.metadata.tags == ("python", "web")
    assert entity.spec["owner"] == "team-a"
    assert entity.ref == "component:default/web"


def test_writes_back_what_it_read_with_the_namespace() -> None:
    """entity_to_dict gives the input back, plus the default namespace, minus nothing."""
    expected = {**COMPONENT, "metadata": {**COMPONENT["metadata"], "namespace": "default"}}
    assert entity_to_dict(entity_from_dict(COMPONENT)) == expected


def test_json_round_trip() -> None:
    """entity_to_json and entity_from_json are inverses."""
    entity = entity_from_dict(COMPONENT)
    assert entity_from_json(entity_to_json(entity)) == entity


def test_the_constructor_defaults_to_greenroom_api_version() -> None:
    """Entities built in code get Greenroom's apiVersion and an empty spec."""
    entity = Entity(kind="System", metadata=EntityMetadata(name="shop"))
    assert entity.api_version == API_VERSION
    assert entity_to_dict(entity) == {
        "apiVersion": API_VERSION,
        "kind": "System",
        "metadata": {"name": "shop", "namespace": "default"},
        "spec": {},
    }


def test_refs_ignore_case() -> None:
    """References are lower-cased, as Backstage compares them without case."""
    assert entity_ref("API", "Default", "Orders") == "api:default/orders"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            {"kind": "component"},
            ["unknown kind 'component': did you mean 'Component'? @ $.kind"],
            id="kind-case",
        ),
        pytest.param(
            {"kind": "Group"},
            ["unknown kind 'Group': expected one of API, Component, System @ $.kind"],
            id="kind-unknown",
        ),
        pytest.param(
            {"apiVersion": "v1"},
            [
                "unknown apiVersion 'v1', expected one of greenroom.dev/v1alpha1, "
                "backstage.io/v1alpha1, backstage.io/v1beta1 @ $.apiVersion"
            ],
            id="api-version",
        ),
        pytest.param(
            {"spec": {"type": "service", "lifecycle": ""}},
            [
                "spec.lifecycle must be a non-empty string @ $.spec.lifecycle",
                "a Component needs spec.owner @ $.spec.owner",
            ],
            id="spec-fields",
        ),
        pytest.param(
            {"spec": {**COMPONENT["spec"], "providesApis": "orders"}},
            ["spec.providesApis must be a list of entity references @ $.spec.providesApis"],
            id="spec-list",
        ),
    ],
)
def test_rules_are_reported_with_their_path(change: dict[str, Any], expected: list[str]) -> None:
    """Each broken rule is one problem naming the key it is about."""
    assert problems({**COMPONENT, **change}) == expected


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        pytest.param(
            {"name": "web shop"},
            "name 'web shop' is not valid: use letters, digits and '-', '_' or '.' between "
            "them, starting and ending with a letter or digit @ $.metadata.name",
            id="name",
        ),
        pytest.param(
            {"name": "x" * 64},
            f"name '{'x' * 64}' is longer than 63 characters @ $.metadata.name",
            id="long-name",
        ),
        pytest.param(
            {"name": "web", "namespace": "Team_A"},
            "namespace 'Team_A' is not valid: use at most 63 lower-case letters, digits and "
            "single '-' between them @ $.metadata.namespace",
            id="namespace",
        ),
        pytest.param(
            {"name": "web", "tags": ["Python"]},
            "tag 'Python' is not valid: use lower-case letters, digits, ':', '+' or '#', words "
            "joined by single '-', at most 63 characters @ $.metadata.tags[0]",
            id="tag",
        ),
        pytest.param(
            {"name": "web", "annotations": {"Acme.com/x": "1"}},
            "annotation key 'Acme.com/x' has an invalid prefix: use a lower-case DNS name like "
            "'acme.com/' @ $.metadata.annotations",
            id="annotation-key",
        ),
        pytest.param(
            {"name": "web", "namspace": "x"},
            "extra fields found (namspace) @ $.metadata",
            id="typo",
        ),
        pytest.param(
            {"name": 1.0},
            "invalid value for type, expected str @ $.metadata.name",
            id="yaml-float",
        ),
    ],
)
def test_metadata_rules(metadata: dict[str, Any], expected: str) -> None:
    """Names, namespaces, tags and keys follow Backstage's rules; types are strict."""
    assert problems({**COMPONENT, "metadata": metadata}) == [expected]


def test_every_problem_is_reported_at_once() -> None:
    """Several broken rules make one error that lists them all."""
    data = {"kind": "System", "metadata": {"name": "-x-", "tags": ["A"]}, "spec": {}}
    assert [p.rpartition(" @ ")[2] for p in problems(data)] == [
        "$.spec.owner",
        "$.metadata.name",
        "$.metadata.tags[0]",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param([], "an entity must be a mapping, not list @ $", id="not-a-mapping"),
        pytest.param({"kind": "System"}, "required field missing @ $.metadata", id="metadata"),
        pytest.param(
            {**COMPONENT, "spec": "service"}, "expected a mapping @ $.spec", id="spec-type"
        ),
    ],
)
def test_shape_problems(data: Any, expected: str) -> None:
    """Data of the wrong shape is reported, not crashed on."""
    assert problems(data) == [expected]


def test_not_json() -> None:
    """entity_from_json reports a document that is not JSON as a validation error."""
    with pytest.raises(EntityValidationError, match=r"not JSON: "):
        entity_from_json("{", source="x.json")


_names = st.from_regex(r"[a-z0-9]([a-z0-9_.-]{0,20}[a-z0-9])?", fullmatch=True)
_text = st.text(string.printable, max_size=20)
_entities = st.builds(
    Entity,
    kind=st.just("System"),
    metadata=st.builds(
        EntityMetadata,
        name=_names,
        namespace=st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,2}", fullmatch=True),
        title=st.none() | _text,
        description=st.none() | _text,
        labels=st.dictionaries(_names, _names, max_size=3),
        annotations=st.dictionaries(_names, _text, max_size=3),
        tags=st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), max_size=3).map(tuple),
    ),
    spec=st.fixed_dictionaries(
        {"owner": _names},
        optional={"domain": _names, "extra": st.recursive(st.none() | st.integers(), st.lists)},
    ),
)


@given(_entities)
def test_any_valid_entity_round_trips_through_json(entity: Entity) -> None:
    """Writing a valid entity as JSON and reading it back gives the same entity."""
    data = json.loads(entity_to_json(entity))
    assert entity_from_dict(data) == entity
