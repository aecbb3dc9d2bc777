"""A backend with two plugins and a module, run by the end-to-end tests in a subprocess.

Usage: ``python two_plugins.py CONFIG_FILE``. Besides ``backend.*`` the config
holds the test's ``e2e`` keys:

- ``e2e.eventsFile``: each lifecycle hook and the slow request append one line
  here, so the test can check the order in which they ran;
- ``e2e.releaseFile``: ``GET /api/jobs/slow`` answers once this file exists;
- ``e2e.failGreeter``: the greeter plugin's init raises (startup failure);
- ``e2e.prepareGateFile``: a root service, built before the server listens,
  records ``preparing`` and waits until this file exists.

The ``greeter`` plugin offers the ``greeter.greetings`` extension point, to
which its ``french`` module adds a greeting that ``GET /api/greeter/greetings``
lists. The ``jobs`` plugin serves ``/status`` and the slow request.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from greenroom import (
    BackendModule,
    BackendPlugin,
    ConfigService,
    ExtensionPoint,
    HttpRouterService,
    LifecycleService,
    RegistrationEnv,
    RootLifecycleService,
    ServiceFactory,
    ServiceRef,
    core_services,
    create_backend,
    hookimpl,
    load_config,
)

#: How long the slow request waits for the release file before giving up.
RELEASE_DEADLINE_SECONDS = 60.0


class Events:
    """Appends one line per event to the events file (one write each, flushed)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def record(self, event: str) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(event + "\n")


class Greetings:
    """What the ``greeter.greetings`` extension point offers: a list to add to."""

    def __init__(self) -> None:
        self.items = ["hello"]

    def add(self, greeting: str) -> None:
        self.items.append(greeting)


greetings_extension = ExtensionPoint[Greetings]("greeter.greetings")

#: Set by the jobs plugin's startup hook. The greeter waits for it so that the
#: start order (jobs, greeter) is fixed and differs from the order the features
#: are added in: a shutdown in add order or in reverse add order would show.
jobs_started = asyncio.Event()


class GreeterPlugin(BackendPlugin):
    plugin_id = "greeter"

    def __init__(self) -> None:
        self.greetings = Greetings()

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_extension_point(greetings_extension, self.greetings)
        env.register_init(
            self.init,
            deps={
                "config": core_services.root_config,
                "router": core_services.http_router,
                "lifecycle": core_services.lifecycle,
            },
        )

    async def init(
        self, config: ConfigService, router: HttpRouterService, lifecycle: LifecycleService
    ) -> None:
        if config.get_optional_boolean("e2e.failGreeter"):
            raise RuntimeError("greeter cannot reach its greeting store")
        events = Events(config.get_string("e2e.eventsFile"))
        await asyncio.wait_for(jobs_started.wait(), 30)

        async def greetings(request: Request) -> JSONResponse:
            return JSONResponse({"greetings": self.greetings.items})

        router.use([Route("/greetings", greetings)])
        lifecycle.add_startup_hook(lambda: events.record("startup greeter"))
        lifecycle.add_shutdown_hook(lambda: events.record("shutdown greeter"))


class GreeterModuleFrench(BackendModule):
    plugin_id = "greeter"
    module_id = "french"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"greetings": greetings_extension})

    def init(self, greetings: Greetings) -> None:
        greetings.add("bonjour")


class JobsPlugin(BackendPlugin):
    plugin_id = "jobs"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(
            self.init,
            deps={
                "config": core_services.root_config,
                "router": core_services.http_router,
                "lifecycle": core_services.lifecycle,
                "root_lifecycle": core_services.root_lifecycle,
            },
        )

    def init(
        self,
        config: ConfigService,
        router: HttpRouterService,
        lifecycle: LifecycleService,
        root_lifecycle: RootLifecycleService,
    ) -> None:
        events = Events(config.get_string("e2e.eventsFile"))
        release = Path(config.get_string("e2e.releaseFile"))

        async def status(request: Request) -> JSONResponse:
            return JSONResponse({"jobs": "idle"})

        async def slow(request: Request) -> JSONResponse:
            events.record("slow request started")
            if not await wait_for_file(release):
                return JSONResponse({"error": f"{release} never appeared"}, status_code=500)
            events.record("slow request finished")
            return JSONResponse({"finished": True})

        def started() -> None:
            events.record("startup jobs")
            jobs_started.set()

        router.use([Route("/status", status), Route("/slow", slow)])
        lifecycle.add_startup_hook(started)
        lifecycle.add_shutdown_hook(lambda: events.record("shutdown jobs"))
        root_lifecycle.add_startup_hook(lambda: events.record("startup root"))
        root_lifecycle.add_shutdown_hook(lambda: events.record("shutdown root"))


async def wait_for_file(path: Path, deadline_seconds: float = RELEASE_DEADLINE_SECONDS) -> bool:
    """Whether ``path`` appeared within the deadline (polled)."""
    deadline = time.monotonic() + deadline_seconds
    while not await asyncio.to_thread(path.exists):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


gate_service = ServiceRef[None]("e2e.prepare-gate", scope="root")


def prepare_gate(config: ConfigService) -> ServiceFactory[None]:
    """A root service whose construction waits for the gate file."""
    events = Events(config.get_string("e2e.eventsFile"))
    gate = Path(config.get_string("e2e.prepareGateFile"))

    async def build() -> None:
        events.record("preparing")
        if not await wait_for_file(gate):
            raise RuntimeError(f"{gate} never appeared")

    return ServiceFactory(service=gate_service, factory=build)


def main(config_file: str) -> None:
    config = load_config([config_file])
    backend = create_backend(config, [GreeterPlugin, GreeterModuleFrench, JobsPlugin])
    if config.has("e2e.prepareGateFile"):
        backend.add(prepare_gate(config))
    backend.run()


if __name__ == "__main__":
    main(sys.argv[1])
