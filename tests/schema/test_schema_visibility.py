"""The visibility keyword: where values are frontend or secret, the frontend's config and
schema, and the endpoints that serve them (issue 6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from greenroom import Backend, BackendPlugin, create_backend, hookimpl
from greenroom._config.layer import Substitution
from greenroom._config.schema import ConfigSchema, SchemaSource, check_source
from greenroom._config.validation import validate_data
from greenroom._config.visibility import (
    filter_by_visibility,
    frontend_schema,
    redact_secrets,
    secret_values,
)
from greenroom._dynamic.schemas import CONFIG_PATH, SCHEMAS_PATH

SCHEMA: dict[str, Any] = {
    "$defs": {"secretString": {"type": "string", "visibility": "secret"}},
    "type": "object",
    "properties": {
        "app": {
            "type": "object",
            "required": ["title", "internal"],
            "properties": {
                "title": {"type": "string", "visibility": "frontend"},
                "internal": {"type": "string"},
                "links": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"url": {"type": "string", "visibility": "frontend"}},
                    },
                },
                "tags": {"type": "array", "visibility": "frontend", "items": {"type": "string"}},
            },
        },
        "db": {
            "type": "object",
            "properties": {
                "password": {"$ref": "#/$defs/secretString"},
                "connection": {"type": "object", "visibility": "secret"},
            },
        },
        "integrations": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"token": {"type": "string", "visibility": "secret"}},
            },
        },
        "auth": {
            "anyOf": [
                {"type": "string", "visibility": "secret"},
                {"type": "object", "properties": {"user": {"visibility": "frontend"}}},
            ]
        },
    },
    "patternProperties": {"^feature": {"visibility": "frontend"}},
}

DATA: dict[str, Any] = {
    "app": {
        "title": "Portal",
        "internal": "x",
        "links": [{"url": "https://a", "note": "n"}, {"note": "only"}],
        "tags": ["a", "b"],
    },
    "db": {"password": "pw-1", "connection": {"user": "u", "port": 5432, "tls": True}},
    "integrations": {"github": {"token": "gh-2"}, "gitlab": {"token": "gl-3", "host": "h"}},
    "auth": {"user": "ann"},
    "featureFlags": True,
}


def schema_of(*values: dict[str, Any]) -> ConfigSchema:
    """A merged schema of ``values``, packages p0, p1, ..."""
    sources = []
    for index, value in enumerate(values):
        checked = check_source(f"p{index}", value)
        assert isinstance(checked, SchemaSource), checked
        sources.append(checked)
    return ConfigSchema(tuple(sources))


def test_visibility_is_recorded_by_data_path_through_refs_maps_and_arrays() -> None:
    """$ref, additionalProperties, patternProperties, items and matching anyOf branches count."""
    visibility = validate_data(schema_of(SCHEMA), DATA).visibility
    assert dict(visibility) == {
        ("app", "title"): "frontend",
        ("app", "links", 0, "url"): "frontend",
        ("app", "tags"): "frontend",
        ("db", "password"): "secret",
        ("db", "connection"): "secret",
        ("integrations", "github", "token"): "secret",
        ("integrations", "gitlab", "token"): "secret",
        ("auth", "user"): "frontend",
        ("featureFlags",): "frontend",
    }


def test_only_the_anyof_branch_that_matches_sets_visibility() -> None:
    """A string auth matches the secret branch, an object the frontend one."""
    visibility = validate_data(schema_of(SCHEMA), {"auth": "s3cret"}).visibility
    assert dict(visibility) == {("auth",): "secret"}


def test_the_stricter_visibility_wins_between_packages() -> None:
    """secret beats backend beats frontend, whichever package says it."""
    schema = schema_of(
        {"properties": {"a": {"visibility": "frontend"}, "b": {"visibility": "frontend"}}},
        {"properties": {"a": {"visibility": "secret"}, "b": {"visibility": "backend"}}},
    )
    visibility = validate_data(schema, {"a": "1", "b": "2"}).visibility
    assert dict(visibility) == {("a",): "secret", ("b",): "backend"}


def test_secret_values_cover_objects_and_substituted_pieces() -> None:
    """Leaves under a secret object are secret; so are the env pieces of a secret value."""
    visibility = validate_data(schema_of(SCHEMA), DATA).visibility
    substitutions = [
        Substitution("$.db.password", "pw-1", ("pw-1",)),
        Substitution("$.integrations.gitlab.token", "gl-3", ("gl-3",)),
        Substitution("$.app.internal", "x", ("x",)),
    ]
    assert secret_values(DATA, visibility, substitutions) == {
        "pw-1",
        "u",
        "5432",
        "gh-2",
        "gl-3",
    }
    url_secret = {("url",): "secret"}
    inserted = [Substitution("$.url", "postgres://me:hunter2@db", ("hunter2",))]
    assert secret_values({"url": "postgres://me:hunter2@db"}, url_secret, inserted) == {
        "postgres://me:hunter2@db",
        "hunter2",
    }


def test_redact_secrets_replaces_every_secret_leaf() -> None:
    """config print's view: secrets are ***, everything else as it was."""
    visibility = validate_data(schema_of(SCHEMA), DATA).visibility
    redacted = redact_secrets(DATA, visibility)
    assert redacted["db"] == {
        "password": "***",
        "connection": {"user": "***", "port": "***", "tls": "***"},
    }
    assert redacted["integrations"]["gitlab"] == {"token": "***", "host": "h"}
    assert redacted["app"] == DATA["app"]


def test_filter_by_visibility_keeps_only_frontend_values() -> None:
    """Backstage's filter: frontend values, arrays of scalars whole, objects where needed."""
    visibility = validate_data(schema_of(SCHEMA), DATA).visibility
    assert filter_by_visibility(DATA, visibility) == {
        "app": {"title": "Portal", "links": [{"url": "https://a"}], "tags": ["a", "b"]},
        "auth": {"user": "ann"},
        "featureFlags": True,
    }
    assert filter_by_visibility({"db": DATA["db"]}, visibility) == {}


def test_frontend_schema_keeps_what_describes_frontend_values() -> None:
    """Backend-only and secret parts go; required keeps described names; anyOf gains true."""
    pruned = frontend_schema(SCHEMA)
    assert pruned is not None
    assert set(pruned["properties"]) == {"app", "auth"}
    app = pruned["properties"]["app"]
    assert set(app["properties"]) == {"title", "links", "tags"}
    assert app["required"] == ["title"]
    assert app["properties"]["links"]["items"]["properties"] == {
        "url": {"type": "string", "visibility": "frontend"}
    }
    assert pruned["properties"]["auth"]["anyOf"] == [
        {"type": "object", "properties": {"user": {"visibility": "frontend"}}},
        True,
    ]
    assert pruned["patternProperties"] == {"^feature": {"visibility": "frontend"}}
    assert "$defs" not in pruned


def test_frontend_schema_follows_local_refs() -> None:
    """A $ref to a definition holding frontend values is kept, with that definition."""
    schema = {
        "$defs": {"brand": {"properties": {"color": {"visibility": "frontend"}}}, "x": {}},
        "properties": {"brand": {"$ref": "#/$defs/brand"}, "other": {"$ref": "#/$defs/x"}},
    }
    pruned = frontend_schema(schema)
    assert pruned == {
        "$defs": {"brand": {"properties": {"color": {"visibility": "frontend"}}}},
        "properties": {"brand": {"$ref": "#/$defs/brand"}},
    }
    assert frontend_schema({"properties": {"a": {"type": "string"}}}) is None


def test_the_frontend_schema_accepts_the_frontend_config_of_a_valid_config() -> None:
    """The frontend part of a valid config is valid against the frontend schema."""
    from jsonschema import Draft202012Validator

    schema = schema_of(SCHEMA)
    validation = validate_data(schema, DATA)
    assert validation.ok
    frontend = filter_by_visibility(DATA, validation.visibility)
    assert list(Draft202012Validator(schema.frontend()).iter_errors(frontend)) == []


# -- the endpoints ------------------------------------------------------------------------


class BrandPlugin(BackendPlugin):
    plugin_id = "brand"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(lambda: None)

    @hookimpl
    def config_schema(self) -> dict[str, Any]:
        return SCHEMA


def client(backend: Backend) -> httpx.AsyncClient:
    """An in-process HTTP client for the backend's ASGI app."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=backend.http_app), base_url="http://testserver"
    )


@pytest.mark.anyio
async def test_endpoints_serve_the_frontend_config_and_schema() -> None:
    """GET .../config is the frontend config; GET .../schemas the frontend schema."""
    backend = create_backend(
        {**DATA, "backend": {"baseUrl": "http://portal.example"}}, [BrandPlugin()]
    )
    await backend.start()
    try:
        async with client(backend) as http:
            config = await http.get(CONFIG_PATH)
            schemas = await http.get(SCHEMAS_PATH)
            post = await http.post(CONFIG_PATH)
            deeper = await http.get(CONFIG_PATH + "/app")
    finally:
        await backend.stop()
    assert config.status_code == 200
    assert config.headers["cache-control"] == "no-store"
    assert config.json() == {
        "app": {"title": "Portal", "links": [{"url": "https://a"}], "tags": ["a", "b"]},
        "auth": {"user": "ann"},
        "featureFlags": True,
        "backend": {"baseUrl": "http://portal.example"},
    }
    body = schemas.json()
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    described = [set(part.get("properties", {})) for part in body["allOf"]]
    assert described == [{"backend"}, {"app", "auth"}]
    assert "db" not in str(body)
    assert (post.status_code, post.headers["allow"]) == (405, "GET, HEAD")
    assert deeper.status_code == 404
