"""The isolation proof: libx 1.0 and 2.0 in two plugins and 3.0 in the host, live at once."""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import logging
import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from greenroom import BackendPlugin
from greenroom._dynamic.models import PrivatePackage, ScannedPluginPackage
from greenroom._dynamic.module_loader import NamespacedModuleLoader
from greenroom._dynamic.rewrite import PREFIX

#: A plugin module importing its private libx in every form the issue names, and more.
PLUGIN_INIT = '''
    """Plugin {name}: imports its private libx in every form."""
    import importlib
    import importlib.metadata
    import importlib.resources
    import importlib.util

    import libx
    import libx.sub
    import libx.sub as sub_alias
    from libx.sub import y

    from greenroom import BackendPlugin, hookimpl

    from . import helper
    from .helper import relative_value

    by_import_module = importlib.import_module("libx")
    sub_by_import_module = importlib.import_module(".sub", "libx")
    metadata_version = importlib.metadata.version("libx")
    by_dunder_import = __import__("libx")
    sub_by_dunder_import = __import__("libx.sub", fromlist=["y"])
    spec = importlib.util.find_spec("libx")
    data = importlib.resources.files("libx").joinpath("data.txt").read_text()
    generated = {{}}
    exec("import libx as generated_libx", generated)


    def version_now():
        """Imports again at call time, long after the load."""
        import libx

        return libx.__version__, importlib.metadata.version("libx")


    class Plugin(BackendPlugin):
        plugin_id = "{name}"

        @hookimpl
        def register(self, env):
            pass


    plugin = Plugin()
'''


MakePlugin = Callable[[Path, str, str], ScannedPluginPackage]


@pytest.fixture
def make_plugin(
    make_libx: Callable[[Path, str], Path], make_plugin_folder: Callable[..., ScannedPluginPackage]
) -> MakePlugin:
    """``make_plugin(root, "a", "1.0")``: plugin ``plugin-a`` carrying its own libx 1.0."""

    def make(root: Path, letter: str, libx_version: str) -> ScannedPluginPackage:
        name = f"plugin_{letter}"
        folder = root / f"plugin-{letter}"
        make_libx(folder, libx_version)
        return make_plugin_folder(
            folder,
            f"plugin-{letter}",
            {
                f"{name}/__init__.py": PLUGIN_INIT.format(name=f"plugin-{letter}"),
                f"{name}/helper.py": "relative_value = 'relative'\n",
            },
            reference=f"{name}:plugin",
            private=(PrivatePackage("libx", libx_version, ("libx",)),),
        )

    return make


@pytest.fixture
def plugins(
    tmp_path: Path,
    host_site: Path,
    make_libx: Callable[[Path, str], Path],
    make_plugin: MakePlugin,
) -> tuple[ScannedPluginPackage, ScannedPluginPackage]:
    """Plugin A with libx 1.0, plugin B with libx 2.0, and libx 3.0 in the host's site."""
    make_libx(host_site, "3.0")
    return make_plugin(tmp_path, "a", "1.0"), make_plugin(tmp_path, "b", "2.0")


def entry(package: ScannedPluginPackage) -> str:
    """The package's entry point value (``plugin_a:plugin``)."""
    assert package.manifest is not None
    return package.manifest.entry_points[0].value


def plugin_module(loader: NamespacedModuleLoader, package: ScannedPluginPackage) -> Any:
    """The plugin's package module as loaded."""
    top = package.manifest.top_level[0] if package.manifest else ""
    return sys.modules[loader.module_name(package, top)]


def test_three_versions_live_at_once_in_every_import_form(
    make_loader: Callable[..., NamespacedModuleLoader],
    plugins: tuple[ScannedPluginPackage, ScannedPluginPackage],
) -> None:
    """Each plugin gets its own libx from every import form; the host keeps 3.0."""
    loader = make_loader()
    loader.prepare(plugins)
    loaded = [loader.load(package, entry(package)) for package in plugins]
    import libx  # the host's, imported after the plugins loaded

    assert libx.__version__ == "3.0"
    assert importlib.import_module("libx") is libx
    assert importlib.metadata.version("libx") == "3.0"
    for package, plugin, expected in zip(plugins, loaded, ("1.0", "2.0"), strict=True):
        module = plugin_module(loader, package)
        own = sys.modules[loader.module_name(package, "libx")]
        assert own is not libx
        assert own.__version__ == expected
        assert own.__file__ == str(package.content_dir / "libx" / "__init__.py")
        assert module.libx is own
        assert module.y == f"y-{expected}"
        assert module.sub_alias is own.sub
        assert own.sub.parent_version == expected
        assert module.by_import_module is own
        assert module.sub_by_import_module is own.sub
        assert module.metadata_version == expected
        assert module.by_dunder_import is own
        assert module.sub_by_dunder_import is own.sub
        assert module.spec.name == loader.module_name(package, "libx")
        assert module.data == f"data {expected}\n"
        assert module.generated["generated_libx"] is own
        assert module.helper.relative_value == "relative"
        assert module.version_now() == (expected, expected)
        assert isinstance(plugin, BackendPlugin)
    assert plugins[0].content_dir != plugins[1].content_dir


def test_no_unprefixed_private_module_is_left(
    make_loader: Callable[..., NamespacedModuleLoader],
    plugins: tuple[ScannedPluginPackage, ScannedPluginPackage],
) -> None:
    """After loading, sys.modules holds plugin modules only under the prefix."""
    loader = make_loader()
    for package in plugins:
        loader.load(package, entry(package))
    assert not [n for n in sys.modules if n.partition(".")[0] in {"libx", "plugin_a", "plugin_b"}]
    assert f"{PREFIX}.plugin_a.libx.sub" in sys.modules
    assert f"{PREFIX}.plugin_b.plugin_b.helper" in sys.modules


def test_a_host_copy_imported_first_is_restored_untouched(
    make_loader: Callable[..., NamespacedModuleLoader],
    plugins: tuple[ScannedPluginPackage, ScannedPluginPackage],
) -> None:
    """A libx the host imported before the plugins load is the same object afterwards."""
    import libx
    import libx.sub

    loader = make_loader()
    loader.load(plugins[0], "plugin_a:plugin")
    assert sys.modules["libx"] is libx
    assert sys.modules["libx.sub"] is libx.sub
    assert libx.sub.y == "y-3.0"


def test_the_plugins_own_distribution_is_visible_to_it_only(
    make_loader: Callable[..., NamespacedModuleLoader],
    plugins: tuple[ScannedPluginPackage, ScannedPluginPackage],
) -> None:
    """``importlib.metadata`` from plugin code sees its distributions first, the host's after."""
    assert plugins[0].content_dir is not None
    (plugins[0].content_dir / "plugin_a" / "meta.py").write_text(
        "import importlib.metadata as m\n"
        "own = m.version('plugin-a')\n"
        "names = {d.metadata['Name'] for d in m.distributions()}\n"
    )
    loader = make_loader()
    loader.load(plugins[0], "plugin_a.meta")
    meta = sys.modules[loader.module_name(plugins[0], "plugin_a.meta")]
    assert meta.own == "0.1.0"
    assert {"plugin-a", "libx", "pluggy"} <= meta.names
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("plugin-a")


def test_unload_frees_the_plugin(
    make_loader: Callable[..., NamespacedModuleLoader],
    plugins: tuple[ScannedPluginPackage, ScannedPluginPackage],
) -> None:
    """After unload, no module of the plugin is left and its module object is collected."""
    loader = make_loader()
    loader.prepare(plugins)
    plugin = loader.load(plugins[0], "plugin_a:plugin")
    loader.load(plugins[1], "plugin_b:plugin")
    module = weakref.ref(plugin_module(loader, plugins[0]))
    libx_a = weakref.ref(sys.modules[loader.module_name(plugins[0], "libx")])
    # A dict cannot be weakly referenced; its __import__ lives in it only.
    builtins_a = weakref.ref(module().__builtins__["__import__"])  # type: ignore[union-attr]
    del plugin
    loader.unload(plugins[0])
    gc.collect()
    assert module() is None
    assert libx_a() is None
    assert builtins_a() is None
    assert not [n for n in sys.modules if n.startswith(f"{PREFIX}.plugin_a")]
    assert f"{PREFIX}.plugin_b.libx" in sys.modules
    assert importlib.metadata.version("libx") == "3.0"


def test_reload_after_unload_runs_the_new_code(
    make_loader: Callable[..., NamespacedModuleLoader], tmp_path: Path, make_plugin: MakePlugin
) -> None:
    """Unloading then loading a changed folder gives the new code (the base of hot reload)."""
    package = make_plugin(tmp_path, "a", "1.0")
    loader = make_loader()
    loader.load(package, "plugin_a:plugin")
    loader.unload(package)
    package_v2 = make_plugin(tmp_path / "v2", "a", "1.1")
    loader.load(package_v2, "plugin_a:plugin")
    assert sys.modules[loader.module_name(package_v2, "libx")].__version__ == "1.1"


def test_a_private_copy_of_a_shared_package_is_ignored_with_a_warning(
    make_loader: Callable[..., NamespacedModuleLoader],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    make_plugin_folder: Callable[..., ScannedPluginPackage],
    make_distribution: Callable[..., Path],
) -> None:
    """A plugin shipping attrs and json gets the host's, and the user is told which and why."""
    folder = tmp_path / "plugin-c"
    make_distribution(folder, "attrs", "1.0", {"attrs/__init__.py": "FAKE = True\n"})
    make_distribution(folder, "json", "1.0", {"json/__init__.py": "FAKE = True\n"})
    package = make_plugin_folder(
        folder,
        "plugin-c",
        {
            "plugin_c/__init__.py": "import attrs, json, importlib.metadata as m\n"
            "plugin = (attrs, json, m.version('attrs'))\n"
        },
    )
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        shared_attrs, stdlib_json, attrs_version = make_loader().load(package, "plugin_c:plugin")
    assert shared_attrs is sys.modules["attrs"]
    assert stdlib_json is sys.modules["json"]
    # The metadata of the ignored copy is hidden too: the plugin runs the host's attrs.
    assert attrs_version == importlib.metadata.version("attrs") != "1.0"
    messages = [r.getMessage() for r in caplog.records if r.name == "greenroom.dynamic"]
    assert any(
        "'plugin-c' ships its own copy of 'attrs' (attrs 1.0" in m and "shared" in m
        for m in messages
    )
    assert any("'json'" in m and "standard library" in m for m in messages)


def test_shared_packages_from_config_resolve_to_the_host(
    make_loader: Callable[..., NamespacedModuleLoader],
    plugins: tuple[ScannedPluginPackage, ScannedPluginPackage],
) -> None:
    """``sharedPackages: [libx]`` makes every plugin use the host's libx 3.0."""
    loader = make_loader(shared_packages=["libx"])
    loader.load(plugins[0], "plugin_a:plugin")
    module = plugin_module(loader, plugins[0])
    assert module.libx.__version__ == "3.0"
    assert module.metadata_version == "3.0"
    assert "libx" in loader.shared
    assert f"{PREFIX}.plugin_a.libx" not in sys.modules
