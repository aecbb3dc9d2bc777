"""Default ``root_config``: ``app-config.yaml`` and ``app-config.local.yaml`` from the cwd.

``create_backend(config=...)`` and ``greenroom start --config`` replace this
factory with one that returns the configuration they were given.
"""

from __future__ import annotations

from typing import Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.config import ConfigService
from greenroom._api.services.refs import core_services

__all__ = ["service_factory"]


def _load() -> ConfigService:
    from greenroom._config import load_config

    return load_config()


service_factory: Final = ServiceFactory(service=core_services.root_config, factory=_load)
