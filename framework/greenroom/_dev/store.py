"""The ``dev.data_store`` service: values handed to the ``package start`` process and back.

Keys are namespaced by plugin id (``todo/items``), so plugins never see each
other's values. Values are pickled here, in the backend; a value that the
next backend cannot unpickle (its class changed or is gone) is logged and
treated as missing, because losing development data must not stop a start.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from typing import Any, Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.refs import core_services
from greenroom._dev.api import DevDataStoreService, dev_data_store
from greenroom._dev.client import DevSessionClient, SessionGoneError, session_client
from greenroom._dev.protocol import LOAD, SAVE
from greenroom._errors import DevDataStoreError

__all__ = ["DevDataStore", "NoDevDataStore", "service_factory"]

_log = logging.getLogger("greenroom.dev")


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise DevDataStoreError(
            f"a development data store key must be a non-empty string, got {key!r}",
            key=str(key),
        )
    return key


class DevDataStore:
    """The store of one plugin in a backend run by ``greenroom package start``."""

    def __init__(self, client: DevSessionClient, plugin_id: str) -> None:
        self._client = client
        self._plugin_id = plugin_id

    @property
    def available(self) -> bool:
        """Always true: the values are kept by the parent process."""
        return True

    async def save(self, key: str, value: Any) -> bool:
        """Pickle ``value`` and hand it to the parent under ``<pluginId>/<key>``.

        ``False`` when the parent is gone (it quit before this backend stopped).
        """
        _check_key(key)
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise DevDataStoreError(
                f"plugin {self._plugin_id!r} cannot keep {type(value).__name__} under "
                f"{key!r} in the development data store: it cannot be pickled ({exc}); "
                "save plain data (dicts, lists, strings, bytes, numbers) instead",
                key=key,
            ) from exc
        try:
            await asyncio.to_thread(self._client.request, SAVE, self._full(key), data)
        except SessionGoneError as exc:
            # The parent quit first (killed, or its terminal closed): nobody to keep it for.
            _log.info("plugin %r: %r is not kept: %s", self._plugin_id, key, exc)
            return False
        return True

    async def load(self, key: str, default: Any = None) -> Any:
        """The value saved under ``key`` by this or an earlier backend, else ``default``."""
        _check_key(key)
        try:
            data = await asyncio.to_thread(self._client.request, LOAD, self._full(key))
        except SessionGoneError as exc:
            _log.info("plugin %r: nothing loaded for %r: %s", self._plugin_id, key, exc)
            return default
        if data is None:
            return default
        try:
            return pickle.loads(data)
        except Exception as exc:
            _log.warning(
                "plugin %r: the value saved under %r in the development data store cannot be "
                "loaded by this code (%s: %s); starting without it",
                self._plugin_id,
                key,
                type(exc).__name__,
                exc,
            )
            return default

    def _full(self, key: str) -> str:
        return f"{self._plugin_id}/{key}"

    def __repr__(self) -> str:
        return f"DevDataStore({self._plugin_id!r})"


class NoDevDataStore:
    """The store outside ``greenroom package start``: it keeps nothing."""

    @property
    def available(self) -> bool:
        """Always false."""
        return False

    async def save(self, key: str, value: Any) -> bool:
        """Keep nothing; ``False``."""
        _check_key(key)
        return False

    async def load(self, key: str, default: Any = None) -> Any:
        """Always ``default``."""
        _check_key(key)
        return default

    def __repr__(self) -> str:
        return "NoDevDataStore()"


def _create(metadata: PluginMetadataService) -> DevDataStoreService:
    client = session_client()
    if client is None:
        return NoDevDataStore()
    return DevDataStore(client, metadata.plugin_id)


service_factory: Final = ServiceFactory(
    service=dev_data_store,
    factory=_create,
    deps={"metadata": core_services.plugin_metadata},
)
