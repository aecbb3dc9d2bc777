"""Testing plugins and modules: ``start_test_backend`` and ``mock_services``.

Backstage's ``@backend-test-utils`` in Python. ``pip install greenroom[testing]``
adds the HTTP client; the pytest plugin (``greenroom.testing.pytest_plugin``)
is registered under the ``pytest11`` entry point and provides the
``start_test_backend`` fixture.
"""

import typing

from greenroom.testing._mock_config import MockRootConfig
from greenroom.testing._mock_discovery import MockDiscovery
from greenroom.testing._mock_lifecycle import MockLifecycle, MockRootLifecycle
from greenroom.testing._mock_logger import MockLogger, MockRootLogger
from greenroom.testing._mock_services import MockService, mock_services
from greenroom.testing._start import BackendStart, BackendStarter, start_test_backend

if typing.TYPE_CHECKING:
    from greenroom.testing._client import BackendTestClient

__all__ = [
    "BackendStart",
    "BackendStarter",
    "BackendTestClient",
    "MockDiscovery",
    "MockLifecycle",
    "MockLogger",
    "MockRootConfig",
    "MockRootLifecycle",
    "MockRootLogger",
    "MockService",
    "mock_services",
    "start_test_backend",
]

if not typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        # The client subclasses httpx.AsyncClient; importing it eagerly would load httpx
        # into every pytest run, since the pytest plugin imports this package.
        if name == "BackendTestClient":
            from greenroom.testing._client import BackendTestClient

            return BackendTestClient
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
