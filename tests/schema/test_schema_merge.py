"""Collecting and merging config schemas: the framework's, installed packages', bundles',
root-directory folders' and feature hooks' (issue 6)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schema_builders import BACKEND, SCHEMA_GROUP, write_bundle, write_folder

from greenroom import BackendPlugin, Config, hookimpl
from greenroom._config.schema import (
    ConfigSchema,
    SchemaProblem,
    SchemaSource,
    builtin_schema,
    check_source,
    feature_schemas,
    installed_schemas,
    read_serialized,
)
from greenroom._config.validation import validate_data
from greenroom._dynamic.manager import DynamicPluginManager
from greenroom._dynamic.schemas import DynamicPluginsSchemas

REPO = Path(__file__).resolve().parents[2]
TODO_SCHEMA = {
    "type": "object",
    "properties": {"todo": {"type": "object", "properties": {"limit": {"type": "integer"}}}},
}


def source(package: str, value: dict[str, Any], origin: str = "") -> SchemaSource:
    """A checked source, failing the test if the schema is refused."""
    checked = check_source(package, value, origin)
    assert isinstance(checked, SchemaSource), checked
    return checked


# -- the framework's own schema --------------------------------------------------


def test_builtin_schema_loads_without_problems() -> None:
    """The framework's schema is package data, valid, attributed to 'greenroom'."""
    schema = builtin_schema()
    assert schema.problems == ()
    assert schema.packages == ("greenroom",)


def _documented_keys() -> list[str]:
    text = (REPO / "docs" / "reference" / "config.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^\| `([a-zA-Z.<>]+)`", text, re.MULTILINE)))


def _describes(schema: dict[str, Any], key: str) -> bool:
    node: Any = schema
    for part in key.split("."):
        if not isinstance(node, dict):
            return False
        if "$ref" in node:
            node = _resolve(schema, node["$ref"])
        options = [node, *node.get("anyOf", [])]
        found = None
        for option in options:
            if part.startswith("<"):
                found = option.get("additionalProperties")
            else:
                found = option.get("properties", {}).get(part)
            if found is not None:
                break
        if found is None:
            return False
        node = found
    return True


def _resolve(schema: dict[str, Any], ref: str) -> Any:
    node: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("key", _documented_keys())
def test_builtin_schema_describes_every_documented_key(key: str) -> None:
    """Every key in docs/reference/config.md has a place in the framework's schema."""
    assert _describes(builtin_schema().sources[0].value, key), key


def test_builtin_schema_accepts_a_typical_config_and_strings_from_env() -> None:
    """A Backstage-style config validates, numbers and booleans given as strings included."""
    config = Config.from_data(
        {
            "backend": {
                "baseUrl": "http://localhost:7007",
                "listen": {"host": "0.0.0.0", "port": "7007"},
                "logging": {"level": "INFO", "format": "json"},
                "plugins": {"catalog": {"enabled": "false", "modules": {"x": {"enabled": True}}}},
                "startup": {"default": {"onPluginBootFailure": "continue"}},
            },
            "discovery": {"endpoints": [{"target": "http://x/{{pluginId}}", "plugins": ["a"]}]},
            "dynamicPlugins": {"rootDirectory": "plugins", "bytecodeCache": "true"},
            "app": {"anything": ["goes"]},
        }
    )
    assert builtin_schema().validate(config).issues == ()


# -- checking one schema ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "a config schema must be a JSON object, got list"),
        ({"type": "objekt"}, "not a valid JSON schema"),
        ({"properties": {"a": {"pattern": "("}}}, "not a valid JSON schema"),
        ({"properties": {"a": {"visibility": "public"}}}, "invalid visibility 'public'"),
        ({"minimum": float("nan")}, "not JSON data"),
    ],
    ids=["not-an-object", "bad-type", "bad-regex", "bad-visibility", "nan"],
)
def test_a_bad_schema_is_a_problem_of_its_package(value: Any, message: str) -> None:
    """A bad schema becomes a SchemaProblem naming the package, never an exception."""
    problem = check_source("acme-todo", value, "schema.json")
    assert isinstance(problem, SchemaProblem)
    assert problem.package == "acme-todo"
    assert message in problem.message
    assert str(problem).startswith("config schema of acme-todo (schema.json): ")


def test_draft7_schemas_are_checked_by_their_own_metaschema() -> None:
    """A schema naming Draft 7 in $schema is accepted with Draft 7 keywords."""
    value = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"port": {"type": "integer"}},
        "properties": {"port": {"$ref": "#/definitions/port"}},
    }
    assert isinstance(check_source("old", value), SchemaSource)


# -- merging ---------------------------------------------------------------------------


def test_extend_keeps_order_and_drops_exact_repeats() -> None:
    """Sources keep their order; the same source (package, origin, value) is kept once."""
    a, b = source("a", {"type": "object"}), source("b", TODO_SCHEMA)
    problem = SchemaProblem("c", "broken")
    merged = ConfigSchema((a,)).extend(
        ConfigSchema((b, a), (problem,)), ConfigSchema((), (problem,))
    )
    assert merged.sources == (a, b)
    assert merged.problems == (problem,)
    assert merged.packages == ("a", "b")


def test_merged_document_gives_each_source_its_own_id_so_refs_resolve() -> None:
    """Two sources with the same local $ref names still resolve within themselves."""
    first = source(
        "first",
        {"$defs": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/n"}}},
    )
    second = source(
        "second", {"$defs": {"n": {"type": "string"}}, "properties": {"b": {"$ref": "#/$defs/n"}}}
    )
    document = ConfigSchema((first, second, first)).merged()
    ids = [part["$id"] for part in document["allOf"]]
    assert ids == [
        "urn:greenroom:config-schema:first",
        "urn:greenroom:config-schema:second",
        "urn:greenroom:config-schema:first:2",
    ]
    validator = Draft202012Validator(document)
    assert validator.is_valid({"a": 1, "b": "x"})
    assert not validator.is_valid({"a": "x"})
    assert not validator.is_valid({"b": 1})


def test_serialized_format_round_trips() -> None:
    """serialize() writes the .config-schema.json format that read_serialized reads back."""
    schema = ConfigSchema((source("acme-todo", TODO_SCHEMA, "acme_todo/schema.json"),))
    data = schema.serialize()
    assert data["greenroomConfigSchemaVersion"] == 1
    assert data["schemas"][0] == {
        "packageName": "acme-todo",
        "path": "acme_todo/schema.json",
        "value": TODO_SCHEMA,
    }


def test_read_serialized_reads_good_entries_and_reports_bad_ones(tmp_path: Path) -> None:
    """Each entry of .config-schema.json stands alone: bad ones are reported, good ones kept."""
    file = tmp_path / ".config-schema.json"
    file.write_text(
        json.dumps(
            {
                "greenroomConfigSchemaVersion": 1,
                "schemas": [
                    {"packageName": "acme-todo", "value": TODO_SCHEMA},
                    {"packageName": "acme-lib", "value": {"type": 3}},
                    {"packageName": "acme-x"},
                    {"value": {"type": "object"}},
                ],
            }
        )
    )
    schema = read_serialized(file, "acme-bundle")
    assert schema.packages == ("acme-todo", "acme-bundle")
    assert [problem.package for problem in schema.problems] == ["acme-lib", "acme-bundle"]


@pytest.mark.parametrize(
    ("text", "packages", "problem"),
    [
        ("{}", (), None),
        ("[]", (), "not a serialized schema list"),
        ('{"type": "object"}', (), "not a serialized schema list"),
        ('{"greenroomConfigSchemaVersion": 2, "schemas": []}', (), "unsupported"),
        ('{"schemas": {}}', (), "'schemas' must be a list"),
        ("{not json", (), "cannot read"),
    ],
    ids=["empty", "list", "plain-schema", "version", "schemas-not-list", "broken-json"],
)
def test_read_serialized_never_raises(
    tmp_path: Path, text: str, packages: tuple[str, ...], problem: str | None
) -> None:
    """An empty file means no schemas; anything unreadable is one problem for the package."""
    file = tmp_path / ".config-schema.json"
    file.write_text(text)
    schema = read_serialized(file, "acme-bundle")
    assert schema.packages == packages
    if problem is None:
        assert schema.problems == ()
    else:
        assert len(schema.problems) == 1
        assert problem in schema.problems[0].message


# -- installed packages: the greenroom.config_schema entry point --------------------------


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[Path]:
    """A site directory on sys.path for hand-made installed distributions."""
    site = tmp_path / "site"
    site.mkdir()
    sys.path.insert(0, str(site))
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        for name in [
            n
            for n in sys.modules
            if n.partition(".")[0] in {"gr_schema_installed", "gr_schema_broken"}
        ]:
            del sys.modules[name]


def test_installed_schemas_read_the_entry_point_file_with_importlib_resources(
    installed: Path,
) -> None:
    """'<path in the package>' = '<package>' names a JSON or YAML file in the package."""
    write_folder(
        installed,
        "acme-todo",
        {
            "gr_schema_installed/__init__.py": "",
            "gr_schema_installed/schemas/config.yaml": (
                "type: object\nproperties:\n  todo: {type: object}\n"
            ),
        },
        {SCHEMA_GROUP: {"schemas/config.yaml": "gr_schema_installed"}},
    )
    write_folder(
        installed,
        "acme-bad",
        {"gr_schema_broken/__init__.py": ""},
        {SCHEMA_GROUP: {"missing.json": "gr_schema_broken", "../escape.json": "gr_schema_broken"}},
    )
    schema = installed_schemas()
    todo = [s for s in schema.sources if s.package == "acme-todo"]
    assert [s.value["properties"] for s in todo] == [{"todo": {"type": "object"}}]
    assert todo[0].origin == "gr_schema_installed/schemas/config.yaml"
    bad = sorted((p.package, p.message) for p in schema.problems if p.package == "acme-bad")
    assert bad[0][1].startswith("entry point '../escape.json'")
    assert bad[1][1] == "the schema file does not exist"
    assert "acme-todo" not in installed_schemas(skip=["ACME_todo"]).packages


# -- dynamic plugins in the root directory ------------------------------------------------
# Import names of their own: the module loader keeps one copy of a package per process.

PLUGIN_CODE = {
    "gr_schema_todo/__init__.py": """
        from greenroom import BackendPlugin, hookimpl

        class TodoPlugin(BackendPlugin):
            plugin_id = "todo"

            @hookimpl
            def register(self, env):
                env.register_init(lambda: None)
        """,
    "gr_schema_todo/config.schema.json": json.dumps(TODO_SCHEMA),
}


def test_root_directory_schemas_come_from_bundles_and_folders(tmp_path: Path) -> None:
    """A bundle's .config-schema.json and a folder's entry point both join the merged schema."""
    root = tmp_path / "plugins"
    write_bundle(
        root / "todo-bundle",
        "gr-schema-todo",
        PLUGIN_CODE,
        {BACKEND: {"todo": "gr_schema_todo:TodoPlugin"}},
        {"schemas": [{"packageName": "gr-schema-todo", "path": "x", "value": TODO_SCHEMA}]},
    )
    notes_code = {
        "gr_schema_notes/__init__.py": PLUGIN_CODE["gr_schema_todo/__init__.py"]
        .replace('"todo"', '"notes"')
        .replace("TodoPlugin", "NotesPlugin"),
        "gr_schema_notes/schema.json": json.dumps({"properties": {"notes": {"type": "string"}}}),
    }
    write_folder(
        root / "notes",
        "gr-schema-notes",
        notes_code,
        {
            BACKEND: {"notes": "gr_schema_notes:NotesPlugin"},
            SCHEMA_GROUP: {"schema.json": "gr_schema_notes"},
        },
    )
    config = Config.from_data(
        {
            "dynamicPlugins": {"rootDirectory": str(root), "cacheDirectory": str(tmp_path / "c")},
            "todo": {"limit": "many"},
            "notes": 3,
        }
    )
    manager = DynamicPluginManager(config, include_installed=False)
    manager.load()
    assert [p.state for p in manager.plugins(include_failed=True)] == ["loaded", "loaded"], [
        p.failure for p in manager.plugins(include_failed=True)
    ]
    schemas = DynamicPluginsSchemas(config, base=ConfigSchema())
    schemas.add_dynamic_plugins(manager)
    assert schemas.schema.packages == ("gr-schema-notes", "gr-schema-todo")
    assert schemas.add_dynamic_plugins_schemas(ConfigSchema()).packages == (
        "gr-schema-notes",
        "gr-schema-todo",
    )
    issues = schemas.validate().issues
    assert [(i.path, i.package) for i in issues] == [
        ("$.notes", "gr-schema-notes"),
        ("$.todo.limit", "gr-schema-todo"),
    ]


# -- feature hooks ----------------------------------------------------------------------------


class SchemaPlugin(BackendPlugin):
    plugin_id = "catalog"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(lambda: None)

    @hookimpl
    def config_schema(self) -> dict[str, Any]:
        return {"properties": {"catalog": {"type": "object"}}}


class RaisingPlugin(SchemaPlugin):
    plugin_id = "raising"

    @hookimpl
    def config_schema(self) -> dict[str, Any]:
        raise RuntimeError("no schema today")


class WrongPlugin(SchemaPlugin):
    plugin_id = "wrong"

    @hookimpl
    def config_schema(self) -> Any:
        return "type: object"


class QuietPlugin(SchemaPlugin):
    plugin_id = "quiet"

    @hookimpl
    def config_schema(self) -> None:
        return None


class NoHookPlugin(BackendPlugin):
    plugin_id = "no-hook"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(lambda: None)


def test_feature_hooks_contribute_schemas_and_bad_ones_are_problems() -> None:
    """Each feature's config_schema() is called once; raising or non-dict results are problems."""
    features = [SchemaPlugin(), RaisingPlugin(), WrongPlugin(), QuietPlugin(), NoHookPlugin()]
    schema = feature_schemas(features, lambda f: f"pkg-{f.plugin_id}")
    assert [(s.package, s.origin) for s in schema.sources] == [
        ("pkg-catalog", "config_schema() of plugin 'catalog'")
    ]
    assert [(p.package, p.message) for p in schema.problems] == [
        ("pkg-raising", "the hook raised RuntimeError: no schema today"),
        ("pkg-wrong", "a config schema must be a JSON object, got str"),
    ]


class RenamedHookPlugin(NoHookPlugin):
    plugin_id = "renamed"

    @hookimpl(specname="config_schema")
    def schema_please(self) -> dict[str, Any]:
        return {"type": "object"}


class StaticHookPlugin(NoHookPlugin):
    plugin_id = "static"

    @staticmethod
    @hookimpl
    def config_schema() -> dict[str, Any]:
        return {"type": "object"}


class UnmarkedOverridePlugin(SchemaPlugin):
    plugin_id = "unmarked"

    def config_schema(self) -> dict[str, Any]:  # type: ignore[override]  # not a hook here
        return {"type": "object"}


def _instance_hook_plugin() -> NoHookPlugin:
    plugin = NoHookPlugin()

    @hookimpl
    def config_schema() -> dict[str, Any]:
        return {"type": "object"}

    plugin.config_schema = config_schema  # type: ignore[attr-defined]
    return plugin


@pytest.mark.parametrize(
    "make",
    [
        SchemaPlugin,
        NoHookPlugin,
        RenamedHookPlugin,
        StaticHookPlugin,
        UnmarkedOverridePlugin,
        _instance_hook_plugin,
    ],
)
def test_features_left_out_of_the_schema_hooks_are_those_pluggy_finds_none_in(make: Any) -> None:
    """Only a feature in which pluggy finds no config_schema implementation is skipped (issue 8)."""
    from greenroom._api.hookspecs import PROJECT_NAME
    from greenroom._api.plugin_manager import FeaturePluginManager
    from greenroom._config.schema import _may_implement

    feature = make()
    manager = FeaturePluginManager()
    manager.register(feature)
    has_hook = any(impl.plugin is feature for impl in manager.hook.config_schema.get_hookimpls())
    may = _may_implement(feature, "config_schema", f"{PROJECT_NAME}_impl")
    assert may or not has_hook
    if make in (NoHookPlugin, UnmarkedOverridePlugin):
        assert not has_hook
    else:
        assert has_hook
    if make is NoHookPlugin:
        assert not may  # the common case: registering it is skipped


# -- property: merging never crashes and is deterministic ------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)
keywords = st.sampled_from(
    ["type", "properties", "items", "anyOf", "required", "visibility", "$ref", "minimum", "enum"]
)
schema_values = st.recursive(
    st.dictionaries(keywords, json_scalars, max_size=3),
    lambda children: st.dictionaries(
        keywords | st.text(max_size=3),
        children | json_values | st.lists(children, max_size=2),
        max_size=3,
    ),
    max_leaves=10,
)


@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), schema_values), max_size=4),
    json_values,
)
def test_merging_and_validating_any_schemas_never_crashes_and_is_deterministic(
    parts: list[tuple[str, Any]], data: Any
) -> None:
    """Any schemas merge and validate any data without raising, the same way every time."""
    checked = [check_source(package, value) for package, value in parts]
    first = ConfigSchema().extend(*map(build_one, checked))
    second = ConfigSchema().extend(*map(build_one, checked))
    assert first == second
    assert canonical(first.merged()) == canonical(second.merged())
    assert canonical(first.frontend()) == canonical(second.frontend())
    one, two = validate_data(first, data), validate_data(second, data)
    assert [str(i) for i in one.issues] == [str(i) for i in two.issues]
    assert one.visibility == two.visibility
    assert one.secrets == two.secrets
    # Extending is associative: splitting the list anywhere gives the same merge.
    for cut in range(len(checked) + 1):
        left = ConfigSchema().extend(*map(build_one, checked[:cut]))
        right = ConfigSchema().extend(*map(build_one, checked[cut:]))
        assert left.extend(right) == first


def build_one(item: SchemaSource | SchemaProblem) -> ConfigSchema:
    """A schema holding one checked source or problem."""
    if isinstance(item, SchemaSource):
        return ConfigSchema((item,))
    return ConfigSchema((), (item,))


def canonical(value: Any) -> str:
    """``value`` as JSON with sorted keys."""
    return json.dumps(value, sort_keys=True)


def test_an_unreadable_bundle_schema_is_reported_for_its_plugin(tmp_path: Path) -> None:
    """A bundle whose .config-schema.json is broken still loads; its schema is a problem."""
    root = tmp_path / "plugins"
    code = {
        "gr_schema_memo/__init__.py": PLUGIN_CODE["gr_schema_todo/__init__.py"].replace(
            '"todo"', '"memo"'
        )
    }
    write_bundle(
        root / "memo-bundle",
        "gr-schema-memo",
        code,
        {BACKEND: {"memo": "gr_schema_memo:TodoPlugin"}},
        "{not json",
        plugin_id="memo",
    )
    config = Config.from_data(
        {"dynamicPlugins": {"rootDirectory": str(root), "cacheDirectory": str(tmp_path / "c")}}
    )
    manager = DynamicPluginManager(config, include_installed=False)
    manager.load()
    assert [p.state for p in manager.plugins(include_failed=True)] == ["loaded"], [
        p.failure for p in manager.plugins(include_failed=True)
    ]
    schemas = DynamicPluginsSchemas(config, base=ConfigSchema())
    schemas.add_dynamic_plugins(manager)
    assert schemas.validate().ok
    (problem,) = schemas.problems
    assert problem.package == "gr-schema-memo"
    assert problem.message.startswith("cannot read: ")
