"""Default ``discovery``: plugin URLs from ``backend.baseUrl`` and ``discovery.endpoints``.

``discovery.endpoints`` is Backstage's list of ``{target, plugins}``, where
``target`` is a URL (or ``{internal, external}``) that may contain
``{{pluginId}}``; plugins not listed live at ``<backend.baseUrl>/api/<pluginId>``.
"""

from __future__ import annotations

from typing import Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.config import ConfigService
from greenroom._api.services.refs import core_services

__all__ = ["HostDiscovery", "service_factory"]

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 7007


def base_url_from(config: ConfigService) -> str:
    """``backend.baseUrl``, or ``http://<listen host>:<listen port>`` without one."""
    base = config.get_optional_string("backend.baseUrl")
    if base:
        return base.rstrip("/")
    host = config.get_optional_string("backend.listen.host") or DEFAULT_HOST
    port = config.get_optional_number("backend.listen.port") or DEFAULT_PORT
    if host in ("0.0.0.0", "::"):
        host = "localhost"
    return f"http://{host}:{int(port)}"


class HostDiscovery:
    """Resolves plugin base URLs from configuration."""

    def __init__(self, config: ConfigService) -> None:
        self._base = base_url_from(config)
        self._targets: dict[str, tuple[str, str]] = {}
        for endpoint in config.get_optional_config_array("discovery.endpoints") or []:
            # ``target`` is a URL or ``{internal, external}``: look at it before reading
            # into it, since reading ``target.internal`` from a string is a type error.
            if isinstance(endpoint.get("target"), str):
                internal = external = endpoint.get_string("target")
            else:
                internal = endpoint.get_string("target.internal")
                external = endpoint.get_string("target.external")
            for plugin_id in endpoint.get_string_array("plugins"):
                self._targets[plugin_id] = (internal, external)

    async def get_base_url(self, plugin_id: str) -> str:
        """The URL other backends use to reach ``plugin_id``."""
        return self._resolve(plugin_id, 0)

    async def get_external_base_url(self, plugin_id: str) -> str:
        """The URL clients outside the deployment use to reach ``plugin_id``."""
        return self._resolve(plugin_id, 1)

    def _resolve(self, plugin_id: str, which: int) -> str:
        target = self._targets.get(plugin_id)
        if target is None:
            return f"{self._base}/api/{plugin_id}"
        return target[which].replace("{{pluginId}}", plugin_id).replace("{{ pluginId }}", plugin_id)


service_factory: Final = ServiceFactory(
    service=core_services.discovery,
    factory=HostDiscovery,
    deps={"config": core_services.root_config},
)
