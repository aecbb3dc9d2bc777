"""The HTTP client ``start_test_backend`` gives: httpx, in process, plus the backend.

Imported only when a test backend starts: the pytest plugin must not pay for httpx.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

import httpx

from greenroom._api.service_ref import ServiceRef
from greenroom._backend.backend import Backend

__all__ = ["BASE_URL", "BackendTestClient"]

T = TypeVar("T")

#: The base URL of every test client; no network is involved.
BASE_URL: Final = "http://test"


class BackendTestClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that calls the backend's ASGI app in process.

    Exceptions raised by a route propagate to the test, as with Starlette's
    ``TestClient``. ``backend`` is the started :class:`~greenroom.Backend`.
    """

    def __init__(self, backend: Backend, **kwargs: Any) -> None:
        if backend.http_app is None:
            raise RuntimeError("the backend has no HTTP app yet: start it before making a client")
        super().__init__(
            transport=httpx.ASGITransport(app=backend.http_app), base_url=BASE_URL, **kwargs
        )
        self.backend = backend

    async def get_service(self, ref: ServiceRef[T], plugin_id: str | None = None) -> T:
        """The instance of ``ref`` in the backend (``plugin_id`` for a plugin-scoped service)."""
        service: T = await self.backend.get_service(ref, plugin_id)
        return service
