"""A small plugin and two modules of it, as a plugin author would write them."""

from __future__ import annotations

from typing import Any

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
    LoggerService,
    RegistrationEnv,
    core_services,
    hookimpl,
)

#: Extra greetings that modules of the hello plugin add.
greetings_extension_point = ExtensionPoint[list[str]]("hello.greetings")


class HelloPlugin(BackendPlugin):
    """Greets on ``/api/hello/greet`` with ``hello.greeting`` from config; logs; has hooks."""

    plugin_id = "hello"

    def __init__(self) -> None:
        self.events: list[str] = []
        self.greetings: list[str] = []

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_extension_point(greetings_extension_point, self.greetings)
        env.register_init(
            self.init,
            deps={
                "config": core_services.root_config,
                "logger": core_services.logger,
                "router": core_services.http_router,
                "lifecycle": core_services.lifecycle,
            },
        )

    async def init(
        self,
        config: ConfigService,
        logger: LoggerService,
        router: HttpRouterService,
        lifecycle: LifecycleService,
    ) -> None:
        greeting = config.get_optional_string("hello.greeting") or "hello"

        async def greet(request: Request) -> JSONResponse:
            name = request.query_params.get("name", "world")
            logger.info("greeting %s", name)
            return JSONResponse({"greeting": f"{greeting}, {name}", "extra": self.greetings})

        router.use([Route("/greet", greet)])
        lifecycle.add_startup_hook(lambda: self.events.append("started"))
        lifecycle.add_shutdown_hook(lambda: self.events.append("stopped"))


class HelloModuleShout(BackendModule):
    """Adds ``/api/hello/shout`` to the hello plugin's routes."""

    plugin_id = "hello"
    module_id = "shout"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"router": core_services.http_router})

    def init(self, router: HttpRouterService) -> None:
        async def shout(request: Request) -> JSONResponse:
            return JSONResponse({"shout": "HELLO"})

        router.use([Route("/shout", shout)])


class HelloModuleBonjour(BackendModule):
    """Adds "bonjour" through the hello plugin's greetings extension point."""

    plugin_id = "hello"
    module_id = "bonjour"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"greetings": greetings_extension_point})

    def init(self, greetings: list[str]) -> None:
        greetings.append("bonjour")


def failing_plugin(error: Exception) -> Any:
    """A plugin ``broken`` whose init raises ``error``."""

    class BrokenPlugin(BackendPlugin):
        plugin_id = "broken"

        @hookimpl
        def register(self, env: RegistrationEnv) -> None:
            env.register_init(self.init)

        def init(self) -> None:
            raise error

    return BrokenPlugin()
