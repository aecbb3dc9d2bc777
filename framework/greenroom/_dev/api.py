"""The development data store's service: its protocol and its ref (public in ``greenroom.dev``)."""

from __future__ import annotations

from typing import Any, Final, Protocol, runtime_checkable

from greenroom._api.service_ref import ServiceFactory, ServiceRef

__all__ = ["DevDataStoreService", "dev_data_store"]


@runtime_checkable
class DevDataStoreService(Protocol):
    """Values kept by the ``greenroom package start`` process across backend restarts."""

    @property
    def available(self) -> bool:
        """Whether values are kept: true only in a backend run by ``greenroom package start``."""
        ...

    async def save(self, key: str, value: Any) -> bool:
        """Hand ``value`` (picklable) over under ``key``; whether it is kept.

        Raises :class:`DevDataStoreError` when the value cannot be pickled.
        """
        ...

    async def load(self, key: str, default: Any = None) -> Any:
        """The value last saved under ``key`` (by this or an earlier backend), else ``default``."""
        ...


def _default_factory() -> ServiceFactory[DevDataStoreService]:
    from greenroom._dev.store import service_factory

    return service_factory


#: The development data store of the current plugin (plugin scope; id ``dev.data_store``).
dev_data_store: Final = ServiceRef[DevDataStoreService](
    "dev.data_store", default_factory=_default_factory
)
