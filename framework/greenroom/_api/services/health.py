"""The ``root_health`` service: liveness and readiness of the backend."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["HealthStatus", "RootHealthService"]

#: ``(http_status, json_body)`` as served on the health endpoints.
HealthStatus = tuple[int, dict[str, Any]]


@runtime_checkable
class RootHealthService(Protocol):
    """Answers ``/.greenroom/health/v1/liveness`` and ``/.greenroom/health/v1/readiness``.

    Readiness is 200 once every plugin has started and 503 before that and
    from the moment a shutdown begins.
    """

    async def get_liveness(self) -> HealthStatus: ...
    async def get_readiness(self) -> HealthStatus: ...
