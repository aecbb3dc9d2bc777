"""Schema checks and validations remembered by content hash: a warm start skips jsonschema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import greenroom._config.schema_cache as schema_cache_module
from greenroom._config import validation
from greenroom._config.schema import ConfigSchema, SchemaProblem, SchemaSource, check_source
from greenroom._config.schema_cache import SchemaCache
from greenroom._config.validation import validate_data

SECRET = "hunter2-s3cret"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "db": {
            "type": "object",
            "properties": {
                "password": {"type": "string", "visibility": "secret"},
                "port": {"type": "integer"},
            },
        },
        "title": {"type": "string", "visibility": "frontend"},
    },
}
DATA: dict[str, Any] = {"db": {"password": SECRET, "port": 5432}, "title": "Greenroom"}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's schema cache, in a folder of this test's."""
    folder = tmp_path / "config-schemas"
    monkeypatch.setattr(schema_cache_module, "_cache", SchemaCache(folder))
    return folder


@pytest.fixture
def no_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any use of jsonschema fails the test."""

    def refuse(schema: Any) -> Any:
        raise AssertionError("jsonschema was used")

    monkeypatch.setattr(validation, "base_validator", refuse)
    monkeypatch.setattr(validation, "_marking_validator", refuse)


def _schema() -> ConfigSchema:
    source = check_source("acme", SCHEMA, "acme/schema.json")
    assert isinstance(source, SchemaSource)
    return ConfigSchema((source,))


def test_a_schema_that_passed_is_not_checked_again(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second check of the same schema value needs no jsonschema."""
    first = check_source("acme", SCHEMA, "acme/schema.json")
    monkeypatch.setattr(validation, "base_validator", None)  # would fail if called

    again = check_source("other", SCHEMA, "other/schema.json")

    assert isinstance(first, SchemaSource)
    assert again == SchemaSource("other", SCHEMA, "other/schema.json")


def test_a_bad_schema_is_checked_every_time(cache_dir: Path) -> None:
    """Problems are never remembered: each check reports them afresh."""
    bad = {"type": "object", "properties": {"x": {"type": "string", "visibility": "public"}}}

    first, second = check_source("acme", bad), check_source("acme", bad)

    assert isinstance(first, SchemaProblem)
    assert first == second
    assert not (cache_dir / "valid").exists() or not any((cache_dir / "valid").iterdir())


def test_a_config_that_validated_is_not_validated_again(
    cache_dir: Path, request: pytest.FixtureRequest
) -> None:
    """Same schemas, same data: the remembered visibility, the secrets recomputed."""
    schema = _schema()
    first = validate_data(schema, DATA)
    request.getfixturevalue("no_jsonschema")

    again = validate_data(schema, DATA)

    assert again.ok
    assert (
        again.visibility
        == first.visibility
        == {
            ("db", "password"): "secret",
            ("title",): "frontend",
        }
    )
    assert again.secrets == first.secrets == frozenset({SECRET})


def test_other_data_is_validated(cache_dir: Path) -> None:
    """A changed value is checked again, and its issue reported."""
    schema = _schema()
    validate_data(schema, DATA)

    changed = validate_data(schema, {**DATA, "db": {"password": SECRET, "port": "x"}})

    assert not changed.ok
    assert [issue.path for issue in changed.issues] == ["$.db.port"]


def test_an_invalid_config_is_never_remembered(cache_dir: Path) -> None:
    """Only configs with no issue are kept."""
    schema = _schema()
    validate_data(schema, {"db": {"port": "x"}})

    assert not (cache_dir / "validated").exists() or not any((cache_dir / "validated").iterdir())


def test_the_cache_holds_no_secret(cache_dir: Path) -> None:
    """Neither values nor plain hashes of the config reach the disk."""
    validate_data(_schema(), DATA)

    written = b"".join(p.read_bytes() for p in cache_dir.rglob("*") if p.is_file())

    assert SECRET.encode() not in written
    assert b"Greenroom" not in written


def test_an_unwritable_cache_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder that cannot be created: everything is checked, nothing fails."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(schema_cache_module, "_cache", SchemaCache(blocker / "config-schemas"))

    result = validate_data(_schema(), DATA)

    assert result.ok
    assert result.secrets == frozenset({SECRET})
