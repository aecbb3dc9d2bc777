"""Development helpers for plugins: the development data store of ``greenroom package start``.

``greenroom package start`` restarts the backend whenever a source file
changes, so whatever a plugin keeps in memory would be lost at every save.
The *development data store* is Backstage's ``DevDataStore`` in Python: the
``greenroom`` CLI process that watches the files outlives every backend it
starts, keeps the values a plugin hands over before a restart, and hands them
back to the next backend. A plugin depends on it like any service::

    from greenroom.dev import dev_data_store

    env.register_init(
        self.init,
        deps={"lifecycle": core_services.lifecycle, "dev_data": dev_data_store},
    )

    async def init(self, lifecycle: LifecycleService, dev_data: DevDataStoreService) -> None:
        items = await dev_data.load("items", default=[])      # what the last backend saved
        ...
        lifecycle.add_shutdown_hook(lambda: dev_data.save("items", list(items)))

Outside ``package start`` (production, ``greenroom start``, tests) the same
service is there and does nothing: ``available`` is false, ``save`` keeps
nothing and ``load`` returns the default, so a plugin needs no special case.
Keys belong to the plugin: two plugins may both save ``"items"``. Values are
pickled: plain data (dicts, lists, strings, bytes, numbers) is the safe
choice, because the next backend unpickles them with the changed code.
"""

from greenroom._dev.api import DevDataStoreService, dev_data_store
from greenroom._errors import DevDataStoreError

__all__ = ["DevDataStoreError", "DevDataStoreService", "dev_data_store"]
