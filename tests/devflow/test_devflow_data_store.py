"""The development data store: values kept by the parent process, namespaced per plugin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from greenroom import BackendPlugin, core_services, hookimpl
from greenroom._dev import client as client_module
from greenroom._dev.host import DevSessionHost
from greenroom._dev.protocol import SESSION_ENV
from greenroom._dev.store import DevDataStore, NoDevDataStore
from greenroom.dev import DevDataStoreError, DevDataStoreService, dev_data_store
from greenroom.testing import start_test_backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[DevSessionHost]:
    """A parent's session in this process, announced in the environment as package start does."""
    host = DevSessionHost()
    monkeypatch.setenv(SESSION_ENV, host.address.to_env())
    monkeypatch.setattr(client_module, "_client", None)
    yield host
    host.close()


def store_for(plugin_id: str) -> DevDataStore:
    """The store a plugin gets in a backend run by package start."""
    client = client_module.session_client()
    assert client is not None
    return DevDataStore(client, plugin_id)


async def test_a_saved_value_is_loaded_back_by_a_later_store(session: DevSessionHost) -> None:
    """What one backend saves, the next one (a new store, same plugin) loads."""
    assert await store_for("todo").save("items", [["a", "A"], ["b", "B"]]) is True
    assert await store_for("todo").load("items") == [["a", "A"], ["b", "B"]]
    assert session.keys() == ["todo/items"]


async def test_keys_belong_to_their_plugin(session: DevSessionHost) -> None:
    """Two plugins may use the same key; neither sees the other's value."""
    await store_for("todo").save("items", 1)
    await store_for("catalog").save("items", 2)
    assert await store_for("todo").load("items") == 1
    assert await store_for("catalog").load("items") == 2


async def test_a_missing_key_loads_the_default(session: DevSessionHost) -> None:
    """load() of a key never saved returns the default (None unless given)."""
    store = store_for("todo")
    assert await store.load("nothing") is None
    assert await store.load("nothing", default=[]) == []


async def test_a_value_that_cannot_be_pickled_is_refused_by_key(session: DevSessionHost) -> None:
    """A lambda cannot be kept: the error names the plugin and the key, and says what to save."""
    with pytest.raises(DevDataStoreError, match="plugin 'todo' cannot keep function") as info:
        await store_for("todo").save("callback", lambda: None)
    assert info.value.key == "callback"
    assert "plain data" in str(info.value)


async def test_a_value_the_new_code_cannot_load_counts_as_missing(
    session: DevSessionHost, caplog: pytest.LogCaptureFixture
) -> None:
    """A saved value that no longer unpickles is logged and load() returns the default."""
    from greenroom._dev.protocol import SAVE

    client = client_module.session_client()
    assert client is not None
    client.request(SAVE, "todo/items", b"not a pickle")
    assert await store_for("todo").load("items", default="fresh") == "fresh"
    assert "cannot be loaded by this code" in caplog.text


async def test_saving_after_the_parent_quit_keeps_nothing_quietly(
    session: DevSessionHost,
) -> None:
    """With the package start process gone, save() returns False instead of failing the stop."""
    store = store_for("todo")
    await store.save("items", 1)
    session.close()
    client = client_module.session_client()
    assert client is not None
    client._connection = None  # a reconnect finds nobody listening
    assert await store.save("items", 2) is False
    assert await store.load("items", default="gone") == "gone"


@pytest.mark.parametrize("key", ["", 3])
async def test_keys_are_non_empty_strings(key: Any) -> None:
    """An empty or non-string key is refused, in development and outside it."""
    with pytest.raises(DevDataStoreError, match="non-empty string"):
        await NoDevDataStore().save(key, 1)


class KeepingPlugin(BackendPlugin):
    """A plugin that records the development data store it was given."""

    plugin_id = "keeper"
    given: ClassVar[list[DevDataStoreService]] = []

    @hookimpl
    def register(self, env: Any) -> None:
        env.register_init(self.init, deps={"store": dev_data_store})

    async def init(self, store: DevDataStoreService) -> None:
        type(self).given.append(store)


async def test_outside_package_start_the_service_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a session (tests, production) the service exists, keeps nothing, loads defaults."""
    monkeypatch.delenv(SESSION_ENV, raising=False)
    KeepingPlugin.given.clear()
    async with start_test_backend(features=[KeepingPlugin]):
        (store,) = KeepingPlugin.given
    assert isinstance(store, DevDataStoreService)
    assert store.available is False
    assert await store.save("items", [1]) is False
    assert await store.load("items", default="default") == "default"


async def test_inside_package_start_the_service_is_the_plugins_store(
    session: DevSessionHost,
) -> None:
    """With a session, a plugin gets a store bound to its own id."""
    KeepingPlugin.given.clear()
    async with start_test_backend(features=[KeepingPlugin]):
        (store,) = KeepingPlugin.given
    assert store.available is True
    await store.save("k", "v")
    assert session.keys() == ["keeper/k"]


def test_the_ref_is_a_plugin_service_with_a_default() -> None:
    """dev_data_store is plugin-scoped, id dev.data_store, with a default factory."""
    assert dev_data_store.id == "dev.data_store"
    assert dev_data_store.scope == "plugin"
    assert dev_data_store.default_factory is not None
    factory = dev_data_store.default_factory()
    assert factory.deps == {"metadata": core_services.plugin_metadata}
