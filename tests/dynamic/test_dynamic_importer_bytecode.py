"""The loader's own bytecode cache: keyed by content, never ``__pycache__``, optional, fail-safe."""

from __future__ import annotations

import importlib.util
import py_compile
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from greenroom._dynamic.bytecode import BytecodeCache
from greenroom._dynamic.cache import interpreter_tag
from greenroom._dynamic.models import ScannedPluginPackage
from greenroom._dynamic.module_loader import NamespacedModuleLoader

MakeFolder = Callable[..., ScannedPluginPackage]
MakeLoader = Callable[..., NamespacedModuleLoader]

CODE = "def fail():\n    raise ValueError('from the plugin')\n\n\nplugin = 'real source'\n"


def plugin(make_plugin_folder: MakeFolder, folder: Path) -> ScannedPluginPackage:
    """A one-module plugin (``plugin_a``) in ``folder``."""
    return make_plugin_folder(folder, "plugin-a", {"plugin_a/__init__.py": CODE})


def entries(cache: Path) -> list[Path]:
    """The bytecode cache's entries (temporary files included, which must never stay)."""
    folder = cache / "bytecode" / interpreter_tag()
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_compiled_code_is_cached_and_reused(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """The first load writes ``<sha256>.pyc`` under the interpreter tag; the next reads it."""
    package = plugin(make_plugin_folder, tmp_path / "plugin-a")
    first = make_loader()
    assert first.load(package, "plugin_a:plugin") == "real source"
    assert (first.bytecode.stats.misses, first.bytecode.stats.writes) == (1, 1)
    (entry,) = entries(tmp_path / "cache")
    assert len(entry.stem) == 64
    assert entry.suffix == ".pyc"
    first.close()
    second = make_loader()
    assert second.load(package, "plugin_a:plugin") == "real source"
    assert (second.bytecode.stats.hits, second.bytecode.stats.misses) == (1, 0)


def test_a_cached_entry_shared_by_two_folders_reports_each_file(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """Identical source in another folder comes from the cache; tracebacks name its own file."""
    first = make_loader()
    first.load(plugin(make_plugin_folder, tmp_path / "one"), "plugin_a:plugin")
    first.close()
    second = make_loader()
    fail = second.load(plugin(make_plugin_folder, tmp_path / "two"), "plugin_a:fail")
    assert second.bytecode.stats.hits == 1
    with pytest.raises(ValueError, match="from the plugin") as caught:
        fail()
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert frame.filename == str(tmp_path / "two" / "plugin_a" / "__init__.py")
    assert (frame.lineno, frame.line) == (2, "raise ValueError('from the plugin')")


def test_pycache_is_never_read(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """An unchecked ``__pycache__`` entry of other source (which CPython would run) is ignored."""
    package = plugin(make_plugin_folder, tmp_path / "plugin-a")
    impostor = tmp_path / "impostor.py"
    impostor.write_text("plugin = 'stale bytecode'\n")
    source = tmp_path / "plugin-a" / "plugin_a" / "__init__.py"
    py_compile.compile(
        str(impostor),
        cfile=importlib.util.cache_from_source(str(source)),
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    assert make_loader().load(package, "plugin_a:plugin") == "real source"


@pytest.mark.parametrize(
    "options",
    [{"bytecode_cache": False}, {"cache_root": None}],
    ids=["switched-off", "no-cache-root"],
)
def test_the_cache_can_be_switched_off(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    tmp_path: Path,
    options: dict[str, object],
) -> None:
    """With the cache off nothing is written and plugins load the same."""
    loader = make_loader(**options)
    assert loader.load(plugin(make_plugin_folder, tmp_path / "p"), "plugin_a:plugin") == (
        "real source"
    )
    assert loader.bytecode.directory is None
    assert entries(tmp_path / "cache") == []


def test_an_unwritable_cache_falls_back_silently(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """A cache root that cannot be created (here: under a file) means compiling without a cache."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    loader = make_loader(cache_root=blocker / "cache")
    assert loader.load(plugin(make_plugin_folder, tmp_path / "p"), "plugin_a:plugin") == (
        "real source"
    )
    assert loader.bytecode.directory is None


def test_a_corrupt_entry_is_rebuilt(tmp_path: Path) -> None:
    """Garbage or a truncated file in the cache is replaced by a fresh compile."""
    cache = BytecodeCache(tmp_path / "bc")
    source = b"value = 41 + 1\n"
    cache.code(source, "/plugin/m.py")
    (entry,) = (tmp_path / "bc").iterdir()
    for garbage in (b"", b"GRBC\x01\n\x00\x01", entry.read_bytes()[:20], b"x" * 100):
        entry.write_bytes(garbage)
        fresh = BytecodeCache(tmp_path / "bc")
        namespace: dict[str, object] = {}
        exec(fresh.code(source, "/plugin/m.py"), namespace)
        assert namespace["value"] == 42
        assert fresh.stats.misses == 1
        assert fresh.stats.writes == 1  # the damaged entry was replaced, not left in the way
        again = BytecodeCache(tmp_path / "bc")
        again.code(source, "/plugin/m.py")
        assert again.stats.hits == 1
    assert sorted(p.name for p in (tmp_path / "bc").iterdir()) == [entry.name]


def test_a_half_written_entry_is_never_used(tmp_path: Path) -> None:
    """Entries are written in place: every proper prefix of one (a writer caught
    half-way, or killed) must be refused, never decoded as some other code."""
    cache = BytecodeCache(tmp_path / "bc")
    source = b"def f(x):\n    return [x * i for i in range(3)]\nvalue = f(2)\n"
    cache.code(source, "/plugin/m.py")
    (entry,) = (tmp_path / "bc").iterdir()
    whole = entry.read_bytes()
    for cut in range(len(whole)):
        entry.write_bytes(whole[:cut])
        fresh = BytecodeCache(tmp_path / "bc")
        namespace: dict[str, object] = {}
        exec(fresh.code(source, "/plugin/m.py"), namespace)
        assert namespace["value"] == [0, 2, 4]
        assert fresh.stats.misses == 1, cut


def test_an_entry_another_process_wrote_is_left_alone(tmp_path: Path) -> None:
    """Two starts compiling the same module at once: the later write gives way to the entry."""
    from greenroom._dynamic import bytecode

    cache = BytecodeCache(tmp_path / "bc")
    cache.code(b"value = 1\n", "/m.py")
    (entry,) = (tmp_path / "bc").iterdir()
    before = entry.read_bytes()
    assert not bytecode._write(entry, compile("value = 2\n", "/m.py", "exec"))
    assert entry.read_bytes() == before


def test_cache_keys_follow_the_optimisation_level(tmp_path: Path) -> None:
    """Code compiled under ``-O`` (asserts removed) is never served at another level."""
    source = b"assert False, 'kept'\n"
    BytecodeCache(tmp_path / "bc", optimize=1).code(source, "/m.py")
    plain = BytecodeCache(tmp_path / "bc", optimize=0)
    with pytest.raises(AssertionError, match="kept"):
        exec(plain.code(source, "/m.py"), {})
    assert plain.stats.misses == 1
    optimised = BytecodeCache(tmp_path / "bc", optimize=1)
    exec(optimised.code(source, "/m.py"), {})
    assert optimised.stats.hits == 1
