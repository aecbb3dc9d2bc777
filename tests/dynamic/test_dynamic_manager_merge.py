"""One list from two sources: installed first, then the root; duplicates refused, never shadowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dynamic_plugin_sources import plugin_dist, root_config, write_config
from dynamic_scan_builders import write_folder, write_wheel

from greenroom import create_backend, load_config
from greenroom._dynamic.feature_loader import dynamic_plugins_feature_loader
from greenroom._dynamic.manager import DynamicPluginManager
from greenroom._errors import PluginPackageError

MakeManager = Callable[..., DynamicPluginManager]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty dynamic plugins root directory."""
    path = tmp_path / "plugins"
    path.mkdir()
    return path


def rows(manager: DynamicPluginManager) -> list[tuple[str, str, str | None]]:
    """``(name, state, plugin id)`` of every record, failed ones included, in listing order."""
    return [(p.name, p.state, p.plugin_id) for p in manager.plugins(include_failed=True)]


def test_installed_and_root_plugins_form_one_list_installed_first(
    installed_site: Path, root: Path, make_manager: MakeManager
) -> None:
    """An installed plugin and a dropped-in wheel both load; the installed one is listed first."""
    write_folder(installed_site, plugin_dist("zz-installed", "installed"))
    wheel = write_wheel(root, plugin_dist("aa-dropped", "dropped"))

    manager = make_manager(root_config(root), include_installed=True)

    assert rows(manager) == [
        ("zz-installed", "loaded", "installed"),
        ("aa-dropped", "loaded", "dropped"),
    ]
    installed, dropped = manager.plugins()
    assert installed.source == "entry point greenroom.backend_plugin:plugin (zz-installed 1.0.0)"
    assert dropped.source == f"{wheel} (greenroom.backend_plugin:plugin)"
    assert [p.path for p in manager.available_packages] == [wheel]


def test_a_distribution_installed_and_in_the_root_keeps_the_installed_copy(
    installed_site: Path, root: Path, make_manager: MakeManager
) -> None:
    """The root copy is refused, and its failure names both locations."""
    write_folder(installed_site, plugin_dist("acme-todo", "todo"))
    wheel = write_wheel(root, plugin_dist("acme-todo", "todo", version="1.1.0"))

    manager = make_manager(root_config(root), include_installed=True)

    installed, dropped = manager.plugins(include_failed=True)
    assert (installed.version, installed.state) == ("1.0.0", "loaded")
    assert (dropped.version, dropped.state) == ("1.1.0", "failed")
    assert dropped.failure == (
        "distribution 'acme-todo' is found twice: in the Python environment (acme-todo 1.0.0) "
        f"and in {wheel}; the first is used, remove the other"
    )
    assert manager.backend_plugins() == [installed]


@pytest.mark.parametrize("folder_name", ["aa-todo", "zz-todo"])
def test_a_distribution_twice_in_the_root_keeps_the_first_by_name(
    root: Path, make_manager: MakeManager, folder_name: str
) -> None:
    """A wheel and a folder of one distribution: the first by sorted entry name wins."""
    wheel = write_wheel(root, plugin_dist("acme-todo", "todo"))
    folder = write_folder(root / folder_name, plugin_dist("acme-todo", "todo"))
    first, second = sorted([wheel, folder])

    manager = make_manager(root_config(root))

    kept, refused = manager.plugins(include_failed=True)
    assert (kept.location, kept.state) == (str(first), "loaded")
    assert (refused.location, refused.state) == (str(second), "failed")
    assert refused.failure == (
        f"distribution 'acme-todo' is found twice: in {first} and in {second}; the first is "
        "used, remove the other"
    )
    # The refused copy was never imported: only one namespace exists.
    loader = manager.module_loader
    assert [loader.namespace(p) is not None for p in manager.available_packages] == [
        p.path == first for p in manager.available_packages
    ]


def test_two_plugins_with_one_plugin_id_keep_the_first(
    installed_site: Path, root: Path, make_manager: MakeManager
) -> None:
    """Two distributions providing plugin 'todo': the second is failed, naming both sources."""
    write_folder(installed_site, plugin_dist("acme-todo", "todo"))
    wheel = write_wheel(root, plugin_dist("other-todo", "todo"))
    write_wheel(root, plugin_dist("third-todo", "todo"))

    manager = make_manager(root_config(root), include_installed=True)

    first, *others = manager.plugins(include_failed=True)
    assert first.state == "loaded"
    assert [p.state for p in others] == ["failed", "failed"]
    assert others[0].failure == (
        "plugin id 'todo' is provided by both entry point greenroom.backend_plugin:plugin "
        f"(acme-todo 1.0.0) and {wheel} (greenroom.backend_plugin:plugin); the first is used, "
        "remove or disable the other"
    )
    assert manager.features() == first.features


def test_disabled_distributions_are_listed_and_never_imported(
    root: Path, make_manager: MakeManager
) -> None:
    """dynamicPlugins.disabled, in any spelling: state 'disabled', no namespace, no features."""
    write_wheel(root, plugin_dist("acme-todo", "todo"))
    write_folder(root / "acme-notes", plugin_dist("acme-notes", "notes"))

    manager = make_manager(root_config(root, disabled=["Acme_Todo"]))

    assert rows(manager) == [("acme-notes", "loaded", "notes"), ("acme-todo", "disabled", None)]
    disabled = manager.plugins()[1]
    assert (disabled.failure, disabled.features) == (None, [])
    assert disabled.package is not None
    assert manager.module_loader.namespace(disabled.package) is None
    assert manager.backend_plugins() == manager.plugins()[:1]


def test_a_disabled_package_that_would_fail_is_disabled_not_failed(
    root: Path, make_manager: MakeManager
) -> None:
    """A plugin disabled because it cannot load here is shown as disabled, under its own name."""
    write_wheel(root, plugin_dist("acme-todo", "todo", requires=("greenroom>=999",)))

    failing = make_manager(root_config(root))
    disabled = make_manager(root_config(root, disabled=["acme-todo"]))

    (failed,) = failing.plugins(include_failed=True)
    assert (failed.name, failed.version, failed.state) == ("acme-todo", "1.0.0", "failed")
    assert "greenroom>=999" in (failed.failure or "")
    assert rows(disabled) == [("acme-todo", "disabled", None)]


def test_no_dynamic_plugins_section_means_no_scan_and_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_manager: MakeManager
) -> None:
    """Without the section nothing is scanned, not even a plugins folder in the cwd."""
    write_wheel(tmp_path / "plugins", plugin_dist("acme-todo", "todo"))
    (tmp_path / "junk.bin").write_text("junk")
    monkeypatch.chdir(tmp_path)

    manager = make_manager({})

    assert manager.settings.root_directory is None
    assert manager.plugins(include_failed=True) == []
    assert manager.available_packages == ()


@pytest.mark.anyio
async def test_a_missing_root_is_one_clear_startup_error(tmp_path: Path) -> None:
    """The start fails with one error naming the path and both fixes, before any plugin runs."""
    missing = tmp_path / "no-such-folder"
    backend = create_backend(root_config(missing), [dynamic_plugins_feature_loader])

    with pytest.raises(PluginPackageError) as info:
        await backend.start()

    assert info.value.path == missing
    assert str(info.value) == (
        f"{missing}: the dynamic plugins root directory does not exist\n"
        "fix: create it, or remove dynamicPlugins.rootDirectory from the config"
    )


def test_a_relative_root_resolves_against_the_first_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_manager: MakeManager
) -> None:
    """rootDirectory: plugins means <folder of the first config file>/plugins, not the cwd."""
    first = write_config(
        tmp_path / "deploy" / "app-config.yaml",
        {"dynamicPlugins": {"rootDirectory": "plugins", "cacheDirectory": "cache"}},
    )
    second = write_config(tmp_path / "local" / "app-config.local.yaml", {"app": {"title": "x"}})
    wheel = write_wheel(tmp_path / "deploy" / "plugins", plugin_dist("acme-todo", "todo"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    manager = make_manager(load_config([first, second]))

    assert manager.settings.root_directory == tmp_path / "deploy" / "plugins"
    assert manager.settings.cache_root == tmp_path / "deploy" / "cache"
    assert [p.path for p in manager.available_packages] == [wheel]
    assert rows(manager) == [("acme-todo", "loaded", "todo")]


def test_an_absolute_root_is_used_as_it_is(
    tmp_path: Path, root: Path, make_manager: MakeManager
) -> None:
    """An absolute rootDirectory ignores the config file's folder."""
    config = write_config(tmp_path / "deploy" / "app-config.yaml", root_config(root))

    manager = make_manager(load_config([config]))

    assert manager.settings.root_directory == root
