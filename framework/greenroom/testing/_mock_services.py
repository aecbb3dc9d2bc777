"""``mock_services``: in-memory core services for tests (Backstage's ``mockServices``).

Each ``mock_services.<name>(...)`` returns an object that *is* the service, so
it can be handed to an init directly, and that has a ``service_factory``, so it
can be put in ``start_test_backend(services=[...])`` or ``backend.add()``.
The HTTP services (``root_http_router``, ``http_router``, ``root_health``) have
no mocks: the defaults already run in memory, and the test client talks to them.
``plugin_metadata`` is provided by the backend and cannot be replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final, Protocol, final, runtime_checkable

from greenroom._api.service_ref import ServiceFactory
from greenroom.testing._mock_config import MockRootConfig
from greenroom.testing._mock_discovery import DEFAULT_BASE_URL, MockDiscovery
from greenroom.testing._mock_lifecycle import MockLifecycle, MockRootLifecycle
from greenroom.testing._mock_logger import MockLogger, MockRootLogger

__all__ = ["MockService", "mock_services"]


@runtime_checkable
class MockService(Protocol):
    """What ``services=`` takes besides a ``ServiceFactory``: an object that provides one."""

    @property
    def service_factory(self) -> ServiceFactory[Any]:
        """The factory that provides this object (or its per-plugin children)."""


@final
class _MockServices:
    """The namespace of mock core services; each call makes a new, independent mock."""

    __slots__ = ()

    @staticmethod
    def root_config(data: Mapping[str, Any] | None = None) -> MockRootConfig:
        """``core_services.root_config`` reading ``data`` (no files, no environment)."""
        return MockRootConfig(data)

    @staticmethod
    def root_logger(*, level: int | str = logging.DEBUG) -> MockRootLogger:
        """``core_services.root_logger`` keeping its records in ``.records``."""
        return MockRootLogger(level=level)

    @staticmethod
    def logger(*, level: int | str = logging.DEBUG) -> MockLogger:
        """``core_services.logger``: every plugin's records kept in ``.records``."""
        return MockLogger(level=level)

    @staticmethod
    def root_lifecycle() -> MockRootLifecycle:
        """``core_services.root_lifecycle`` whose hooks ``await startup()``/``shutdown()`` run."""
        return MockRootLifecycle()

    @staticmethod
    def lifecycle() -> MockLifecycle:
        """``core_services.lifecycle`` whose hooks ``await startup()``/``shutdown()`` run."""
        return MockLifecycle()

    @staticmethod
    def discovery(base_url: str = DEFAULT_BASE_URL) -> MockDiscovery:
        """``core_services.discovery`` placing every plugin at ``<base_url>/api/<pluginId>``."""
        return MockDiscovery(base_url)

    def __repr__(self) -> str:
        return "mock_services"


mock_services: Final = _MockServices()
