"""Loading config files: which files, merge order, YAML parsing and load-time checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenroom._config import DEFAULT_CONFIG_FILES, load_config
from greenroom._errors import ConfigError, ConfigIssue


def write(directory: Path, name: str, text: str) -> Path:
    file = directory / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def test_default_files_are_app_config_then_local() -> None:
    """The default files are app-config.yaml then app-config.local.yaml."""
    assert DEFAULT_CONFIG_FILES == ("app-config.yaml", "app-config.local.yaml")


def test_no_files_give_an_empty_config(tmp_path: Path) -> None:
    """With no config files in the working directory the config is empty, not an error."""
    config = load_config(env={}, cwd=tmp_path)
    assert config.as_dict() == {}
    assert config.keys() == []


def test_local_file_wins_over_app_config(tmp_path: Path) -> None:
    """app-config.local.yaml is read after app-config.yaml, so its values win."""
    write(tmp_path, "app-config.yaml", "app: {title: Base, baseUrl: http://base}\n")
    write(tmp_path, "app-config.local.yaml", "app: {title: Local}\n")
    config = load_config(env={}, cwd=tmp_path)
    assert config.get("app") == {"title": "Local", "baseUrl": "http://base"}


def test_local_file_alone_is_loaded(tmp_path: Path) -> None:
    """A missing app-config.yaml is fine when app-config.local.yaml exists."""
    write(tmp_path, "app-config.local.yaml", "a: 1\n")
    assert load_config(env={}, cwd=tmp_path).get("a") == 1


def test_cwd_defaults_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without cwd the default files are looked up in the process's working directory."""
    write(tmp_path, "app-config.yaml", "a: from-cwd\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}).get_string("a") == "from-cwd"


def test_env_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without env, substitution and APP_CONFIG_ overrides read os.environ."""
    write(tmp_path, "app-config.yaml", "a: ${GREENROOM_TEST_VALUE}\n")
    monkeypatch.setenv("GREENROOM_TEST_VALUE", "from-environ")
    monkeypatch.setenv("APP_CONFIG_b", "2")
    config = load_config(cwd=tmp_path)
    assert (config.get("a"), config.get("b")) == ("from-environ", 2)


def test_given_paths_replace_the_defaults(tmp_path: Path) -> None:
    """Paths passed with --config are read instead of the default files."""
    write(tmp_path, "app-config.yaml", "a: default\nonly: default\n")
    write(tmp_path, "prod.yaml", "a: prod\n")
    config = load_config(["prod.yaml"], env={}, cwd=tmp_path)
    assert config.as_dict() == {"a": "prod"}


def test_given_paths_merge_in_order(tmp_path: Path) -> None:
    """Later --config files win over earlier ones."""
    first = write(tmp_path, "one.yaml", "a: 1\nb: 1\n")
    write(tmp_path, "sub/two.yaml", "b: 2\nc: 2\n")
    config = load_config([first, "sub/two.yaml"], env={}, cwd=tmp_path)
    assert config.as_dict() == {"a": 1, "b": 2, "c": 2}


def test_missing_given_path_is_an_error_naming_file_and_fix(tmp_path: Path) -> None:
    """A --config path that does not exist is reported with the file and how to fix it."""
    with pytest.raises(ConfigError) as caught:
        load_config(["nope.yaml"], env={}, cwd=tmp_path)
    assert caught.value.issues == (ConfigIssue("config file does not exist", "$", "nope.yaml"),)
    assert "Check the --config paths" in caught.value.hint
    assert str(tmp_path) in caught.value.hint


def test_directory_given_as_path_is_an_error(tmp_path: Path) -> None:
    """A --config path naming a directory is reported as not a file."""
    (tmp_path / "conf").mkdir()
    with pytest.raises(ConfigError, match=r"config file is not a file @ conf:\$"):
        load_config(["conf"], env={}, cwd=tmp_path)


def test_objects_merge_deeply_and_arrays_are_replaced(tmp_path: Path) -> None:
    """Mappings merge key by key across files; an array in a later file replaces the earlier one."""
    write(tmp_path, "app-config.yaml", "b:\n  l: [1, 2, 3]\n  x: {keep: 1, over: 1}\n")
    write(tmp_path, "app-config.local.yaml", "b:\n  l: [4]\n  x: {over: 2, new: 2}\n")
    config = load_config(env={}, cwd=tmp_path)
    assert config.get("b") == {"l": [4], "x": {"keep": 1, "over": 2, "new": 2}}


def test_scalar_in_later_file_replaces_a_whole_mapping(tmp_path: Path) -> None:
    """A non-mapping value in a later file replaces a mapping from an earlier file."""
    write(tmp_path, "app-config.yaml", "a: {b: 1}\n")
    write(tmp_path, "app-config.local.yaml", "a: flat\n")
    assert load_config(env={}, cwd=tmp_path).get("a") == "flat"


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    """Invalid YAML is a ConfigError naming the file and the line of the problem."""
    write(tmp_path, "app-config.yaml", "a: 1\nb: [unclosed\nc: 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(env={}, cwd=tmp_path)
    (issue,) = caught.value.issues
    assert issue.file == "app-config.yaml"
    assert issue.description.startswith("invalid YAML at line ")
    assert "Fix the YAML in app-config.yaml" in caught.value.hint


def test_yaml_error_line_number_is_one_based(tmp_path: Path) -> None:
    """The line in a YAML error is the 1-based line an editor shows."""
    write(tmp_path, "app-config.yaml", "a: 1\nb: 2\n  c: 3\n")
    with pytest.raises(ConfigError, match=r"invalid YAML at line 3, column 4: mapping values"):
        load_config(env={}, cwd=tmp_path)


def test_yaml_error_names_where_an_unclosed_construct_started(tmp_path: Path) -> None:
    """For an unterminated quote the error also names the line where the quote opened."""
    write(tmp_path, "app-config.yaml", "a: 1\nb: 'open\n")
    with pytest.raises(ConfigError, match=r"quoted scalar at line 2, column 4"):
        load_config(env={}, cwd=tmp_path)


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    """A key written twice in one mapping is an error, not a silent last-wins."""
    write(tmp_path, "app-config.yaml", "a: 1\nb: 2\na: 3\n")
    with pytest.raises(ConfigError, match=r"line 3.*found duplicate key 'a'"):
        load_config(env={}, cwd=tmp_path)


def test_yaml_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    """Keys next to a YAML merge key (<<) override merged ones without a duplicate error."""
    write(tmp_path, "app-config.yaml", "base: &b {x: 1, y: 1}\nuse:\n  <<: *b\n  y: 2\n")
    assert load_config(env={}, cwd=tmp_path).get("use") == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("2024-01-01", "2024-01-01"),
        ("true", True),
        ("False", False),
        ("7007", 7007),
        ("1.5", 1.5),
        ("~", None),
    ],
)
def test_scalars_follow_yaml_1_2(tmp_path: Path, text: str, expected: object) -> None:
    """Scalars resolve as in Backstage's YAML 1.2 parser: only true/false are booleans, no dates."""
    write(tmp_path, "app-config.yaml", f"v: {text}\n")
    assert load_config(env={}, cwd=tmp_path).get_optional("v") == expected


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    """A config file whose top level is not a mapping is an error naming the file."""
    write(tmp_path, "app-config.yaml", "- a\n- b\n")
    with pytest.raises(ConfigError) as caught:
        load_config(env={}, cwd=tmp_path)
    assert caught.value.issues == (
        ConfigIssue(
            "the top level of a config file must be a mapping, got array", "$", "app-config.yaml"
        ),
    )


def test_empty_file_is_an_empty_config(tmp_path: Path) -> None:
    """A config file holding only comments contributes nothing."""
    write(tmp_path, "app-config.yaml", "# nothing yet\n")
    assert load_config(env={}, cwd=tmp_path).as_dict() == {}


def test_invalid_keys_are_errors_naming_the_key_path(tmp_path: Path) -> None:
    """Keys not matching Backstage's key pattern are reported with their full path."""
    write(tmp_path, "app-config.yaml", "a:\n  b c: 1\n  ok: {9lives: 2}\n  1: x\n")
    with pytest.raises(ConfigError) as caught:
        load_config(env={}, cwd=tmp_path)
    paths = [(issue.path, issue.file) for issue in caught.value.issues]
    assert paths == [
        ('$.a["b c"]', "app-config.yaml"),
        ('$.a.ok["9lives"]', "app-config.yaml"),
        ('$.a["1"]', "app-config.yaml"),
    ]
    assert all("invalid key" in issue.description for issue in caught.value.issues)


@pytest.mark.parametrize("key", ["baseUrl", "client-id", "max_age", "a1", "A"])
def test_valid_keys_are_accepted(tmp_path: Path, key: str) -> None:
    """camelCase, kebab-case and snake_case keys are all valid."""
    write(tmp_path, "app-config.yaml", f"{key}: 1\n")
    assert load_config(env={}, cwd=tmp_path).get(key) == 1


def test_non_finite_numbers_are_rejected(tmp_path: Path) -> None:
    """YAML's .inf and .nan are not valid config values."""
    write(tmp_path, "app-config.yaml", "a: .inf\nb: .nan\n")
    with pytest.raises(ConfigError) as caught:
        load_config(env={}, cwd=tmp_path)
    assert [issue.path for issue in caught.value.issues] == ["$.a", "$.b"]


def test_non_json_yaml_values_are_rejected(tmp_path: Path) -> None:
    """Explicitly tagged YAML values that are not JSON (binary, sets) are errors."""
    write(tmp_path, "app-config.yaml", "a: !!binary aGk=\n")
    with pytest.raises(
        ConfigError, match=r"unsupported value of type bytes: .* @ app-config.yaml:\$.a"
    ):
        load_config(env={}, cwd=tmp_path)


def test_all_problems_in_all_files_are_reported_at_once(tmp_path: Path) -> None:
    """One load reports every problem of every file in one ConfigError."""
    write(tmp_path, "one.yaml", "a: ${MISSING_ONE}\nb: ${MISSING_TWO}\n")
    write(tmp_path, "two.yaml", "c: [\n")
    with pytest.raises(ConfigError) as caught:
        load_config(["one.yaml", "two.yaml", "three.yaml"], env={}, cwd=tmp_path)
    located = [(issue.file, issue.path) for issue in caught.value.issues]
    assert located == [
        ("three.yaml", "$"),
        ("one.yaml", "$.a"),
        ("one.yaml", "$.b"),
        ("two.yaml", "$"),
    ]
    assert str(caught.value).startswith("invalid configuration:\n  ")


def test_files_outside_cwd_are_shown_by_absolute_path(tmp_path: Path) -> None:
    """A config file outside the working directory is named by its absolute path."""
    outside = write(tmp_path, "elsewhere/app.yaml", "a: 1\n")
    (tmp_path / "work").mkdir()
    config = load_config([outside], env={}, cwd=tmp_path / "work")
    assert config.origin("a") == str(outside)
