"""Substitution: ${VAR}, $env, $file and $include, with their errors and provenance."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from greenroom._config import Config, Substitution, load_config
from greenroom._config.substitution import interpolate
from greenroom._errors import ConfigError

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
NO_DOLLAR = st.text(st.characters(blacklist_characters="$", blacklist_categories=("Cs",)))
YAML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")))


def write(directory: Path, name: str, text: str) -> Path:
    file = directory / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def load(directory: Path, text: str, **env: str) -> Config:
    write(directory, "app-config.yaml", text)
    return load_config(env=env, cwd=directory)


def issues_of(directory: Path, text: str, **env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(directory, text, **env)
    return [str(issue) for issue in caught.value.issues]


# -- ${VAR} -----------------------------------------------------------------


def test_variable_is_substituted_inside_a_string(tmp_path: Path) -> None:
    """${VAR} is replaced by the variable's value anywhere in a string."""
    config = load(tmp_path, "url: http://${HOST}:${PORT}/api\n", HOST="example.com", PORT="80")
    assert config.get_string("url") == "http://example.com:80/api"


@pytest.mark.parametrize(("env", "expected"), [({}, "fallback"), ({"V": ""}, "fallback")])
def test_default_is_used_when_unset_or_empty(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    """${VAR:-default} uses the default when the variable is unset or empty."""
    assert load(tmp_path, "a: ${V:-fallback}\n", **env).get("a") == expected


def test_default_is_ignored_when_set(tmp_path: Path) -> None:
    """${VAR:-default} uses the variable when it is set and non-empty."""
    assert load(tmp_path, "a: ${V:-fallback}\n", V="set").get("a") == "set"


def test_empty_variable_without_default_gives_empty_string(tmp_path: Path) -> None:
    """A variable that is set but empty substitutes as an empty string."""
    assert load(tmp_path, "a: x${V}y\n", V="").get("a") == "xy"


def test_escape_gives_a_literal_reference(tmp_path: Path) -> None:
    """$${VAR} yields the literal text ${VAR} and needs no variable."""
    config = load(tmp_path, "a: cost $${PRICE} and $$\n")
    assert config.get("a") == "cost ${PRICE} and $$"
    assert config.substituted_values() == {}


def test_missing_variable_names_variable_and_key_path(tmp_path: Path) -> None:
    """A missing required variable is an error naming the variable and the key path."""
    assert issues_of(tmp_path, "backend:\n  baseUrl: http://${HOST}\n") == [
        "environment variable 'HOST' is not set @ app-config.yaml:$.backend.baseUrl"
    ]


def test_missing_variables_are_all_reported(tmp_path: Path) -> None:
    """Every missing variable of a load is reported in one error, with a fix."""
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "a: ${ONE}-${TWO}\nb: [x, '${THREE}']\n")
    assert [issue.path for issue in caught.value.issues] == ["$.a", "$.a", "$.b[1]"]
    assert "${VAR:-default}" in caught.value.hint


def test_invalid_variable_name_suggests_default_syntax(tmp_path: Path) -> None:
    """${VAR:default} (no dash) is an invalid name and the message shows the right syntax."""
    (issue,) = issues_of(tmp_path, "a: ${V:x}\n")
    assert issue.startswith("invalid variable name 'V:x' in '${V:x}'")
    assert "${VAR:-default}" in issue


def test_variable_name_is_trimmed(tmp_path: Path) -> None:
    """Spaces around a variable name are ignored, as in Backstage."""
    assert load(tmp_path, "a: ${ V }\n", V="ok").get("a") == "ok"


def test_substituted_values_are_not_substituted_again(tmp_path: Path) -> None:
    """A variable's value containing ${...} is inserted literally."""
    assert load(tmp_path, "a: ${V}\n", V="${OTHER}").get("a") == "${OTHER}"


def test_keys_and_non_strings_are_not_substituted(tmp_path: Path) -> None:
    """Only string values are substituted; numbers and booleans stay as they are."""
    config = load(tmp_path, "a: 1\nb: true\nc: null\n")
    assert config.as_dict() == {"a": 1, "b": True, "c": None}


# -- $env -------------------------------------------------------------------


def test_env_directive_takes_the_whole_value(tmp_path: Path) -> None:
    """{$env: VAR} is replaced by the variable's value."""
    config = load(tmp_path, "auth:\n  secret: {$env: SECRET}\n", SECRET="s3cr3t")
    assert config.get_string("auth.secret") == "s3cr3t"


def test_env_directive_missing_variable_is_an_error(tmp_path: Path) -> None:
    """{$env: VAR} with VAR unset is an error naming the variable and key path."""
    assert issues_of(tmp_path, "auth:\n  secret:\n    $env: SECRET\n") == [
        "environment variable 'SECRET' is not set (required by $env)"
        " @ app-config.yaml:$.auth.secret"
    ]


def test_env_directive_value_has_no_file(tmp_path: Path) -> None:
    """A value from $env has no file as its origin: it came from the environment."""
    config = load(tmp_path, "a: {$env: V}\nb: ${V}\n", V="x")
    assert (config.origin("a"), config.origin("b")) == (None, "app-config.yaml")


@pytest.mark.parametrize("argument", ["''", "1", "[a]", "null"])
def test_directive_argument_must_be_a_string(tmp_path: Path, argument: str) -> None:
    """A directive's argument must be a non-empty string."""
    (issue,) = issues_of(tmp_path, f"a: {{$env: {argument}}}\n")
    assert issue.startswith("$env needs a non-empty string, got ")
    assert issue.endswith("@ app-config.yaml:$.a")


# -- directive shape ----------------------------------------------------------


def test_directive_with_other_keys_is_an_error(tmp_path: Path) -> None:
    """A mapping with a $-directive and other keys is an error naming them."""
    assert issues_of(tmp_path, "a:\n  $env: V\n  other: 1\n", V="x") == [
        "$env must be the only key in its mapping, found also 'other' @ app-config.yaml:$.a"
    ]


def test_unknown_directive_is_an_error(tmp_path: Path) -> None:
    """A $-key that is not a known directive is an error listing the known ones."""
    assert issues_of(tmp_path, "a: {$secret: V}\n") == [
        "unknown directive '$secret', expected one of $env, $file, $include @ app-config.yaml:$.a"
    ]


# -- $file ------------------------------------------------------------------


def test_file_directive_reads_relative_to_the_config_file(tmp_path: Path) -> None:
    """{$file: path} is the file's text, the path relative to the config file's directory."""
    write(tmp_path, "conf/certs/ca.pem", "-----CERT-----\n")
    write(tmp_path, "conf/app.yaml", "tls: {$file: certs/ca.pem}\n")
    config = load_config(["conf/app.yaml"], env={}, cwd=tmp_path)
    assert config.get("tls") == "-----CERT-----\n"
    assert config.origin("tls") == "conf/app.yaml"


def test_file_directive_missing_file_is_an_error(tmp_path: Path) -> None:
    """$file naming a missing file is an error naming that file and the key path."""
    assert issues_of(tmp_path, "tls: {$file: ca.pem}\n") == [
        "file not found: ca.pem @ app-config.yaml:$.tls"
    ]


def test_file_directive_path_may_use_variables(tmp_path: Path) -> None:
    """${VAR} in a $file path is substituted before the file is read."""
    write(tmp_path, "secrets/token", "t0k3n")
    config = load(tmp_path, "token: {$file: '${DIR}/token'}\n", DIR="secrets")
    assert config.get("token") == "t0k3n"


# -- $include ---------------------------------------------------------------


def test_include_inserts_parsed_yaml(tmp_path: Path) -> None:
    """{$include: file.yaml} inserts the parsed content of the file."""
    write(tmp_path, "db.yaml", "host: db\nport: 5432\n")
    assert load(tmp_path, "database: {$include: db.yaml}\n").get("database") == {
        "host": "db",
        "port": 5432,
    }


def test_include_inserts_parsed_json(tmp_path: Path) -> None:
    """A .json include is parsed as JSON, and any value type may be included."""
    write(tmp_path, "list.json", json.dumps([1, {"a": "b"}]))
    assert load(tmp_path, "items: {$include: list.json}\n").get("items") == [1, {"a": "b"}]


def test_include_picks_a_sub_key_after_hash(tmp_path: Path) -> None:
    """$include: file.yaml#a.b inserts only the value at a.b."""
    write(tmp_path, "envs.yaml", "prod:\n  db: {host: prod-db}\nstaging: {}\n")
    config = load(tmp_path, "database: {$include: 'envs.yaml#prod.db'}\n")
    assert config.get("database") == {"host": "prod-db"}


def test_include_missing_sub_key_is_an_error(tmp_path: Path) -> None:
    """A sub-key that the included file does not have is an error naming both."""
    write(tmp_path, "envs.yaml", "prod: {}\n")
    assert issues_of(tmp_path, "d: {$include: 'envs.yaml#prod.db'}\n") == [
        "included file envs.yaml has no value at 'prod.db' @ app-config.yaml:$.d"
    ]


def test_includes_nest_relative_to_the_including_file(tmp_path: Path) -> None:
    """An included file's own includes and $file paths are relative to that file."""
    write(tmp_path, "conf/a.yaml", "b: {$include: sub/b.yaml}\n")
    write(tmp_path, "conf/sub/b.yaml", "text: {$file: note.txt}\n")
    write(tmp_path, "conf/sub/note.txt", "hello")
    config = load(tmp_path, "top: {$include: conf/a.yaml}\n")
    assert config.get("top") == {"b": {"text": "hello"}}
    assert config.origin("top.b.text") == "conf/sub/b.yaml"


def test_substitution_happens_inside_included_files(tmp_path: Path) -> None:
    """${VAR} and $env inside an included file are substituted and tracked."""
    write(tmp_path, "db.yaml", "password: ${PW}\nuser: {$env: USER_NAME}\n")
    config = load(tmp_path, "db: {$include: db.yaml}\n", PW="pw", USER_NAME="me")
    assert config.get("db") == {"password": "pw", "user": "me"}
    assert config.substituted_values() == {"$.db.password": "pw", "$.db.user": "me"}


def test_included_values_remember_the_included_file(tmp_path: Path) -> None:
    """Errors about included values name the included file and the absolute key path."""
    write(tmp_path, "listen.yaml", "port: eighty\n")
    config = load(tmp_path, "backend:\n  listen: {$include: listen.yaml}\n")
    with pytest.raises(ConfigError) as caught:
        config.get_number("backend.listen.port")
    assert str(caught.value.issues[0]) == (
        "invalid value: cannot convert string to a number @ listen.yaml:$.backend.listen.port"
    )


def test_errors_in_included_files_name_that_file(tmp_path: Path) -> None:
    """Missing variables and invalid keys in an included file are located in that file."""
    write(tmp_path, "inc.yaml", "a: ${NOPE}\nbad key: 1\n")
    assert issues_of(tmp_path, "x: {$include: inc.yaml}\n") == [
        "environment variable 'NOPE' is not set @ inc.yaml:$.x.a",
        "invalid key 'bad key': keys start with a letter and contain letters and digits, "
        "optionally joined by single '-' or '_' (e.g. 'baseUrl', 'client-id', 'max_age') "
        '@ inc.yaml:$.x["bad key"]',
    ]


def test_include_syntax_error_names_the_included_file(tmp_path: Path) -> None:
    """A YAML error in an included file names that file."""
    write(tmp_path, "inc.yaml", "a: [\n")
    (issue,) = issues_of(tmp_path, "x: {$include: inc.yaml}\n")
    assert issue.startswith("invalid YAML at line 2")
    assert issue.endswith("@ inc.yaml:$")


def test_include_missing_file_is_an_error(tmp_path: Path) -> None:
    """$include naming a missing file is an error naming the file and key path."""
    assert issues_of(tmp_path, "x: {$include: gone.yaml}\n") == [
        "file not found: gone.yaml @ app-config.yaml:$.x"
    ]


def test_include_cycle_is_detected(tmp_path: Path) -> None:
    """Files that include each other are reported as a cycle showing the chain."""
    write(tmp_path, "a.yaml", "b: {$include: b.yaml}\n")
    write(tmp_path, "b.yaml", "a: {$include: a.yaml}\n")
    assert issues_of(tmp_path, "top: {$include: a.yaml}\n") == [
        "include cycle: app-config.yaml -> a.yaml -> b.yaml -> a.yaml @ b.yaml:$.top.b.a"
    ]


def test_self_include_is_a_cycle(tmp_path: Path) -> None:
    """A config file including itself is a cycle, not endless recursion."""
    assert issues_of(tmp_path, "a: 1\nme: {$include: 'app-config.yaml#a'}\n") == [
        "include cycle: app-config.yaml -> app-config.yaml @ app-config.yaml:$.me"
    ]


def test_same_file_included_twice_is_not_a_cycle(tmp_path: Path) -> None:
    """Including one file from two places is fine."""
    write(tmp_path, "shared.yaml", "v: 1\n")
    config = load(tmp_path, "a: {$include: shared.yaml}\nb: {$include: shared.yaml}\n")
    assert config.as_dict() == {"a": {"v": 1}, "b": {"v": 1}}


def test_include_of_unsupported_file_type_is_an_error(tmp_path: Path) -> None:
    """$include reads only .yaml, .yml and .json files."""
    write(tmp_path, "notes.txt", "text")
    (issue,) = issues_of(tmp_path, "x: {$include: notes.txt}\n")
    assert issue == "cannot include notes.txt: unsupported file type '.txt' @ app-config.yaml:$.x"


# -- substituted values -----------------------------------------------------


def test_substitutions_record_final_value_and_inserted_pieces(tmp_path: Path) -> None:
    """Each substituted path keeps its final value and the pieces inserted from outside."""
    write(tmp_path, "key.pem", "KEY")
    text = "db: postgres://u:${PW}@h/${DB:-main}\nk: {$file: key.pem}\ne: {$env: T}\nplain: x\n"
    config = load(tmp_path, text, PW="hunter2", T="tok")
    assert set(config.substitutions()) == {
        Substitution("$.db", "postgres://u:hunter2@h/main", ("hunter2",)),
        Substitution("$.k", "KEY", ("KEY",)),
        Substitution("$.e", "tok", ("tok",)),
    }


def test_overridden_substitutions_are_forgotten(tmp_path: Path) -> None:
    """A substituted value replaced by a later file is no longer reported as substituted."""
    write(tmp_path, "app-config.local.yaml", "a: plain\n")
    config = load(tmp_path, "a: ${V}\nb: ${V}\n", V="x")
    assert config.substituted_values() == {"$.b": "x"}


def test_sub_config_substitutions_keep_absolute_paths(tmp_path: Path) -> None:
    """A sub-config reports only its own substituted values, under absolute paths."""
    config = load(tmp_path, "a: {s: '${V}'}\nb: {s: '${V}'}\n", V="x")
    assert config.get_config("a").substituted_values() == {"$.a.s": "x"}


# -- properties -------------------------------------------------------------


@given(NO_DOLLAR)
def test_text_without_dollar_is_unchanged(text: str) -> None:
    """Any string without '$' round-trips unchanged and references nothing."""
    outcome = interpolate(text, {})
    assert (outcome.text, outcome.referenced, outcome.problems) == (text, False, ())


@given(NO_DOLLAR, st.text(st.characters(blacklist_characters="{}", blacklist_categories=("Cs",))))
def test_escaped_reference_is_literal(prefix: str, body: str) -> None:
    """$${...} always yields the literal ${...}, whatever is inside."""
    outcome = interpolate(f"{prefix}$${{{body}}}", {})
    assert (outcome.text, outcome.referenced, outcome.problems) == (
        f"{prefix}${{{body}}}",
        False,
        (),
    )


@given(NAMES, st.text(), NO_DOLLAR, NO_DOLLAR)
def test_variables_substitute_exactly(name: str, value: str, before: str, after: str) -> None:
    """Any variable name and value substitutes exactly, and the value is recorded as inserted."""
    outcome = interpolate(f"{before}${{{name}}}{after}", {name: value})
    assert outcome.text == before + value + after
    assert outcome.inserted == ((value,) if value else ())
    assert outcome.problems == ()


@given(NAMES, st.text(st.characters(blacklist_characters="{}", blacklist_categories=("Cs",))))
def test_defaults_substitute_exactly(name: str, default: str) -> None:
    """${VAR:-default} yields the default verbatim when VAR is unset."""
    outcome = interpolate(f"${{{name}:-{default}}}", {})
    assert (outcome.text, outcome.inserted, outcome.problems) == (default, (), ())


@given(NAMES.filter(lambda name: not name.startswith("APP_CONFIG_")), YAML_TEXT.filter(bool))
def test_loaded_config_holds_the_exact_variable_value(name: str, value: str) -> None:
    """Through a real file, ${VAR} and $env give exactly the variable's value."""
    with tempfile.TemporaryDirectory() as directory:
        text = yaml.safe_dump({"a": f"${{{name}}}", "b": {"$env": name}})
        config = load(Path(directory), text, **{name: value})
    assert config.get("a") == config.get("b") == value
    assert config.substituted_values() == {"$.a": value, "$.b": value}
