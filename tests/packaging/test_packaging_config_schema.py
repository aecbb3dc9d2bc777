"""``config-schema`` in ``[tool.greenroom]``: checked, and an entry point by ``repo fix``."""

from __future__ import annotations

import importlib.resources
import json
import sys
import tomllib
from collections.abc import Callable
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st
from packaging_builders import WorkspaceBuilder, member_toml

from greenroom import PackageMetadataError
from greenroom._config.schema import SchemaSource, schema_from_entry_point
from greenroom._packaging.check import (
    check_package,
    config_schema_entry_point,
    consistency_problems,
)
from greenroom._packaging.metadata import parse_metadata
from greenroom._packaging.project import read_package

REPO = Path(__file__).resolve().parents[2]
FILE = "plugins/x/pyproject.toml"
NAME = "acme-plugin-todo-backend"
IMPORT = "acme_plugin_todo_backend"
GROUP = "greenroom.config_schema"
SCHEMA = '{"type": "object", "properties": {"todo": {"type": "object"}}}\n'
READY = {"plugin-id": "todo", "plugin-packages": [NAME]}


def put(directory: Path, relative: str, text: str = SCHEMA) -> Path:
    """Write ``text`` to ``directory/relative``, creating folders."""
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def plugin(
    root: Path,
    path: str = "config.schema.json",
    *,
    schema_entries: dict[str, str] | None = None,
) -> Path:
    """The todo backend plugin in ``root``: config-schema ``path``, and a src/ package with it.

    ``schema_entries`` is the greenroom.config_schema group as the user wrote it.
    """
    entry_points = {"greenroom.backend_plugin": {"todo": f"{IMPORT}:TodoPlugin"}}
    if schema_entries is not None:
        # Quoted: the names are paths, with dots and slashes.
        entry_points[GROUP] = {json.dumps(key): value for key, value in schema_entries.items()}
    greenroom = {**READY, "config-schema": path}
    text = member_toml(NAME, "backend-plugin", greenroom=greenroom, entry_points=entry_points)
    put(root, "pyproject.toml", text)
    put(root, f"src/{IMPORT}/__init__.py", "")
    put(root, f"src/{IMPORT}/config.schema.json")
    return root


def problems_of(directory: Path) -> list[str]:
    """read_package's and the always-apply problems of the package in ``directory``."""
    package = read_package(directory, "pyproject.toml")
    return [*package.problems, *consistency_problems(package)]


def entry_points(directory: Path) -> dict[str, str]:
    """The greenroom.config_schema table as written on disk."""
    data = tomllib.loads((directory / "pyproject.toml").read_text("utf-8"))
    table: dict[str, str] = data["project"].get("entry-points", {}).get(GROUP, {})
    return table


# --- the key ---------------------------------------------------------------------------


def test_the_key_is_part_of_the_model() -> None:
    """config-schema is read into GreenroomMetadata.config_schema, for any role."""
    for role in ("backend-plugin", "common-library", "backend"):
        table = {"role": role, "config-schema": "schemas/config.yaml"}
        assert parse_metadata(table, FILE).config_schema == "schemas/config.yaml"


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("", "config-schema is empty"),
        ("/abs/config.json", "'/abs/config.json' is an absolute path"),
        ("C:/config.json", "is an absolute path"),
        ("../config.json", "leaves the package through '..'"),
        ("a/../../config.json", "leaves the package through '..'"),
        ("schemas\\config.json", "is not a POSIX path"),
        ("./config.json", "has an empty or '.' part"),
        ("schemas//config.json", "has an empty or '.' part"),
        ("schemas/", "has an empty or '.' part"),
        ("a=b.json", "cannot be an entry point name"),
        ("[x].json", "cannot be an entry point name"),
    ],
)
def test_a_bad_path_is_refused_with_its_key_path(path: str, says: str) -> None:
    """Not a relative POSIX path inside the package (or not an entry point name): refused."""
    with pytest.raises(PackageMetadataError) as info:
        parse_metadata({"role": "backend-plugin", "config-schema": path}, FILE)
    (problem,) = info.value.problems
    assert says in problem
    assert problem.endswith(f" @ {FILE}:$.tool.greenroom.config-schema")


def test_every_problem_is_reported_at_once() -> None:
    """A bad path next to a bad role and a bad kind: one error, one line per key."""
    with pytest.raises(PackageMetadataError) as info:
        parse_metadata({"role": "plugin", "inline": 1, "config-schema": "/x\\y"}, FILE)
    role, inline, path = info.value.problems
    assert role.endswith("$.tool.greenroom.role")
    assert inline.endswith("$.tool.greenroom.inline")
    assert path == (
        "'/x\\\\y' is not a POSIX path; fix: separate folders with '/'; '/x\\\\y' is an "
        'absolute path; fix: write the path of the file inside the package, e.g. "config.'
        f'schema.json" @ {FILE}:$.tool.greenroom.config-schema'
    )


def test_a_path_of_the_wrong_kind_is_refused() -> None:
    """config-schema is a string: an array is reported, not turned into one."""
    with pytest.raises(PackageMetadataError) as info:
        parse_metadata({"role": "cli", "config-schema": ["a.json"]}, FILE)
    assert info.value.problems == (
        f"expected a string, got an array @ {FILE}:$.tool.greenroom.config-schema",
    )


@given(st.text(max_size=30))
def test_any_text_is_accepted_or_refused_cleanly(path: str) -> None:
    """Never an uncaught exception; what is accepted stays inside the package."""
    table = {"role": "node-library", "config-schema": path}
    try:
        metadata = parse_metadata(table, FILE)
    except PackageMetadataError as exc:
        problems = exc.problems
    else:
        assert metadata.config_schema == path
        parts = path.split("/")
        assert not path.startswith("/")
        assert ".." not in parts
        assert "" not in parts
        assert "\\" not in path
        assert "=" not in path
        return
    assert all(
        p.endswith(" @ plugins/x/pyproject.toml:$.tool.greenroom.config-schema") for p in problems
    )


# --- the source tree -------------------------------------------------------------------


def test_a_schema_in_the_package_is_fine(tmp_path: Path) -> None:
    """src/<name with _>/config.schema.json with its entry point: no problem."""
    plugin(tmp_path, schema_entries={"config.schema.json": IMPORT})
    assert problems_of(tmp_path) == []


@pytest.mark.parametrize("layout", ["src/acme_todo", "acme_todo"])
def test_the_package_the_entry_point_imports_comes_first(tmp_path: Path, layout: str) -> None:
    """A package not named after the distribution is found from its entry point, src/ or flat."""
    put(
        tmp_path,
        "pyproject.toml",
        member_toml(
            NAME,
            "backend-plugin",
            greenroom={"config-schema": "schemas/config.yaml"},
            entry_points={"greenroom.backend_plugin": {"todo": "acme_todo.plugin:TodoPlugin"}},
        ),
    )
    put(tmp_path, f"{layout}/__init__.py", "")
    put(tmp_path, f"{layout}/schemas/config.yaml", "type: object\n")
    put(tmp_path, f"{layout.replace('acme_todo', IMPORT)}/__init__.py", "")
    package = read_package(tmp_path, "pyproject.toml")
    assert consistency_problems(package) == []
    assert config_schema_entry_point(package) == ("schemas/config.yaml", "acme_todo")


def test_a_missing_file_names_where_it_looked(tmp_path: Path) -> None:
    """The file must exist in the package's folder; the message shows the path looked at."""
    plugin(tmp_path, "schemas/config.json")
    assert problems_of(tmp_path) == [
        "config-schema 'schemas/config.json' is not a file of package acme_plugin_todo_backend: "
        f"src/{IMPORT}/schemas/config.json does not exist; fix: create it, or correct the path "
        f"(relative to {IMPORT}'s folder) @ pyproject.toml:$.tool.greenroom.config-schema"
    ]


HATCH_FLAT = """
[tool.hatch.build.targets.wheel]
packages = ["acme_notes"]
"""


def test_the_only_package_is_the_one(tmp_path: Path) -> None:
    """A library whose one package is not named after it: that package (hatch's packages here)."""
    text = member_toml("acme-plugin-notes-common", "common-library")
    put(
        tmp_path,
        "pyproject.toml",
        text.replace("[tool.greenroom]", '[tool.greenroom]\nconfig-schema = "s.json"') + HATCH_FLAT,
    )
    put(tmp_path, "acme_notes/__init__.py", "")
    put(tmp_path, "acme_notes/s.json")
    package = read_package(tmp_path, "pyproject.toml")
    assert consistency_problems(package) == []
    assert config_schema_entry_point(package) == ("s.json", "acme_notes")


@pytest.mark.parametrize("folders", [[], ["acme_a", "acme_b"]])
def test_an_unknown_package_is_reported(tmp_path: Path, folders: list[str]) -> None:
    """No package, or several none of which is named: the message lists what it found."""
    put(
        tmp_path,
        "pyproject.toml",
        member_toml(NAME, "backend-plugin", greenroom=READY | {"config-schema": "c.json"}),
    )
    for folder in folders:
        put(tmp_path, f"src/{folder}/__init__.py", "")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(
        "cannot tell which import package config-schema 'c.json' is a path in: the package "
        f"folders found (with an __init__.py) are {', '.join(folders) or 'none'}, none is {IMPORT}"
    )
    assert problem.endswith("@ pyproject.toml:$.tool.greenroom.config-schema")


def test_a_user_entry_point_that_disagrees_is_reported(tmp_path: Path) -> None:
    """An entry in the group that repo fix would not write is reported on the group."""
    plugin(tmp_path, schema_entries={"config.schema.json": "other_package"})
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(
        "the greenroom.config_schema entry points ('config.schema.json' = 'other_package') "
        f"disagree with config-schema, which stands for 'config.schema.json' = '{IMPORT}'"
    )
    assert problem.endswith(f'@ pyproject.toml:$.project.entry-points["{GROUP}"]')
    assert config_schema_entry_point(read_package(tmp_path, "pyproject.toml")) is None


# --- repo fix --------------------------------------------------------------------------


@pytest.fixture
def todo(workspace: WorkspaceBuilder) -> Path:
    """A workspace whose one member is the todo plugin, without its schema entry point."""
    workspace.write_root()
    return plugin(workspace.root / "plugins" / NAME)


@pytest.mark.parametrize("publish", [[], ["--publish"]])
def test_repo_fix_writes_the_entry_point(
    todo: Path, run: Callable[..., Result], publish: list[str]
) -> None:
    """With or without --publish: --check exits 1 naming it, repo fix writes it, then in sync."""
    check = run("repo", "fix", *publish, "--check")
    assert check.exit_code == 1
    assert f'project.entry-points."{GROUP}"."config.schema.json"' in check.stdout
    assert entry_points(todo) == {}
    assert run("repo", "fix", *publish).exit_code == 0
    assert entry_points(todo) == {"config.schema.json": IMPORT}
    again = run("repo", "fix", *publish, "--check")
    assert again.exit_code == 0, again.output


COMMENTED = f"""\
[project]
name = "{NAME}"  # by the naming scheme
version = "1.0"

[project.entry-points."greenroom.backend_plugin"]
todo = "{IMPORT}:TodoPlugin"  # the plugin class

# The urls.
[project.urls]
Source = "https://example.org/todo"

[tool.greenroom]
role = "backend-plugin"   # aligned
plugin-id = "todo"
plugin-packages = ["{NAME}"]
config-schema = "config.schema.json"  # the schema of todo.*
"""


def test_the_edit_keeps_everything_else(todo: Path, run: Callable[..., Result]) -> None:
    """The group is added after the other entry points; every comment stays as written."""
    put(todo, "pyproject.toml", COMMENTED)
    assert run("repo", "fix").exit_code == 0
    assert (todo / "pyproject.toml").read_text("utf-8") == COMMENTED.replace(
        "# The urls.\n",
        f'[project.entry-points."{GROUP}"]\n"config.schema.json" = "{IMPORT}"\n\n# The urls.\n',
    )


INLINE = f'entry-points = {{ "greenroom.backend_plugin" = {{ todo = "{IMPORT}:X" }} }}'


@pytest.mark.parametrize(
    ("name", "role", "project_extra"),
    [(NAME, "backend-plugin", INLINE), ("acme-todo-utils", "node-library", "")],
    ids=["inline-table", "no-entry-points"],
)
def test_the_group_is_made_in_the_form_around_it(
    workspace: WorkspaceBuilder,
    run: Callable[..., Result],
    name: str,
    role: str,
    project_extra: str,
) -> None:
    """In an inline entry-points table it is inline; where there is none, one [header] only."""
    workspace.write_root()
    folder = workspace.root / "plugins" / name
    text = member_toml(
        name,
        role,
        greenroom={"config-schema": "config.schema.json"},
        entry_points={},
        project_extra=project_extra,
    )
    put(folder, "pyproject.toml", text)
    package = name.replace("-", "_")
    put(folder, f"src/{package}/__init__.py", "")
    put(folder, f"src/{package}/config.schema.json")
    result = run("repo", "fix")
    assert result.exit_code == 0, result.output
    text = (folder / "pyproject.toml").read_text("utf-8")
    assert entry_points(folder) == {"config.schema.json": package}
    assert "[project.entry-points]" not in text
    header = '[project.entry-points."greenroom.config_schema"]\n' in text
    assert header is not bool(project_extra)


def test_a_moved_schema_updates_the_entry_point(todo: Path, run: Callable[..., Result]) -> None:
    """The package's one entry is what repo fix wrote: a new config-schema renames it."""
    assert run("repo", "fix").exit_code == 0
    text = (todo / "pyproject.toml").read_text("utf-8")
    put(todo, "pyproject.toml", text.replace('"config.schema.json"\n', '"schemas/todo.yaml"\n'))
    put(todo, f"src/{IMPORT}/schemas/todo.yaml", "type: object\n")
    assert run("repo", "fix").exit_code == 0
    assert entry_points(todo) == {"schemas/todo.yaml": IMPORT}


def test_a_user_entry_point_is_never_overwritten(
    workspace: WorkspaceBuilder, run: Callable[..., Result]
) -> None:
    """A disagreeing entry the user wrote: repo fix exits 1 with the hand fix, writes nothing."""
    workspace.write_root()
    folder = plugin(
        workspace.root / "plugins" / NAME,
        schema_entries={"config.schema.json": IMPORT, "extra.json": IMPORT},
    )
    before = (folder / "pyproject.toml").read_bytes()
    for args in (["--check"], [], ["--publish"]):
        result = run("repo", "fix", *args)
        assert result.exit_code == 1
        assert "disagree with config-schema" in result.stderr
        assert "nothing was written" in result.stderr
    assert (folder / "pyproject.toml").read_bytes() == before


# --- package check ---------------------------------------------------------------------


def test_package_check_wants_the_entry_point_written(tmp_path: Path) -> None:
    """Before repo fix, package check says to run it; the group is where to look."""
    plugin(tmp_path)
    with pytest.raises(PackageMetadataError) as info:
        check_package(tmp_path)
    (problem,) = info.value.problems
    assert "entry point of config-schema is missing or out of date" in problem
    assert "please run `greenroom repo fix`" in problem


@pytest.mark.parametrize(
    ("file", "text", "says"),
    [
        ("config.schema.json", "{not json", "cannot read the schema file: JSONDecodeError"),
        ("config.schema.json", '{"type": "objekt"}', "not a valid JSON schema"),
        ("config.schema.json", "[1, 2]", "a config schema must be a JSON object"),
        ("config.yaml", "type: [", "cannot read the schema file"),
        ("config.yaml", "type: object\nproperties: {a: {visibility: public}}\n", "visibility"),
    ],
)
def test_package_check_reads_the_schema(tmp_path: Path, file: str, text: str, says: str) -> None:
    """The file must be JSON (YAML for .yaml/.yml) and a valid JSON schema."""
    plugin(tmp_path, file, schema_entries={file: IMPORT})
    put(tmp_path, f"src/{IMPORT}/{file}", text)
    with pytest.raises(PackageMetadataError) as info:
        check_package(tmp_path)
    (problem,) = info.value.problems
    assert problem.startswith(f"config-schema {file!r}: ")
    assert says in problem
    assert problem.endswith(f"@ {tmp_path / 'pyproject.toml'}:$.tool.greenroom.config-schema")


def test_package_check_passes_a_valid_yaml_schema(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    """A valid YAML schema with its entry point is ready to publish."""
    plugin(tmp_path, "schemas/config.yml", schema_entries={"schemas/config.yml": IMPORT})
    put(tmp_path, f"src/{IMPORT}/schemas/config.yml", "type: object\n")
    result = run("package", "check", str(tmp_path))
    assert result.exit_code == 0, result.output


def test_the_generated_entry_point_is_what_the_runtime_reads(
    todo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runtime's reader finds the schema through the entry point repo fix wrote."""
    assert run("repo", "fix").exit_code == 0
    ((name, value),) = entry_points(todo).items()
    monkeypatch.syspath_prepend(str(todo / "src"))

    def locate(package: str, path: str) -> Traversable:
        return importlib.resources.files(package).joinpath(*path.split("/"))

    try:
        found = schema_from_entry_point(NAME, name, value, locate)
    finally:
        sys.modules.pop(IMPORT, None)  # imported from this test's folder: not for others
    assert isinstance(found, SchemaSource)
    assert found.value["properties"] == {"todo": {"type": "object"}}


@pytest.mark.parametrize(
    "folder",
    [
        "contrib_plugins/greenroom-plugin-todo-backend",
        "contrib_plugins/greenroom-plugin-catalog-backend-module-yaml-files",
    ],
)
def test_the_contrib_plugins_declare_config_schema(folder: str) -> None:
    """This repository's plugins with a schema declare config-schema; their entry point is its."""
    package = check_package(REPO / folder)
    assert package.metadata is not None
    assert package.metadata.config_schema == "config.schema.json"
    wanted = config_schema_entry_point(package)
    assert wanted is not None
    assert package.entry_points[GROUP] == dict([wanted])
