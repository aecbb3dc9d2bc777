"""``mock_services.root_config(data=...)``: configuration from a dict, no files read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.config import ConfigService
from greenroom._api.services.refs import core_services
from greenroom._config import Config

__all__ = ["MockRootConfig"]


@final
class MockRootConfig:
    """A ``ConfigService`` over ``data``, with the real reader's checks and messages.

    Values are read by the same :class:`~greenroom.Config` the backend uses, so
    a wrong type fails in a test as it would in production; there is only no
    file, environment or substitution. ``service_factory`` provides it as
    ``core_services.root_config``.
    """

    __slots__ = ("_config",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._config = Config.from_data(data or {}, file="mock_services.root_config")

    @property
    def service_factory(self) -> ServiceFactory[ConfigService]:
        """Provides this object as ``core_services.root_config``."""
        return ServiceFactory(service=core_services.root_config, factory=lambda: self)

    def __repr__(self) -> str:
        return f"MockRootConfig(keys={self.keys()!r})"

    # The ConfigService protocol, delegated: Config is final, and these are its checks.

    def get(self, key: str | None = None) -> Any:
        """The value at ``key`` (everything when None)."""
        return self._config.get(key)

    def get_optional(self, key: str | None = None) -> Any:
        """The value at ``key``, or None when it is missing."""
        return self._config.get_optional(key)

    def get_string(self, key: str) -> str:
        """The non-empty string at ``key``."""
        return self._config.get_string(key)

    def get_optional_string(self, key: str) -> str | None:
        """The non-empty string at ``key``, or None when missing."""
        return self._config.get_optional_string(key)

    def get_number(self, key: str) -> int | float:
        """The number at ``key``."""
        return self._config.get_number(key)

    def get_optional_number(self, key: str) -> int | float | None:
        """The number at ``key``, or None when missing."""
        return self._config.get_optional_number(key)

    def get_boolean(self, key: str) -> bool:
        """The boolean at ``key``."""
        return self._config.get_boolean(key)

    def get_optional_boolean(self, key: str) -> bool | None:
        """The boolean at ``key``, or None when missing."""
        return self._config.get_optional_boolean(key)

    def get_config(self, key: str) -> ConfigService:
        """The object at ``key``."""
        return self._config.get_config(key)

    def get_optional_config(self, key: str) -> ConfigService | None:
        """The object at ``key``, or None when missing."""
        return self._config.get_optional_config(key)

    def get_config_array(self, key: str) -> list[ConfigService]:
        """The array of objects at ``key``."""
        return self._config.get_config_array(key)

    def get_optional_config_array(self, key: str) -> list[ConfigService] | None:
        """The array of objects at ``key``, or None when missing."""
        return self._config.get_optional_config_array(key)

    def get_string_array(self, key: str) -> list[str]:
        """The array of non-empty strings at ``key``."""
        return self._config.get_string_array(key)

    def get_optional_string_array(self, key: str) -> list[str] | None:
        """The array of non-empty strings at ``key``, or None when missing."""
        return self._config.get_optional_string_array(key)

    def has(self, key: str) -> bool:
        """Whether a value is set at ``key``."""
        return self._config.has(key)

    def keys(self) -> Sequence[str]:
        """The top-level keys."""
        return self._config.keys()
