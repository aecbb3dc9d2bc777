"""Default ``root_health``: liveness always, readiness once started and until stopping."""

from __future__ import annotations

from typing import Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.health import HealthStatus
from greenroom._api.services.refs import core_services
from greenroom._backend.state import BackendState, backend_state_ref

__all__ = ["RootHealth", "service_factory"]


class RootHealth:
    """Backstage's health semantics over the backend's state."""

    def __init__(self, state: BackendState) -> None:
        self._state = state

    async def get_liveness(self) -> HealthStatus:
        """200 while the process serves at all."""
        return 200, {"status": "ok"}

    async def get_readiness(self) -> HealthStatus:
        """200 once every plugin started; 503 before, and from the start of a shutdown."""
        if self._state.draining:
            return 503, {"status": "error", "message": "Backend is shutting down"}
        if not self._state.ready:
            return 503, {"status": "error", "message": "Backend has not started yet"}
        return 200, {"status": "ok"}


service_factory: Final = ServiceFactory(
    service=core_services.root_health, factory=RootHealth, deps={"state": backend_state_ref}
)
