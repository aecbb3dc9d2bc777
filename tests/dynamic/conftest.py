"""Builders for hand-made plugin folders (``pip install --target`` layout) and the wheelhouse.

The module loader tests build everything they import in ``tmp_path``: fake
libraries with their ``*.dist-info``, plugin folders, the host's own copy on
a temporary ``sys.path`` entry. Compiled wheels come from a local wheelhouse
that the test command fills before the tests start (``tests/wheelhouse.txt``);
the tests themselves never touch the network. ``tests/wheelhouse.txt`` holds
one exact pin per line (some with an environment marker), several versions
of one package among them, so it is downloaded one line at a time rather
than with ``-r``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
import textwrap
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from greenroom._dynamic.manager import DynamicPluginManager
from greenroom._dynamic.models import (
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
    ScannedPluginPackage,
)
from greenroom._dynamic.module_loader import NamespacedModuleLoader
from greenroom._dynamic.rewrite import PREFIX
from hidden_plugins import filtered_distributions

REPO = Path(__file__).resolve().parents[2]

#: Top-level names the loader tests create, import or let the loader import; their
#: sys.modules entries are put back as they were after each test.
TEST_TOP_LEVEL = frozenset(
    {PREFIX, "libx", "plugin_a", "plugin_b", "plugin_c", "msgpack", "pluginmod", "nsplug"}
)


def write_files(root: Path, files: Mapping[str, str]) -> list[str]:
    """Write ``files`` (POSIX path -> text, dedented) under ``root``; return their paths."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return list(files)


def write_dist_info(
    root: Path,
    name: str,
    version: str,
    files: list[str],
    *,
    entry_points: str | None = None,
    requires: tuple[str, ...] = (),
) -> Path:
    """A ``<name>-<version>.dist-info`` with METADATA, RECORD (and entry_points.txt)."""
    info = root / f"{canonicalize_name(name).replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"]
    lines += [f"Requires-Dist: {requirement}\n" for requirement in requires]
    (info / "METADATA").write_text("".join(lines), encoding="utf-8")
    own = ["METADATA", "RECORD"]
    if entry_points is not None:
        (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
        own.append("entry_points.txt")
    record = [f"{file},," for file in files] + [f"{info.name}/{file},," for file in own]
    (info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")
    return info


def build_libx(root: Path, version: str) -> Path:
    """The fake ``libx`` at ``version`` installed into ``root`` (a --target folder)."""
    files = write_files(
        root,
        {
            "libx/__init__.py": f'''
                """libx {version}."""
                __version__ = "{version}"


                def where():
                    return __file__
            ''',
            "libx/sub.py": f"""
                # An absolute import of its own package: must stay in the same copy.
                import libx

                y = "y-{version}"
                parent_version = libx.__version__
            """,
            "libx/data.txt": f"data {version}\n",
        },
    )
    write_dist_info(root, "libx", version, files)
    return root


def build_plugin(
    folder: Path,
    dist: str,
    files: Mapping[str, str],
    *,
    version: str = "0.1.0",
    reference: str | None = None,
    private: tuple[PrivatePackage, ...] = (),
) -> ScannedPluginPackage:
    """A plugin folder holding ``files`` and its dist-info, scanned as the scanner would."""
    folder.mkdir(parents=True, exist_ok=True)
    written = write_files(folder, files)
    top = sorted({name.split("/")[0].removesuffix(".py") for name in written})
    reference = reference or f"{top[0]}:plugin"
    write_dist_info(
        folder,
        dist,
        version,
        written,
        entry_points=f"[greenroom.backend_plugin]\n{dist} = {reference}\n",
    )
    return scanned(folder, dist, version, reference, tuple(top), private)


def scanned(
    folder: Path,
    dist: str,
    version: str,
    reference: str,
    top_level: tuple[str, ...],
    private: tuple[PrivatePackage, ...] = (),
) -> ScannedPluginPackage:
    """The scanner's model of a plugin folder, built directly."""
    manifest = ScannedPluginManifest(
        name=dist,
        version=version,
        entry_points=(EntryPointSpec("greenroom.backend_plugin", dist, reference),),
        top_level=top_level,
        private_packages=private,
    )
    return ScannedPluginPackage(path=folder, kind="folder", manifest=manifest, content_dir=folder)


@pytest.fixture
def clean_process() -> Iterator[None]:
    """Put back what the loader tests touch, and check the loader left nothing behind."""
    meta_path = list(sys.meta_path)
    import_module, find_spec = importlib.import_module, importlib.util.find_spec
    saved = {n: m for n, m in sys.modules.items() if n.partition(".")[0] in TEST_TOP_LEVEL}
    yield
    leftovers = {
        "finder": [f for f in sys.meta_path if f not in meta_path],
        "import_module": importlib.import_module is not import_module,
        "find_spec": importlib.util.find_spec is not find_spec,
        "modules": sorted(n for n in sys.modules if n.partition(".")[0] == PREFIX),
    }
    for name in [n for n in sys.modules if n.partition(".")[0] in TEST_TOP_LEVEL]:
        del sys.modules[name]
    sys.modules.update(saved)
    sys.meta_path[:] = meta_path
    importlib.import_module, importlib.util.find_spec = import_module, find_spec
    assert leftovers == {"finder": [], "import_module": False, "find_spec": False, "modules": []}


@pytest.fixture
def make_loader(
    clean_process: None, tmp_path: Path
) -> Iterator[Callable[..., NamespacedModuleLoader]]:
    """Build loaders (bytecode cache under ``tmp_path``); each is closed after the test."""
    loaders: list[NamespacedModuleLoader] = []

    def make(**options: object) -> NamespacedModuleLoader:
        options.setdefault("cache_root", tmp_path / "cache")
        loader = NamespacedModuleLoader(**options)  # type: ignore[arg-type]
        loaders.append(loader)
        return loader

    yield make
    for loader in loaders:
        loader.close()


@pytest.fixture
def host_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` standing for the host's site-packages in this test."""
    site = tmp_path / "host-site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


# -- the wheelhouse -------------------------------------------------------------------


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    """The local wheelhouse (``$GREENROOM_WHEELHOUSE``, default ``<repo>/.wheelhouse``).

    Missing: the test is skipped locally, and fails in CI (``CI`` set), where
    the test command must have filled it from ``tests/wheelhouse.txt``.
    """
    path = Path(os.environ.get("GREENROOM_WHEELHOUSE") or REPO / ".wheelhouse")
    if not path.is_dir():
        message = (
            f"no wheelhouse at {path}: fill it with `while read -r r; do pip download "
            f'--only-binary=:all: --no-deps -d {path} "$r"; done < tests/wheelhouse.txt` '
            "(one pin at a time: two versions of one package cannot be resolved together)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _wheel_for(wheelhouse: Path, name: str, version: str) -> Path:
    """The wheel of ``name==version`` in the wheelhouse that this interpreter can install."""
    supported = {str(tag): rank for rank, tag in enumerate(sys_tags())}
    best: tuple[int, Path] | None = None
    for wheel in wheelhouse.glob("*.whl"):
        wheel_name, wheel_version, _, tags = parse_wheel_filename(wheel.name)
        if wheel_name != canonicalize_name(name) or str(wheel_version) != version:
            continue
        ranks = [supported[str(tag)] for tag in tags if str(tag) in supported]
        if ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), wheel)
    if best is None:
        message = f"{name}=={version} for this interpreter is not in the wheelhouse {wheelhouse}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return best[1]


@pytest.fixture(scope="session")
def install_wheel(wheelhouse: Path) -> Callable[[str, Path], Path]:
    """``install_wheel("msgpack==1.0.8", target)``: unzip that wheel into ``target``.

    A wheel is a zip in ``--target`` layout; for wheels without ``.data``
    scripts or headers (msgpack) unzipping is what pip does.
    """

    def install(requirement: str, target: Path) -> Path:
        name, _, version = requirement.partition("==")
        wheel = _wheel_for(wheelhouse, name, version)
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        return target

    return install


@pytest.fixture
def make_libx() -> Callable[[Path, str], Path]:
    """``make_libx(target, "1.0")``: the fake libx installed into a --target folder."""
    return build_libx


@pytest.fixture
def make_plugin_folder() -> Callable[..., ScannedPluginPackage]:
    """``make_plugin_folder(folder, dist, files, reference=..., private=...)``: see build_plugin."""
    return build_plugin


@pytest.fixture
def make_distribution() -> Callable[..., Path]:
    """``make_distribution(root, name, version, files, requires=(...))``: files plus dist-info."""

    def make(root: Path, name: str, version: str, files: Mapping[str, str], **options: Any) -> Path:
        return write_dist_info(root, name, version, write_files(root, files), **options)

    return make


# -- installed plugins and managers (the manager, feature loader and CLI tests) --------


@pytest.fixture
def installed_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site-packages folder on ``sys.path`` for this test, its imports forgotten after.

    Greenroom reads installed entry points once per process and ``sys.path``
    (``greenroom._entry_points``): a new folder on the path is a new scan.
    """
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    # The environment's own plugins (./dev installs the contrib plugins) are not the test's.
    monkeypatch.setattr(importlib.metadata, "distributions", filtered_distributions([folder]))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if str(getattr(sys.modules[name], "__file__", None) or "").startswith(str(folder)):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def make_manager(clean_process: None) -> Iterator[Callable[..., DynamicPluginManager]]:
    """``make_manager(config, include_installed=False)``: a loaded manager.

    The module loader of each is closed after the test, so that no plugin
    namespace outlives it (``clean_process`` checks).
    """
    from greenroom import Config

    managers: list[DynamicPluginManager] = []

    def make(config: Mapping[str, Any] | Config, **options: Any) -> DynamicPluginManager:
        options.setdefault("include_installed", False)
        loaded = config if isinstance(config, Config) else Config.from_data(config)
        manager = DynamicPluginManager(loaded, **options)
        managers.append(manager)
        manager.load()
        return manager

    yield make
    for manager in managers:
        close = getattr(manager.module_loader, "close", None)
        if close is not None:
            close()
