"""``FeaturePluginManager`` finds exactly the hook implementations pluggy finds, faster."""

from __future__ import annotations

from typing import Any

import pluggy
import pytest

from greenroom import BackendModule, BackendPlugin, hookimpl
from greenroom._api.hookspecs import PROJECT_NAME, FeatureHookSpecs
from greenroom._api.plugin_manager import FeaturePluginManager


class Plain(BackendPlugin):
    plugin_id = "plain"

    @hookimpl
    def register(self, env: Any) -> None: ...


class Static(BackendPlugin):
    plugin_id = "static"

    @hookimpl
    @staticmethod
    def config_schema() -> dict[str, Any]:
        return {}

    @staticmethod
    @hookimpl
    def register(env: Any) -> None: ...


class Described(BackendPlugin):
    plugin_id = "described"
    evaluated = False

    @property
    def broken(self) -> Any:
        raise AssertionError("pluggy never evaluates properties")

    @classmethod
    @hookimpl
    def register(cls, env: Any) -> None: ...

    def helper(self) -> None: ...


class Slotted(BackendModule):
    __slots__ = ("extra",)
    plugin_id = "slotted"
    module_id = "mod"

    def __init__(self) -> None:
        self.extra = hookimpl(lambda env: None)

    @hookimpl
    def register(self, env: Any) -> None: ...


def _no_schema() -> dict[str, Any]:
    return {}


def _instance_attribute() -> BackendPlugin:
    plugin = Plain()
    plugin.__dict__["config_schema"] = hookimpl(_no_schema)
    plugin.__dict__["not_a_hook"] = "text"
    return plugin


def _pluggy() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(FeatureHookSpecs)
    return manager


@pytest.mark.parametrize(
    "make",
    [Plain, Static, Described, Slotted, _instance_attribute],
    ids=["method", "staticmethod", "classmethod-and-property", "slots", "instance-dict"],
)
def test_every_name_parses_as_pluggy_parses_it(make: Any) -> None:
    """For every name dir() lists, the options are pluggy's own (None included)."""
    feature = make()
    ours, theirs = FeaturePluginManager(), _pluggy()
    for name in dir(feature):
        assert ours.parse_hookimpl_opts(feature, name) == theirs.parse_hookimpl_opts(feature, name)


def test_registration_finds_the_same_implementations() -> None:
    """Registering a feature yields the same hook implementations, per hook."""
    features = [Plain(), Static(), Described()]
    ours, theirs = FeaturePluginManager(), _pluggy()
    for feature in features:
        ours.register(feature)
        theirs.register(feature)
    for hook in ("register", "config_schema"):
        mine = [impl.function.__qualname__ for impl in getattr(ours.hook, hook).get_hookimpls()]
        pluggys = [
            impl.function.__qualname__ for impl in getattr(theirs.hook, hook).get_hookimpls()
        ]
        assert mine == pluggys
