"""The backend's own state, shared with the default services through an internal ref."""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING, Final

import attrs

from greenroom._api.service_ref import ServiceRef

if TYPE_CHECKING:
    from greenroom._services.lifecycle import PluginLifecycle

__all__ = ["BackendState", "PluginPhase", "PluginStatus", "backend_state_ref"]


class PluginPhase(enum.Enum):
    """Where a plugin is in its life."""

    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


@attrs.define(eq=False)
class PluginStatus:
    """One plugin's phase; ``settled`` is set once it is ready or failed."""

    plugin_id: str
    phase: PluginPhase = PluginPhase.STARTING
    error: BaseException | None = None
    # Made when first waited for: requests wait only for a plugin still starting, and
    # an Event per plugin was ~0.7 KB of a start's memory per plugin (issue 8).
    _settled: asyncio.Event | None = attrs.field(default=None, init=False, repr=False)

    @property
    def settled(self) -> asyncio.Event:
        """Set once the plugin is no longer starting (ready, failed or stopped)."""
        if self._settled is None:
            self._settled = asyncio.Event()
            if self.phase is not PluginPhase.STARTING:
                self._settled.set()
        return self._settled

    def settle(self, phase: PluginPhase, error: BaseException | None = None) -> None:
        """Move to ``phase`` and wake whoever waits for the plugin."""
        self.phase = phase
        self.error = error
        if self._settled is not None:
            self._settled.set()


@attrs.define(eq=False)
class BackendState:
    """What the default services need to know about the running backend.

    ``ready`` drives readiness; ``draining`` is set as soon as a shutdown
    begins (readiness answers 503 from then on); ``in_flight`` counts the
    HTTP requests being served, so a graceful stop can wait for them.
    """

    plugins: dict[str, PluginStatus] = attrs.field(factory=dict)
    ready: bool = False
    draining: bool = False
    in_flight: int = 0
    request_hold_seconds: float = 5.0
    idle: asyncio.Event = attrs.field(factory=asyncio.Event)
    lifecycles: dict[str, PluginLifecycle] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self.idle.set()

    def request_started(self) -> None:
        """Count a request in."""
        self.in_flight += 1
        self.idle.clear()

    def request_finished(self) -> None:
        """Count a request out."""
        self.in_flight -= 1
        if self.in_flight == 0:
            self.idle.set()


#: The internal ref through which default services reach the backend's state.
backend_state_ref: Final = ServiceRef[BackendState]("core.backend_state", scope="root")
