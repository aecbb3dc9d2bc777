"""Installed plugins: the greenroom entry point groups, each entry point loaded on its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dynamic_plugin_sources import MODULE_GROUP, module_source, plugin_dist
from dynamic_scan_builders import BACKEND, FRONTEND, Dist, write_folder

from greenroom import BackendModule, BackendPlugin, Config
from greenroom._dynamic.manager import DynamicPlugin, DynamicPluginManager

#: Appended to a generated plugin module: the other forms an entry point may name.
MORE_FORMS = """

class Second(BackendPlugin):
    plugin_id = "second"

    @hookimpl
    def register(self, env):
        pass


both = [Plugin, Second()]


def install():
    return [Plugin(), Second]
"""


def install(site: Path, *dists: Dist) -> None:
    """Install ``dists`` into ``site`` as pip would (package folders plus ``*.dist-info``)."""
    for dist in dists:
        write_folder(site, dist)


def load(disabled: tuple[str, ...] = ()) -> DynamicPluginManager:
    """A manager over the installed plugins only (no root directory), loaded."""
    config = {"dynamicPlugins": {"disabled": list(disabled)}} if disabled else {}
    manager = DynamicPluginManager(Config.from_data(config))
    manager.load()
    return manager


def by_source(manager: DynamicPluginManager) -> dict[str, DynamicPlugin]:
    """Every plugin record, failed ones included, by its entry point name."""
    records = manager.plugins(include_failed=True)
    assert all(p.entry_point is not None for p in records)
    return {p.entry_point.name: p for p in records if p.entry_point is not None}


@pytest.mark.parametrize(
    ("reference", "plugin_ids"),
    [
        ("Plugin", ["todo"]),
        ("plugin", ["todo"]),
        ("both", ["todo", "second"]),
        ("install", ["todo", "second"]),
    ],
    ids=["class", "instance", "list", "installer"],
)
def test_a_backend_entry_point_loads_in_every_form(
    installed_site: Path, reference: str, plugin_ids: list[str]
) -> None:
    """A class, an instance, a list, or an installer returning those: each gives its plugins."""
    dist = plugin_dist("acme-todo", "todo", entry="todo", reference=reference)
    dist.code["acme_todo/__init__.py"] += MORE_FORMS
    install(installed_site, dist)

    manager = load()

    (plugin,) = manager.plugins(include_failed=True)
    assert plugin.as_json() == {
        "name": "acme-todo",
        "version": "1.0.0",
        "role": "backend-plugin",
        "plugin_id": "todo",
        "source": "entry point greenroom.backend_plugin:todo (acme-todo 1.0.0)",
        "state": "loaded",
        "failure": None,
    }
    assert plugin.platform == "python"
    assert [f.plugin_id for f in plugin.features] == plugin_ids
    assert all(isinstance(f, BackendPlugin) for f in plugin.features)
    assert manager.backend_plugins() == [plugin]
    assert manager.features() == plugin.features
    assert manager.available_packages == ()  # no root directory configured


def test_a_module_entry_point_loads_as_a_module_of_its_plugin(installed_site: Path) -> None:
    """An entry point in greenroom.backend_plugin_module gives a module, filed under its plugin."""
    install(
        installed_site,
        Dist(
            name="acme-todo-extra",
            entry_points={MODULE_GROUP: {"extra": "acme_todo_extra:Module"}},
            code={"acme_todo_extra/__init__.py": module_source("todo", "extra", "extra")},
        ),
    )

    (plugin,) = load().backend_plugins()

    assert (plugin.role, plugin.plugin_id, plugin.state) == (
        "backend-plugin-module",
        "todo",
        "loaded",
    )
    (module,) = plugin.features
    assert isinstance(module, BackendModule)
    assert module.module_id == "extra"  # type: ignore[attr-defined]


def test_an_entry_point_that_fails_to_import_is_recorded_and_the_others_load(
    installed_site: Path,
) -> None:
    """The import error becomes the failure text; the plugins beside it still load."""
    broken = plugin_dist("acme-broken", "broken", entry="broken")
    broken.code["acme_broken/__init__.py"] = "raise RuntimeError('no database driver')\n"
    install(installed_site, broken, plugin_dist("acme-todo", "todo", entry="todo"))

    manager = load()

    records = by_source(manager)
    assert records["broken"].state == "failed"
    assert records["broken"].failure == (
        "could not import 'acme_broken:Plugin': RuntimeError: no database driver"
    )
    assert records["broken"].features == []
    assert records["todo"].state == "loaded"
    assert manager.plugins() == [records["todo"]]
    assert manager.backend_plugins() == [records["todo"]]


def test_two_distributions_may_use_one_entry_point_name(installed_site: Path) -> None:
    """Entry point names are per distribution: two plugins both called 'plugin' both load."""
    install(installed_site, plugin_dist("acme-one", "one"), plugin_dist("acme-two", "two"))

    manager = load()

    assert [(p.name, p.state, p.plugin_id) for p in manager.plugins(include_failed=True)] == [
        ("acme-one", "loaded", "one"),
        ("acme-two", "loaded", "two"),
    ]


@pytest.mark.parametrize(
    ("group", "reference", "fix"),
    [
        (BACKEND, "acme_todo.extra:Module", "to the greenroom.backend_plugin_module group"),
        (MODULE_GROUP, "acme_todo:Plugin", "to the greenroom.backend_plugin group"),
    ],
    ids=["module-in-plugin-group", "plugin-in-module-group"],
)
def test_an_entry_point_in_the_wrong_group_is_refused_naming_the_right_one(
    installed_site: Path, group: str, reference: str, fix: str
) -> None:
    """A module in the plugin group (or the reverse) fails, and the message names its group."""
    dist = plugin_dist("acme-todo", "todo")
    dist.entry_points = {group: {"wrong": reference}}
    dist.code["acme_todo/extra.py"] = module_source("todo", "extra", "extra")
    install(installed_site, dist)

    (plugin,) = load().plugins(include_failed=True)

    assert plugin.state == "failed"
    assert plugin.failure is not None
    assert plugin.failure.startswith(f"entry point {group}:wrong (acme-todo 1.0.0) is in a ")
    assert plugin.failure.endswith(f"move the entry point {fix}")


def test_an_entry_point_naming_no_feature_says_what_it_may_name(installed_site: Path) -> None:
    """An entry point naming something else fails with the forms it may take."""
    dist = plugin_dist("acme-todo", "todo", reference="Path")
    install(installed_site, dist)

    (plugin,) = load().plugins(include_failed=True)

    assert plugin.state == "failed"
    assert "expected a BackendPlugin or BackendModule (class or instance)" in (plugin.failure or "")


def test_frontend_entry_points_are_never_imported(installed_site: Path) -> None:
    """A frontend package is located, not imported: listed with its dist/, failed without."""
    poison = {"__init__.py": "raise AssertionError('frontend code ran on the backend')\n"}
    install(
        installed_site,
        Dist(
            name="acme-web",
            entry_points={FRONTEND: {"web": "acme_web", "bare": "acme_web_bare"}},
            code={
                **{f"acme_web/{k}": v for k, v in poison.items()},
                "acme_web/dist/index.js": "export default 1;\n",
                **{f"acme_web_bare/{k}": v for k, v in poison.items()},
            },
        ),
    )

    manager = load()

    records = by_source(manager)
    assert records["web"].state == "loaded"
    assert records["web"].assets_dir == installed_site / "acme_web" / "dist"
    assert records["web"].platform == "web"
    assert records["bare"].state == "failed"
    bare = installed_site / "acme_web_bare"
    assert records["bare"].failure == (
        f"frontend package 'acme_web_bare' has no dist/ folder at {bare}: "
        "build the frontend assets into <package>/dist before installing"
    )
    assert manager.frontend_plugins() == [records["web"]]
    assert manager.backend_plugins() == []
    assert "acme_web" not in sys.modules
    assert "acme_web_bare" not in sys.modules


def test_an_editable_frontend_package_is_found_where_it_lives(
    installed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable install (a .pth path to src/): dist/ is found in src/, still not imported."""
    install(installed_site, Dist(name="acme-web", entry_points={FRONTEND: {"web": "acme_web"}}))
    source = tmp_path / "src"
    (source / "acme_web" / "dist").mkdir(parents=True)
    (source / "acme_web" / "__init__.py").write_text("raise AssertionError('imported')\n")
    monkeypatch.syspath_prepend(str(source))  # what the editable wheel's .pth line does

    (record,) = load().plugins(include_failed=True)

    assert (record.state, record.assets_dir) == ("loaded", source / "acme_web" / "dist")
    assert "acme_web" not in sys.modules


def test_a_disabled_installed_plugin_is_listed_but_never_imported(installed_site: Path) -> None:
    """dynamicPlugins.disabled: the distribution is 'disabled', even when its import would fail."""
    broken = plugin_dist("acme-broken", "broken")
    broken.code["acme_broken/__init__.py"] = "raise AssertionError('imported though disabled')\n"
    install(installed_site, broken, plugin_dist("acme-todo", "todo"))

    manager = load(disabled=("Acme_Broken",))  # any spelling of the distribution name

    records = {p.name: p for p in manager.plugins(include_failed=True)}
    assert (records["acme-broken"].state, records["acme-broken"].failure) == ("disabled", None)
    assert records["acme-broken"].features == []
    assert "acme_broken" not in sys.modules
    assert manager.backend_plugins() == [records["acme-todo"]]


@pytest.mark.parametrize("error", ["AssertionError", "SyntaxError", "ImportError"])
def test_any_import_error_of_one_entry_point_is_recorded(installed_site: Path, error: str) -> None:
    """Even an AssertionError at import (which stevedore re-raises) fails only that plugin."""
    broken = plugin_dist("acme-broken", "broken")
    broken.code["acme_broken/__init__.py"] = f"raise {error}('python too old')\n"
    install(installed_site, broken, plugin_dist("acme-todo", "todo"))

    manager = load()

    records = {p.name: p for p in manager.plugins(include_failed=True)}
    assert records["acme-broken"].failure == (
        f"could not import 'acme_broken:Plugin': {error}: python too old"
    )
    assert records["acme-todo"].state == "loaded"
