"""Validating the config against the merged schema: messages, and what the start does (issue 6)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from greenroom import BackendPlugin, Config, ConfigError, create_backend, hookimpl, load_config
from greenroom._config.schema import ConfigSchema, SchemaSource, check_source
from greenroom._config.validation import ConfigSchemaIssue, validate_data

pytestmark = pytest.mark.anyio

PORT_SCHEMA = {
    "type": "object",
    "properties": {
        "todo": {
            "type": "object",
            "required": ["store"],
            "properties": {
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "enabled": {"type": "boolean"},
                "mode": {"enum": ["fast", "safe"]},
                "store": {
                    "anyOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "properties": {"url": {"type": "string"}, "pool": {"type": "integer"}},
                        },
                    ]
                },
            },
        }
    },
}


def schema_of(**packages: dict[str, Any]) -> ConfigSchema:
    """A merged schema with one source per keyword argument (package name -> schema)."""
    sources = []
    for package, value in packages.items():
        checked = check_source(package.replace("_", "-"), value)
        assert isinstance(checked, SchemaSource), checked
        sources.append(checked)
    return ConfigSchema(tuple(sources))


def messages(schema: ConfigSchema, data: dict[str, Any]) -> list[str]:
    """Every issue, rendered."""
    return [str(issue) for issue in validate_data(schema, data).issues]


def test_every_issue_names_path_message_and_package_at_once() -> None:
    """All problems come back in one go, sorted by path, each naming the schema's package."""
    schema = schema_of(acme_todo=PORT_SCHEMA)
    data = {"todo": {"port": 0, "enabled": "maybe", "mode": "slow"}}
    assert messages(schema, data) == [
        "'maybe' is not of type 'boolean' (schema of acme-todo) @ $.todo.enabled",
        "'slow' is not one of ['fast', 'safe'] (schema of acme-todo) @ $.todo.mode",
        "0 is less than the minimum of 1 (schema of acme-todo) @ $.todo.port",
        "missing required config value (schema of acme-todo) @ $.todo.store",
    ]


def test_issues_keep_their_parts_as_attributes() -> None:
    """An issue carries path, message, package and the failing keyword."""
    issue = validate_data(schema_of(acme_todo=PORT_SCHEMA), {"todo": {"store": 1}}).issues[0]
    assert isinstance(issue, ConfigSchemaIssue)
    assert (issue.path, issue.package, issue.keyword) == ("$.todo.store", "acme-todo", "anyOf")
    assert issue.message == "1 is not valid under any of the given schemas"


def test_an_any_of_reports_the_errors_of_the_one_branch_of_the_right_type() -> None:
    """For an object where a string or an object is allowed, the object branch's errors show."""
    data = {"todo": {"store": {"url": 5, "pool": "big"}}}
    assert messages(schema_of(acme_todo=PORT_SCHEMA), data) == [
        "'big' is not of type 'integer' (schema of acme-todo) @ $.todo.store.pool",
        "5 is not of type 'string' (schema of acme-todo) @ $.todo.store.url",
    ]


def test_strings_that_config_getters_convert_are_valid() -> None:
    """'8080' is an integer and 'TRUE' a boolean, as get_number/get_boolean read them."""
    data = {"todo": {"store": "s", "port": "8080", "enabled": "TRUE"}}
    assert messages(schema_of(acme_todo=PORT_SCHEMA), data) == []
    data = {"todo": {"store": "s", "port": "99999"}}
    assert messages(schema_of(acme_todo=PORT_SCHEMA), data) == [
        "99999 is greater than the maximum of 65535 (schema of acme-todo) @ $.todo.port"
    ]


def test_each_package_is_applied_to_the_whole_config() -> None:
    """Two packages constraining one key both report, each under its own name."""
    schema = schema_of(
        acme_a={"properties": {"shared": {"type": "string"}}},
        acme_b={"properties": {"shared": {"maxLength": 2}}},
    )
    assert messages(schema, {"shared": "long"}) == [
        "'long' is too long (schema of acme-b) @ $.shared"
    ]
    assert messages(schema, {"shared": 7}) == [
        "7 is not of type 'string' (schema of acme-a) @ $.shared"
    ]


def test_issues_name_the_file_the_value_came_from(tmp_path: Path) -> None:
    """A value read from a file is located in it, as Config's own errors are."""
    (tmp_path / "app-config.yaml").write_text("todo:\n  port: 0\n  store: s\n")
    config = load_config(cwd=tmp_path)
    issues = schema_of(acme_todo=PORT_SCHEMA).validate(config).issues
    assert [str(issue) for issue in issues] == [
        "0 is less than the minimum of 1 (schema of acme-todo) @ app-config.yaml:$.todo.port"
    ]


def test_an_unresolvable_ref_is_a_schema_problem_not_a_crash() -> None:
    """A schema whose $ref cannot resolve is reported for its package; the others still run."""
    schema = schema_of(
        acme_bad={"properties": {"a": {"$ref": "https://example.invalid/nowhere.json"}}},
        acme_good={"properties": {"b": {"type": "integer"}}},
    )
    result = validate_data(schema, {"a": 1, "b": "x"})
    assert [str(issue) for issue in result.issues] == [
        "'x' is not of type 'integer' (schema of acme-good) @ $.b"
    ]
    assert [problem.package for problem in result.problems] == ["acme-bad"]
    assert "cannot be applied" in result.problems[0].message


def test_config_error_lists_every_issue() -> None:
    """The error raised at start reads as one list, with the hint at the end."""
    result = validate_data(schema_of(acme_todo=PORT_SCHEMA), {"todo": {"port": "x"}})
    error = result.error(hint="Fix them.")
    assert str(error) == (
        "invalid configuration:\n"
        "  'x' is not of type 'integer' (schema of acme-todo) @ $.todo.port\n"
        "  missing required config value (schema of acme-todo) @ $.todo.store\n"
        "Fix them."
    )


# -- at start -----------------------------------------------------------------------------
# A config key of its own: the schemas of installed packages (contrib plugins) apply too.
START_SCHEMA = {"type": "object", "properties": {"schemaTest": PORT_SCHEMA["properties"]["todo"]}}


class TodoPlugin(BackendPlugin):
    plugin_id = "schema-test"

    def __init__(self) -> None:
        self.started = False

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(self.init)

    def init(self) -> None:
        self.started = True

    @hookimpl
    def config_schema(self) -> dict[str, Any]:
        return START_SCHEMA


class BrokenSchemaPlugin(BackendPlugin):
    plugin_id = "broken-schema"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(lambda: None)

    @hookimpl
    def config_schema(self) -> dict[str, Any]:
        return {"type": "objekt"}


async def test_an_invalid_config_aborts_the_start_listing_every_problem() -> None:
    """By default the start fails with a ConfigError naming each key and package; no init runs."""
    plugin = TodoPlugin()
    backend = create_backend(
        {"schemaTest": {"port": 0}, "backend": {"listen": {"port": "x"}}}, [plugin]
    )
    with pytest.raises(ConfigError) as info:
        await backend.start()
    # A feature outside any distribution is named by its plugin id.
    assert [(issue.path, getattr(issue, "package", None)) for issue in info.value.issues] == [
        ("$.backend.listen.port", "greenroom"),
        ("$.schemaTest.port", "plugin 'schema-test'"),
        ("$.schemaTest.store", "plugin 'schema-test'"),
    ]
    assert "backend.startup.onInvalidConfig: warn" in str(info.value)
    assert not plugin.started


async def test_on_invalid_config_warn_logs_and_starts(caplog: pytest.LogCaptureFixture) -> None:
    """backend.startup.onInvalidConfig: warn starts anyway and logs every issue."""
    plugin = TodoPlugin()
    config = {"schemaTest": {"port": 0}, "backend": {"startup": {"onInvalidConfig": "warn"}}}
    backend = create_backend(config, [plugin])
    with caplog.at_level(logging.WARNING, logger="greenroom.config"):
        await backend.start()
    await backend.stop()
    assert plugin.started
    (message,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "greenroom.config" and "does not match its schema" in r.getMessage()
    ]
    assert "@ $.schemaTest.port" in message
    assert "@ $.schemaTest.store" in message


async def test_a_broken_plugin_schema_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A plugin's invalid schema is reported for it and the backend still starts."""
    backend = create_backend({}, [BrokenSchemaPlugin()])
    with caplog.at_level(logging.WARNING, logger="greenroom.config"):
        await backend.start()
    await backend.stop()
    (message,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "greenroom.config" and "plugin 'broken-schema'" in r.getMessage()
    ]
    assert "config_schema() of plugin 'broken-schema'" in message
    assert "not a valid JSON schema" in message


async def test_a_disabled_plugin_schema_is_not_applied() -> None:
    """backend.plugins.<id>.enabled: false leaves the plugin's config unchecked."""
    config = {
        "schemaTest": {"port": 0},
        "backend": {"plugins": {"schema-test": {"enabled": False}}},
    }
    backend = create_backend(config, [TodoPlugin()])
    await backend.start()
    await backend.stop()


async def test_the_builtin_schema_checks_framework_keys_at_start() -> None:
    """A framework key of the wrong type fails the start even with no plugin."""
    backend = create_backend(Config.from_data({"dynamicPlugins": {"disabled": "acme"}}))
    with pytest.raises(ConfigError, match=r"'acme' is not of type 'array' \(schema of greenroom\)"):
        await backend.start()


def test_the_how_to_shows_real_output(tmp_path: Path) -> None:
    """The error lines in the how-to are what a check of its example config prints."""
    schema = {
        "type": "object",
        "properties": {
            "todo": {
                "type": "object",
                "required": ["store"],
                "properties": {"limit": {"type": "integer", "minimum": 1}},
            }
        },
    }
    (tmp_path / "app-config.yaml").write_text("todo:\n  limit: lots\n")
    issues = schema_of(acme_plugin_todo_backend=schema).validate(load_config(cwd=tmp_path)).issues
    how_to = Path(__file__).parents[2] / "docs" / "how-to" / "config-schemas-and-secrets.md"
    text = how_to.read_text(encoding="utf-8")
    assert [str(issue) for issue in issues] == [
        "'lots' is not of type 'integer' (schema of acme-plugin-todo-backend) "
        "@ app-config.yaml:$.todo.limit",
        "missing required config value (schema of acme-plugin-todo-backend) "
        "@ app-config.yaml:$.todo.store",
    ]
    for issue in issues:
        assert f"  {issue}\n" in text
