"""Redacting secret config values in log records, wherever they show (issue 6)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greenroom import load_config
from greenroom._config.redaction import (
    RedactingFilter,
    Redactor,
    default_redactor,
    install_redaction,
)
from greenroom._config.schema import ConfigSchema, SchemaSource, check_source
from greenroom._services.log_format import JsonFormatter, TextFormatter

SECRET = "hunter2-Zq9"
DB_SCHEMA = {
    "properties": {
        "db": {
            "properties": {
                "password": {"type": "string", "visibility": "secret"},
                "url": {"type": "string", "visibility": "secret"},
                "key": {"type": "string", "visibility": "secret"},
            }
        }
    }
}


def test_redactor_replaces_longest_secrets_first() -> None:
    """A secret containing another is replaced whole, not in pieces."""
    redactor = Redactor(["abc", "abcdef", ""])
    assert redactor.redact("x abcdef y abc z") == "x *** y *** z"
    assert not Redactor()
    assert Redactor().redact("abc") == "abc"


def test_redactor_also_hides_stripped_and_escaped_forms() -> None:
    """A $file value's trailing newline, and the repr/JSON escapes of quotes and newlines."""
    redactor = Redactor(['line1\nli"ne2\n'])
    assert redactor.redact('got line1\nli"ne2 here') == "got *** here"
    assert redactor.redact(repr('line1\nli"ne2\n')) == "'***'"
    assert redactor.redact(json.dumps('line1\nli"ne2\n')) == '"***"'


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, list[io.StringIO]]]:
    """A logger with a JSON and a text handler, both behind a redacting filter."""
    logger = logging.getLogger("tests.schema.redaction")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    streams = [io.StringIO(), io.StringIO()]
    handlers = []
    for stream, formatter in zip(streams, (JsonFormatter(), TextFormatter()), strict=True):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter(Redactor([SECRET])))
        logger.addHandler(handler)
        handlers.append(handler)
    try:
        yield logger, streams
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.propagate = True


def log_everywhere(logger: logging.Logger) -> None:
    """Log the secret in a message, an argument, an exception message, a chained
    traceback, the stack and an extra field."""
    logger.info("token is %s", SECRET)
    logger.warning(f"inline {SECRET}", extra={"detail": f"field {SECRET}"})
    try:
        try:
            raise KeyError(SECRET)
        except KeyError as inner:
            raise RuntimeError(f"cannot connect with {SECRET!r}") from inner
    except RuntimeError:
        logger.exception("failed")
    logger.info("where am I", stack_info=True)


def test_filter_redacts_messages_exceptions_tracebacks_and_fields(
    captured: tuple[logging.Logger, list[io.StringIO]],
) -> None:
    """Neither JSON nor text output holds the secret; the masks and the rest remain."""
    logger, streams = captured
    log_everywhere(logger)
    for stream in streams:
        output = stream.getvalue()
        assert SECRET not in output
        assert "token is ***" in output
        assert "inline ***" in output
        assert "cannot connect with '***'" in output
        assert "KeyError: '***'" in output
        assert "The above exception was the direct cause" in output
        assert "Traceback (most recent call last)" in output
        assert "where am I" in output
    lines = [json.loads(line) for line in streams[0].getvalue().splitlines()]
    assert "RuntimeError: cannot connect with '***'" in lines[2]["error"]


def test_a_record_without_secrets_keeps_its_exception() -> None:
    """With nothing secret in it, a record's exc_info is left for other handlers."""
    record = logging.makeLogRecord(
        {"msg": "plain", "exc_info": (ValueError, ValueError("x"), None)}
    )
    RedactingFilter(Redactor([SECRET])).filter(record)
    assert record.exc_info is not None
    assert record.msg == "plain"


def test_a_bad_format_string_is_still_redacted() -> None:
    """A message whose arguments do not fit is rendered raw, and redacted."""
    record = logging.makeLogRecord({"msg": "%d " + SECRET, "args": ("x",)})
    RedactingFilter(Redactor([SECRET])).filter(record)
    assert SECRET not in record.getMessage()


def test_install_redaction_is_idempotent() -> None:
    """Installing twice leaves one filter per logger and handler."""
    handler = logging.NullHandler()
    for _ in range(2):
        install_redaction(handler=handler, loggers=["tests.schema.once"], greenroom=True)
    for target in (handler, logging.getLogger("tests.schema.once"), logging.getLogger("greenroom")):
        assert sum(isinstance(f, RedactingFilter) for f in target.filters) == 1


def secret_schema() -> ConfigSchema:
    """The schema marking db.password, db.url and db.key secret."""
    source = check_source("acme-db", DB_SCHEMA)
    assert isinstance(source, SchemaSource)
    return ConfigSchema((source,))


def test_values_from_env_and_files_at_secret_paths_are_secrets(tmp_path: Path) -> None:
    """${VAR}, $env and $file values count, and so does a piece inserted into a longer value."""
    (tmp_path / "key.pem").write_text("KEY-FROM-FILE-77\n")
    (tmp_path / "app-config.yaml").write_text(
        "db:\n"
        "  password: {$env: DB_PASSWORD}\n"
        "  url: postgres://app:${DB_URL_PASSWORD}@db:5432/app\n"
        "  key: {$file: key.pem}\n"
    )
    env = {"DB_PASSWORD": "env-pw-11", "DB_URL_PASSWORD": "url-pw-22"}
    config = load_config(cwd=tmp_path, env=env)
    secrets = secret_schema().validate(config).secrets
    assert {"env-pw-11", "url-pw-22", "KEY-FROM-FILE-77\n"} <= secrets
    redactor = Redactor(secrets)
    line = "pw=env-pw-11 url-pw-22 key=KEY-FROM-FILE-77 url=postgres://app:url-pw-22@db:5432/app"
    assert redactor.redact(line) == "pw=*** *** key=*** url=***"


def test_validation_messages_are_redacted() -> None:
    """jsonschema quotes a value in its message: a secret one is masked there too."""
    schema = ConfigSchema(
        (
            SchemaSource(
                "acme-db",
                {"properties": {"pin": {"type": "integer", "visibility": "secret"}}},
            ),
        )
    )
    from greenroom._config.validation import validate_data

    (issue,) = validate_data(schema, {"pin": "not-a-number-" + SECRET}).issues
    assert SECRET not in str(issue)
    assert "'***' is not of type 'integer'" in str(issue)


@pytest.mark.anyio
async def test_plugin_logs_are_redacted_when_the_app_configured_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Under an app's own handlers (here caplog's), plugin logger records are redacted."""
    from greenroom import BackendPlugin, LoggerService, core_services, create_backend, hookimpl

    class ChattyPlugin(BackendPlugin):
        plugin_id = "chatty"

        @hookimpl
        def register(self, env: Any) -> None:
            env.register_init(self.init, deps={"logger": core_services.logger})

        def init(self, logger: LoggerService) -> None:
            logger.info("the password is %s", "caplog-secret-5")

        @hookimpl
        def config_schema(self) -> dict[str, Any]:
            return DB_SCHEMA

    backend = create_backend({"db": {"password": "caplog-secret-5"}}, [ChattyPlugin()])
    with caplog.at_level(logging.INFO):
        await backend.start()
        await backend.stop()
    assert "caplog-secret-5" in default_redactor().secrets
    messages = [r.getMessage() for r in caplog.records if r.name == "greenroom.plugin.chatty"]
    assert messages == ["the password is ***"]


def test_one_character_secrets_are_placeholders_not_secrets() -> None:
    """As in Backstage, '' and 'x' are not hidden: they would mask a letter everywhere."""
    redactor = Redactor(["x", " y \n", "", "ab"])
    assert redactor.redact("x y ab") == "x y ***"
