"""The pytest11 plugin: loaded from its entry point, cheap to import, fixture torn down."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

# A plugin author's test file: it imports nothing from greenroom.testing.
AUTHOR_TESTS = """
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from greenroom import BackendPlugin, core_services, hookimpl

EVENTS = []


class PingPlugin(BackendPlugin):
    plugin_id = "ping"

    @hookimpl
    def register(self, env):
        env.register_init(
            self.init,
            deps={"router": core_services.http_router, "lifecycle": core_services.lifecycle},
        )

    def init(self, router, lifecycle):
        async def ping(request):
            return PlainTextResponse("pong")

        router.use([Route("/ping", ping)])
        lifecycle.add_shutdown_hook(lambda: EVENTS.append("stopped"))


@pytest.mark.anyio
async def test_ping(start_test_backend):
    client = await start_test_backend(features=[PingPlugin])
    assert (await client.get("/api/ping/ping")).text == "pong"
    assert EVENTS == []


async def test_unmarked_async_test_runs_too(start_test_backend):
    async with start_test_backend(features=[PingPlugin]) as client:
        assert (await client.get("/api/ping/ping")).text == "pong"


def test_the_backends_were_stopped_after_their_tests():
    assert EVENTS == ["stopped", "stopped"]
"""

STRICT_INI = """
[pytest]
addopts = -p no:cacheprovider
filterwarnings = error
"""


@pytest.mark.parametrize("own_anyio_backend", [False, True], ids=["anyio-default", "conftest"])
def test_the_fixture_comes_from_the_entry_point(
    pytester: pytest.Pytester, own_anyio_backend: bool
) -> None:
    """A fresh pytest run finds start_test_backend with no import, with or without anyio_backend."""
    pytester.makeini(STRICT_INI)
    if own_anyio_backend:
        pytester.makeconftest(
            textwrap.dedent(
                """
                import pytest

                @pytest.fixture
                def anyio_backend():
                    return "asyncio"
                """
            )
        )
    pytester.makepyfile(test_author=AUTHOR_TESTS)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=3)


HEAVY = (
    "httpx",
    "starlette",
    "uvicorn",
    "yaml",
    "rich",
    "click",
    "stevedore",
    "greenroom._dynamic",
)


def test_the_plugin_module_is_cheap_to_import() -> None:
    """Importing the pytest11 module loads no HTTP stack, YAML, CLI or dynamic plugin code."""
    code = (
        "import sys, greenroom.testing.pytest_plugin\n"
        f"print(sorted(m for m in sys.modules if m.partition('.')[0] in {HEAVY!r} "
        f"or m.startswith({HEAVY!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
