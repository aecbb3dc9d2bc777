"""The Config accessors: Backstage's typed getters, their conversions and their errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from greenroom._api.services.config import ConfigService
from greenroom._config import Config
from greenroom._errors import ConfigError, ConfigIssue

DATA: dict[str, Any] = {
    "backend": {
        "baseUrl": "http://localhost:7007",
        "listen": {"port": 7007, "host": ""},
        "cors": {"origins": ["http://a", "http://b"], "enabled": True},
    },
    "numbers": {"int": "7007", "float": "1.5", "neg": "-3", "exp": "1e3", "word": "seven"},
    "bools": {"t": "TRUE", "f": "false", "word": "yes", "num": 1},
    "plugins": [{"id": "a"}, {"id": "b", "opts": {"x": 1}}],
    "mixed": [{"id": "a"}, "b"],
    "strings": ["a", ""],
    "nothing": None,
}


def config(file: str | None = "app-config.yaml") -> Config:
    return Config.from_data(DATA, file=file)


def error(call: Callable[[], object]) -> str:
    with pytest.raises(ConfigError) as caught:
        call()
    (issue,) = caught.value.issues
    return str(issue)


def test_config_satisfies_the_config_service_protocol() -> None:
    """Config implements every ConfigService accessor."""
    assert isinstance(config(), ConfigService)
    assert isinstance(config().get_config("backend"), ConfigService)


def test_get_returns_values_and_the_whole_object() -> None:
    """get reads any JSON value by dot path, and the whole object without a key."""
    cfg = config()
    assert cfg.get("backend.listen.port") == 7007
    assert cfg.get("plugins")[1] == {"id": "b", "opts": {"x": 1}}
    assert cfg.get() == DATA
    assert cfg.get("nothing") is None


def test_get_returns_a_deep_copy() -> None:
    """Mutating what get returns does not change the config."""
    cfg = config()
    cfg.get("backend")["listen"]["port"] = 1
    cfg.as_dict()["backend"]["listen"]["port"] = 2
    assert cfg.get_number("backend.listen.port") == 7007


def test_missing_required_value_names_the_path() -> None:
    """A missing required value is 'missing required config value @ $.path'."""
    assert error(lambda: config().get("backend.missing")) == (
        "missing required config value @ $.backend.missing"
    )


@pytest.mark.parametrize(
    "getter",
    [
        Config.get_string,
        Config.get_number,
        Config.get_boolean,
        Config.get_config,
        Config.get_config_array,
        Config.get_string_array,
    ],
)
def test_every_required_getter_reports_missing_values(getter: Callable[[Config, str], Any]) -> None:
    """Every required getter raises the missing-value error with the absolute path."""
    sub = config().get_config("backend")
    assert error(lambda: getter(sub, "nope.deeper")) == (
        "missing required config value @ $.backend.nope.deeper"
    )


@pytest.mark.parametrize(
    "getter",
    [
        Config.get_optional,
        Config.get_optional_string,
        Config.get_optional_number,
        Config.get_optional_boolean,
        Config.get_optional_config,
        Config.get_optional_config_array,
        Config.get_optional_string_array,
    ],
)
def test_every_optional_getter_returns_none_when_missing(
    getter: Callable[[Config, str], Any],
) -> None:
    """Every optional getter returns None for a missing key."""
    assert getter(config(), "backend.nope") is None


def test_get_string() -> None:
    """get_string returns non-empty strings."""
    assert config().get_string("backend.baseUrl") == "http://localhost:7007"


@pytest.mark.parametrize(
    ("key", "got"),
    [("backend.listen.port", "number"), ("backend.listen.host", "empty-string")],
)
def test_get_string_rejects_numbers_and_empty_strings(key: str, got: str) -> None:
    """A number or an empty string is a type error for get_string, as in Backstage."""
    assert error(lambda: config().get_optional_string(key)) == (
        f"invalid type: wanted string, got {got} @ app-config.yaml:$.{key}"
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("backend.listen.port", 7007),
        ("numbers.int", 7007),
        ("numbers.float", 1.5),
        ("numbers.neg", -3),
        ("numbers.exp", 1000.0),
    ],
)
def test_get_number_converts_numeric_strings(key: str, expected: float) -> None:
    """get_number returns numbers and converts numeric strings."""
    value = config().get_number(key)
    assert (value, type(value)) == (expected, type(expected))


def test_get_number_rejects_non_numeric_strings() -> None:
    """A string that is not a number cannot be converted, and the message says so."""
    assert error(lambda: config().get_number("numbers.word")) == (
        "invalid value: cannot convert string to a number @ app-config.yaml:$.numbers.word"
    )


@pytest.mark.parametrize(
    ("key", "got"), [("backend.cors", "object"), ("backend.cors.enabled", "boolean")]
)
def test_get_number_type_errors_name_expected_and_actual_type(key: str, got: str) -> None:
    """Non-numeric values, booleans included, are type errors naming both types."""
    assert error(lambda: config().get_number(key)) == (
        f"invalid type: wanted number, got {got} @ app-config.yaml:$.{key}"
    )


@pytest.mark.parametrize(
    ("key", "expected"), [("backend.cors.enabled", True), ("bools.t", True), ("bools.f", False)]
)
def test_get_boolean_converts_true_and_false_strings(key: str, expected: bool) -> None:
    """get_boolean returns booleans and converts 'true'/'false' in any case."""
    assert config().get_boolean(key) is expected


def test_get_boolean_rejects_other_strings_and_numbers() -> None:
    """Other strings cannot be converted; numbers are type errors."""
    assert error(lambda: config().get_boolean("bools.word")) == (
        "invalid value: cannot convert string to a boolean @ app-config.yaml:$.bools.word"
    )
    assert error(lambda: config().get_optional_boolean("bools.num")) == (
        "invalid type: wanted boolean, got number @ app-config.yaml:$.bools.num"
    )


def test_null_is_a_value_of_type_null() -> None:
    """A null value is present (has is True) and a type error for typed getters."""
    assert config().has("nothing")
    assert error(lambda: config().get_optional_string("nothing")) == (
        "invalid type: wanted string, got null @ app-config.yaml:$.nothing"
    )


def test_get_config_keeps_absolute_paths_in_messages() -> None:
    """A sub-config reads relative keys but reports absolute paths."""
    listen = config().get_config("backend").get_config("listen")
    assert listen.get_number("port") == 7007
    assert error(lambda: listen.get_string("port")) == (
        "invalid type: wanted string, got number @ app-config.yaml:$.backend.listen.port"
    )


def test_get_config_of_a_non_object_is_a_type_error() -> None:
    """get_config on a non-object names the path and the actual type."""
    assert error(lambda: config().get_optional_config("backend.baseUrl")) == (
        "invalid type: wanted object, got string @ app-config.yaml:$.backend.baseUrl"
    )


def test_get_config_array_gives_configs_with_indexed_paths() -> None:
    """Each element of a config array is a Config whose messages show $.a[1].b."""
    first, second = config().get_config_array("plugins")
    assert (first.get_string("id"), second.get_number("opts.x")) == ("a", 1)
    assert error(lambda: second.get_string("opts.x")) == (
        "invalid type: wanted string, got number @ app-config.yaml:$.plugins[1].opts.x"
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("mixed", "invalid type: wanted object-array, got string @ app-config.yaml:$.mixed[1]"),
        ("backend", "invalid type: wanted object-array, got object @ app-config.yaml:$.backend"),
    ],
)
def test_get_config_array_type_errors(key: str, message: str) -> None:
    """A non-array, or an array with a non-object element, is a type error at that element."""
    assert error(lambda: config().get_config_array(key)) == message


def test_get_string_array() -> None:
    """get_string_array returns a list of non-empty strings."""
    assert config().get_string_array("backend.cors.origins") == ["http://a", "http://b"]


def test_get_string_array_rejects_empty_elements() -> None:
    """An empty string element is a type error located at its index."""
    assert error(lambda: config().get_optional_string_array("strings")) == (
        "invalid type: wanted string-array, got empty-string @ app-config.yaml:$.strings[1]"
    )


def test_has_and_keys() -> None:
    """has tells whether a key is set; keys lists an object's keys in order."""
    cfg = config()
    assert cfg.has("backend.listen.port")
    assert not cfg.has("backend.listen.tls")
    assert cfg.get_config("backend").keys() == ["baseUrl", "listen", "cors"]


def test_reading_through_a_non_object_is_a_type_error() -> None:
    """A key path that goes through a scalar names the scalar's path."""
    assert error(lambda: config().has("backend.baseUrl.x")) == (
        "invalid type: wanted object, got string @ app-config.yaml:$.backend.baseUrl"
    )


@pytest.mark.parametrize("key", ["", "a..b", "a b", ".a", "plugins[0]"])
def test_invalid_keys_are_rejected(key: str) -> None:
    """Keys passed to accessors must be dot paths of valid key parts."""
    assert error(lambda: config().get_optional(key)).startswith(f"invalid config key {key!r}")


def test_values_from_code_have_no_file() -> None:
    """Without a file, messages show only the path."""
    assert error(lambda: config(file=None).get_string("backend.listen.port")) == (
        "invalid type: wanted string, got number @ $.backend.listen.port"
    )
    assert config(file=None).origin("backend") is None


def test_origin_names_the_file_of_a_value() -> None:
    """origin returns the file a value came from and raises for a missing key."""
    assert config().origin("backend.listen.port") == "app-config.yaml"
    assert error(lambda: config().origin("nope")) == "missing required config value @ $.nope"


def test_issue_locates_a_value_for_further_validation() -> None:
    """issue builds a ConfigIssue for a key with its absolute path and file."""
    listen = config().get_config("backend.listen")
    assert listen.issue("port", "must be below 1024") == ConfigIssue(
        "must be below 1024", "$.backend.listen.port", "app-config.yaml"
    )
    assert listen.issue(None, "bad").path == "$.backend.listen"


def test_from_data_copies_tuples_and_mappings() -> None:
    """from_data accepts any mappings and tuples and stores plain dicts and lists."""
    cfg = Config.from_data({"a": ({"b": 1},)})
    assert cfg.as_dict() == {"a": [{"b": 1}]}
    assert cfg.get_config_array("a")[0].get_number("b") == 1


def test_from_data_reports_every_invalid_key_and_value() -> None:
    """from_data rejects invalid keys and non-JSON values, all at once."""
    with pytest.raises(ConfigError) as caught:
        Config.from_data({"a b": 1, "ok": {"$env": "X", "v": object(), "n": float("nan")}})
    assert [issue.path for issue in caught.value.issues] == [
        '$["a b"]',
        '$.ok["$env"]',
        "$.ok.v",
        "$.ok.n",
    ]


def test_repr_shows_path_and_keys_but_no_values() -> None:
    """The repr names the object's path and keys, never values that may be secrets."""
    assert (
        repr(config().get_config("backend.listen"))
        == "Config($.backend.listen, keys=['port', 'host'])"
    )
