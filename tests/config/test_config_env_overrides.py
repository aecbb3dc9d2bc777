"""APP_CONFIG_<path> environment variables overriding config values."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenroom._config import load_config
from greenroom._errors import ConfigError


def load(directory: Path, text: str | None = None, **env: str) -> dict[str, object]:
    if text is not None:
        (directory / "app-config.yaml").write_text(text, encoding="utf-8")
    return load_config(env=env, cwd=directory).as_dict()


def issues(directory: Path, **env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(env=env, cwd=directory)
    assert "APP_CONFIG_backend_listen_port=7008" in caught.value.hint
    return [str(issue) for issue in caught.value.issues]


def test_override_sets_a_nested_key(tmp_path: Path) -> None:
    """APP_CONFIG_backend_listen_port=7008 sets backend.listen.port to the number 7008."""
    assert load(tmp_path, APP_CONFIG_backend_listen_port="7008") == {
        "backend": {"listen": {"port": 7008}}
    }


def test_keys_are_case_sensitive(tmp_path: Path) -> None:
    """Path segments keep their case: APP_CONFIG_dynamicPlugins_rootDirectory."""
    assert load(tmp_path, APP_CONFIG_dynamicPlugins_rootDirectory="/plugins") == {
        "dynamicPlugins": {"rootDirectory": "/plugins"}
    }


def test_kebab_case_segments_are_allowed(tmp_path: Path) -> None:
    """A segment may contain '-', since only '_' separates segments."""
    assert load(tmp_path, **{"APP_CONFIG_auth_client-id": "abc"}) == {"auth": {"client-id": "abc"}}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("1.5", 1.5),
        ('"false"', "false"),
        ('{"a": [1, "x"]}', {"a": [1, "x"]}),
        ("[1, 2]", [1, 2]),
        ("not json", "not json"),
        ("007", "007"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
    ],
)
def test_values_parse_as_json_else_string(tmp_path: Path, raw: str, value: object) -> None:
    """Values are JSON when they parse as JSON (NaN/Infinity are not JSON), strings otherwise."""
    assert load(tmp_path, APP_CONFIG_v=raw) == {"v": value}


def test_overrides_win_over_files_and_merge_deeply(tmp_path: Path) -> None:
    """Overrides are applied last: they win over files and keep untouched keys."""
    text = "backend:\n  listen: {port: 7007, host: localhost}\n"
    (tmp_path / "app-config.yaml").write_text(text)
    (tmp_path / "app-config.local.yaml").write_text("backend: {listen: {port: 7100}}\n")
    config = load_config(env={"APP_CONFIG_backend_listen_port": "7008"}, cwd=tmp_path)
    assert config.as_dict() == {"backend": {"listen": {"port": 7008, "host": "localhost"}}}
    assert load(tmp_path, text, APP_CONFIG_backend_listen='{"tls": true}') == {
        "backend": {"listen": {"port": 7100, "host": "localhost", "tls": True}}
    }


def test_override_values_have_no_file(tmp_path: Path) -> None:
    """A value set by an override has no file as its origin."""
    (tmp_path / "app-config.yaml").write_text("a: 1\nb: 2\n")
    config = load_config(env={"APP_CONFIG_a": "9"}, cwd=tmp_path)
    assert (config.origin("a"), config.origin("b")) == (None, "app-config.yaml")


def test_other_variables_and_empty_values_are_ignored(tmp_path: Path) -> None:
    """Variables without the exact prefix, and empty values, set nothing."""
    assert load(tmp_path, APP_CONFIG_a="", app_config_b="1", APP_CONFIGc="2") == {}


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("APP_CONFIG_", '$[""]'),
        ("APP_CONFIG_a__b", '$.a[""].b'),
        ("APP_CONFIG_a_", '$.a[""]'),
        ("APP_CONFIG_1a", '$["1a"]'),
        ("APP_CONFIG_a.b", '$["a.b"]'),
    ],
)
def test_invalid_names_are_errors(tmp_path: Path, name: str, path: str) -> None:
    """Empty or invalid segments in the variable name are a ConfigError naming it."""
    assert issues(tmp_path, **{name: "1"}) == [
        f"invalid environment variable name {name!r}: each '_'-separated part after "
        f"APP_CONFIG_ must start with a letter and hold only letters, digits and '-' @ {path}"
    ]


def test_null_value_is_an_error(tmp_path: Path) -> None:
    """An override may not set null."""
    assert issues(tmp_path, APP_CONFIG_a="null") == [
        "APP_CONFIG_a may not be null; leave the variable unset instead @ $.a"
    ]


def test_override_inside_a_non_object_override_is_an_error(tmp_path: Path) -> None:
    """APP_CONFIG_a=1 with APP_CONFIG_a_b=2 is a conflict naming both variables."""
    assert issues(tmp_path, APP_CONFIG_a="1", APP_CONFIG_a_b="2") == [
        "cannot set APP_CONFIG_a_b inside the non-object value of APP_CONFIG_a @ $.a.b"
    ]


def test_override_of_a_value_set_by_another_override_is_an_error(tmp_path: Path) -> None:
    """Two overrides setting the same key is an error rather than an arbitrary winner."""
    assert issues(tmp_path, APP_CONFIG_a='{"b": 1}', APP_CONFIG_a_b="2") == [
        "APP_CONFIG_a_b sets a value already set by another APP_CONFIG_ variable @ $.a.b"
    ]


def test_overrides_nest_into_an_object_override(tmp_path: Path) -> None:
    """An override may add keys inside an object set by a shorter override."""
    assert load(tmp_path, APP_CONFIG_a='{"b": 1}', APP_CONFIG_a_c="2") == {"a": {"b": 1, "c": 2}}


def test_invalid_keys_in_json_values_are_errors(tmp_path: Path) -> None:
    """Keys inside a JSON override value must be valid config keys."""
    (issue,) = issues(tmp_path, APP_CONFIG_a='{"ok": {"bad key": 1}}')
    assert issue.startswith("invalid key 'bad key' in the JSON value of APP_CONFIG_a")
    assert issue.endswith('@ $.a.ok["bad key"]')


def test_override_errors_are_reported_with_file_errors(tmp_path: Path) -> None:
    """Problems in files and in overrides are reported together."""
    (tmp_path / "app-config.yaml").write_text("a: ${MISSING}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(env={"APP_CONFIG_": "1"}, cwd=tmp_path)
    assert [issue.file for issue in caught.value.issues] == ["app-config.yaml", None]
