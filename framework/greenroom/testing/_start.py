"""``start_test_backend``: the real backend, started in process, with an HTTP client.

Backstage's ``startTestBackend`` in Python: ``async with`` it, or ``await`` it
under the pytest fixture of the same name, which stops the backend after the test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Generator, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, final

from greenroom._api.extension_points import ExtensionPoint
from greenroom._backend.backend import Backend
from greenroom._errors import GreenroomError
from greenroom.testing._wiring import build_test_backend

if TYPE_CHECKING:
    from greenroom.testing._client import BackendTestClient

__all__ = ["BackendStart", "BackendStarter", "start_test_backend"]


def _require_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError as exc:
        raise GreenroomError(
            "start_test_backend() must run in an asyncio event loop: Greenroom is built on "
            "asyncio. Under anyio's pytest plugin, define a fixture `anyio_backend` that "
            "returns 'asyncio' (trio is not supported)"
        ) from exc


@contextlib.asynccontextmanager
async def _running(backend: Backend) -> AsyncIterator[BackendTestClient]:
    _require_asyncio()
    # Here, not at the top: the pytest plugin imports this module and must not load httpx.
    from greenroom.testing._client import BackendTestClient

    try:
        await backend.start()
        async with BackendTestClient(backend) as client:
            yield client
    finally:
        await backend.stop()  # idempotent; also after a failed start, which stopped already


@final
class BackendStart:
    """A test backend about to start: ``async with`` it (or, under the fixture, ``await`` it).

    Entering starts the backend and gives a :class:`BackendTestClient`;
    leaving closes the client and stops the backend, also when the block raises.
    """

    __slots__ = ("_backend", "_context", "_stack")

    def __init__(self, backend: Backend, stack: contextlib.AsyncExitStack | None = None) -> None:
        self._backend = backend
        self._stack = stack
        self._context: contextlib.AbstractAsyncContextManager[BackendTestClient] | None = None

    @property
    def backend(self) -> Backend:
        """The backend, not yet started before the ``async with`` block."""
        return self._backend

    async def __aenter__(self) -> BackendTestClient:
        if self._context is not None:
            raise RuntimeError(
                "this start_test_backend(...) was used already: call start_test_backend() "
                "again for another backend"
            )
        self._context = _running(self._backend)
        return await self._context.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        assert self._context is not None, "__aexit__ without __aenter__"
        return await self._context.__aexit__(exc_type, exc, traceback)

    def __await__(self) -> Generator[Any, None, BackendTestClient]:
        if self._stack is None:
            raise TypeError(
                "`await start_test_backend(...)` needs the pytest fixture start_test_backend, "
                "which stops the backend after the test; otherwise use "
                "`async with start_test_backend(...) as client:`"
            )
        return self._stack.enter_async_context(self).__await__()

    def __repr__(self) -> str:
        return f"<BackendStart plugins={sorted(self._backend.plugins) or '(not started)'}>"


def start_test_backend(
    *,
    features: Iterable[Any] = (),
    config: Mapping[str, Any] | None = None,
    services: Iterable[object] = (),
    extension_points: Mapping[ExtensionPoint[Any], Any] | None = None,
) -> BackendStart:
    """Start a backend with ``features`` in process; ``async with`` gives its HTTP client.

    ::

        async with start_test_backend(features=[HelloPlugin], config={...}) as client:
            response = await client.get("/api/hello/greet")

    - ``features``: plugins and modules (classes or instances), feature
      loaders and service factories, as for ``backend.add()``. A module whose
      plugin is not among them gets an empty plugin, so it can be tested alone.
    - ``config``: the configuration as a dict (``{}`` when None); no file is
      read. Or put ``mock_services.root_config(data=...)`` in ``services``.
    - ``services``: ``ServiceFactory`` objects and mocks from ``mock_services``;
      they replace the default factories. The other services are the real ones.
    - ``extension_points``: implementations of extension points for the
      modules under test, offered on behalf of their plugin.

    The client is a :class:`BackendTestClient` (an ``httpx.AsyncClient`` with
    base URL ``http://test``; ``client.backend`` is the backend). Leaving the
    block stops the backend, running the shutdown hooks, even when it raises.
    Arguments are checked at once; the backend starts on entering the block.
    """
    return BackendStart(build_test_backend(features, config, services, extension_points))


@final
class BackendStarter:
    """What the ``start_test_backend`` fixture gives: ``start_test_backend`` plus ``await``.

    ``client = await start_test_backend(...)`` starts a backend that is
    stopped after the test; ``async with start_test_backend(...)`` works as
    with the function.
    """

    __slots__ = ("_stack",)

    def __init__(self, stack: contextlib.AsyncExitStack) -> None:
        self._stack = stack

    def __call__(
        self,
        *,
        features: Iterable[Any] = (),
        config: Mapping[str, Any] | None = None,
        services: Iterable[object] = (),
        extension_points: Mapping[ExtensionPoint[Any], Any] | None = None,
    ) -> BackendStart:
        """Like :func:`start_test_backend`, and awaitable."""
        backend = build_test_backend(features, config, services, extension_points)
        return BackendStart(backend, self._stack)

    def __repr__(self) -> str:
        return "<start_test_backend fixture>"
