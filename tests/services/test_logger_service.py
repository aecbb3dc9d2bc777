"""The logger services: stdlib loggers named greenroom.plugin.<id> carrying the plugin id."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from greenroom import (
    BackendPlugin,
    ConfigError,
    LoggerService,
    RootLoggerService,
    ServiceFactoryError,
    core_services,
    create_backend,
    hookimpl,
)

pytestmark = pytest.mark.anyio


class CatalogPlugin(BackendPlugin):
    plugin_id = "catalog"

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(self.init, deps={"logger": core_services.logger})

    def init(self, logger: LoggerService) -> None:
        assert isinstance(logger, LoggerService)
        logger.info("catalog ready with %d entities", 3)
        logger.child(task="refresh").warning("refresh slow")


async def test_plugin_logger_is_a_stdlib_logger_with_the_plugin_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records go to greenroom.plugin.<id>, visible to caplog, with record.plugin set."""
    backend = create_backend(config={}, features=[CatalogPlugin])
    with caplog.at_level(logging.INFO, logger="greenroom.plugin.catalog"):
        await backend.start()
    records = [r for r in caplog.records if r.name == "greenroom.plugin.catalog"]
    assert [r.getMessage() for r in records] == [
        "catalog ready with 3 entities",
        "refresh slow",
    ]
    assert [r.plugin for r in records] == ["catalog", "catalog"]  # type: ignore[attr-defined]
    assert records[1].task == "refresh"  # type: ignore[attr-defined]
    assert records[1].levelno == logging.WARNING
    await backend.stop()


async def test_plugin_logger_wraps_the_named_logger() -> None:
    """The service exposes the underlying logging.Logger and its fields."""
    backend = create_backend(config={}, features=[CatalogPlugin])
    await backend.start()
    logger = await backend.get_service(core_services.logger, "catalog")
    assert logger.logger is logging.getLogger("greenroom.plugin.catalog")
    assert logger.fields == {"plugin": "catalog"}
    root = await backend.get_service(core_services.root_logger)
    assert isinstance(root, RootLoggerService)
    assert root.logger is logging.getLogger("greenroom")
    await backend.stop()


async def test_unknown_log_level_and_format_are_reported_together() -> None:
    """backend.logging.level and .format are checked, both issues in one error."""
    backend = create_backend(config={"backend": {"logging": {"level": "loud", "format": "xml"}}})
    with pytest.raises(ServiceFactoryError) as info:
        await backend.start()
    assert info.value.service_id == "core.root_logger"
    cause = info.value.__cause__
    assert isinstance(cause, ConfigError)
    assert [issue.path for issue in cause.issues] == [
        "$.backend.logging.level",
        "$.backend.logging.format",
    ]


def _json_line_as_dumped(record: logging.LogRecord) -> str:
    """What JsonFormatter wrote for every record before its fast path (issue 8)."""
    import json
    import time

    entry = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        + f".{int(record.msecs):03d}Z",
        "level": record.levelname.lower(),
        "logger": record.name,
        "message": record.getMessage(),
    }
    return json.dumps(entry, default=str, ensure_ascii=False)


def test_json_lines_of_plain_records_are_what_json_dumps_gives() -> None:
    """The formatter's fast path writes the very text json.dumps gives, for any message."""
    from hypothesis import given
    from hypothesis import strategies as st

    from greenroom._services.log_format import JsonFormatter

    formatter = JsonFormatter()

    @given(
        st.text(max_size=30),
        st.text(min_size=1, max_size=12),
        st.sampled_from([logging.DEBUG, logging.INFO, logging.WARNING, 35]),
        st.floats(min_value=0, max_value=4e9, allow_nan=False),
    )
    def check(message: str, name: str, level: int, created: float) -> None:
        record = logging.LogRecord(name, level, __file__, 1, "%s", (message,), None)
        record.created = created
        record.msecs = int((created - int(created)) * 1000) + 0.0
        assert formatter.format(record) == _json_line_as_dumped(record)

    check()


def test_the_access_log_writes_uvicorns_line_on_greenroom_access(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One record per request, uvicorn's message and arguments, on the greenroom.access logger."""
    import asyncio

    from greenroom._backend.access_log import ACCESS_LOGGER, AccessLog

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "client": ("127.0.0.1", 5555),
        "method": "GET",
        "path": "/api/todo/items 1",
        "query_string": b"page=2",
        "http_version": "1.1",
    }
    logged = AccessLog(app)
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        for _ in range(3):  # the first record is made the standard way, the others copied
            asyncio.run(logged(scope, None, send))
    messages = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert messages == ['127.0.0.1:5555 - "GET /api/todo/items%201?page=2 HTTP/1.1" 204'] * 3
    first, *rest = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    for record in rest:
        assert type(record) is logging.LogRecord
        assert record.created >= first.created
        assert set(vars(record)) == set(vars(first))
    assert len(sent) == 6


def test_lines_logged_on_an_event_loop_are_written_at_its_next_iteration_in_order() -> None:
    """Greenroom's handler writes a loop's lines together, soon, and never out of order."""
    import asyncio
    import io

    from greenroom._services.log_handler import LoopBatchingStreamHandler

    stream = io.StringIO()
    handler = LoopBatchingStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("greenroom.test.batching")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("before any loop")
        assert stream.getvalue() == "before any loop\n"

        async def serve() -> None:
            logger.warning("one")
            logger.warning("two")
            assert stream.getvalue() == "before any loop\n"  # queued
            await asyncio.sleep(0)
            assert stream.getvalue().endswith("one\ntwo\n")
            logger.warning("three")

        asyncio.run(serve())
        logger.warning("after the loop")  # the queued line first
        assert stream.getvalue().splitlines() == [
            "before any loop",
            "one",
            "two",
            "three",
            "after the loop",
        ]
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
