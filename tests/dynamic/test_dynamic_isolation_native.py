"""Isolation with compiled code: two builds of a binary wheel in two plugins, a third in the host.

- msgpack's speed-ups are a Cython extension (``msgpack._cmsgpack``) that
  registers itself in ``sys.modules`` under its plain name (so the host's later
  ``import msgpack`` would run a plugin's code), and that msgpack silently
  replaces by ``msgpack.fallback`` when it cannot be imported;
- markupsafe 2.1's ``_speedups`` imports ``markupsafe`` by its plain name while
  it initialises, to find ``Markup`` (without care it returns the host's
  ``Markup``).

Both are checked in both orders (the host's copy imported first or last).
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from greenroom._dynamic.models import PrivatePackage, ScannedPluginPackage
from greenroom._dynamic.module_loader import NamespacedModuleLoader

#: Pinned in tests/wheelhouse.txt: dist -> (plugin A, plugin B, host when the venv has none).
VERSIONS = {
    "msgpack": ("1.1.0", "1.1.1", "1.1.2"),
    "MarkupSafe": ("2.1.3", "2.1.5", "2.1.4"),
}

MSGPACK_PLUGIN = """
    import importlib.metadata

    import msgpack
    from msgpack import _cmsgpack

    metadata_version = importlib.metadata.version("msgpack")
    roundtrip = msgpack.unpackb(msgpack.packb({"k": [1, 2.5, "v"]}))


    def pack(value):
        return msgpack.packb(value)


    plugin = msgpack
"""

MARKUPSAFE_PLUGIN = """
    import importlib.metadata

    import markupsafe

    metadata_version = importlib.metadata.version("markupsafe")
    escaped = markupsafe.escape("<b>")
    plugin = markupsafe
"""

Packages = list[ScannedPluginPackage]


@pytest.fixture
def native_setup(
    tmp_path: Path,
    host_site: Path,
    install_wheel: Callable[[str, Path], Path],
    make_plugin_folder: Callable[..., ScannedPluginPackage],
) -> Callable[[str, str], Packages]:
    """``native_setup(dist, code)``: plugins A and B with their builds, and the host's build."""

    def setup(dist: str, code: str) -> Packages:
        plugin_a, plugin_b, host = VERSIONS[dist]
        if not any(d.metadata["Name"] == dist for d in importlib.metadata.distributions()):
            install_wheel(f"{dist}=={host}", host_site)
        packages = []
        for letter, version in zip("ab", (plugin_a, plugin_b), strict=True):
            folder = tmp_path / f"plugin-{letter}"
            install_wheel(f"{dist}=={version}", folder)
            packages.append(
                make_plugin_folder(
                    folder,
                    f"plugin-{letter}",
                    {f"plugin_{letter}/__init__.py": code},
                    reference=f"plugin_{letter}:plugin",
                    private=(PrivatePackage(dist, version, (dist.lower(),)),),
                )
            )
        return packages

    return setup


def load_all(
    loader: NamespacedModuleLoader, packages: Packages, caplog: pytest.LogCaptureFixture
) -> list[Any]:
    """Load both plugins, checking the loader had nothing to warn about."""
    with caplog.at_level(logging.DEBUG, logger="greenroom.dynamic"):
        loaded = [loader.load(p, f"plugin_{p.path.name[-1]}:plugin") for p in packages]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not [n for n in sys.modules if n.partition(".")[0] in {"plugin_a", "plugin_b"}]
    return loaded


def plugin_module(loader: NamespacedModuleLoader, package: ScannedPluginPackage) -> ModuleType:
    """The plugin's own package module."""
    return sys.modules[loader.module_name(package, f"plugin_{package.path.name[-1]}")]


def from_folder(module: ModuleType, package: ScannedPluginPackage) -> bool:
    """Whether ``module`` was loaded from the plugin's folder."""
    return str(module.__file__).startswith(f"{package.content_dir}/")


@pytest.mark.parametrize("host_first", [True, False], ids=["host-first", "plugins-first"])
def test_two_msgpack_builds_and_the_host_s_live_at_once(
    make_loader: Callable[..., NamespacedModuleLoader],
    native_setup: Callable[[str, str], Packages],
    caplog: pytest.LogCaptureFixture,
    host_first: bool,
) -> None:
    """Each plugin runs its own msgpack C extension; the host's msgpack is untouched."""
    packages = native_setup("msgpack", MSGPACK_PLUGIN)
    if host_first:
        import msgpack as host_msgpack
    loader = make_loader()
    loaded = load_all(loader, packages, caplog)
    import msgpack as host_msgpack

    host_cmsgpack = sys.modules["msgpack._cmsgpack"]
    assert not from_folder(host_cmsgpack, packages[0])
    assert not from_folder(host_cmsgpack, packages[1])
    assert host_msgpack.Packer is host_cmsgpack.Packer
    assert host_msgpack.unpackb(host_msgpack.packb([1, "x"])) == [1, "x"]
    assert importlib.metadata.version("msgpack") == ".".join(map(str, host_msgpack.version))
    for package, msgpack, version in zip(packages, loaded, VERSIONS["msgpack"][:2], strict=True):
        module = plugin_module(loader, package)
        cmsgpack = sys.modules[loader.module_name(package, "msgpack._cmsgpack")]
        assert msgpack is sys.modules[loader.module_name(package, "msgpack")]
        assert msgpack.version == tuple(int(p) for p in version.split("."))
        assert module.metadata_version == version
        # The C extension really loaded, from the plugin's folder, and msgpack uses it.
        assert from_folder(cmsgpack, package)
        assert msgpack.Packer is cmsgpack.Packer is module._cmsgpack.Packer
        assert loader.module_name(package, "msgpack.fallback") not in sys.modules
        assert module.roundtrip == {"k": [1, 2.5, "v"]}
        assert module.pack([1]) == b"\x91\x01"
        assert msgpack.Packer is not host_msgpack.Packer
    assert loaded[0].Packer is not loaded[1].Packer


#: markupsafe 2.1 is the version whose C code imports ``markupsafe`` while it initialises
#: (3.x no longer does); it ships no wheels for Python 3.13.
needs_markupsafe_21 = pytest.mark.skipif(
    sys.version_info >= (3, 13), reason="MarkupSafe 2.1 has no wheels for Python 3.13+"
)


@needs_markupsafe_21
@pytest.mark.parametrize("host_first", [True, False], ids=["host-first", "plugins-first"])
def test_markupsafe_speedups_find_their_own_markup(
    make_loader: Callable[..., NamespacedModuleLoader],
    native_setup: Callable[[str, str], Packages],
    caplog: pytest.LogCaptureFixture,
    host_first: bool,
) -> None:
    """markupsafe's C ``escape`` returns each plugin's own ``Markup``, the host's the host's."""
    packages = native_setup("MarkupSafe", MARKUPSAFE_PLUGIN)
    if host_first:
        import markupsafe as host_markupsafe
    loader = make_loader()
    loaded = load_all(loader, packages, caplog)
    import markupsafe as host_markupsafe

    assert type(host_markupsafe.escape("<")) is host_markupsafe.Markup
    # The host's compiled module is the host's own file, whatever its version's API.
    host_speedups = sys.modules["markupsafe._speedups"]
    assert Path(host_speedups.__file__ or "").parent == Path(host_markupsafe.__file__ or "").parent
    assert not any(from_folder(host_speedups, package) for package in packages)
    for package, markupsafe, version in zip(
        packages, loaded, VERSIONS["MarkupSafe"][:2], strict=True
    ):
        module = plugin_module(loader, package)
        speedups = sys.modules[loader.module_name(package, "markupsafe._speedups")]
        assert from_folder(speedups, package)
        assert markupsafe.escape is speedups.escape
        assert module.metadata_version == version
        assert type(module.escaped) is markupsafe.Markup
        assert module.escaped == "&lt;b&gt;"
        assert type(markupsafe.escape("<")) is markupsafe.Markup
        assert markupsafe.Markup is not host_markupsafe.Markup
    assert loaded[0].Markup is not loaded[1].Markup


@needs_markupsafe_21
def test_reloading_compiled_code_from_the_same_folder_is_reported(
    make_loader: Callable[..., NamespacedModuleLoader],
    native_setup: Callable[[str, str], Packages],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Compiled modules never unload: loading the same file again says a restart is needed."""
    package = native_setup("MarkupSafe", MARKUPSAFE_PLUGIN)[0]
    loader = make_loader()
    loader.load(package, "plugin_a:plugin")
    loader.unload(package)
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        loader.load(package, "plugin_a:plugin")
    (message,) = [r.getMessage() for r in caplog.records]
    assert "'markupsafe._speedups'" in message
    assert "was loaded before in this process" in message
    assert "Restart the process" in message
