"""The one meta-path finder and the plugin loaders: dispatch, tracebacks, errors, native checks."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import inspect
import linecache
import logging
import py_compile
import string
import sys
import timeit
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from greenroom._dynamic import finder as finder_module
from greenroom._dynamic.models import ScannedPluginPackage
from greenroom._dynamic.module_loader import (
    ModuleLoader,
    NamespacedModuleLoader,
    PluginLoadError,
)
from greenroom._dynamic.namespace import namespace_ident
from greenroom._dynamic.plain_names import plain_names
from greenroom._dynamic.rewrite import PREFIX
from greenroom._dynamic.shared import shared_import_names

MakeFolder = Callable[..., ScannedPluginPackage]
MakeLoader = Callable[..., NamespacedModuleLoader]

FAILING = """\
def helper():
    return 1


def fail(value):
    message = f"boom {value}"
    raise ValueError(message)
"""


def finder() -> finder_module.PluginFinder:
    """The installed finder (a test that prepared a package has one)."""
    active = finder_module.active_finder()
    assert active is not None
    return active


def test_the_default_loader_implements_the_protocol() -> None:
    """``NamespacedModuleLoader`` is a ``ModuleLoader``."""
    assert isinstance(NamespacedModuleLoader(), ModuleLoader)


def test_tracebacks_show_the_real_file_and_line(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """A plugin function's traceback names its extracted file, line and source text."""
    package = make_plugin_folder(
        tmp_path / "plugin-a", "plugin-a", {"plugin_a/__init__.py": FAILING}
    )
    fail = make_loader().load(package, "plugin_a:fail")
    path = str(tmp_path / "plugin-a" / "plugin_a" / "__init__.py")
    with pytest.raises(ValueError, match="boom 7") as caught:
        fail(7)
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (frame.filename, frame.lineno, frame.line) == (path, 7, "raise ValueError(message)")
    assert fail.__code__.co_filename == path
    assert inspect.getsource(fail) == FAILING[FAILING.index("def fail") :]
    assert inspect.getsourcefile(fail) == path
    assert linecache.getline(path, 6).strip() == 'message = f"boom {value}"'


def test_an_import_error_in_plugin_code_names_the_plugin_and_keeps_the_traceback(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """A module that raises while imported gives PluginLoadError, its cause pointing at the line."""
    package = make_plugin_folder(
        tmp_path / "plugin-a",
        "plugin-a",
        {
            "plugin_a/__init__.py": "",
            "plugin_a/broken.py": "x = 1\nraise RuntimeError('at import')\n",
        },
    )
    with pytest.raises(PluginLoadError, match=r"'plugin-a'.*'plugin_a\.broken' failed") as caught:
        make_loader().load(package, "plugin_a.broken:x")
    assert caught.value.plugin == "plugin-a"
    assert caught.value.reference == "plugin_a.broken:x"
    cause = caught.value.__cause__
    assert isinstance(cause, RuntimeError)
    rendered = "".join(traceback.format_exception(cause))
    assert f'File "{tmp_path}/plugin-a/plugin_a/broken.py", line 2' in rendered
    assert "raise RuntimeError('at import')" in rendered
    assert f"{PREFIX}.plugin_a.plugin_a.broken" not in sys.modules


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("plugin_a:missing", "has no attribute 'missing'"),
        ("json:dumps", "names module 'json', which the plugin does not ship"),
        ("not a reference", "is not a 'module' or 'module:attribute' reference"),
        ("plugin_a:plugin [extra]", "has no attribute 'plugin'"),
        ("plugin_a.absent:x", "importing 'plugin_a.absent' failed: ModuleNotFoundError"),
    ],
)
def test_bad_references_are_clear_errors(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    tmp_path: Path,
    reference: str,
    message: str,
) -> None:
    """An entry point naming something the plugin does not have says what and where."""
    package = make_plugin_folder(tmp_path / "plugin-a", "plugin-a", {"plugin_a/__init__.py": ""})
    with pytest.raises(PluginLoadError, match=message) as caught:
        make_loader().load(package, reference)
    assert str(package.path) in str(caught.value)


def test_one_distribution_cannot_be_loaded_from_two_folders(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """The second copy of a distribution is refused at load, naming the first."""
    first = make_plugin_folder(tmp_path / "one", "plugin-a", {"plugin_a/__init__.py": ""})
    second = make_plugin_folder(tmp_path / "two", "plugin-a", {"plugin_a/__init__.py": ""})
    make_loader().prepare([first])
    other = make_loader()
    other.prepare([second])
    with pytest.raises(
        PluginLoadError, match=f"already used by plugin-a 0.1.0 from {tmp_path}/one"
    ):
        other.load(second, "plugin_a")


def test_two_namespaces_never_share_one_folder(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """A folder already loaded under one distribution name is refused under another."""
    first = make_plugin_folder(tmp_path / "one", "plugin-a", {"plugin_a/__init__.py": ""})
    assert first.manifest is not None
    renamed = ScannedPluginPackage(
        path=tmp_path / "one-again",
        kind="folder",
        manifest=attrs.evolve(first.manifest, name="plugin-b"),
        content_dir=first.content_dir,
    )
    loader = make_loader()
    loader.prepare([first, renamed])
    with pytest.raises(PluginLoadError, match="needs its own extracted folder"):
        loader.load(renamed, "plugin_a")


def test_an_unloadable_package_is_skipped_by_prepare_and_refused_by_load(
    make_loader: MakeLoader, tmp_path: Path
) -> None:
    """A scanned package with a failure is never imported."""
    broken = ScannedPluginPackage(path=tmp_path / "x.whl", kind="wheel", failure="bad wheel")
    loader = make_loader()
    loader.prepare([broken])
    with pytest.raises(PluginLoadError, match="it is not loadable: bad wheel"):
        loader.load(broken, "x:plugin")


def test_one_finder_serves_every_loader_and_leaves_with_the_last_plugin(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """Two loaders share the single finder; closing both removes it and the wrappers."""
    a = make_plugin_folder(tmp_path / "a", "plugin-a", {"plugin_a/__init__.py": "plugin = 1\n"})
    b = make_plugin_folder(tmp_path / "b", "plugin-b", {"plugin_b/__init__.py": "plugin = 2\n"})
    first, second = make_loader(), make_loader()
    original = importlib.import_module
    assert (first.load(a, "plugin_a:plugin"), second.load(b, "plugin_b:plugin")) == (1, 2)
    ours = [f for f in sys.meta_path if isinstance(f, finder_module.PluginFinder)]
    assert ours == [sys.meta_path[0]]
    assert sorted(finder().namespaces) == ["plugin_a", "plugin_b"]
    assert importlib.import_module is not original
    first.close()
    assert sorted(finder().namespaces) == ["plugin_b"]
    second.close()
    assert finder_module.active_finder() is None
    assert not [f for f in sys.meta_path if isinstance(f, finder_module.PluginFinder)]
    assert importlib.import_module is original
    assert PREFIX not in sys.modules


class RecordingTable(dict[str, Any]):
    """A namespace table that records every lookup."""

    lookups: list[object]

    def get(self, key: str, default: Any = None) -> Any:
        self.lookups.append(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.lookups.append(key)
        return super().__getitem__(key)


def test_a_failed_host_import_never_consults_plugin_state(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With 300 plugins loaded, a failing host import returns from the finder in constant time."""
    loader = make_loader(cache_root=None)
    packages = [
        make_plugin_folder(tmp_path / f"p{i}", f"plugin-{i}", {f"mod{i}.py": "plugin = 0\n"})
        for i in range(300)
    ]
    loader.prepare(packages)
    active = finder()
    table = RecordingTable(active.namespaces)
    table.lookups = []
    monkeypatch.setattr(active, "namespaces", table)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("greenroom_no_such_module")
    with pytest.raises(ModuleNotFoundError):
        __import__("json.no_such_submodule")
    assert importlib.util.find_spec("no_such_top_level") is None
    assert table.lookups == []
    per_call = (
        min(timeit.repeat(lambda: active.find_spec("no_such_module", None), number=2000, repeat=5))
        / 2000
    )
    # ~0.1 µs here; the bound only catches a per-plugin loop (300 plugins would be ≫ 5 µs).
    assert per_call < 5e-6


def test_host_calls_of_the_wrapped_importlib_functions_are_untouched(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    make_libx: Callable[[Path, str], Path],
    host_site: Path,
    tmp_path: Path,
) -> None:
    """``import_module``/``find_spec`` called by the host resolve the host's libx."""
    make_libx(host_site, "3.0")
    folder = tmp_path / "plugin-a"
    make_libx(folder, "1.0")
    package = make_plugin_folder(folder, "plugin-a", {"plugin_a/__init__.py": "import libx\n"})
    make_loader().load(package, "plugin_a")
    spec = importlib.util.find_spec("libx")
    assert spec is not None
    assert spec.origin == str(host_site / "libx" / "__init__.py")
    assert importlib.import_module("libx").__version__ == "3.0"
    assert importlib.import_module(".sub", "libx").y == "y-3.0"


def test_the_plain_name_window_gives_native_style_imports_the_plugin_s_copy(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    make_libx: Callable[[Path, str], Path],
    host_site: Path,
    tmp_path: Path,
) -> None:
    """In the window, C-API-style plain-name imports get the plugin's modules; after, the host's."""
    make_libx(host_site, "3.0")
    import libx as host_libx

    folder = tmp_path / "plugin-a"
    make_libx(folder, "1.0")
    package = make_plugin_folder(folder, "plugin-a", {"plugin_a/__init__.py": "import libx\n"})
    loader = make_loader()
    loader.load(package, "plugin_a")
    namespace = loader.namespace(package)
    assert namespace is not None
    with plain_names(finder(), namespace):
        # What PyImport_ImportModule does: no __builtins__ hook, the plain name.
        assert sys.modules["libx"].__version__ == "1.0"
        sub = importlib.__import__("libx.sub", fromlist=["y"])
        assert sub.y == "y-1.0"
        assert sub is sys.modules[f"{PREFIX}.plugin_a.libx.sub"]
        assert sub.__spec__.name == f"{PREFIX}.plugin_a.libx.sub"
    assert sys.modules["libx"] is host_libx
    assert "libx.sub" not in sys.modules


def test_a_compiled_module_that_fails_to_load_is_reported(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A silent pure-Python fallback after a broken extension module is reported with the error."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    folder = tmp_path / "plugin-a"
    (folder / "fastlib").mkdir(parents=True)
    (folder / "fastlib" / f"_speedups{suffix}").write_bytes(b"not an ELF file")
    (folder / "fastlib" / "_other.cpython-399-x86_64-linux-gnu.so").write_bytes(b"")
    (folder / "fastlib" / "__init__.py").write_text(
        "try:\n    from ._speedups import f\nexcept ImportError:\n    def f(): return 'slow'\n"
    )
    (folder / "extra.pth").write_text("import os\n")
    package = make_plugin_folder(
        folder, "plugin-a", {"plugin_a/__init__.py": "from fastlib import f\nplugin = f()\n"}
    )
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        loader = make_loader()
        assert loader.load(package, "plugin_a:plugin") == "slow"
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        "compiled module 'fastlib._speedups'" in m and "failed to load" in m and "fallen back" in m
        for m in messages
    )
    assert any("_other.cpython-399" in m and "another interpreter" in m for m in messages)
    assert any("extra.pth" in m and ".pth files are not processed" in m for m in messages)
    namespace = loader.namespace(package)
    assert namespace is not None
    assert len(namespace.warnings) == 3


def test_a_module_holding_the_host_s_copy_of_a_private_package_is_reported(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    make_libx: Callable[[Path, str], Path],
    host_site: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A host package handing the plugin the host's libx is named in a warning with the fix."""
    make_libx(host_site, "3.0")
    (host_site / "hostlib.py").write_text("import libx\nfrom libx.sub import y as host_y\n")
    (host_site / "hostlib.py").chmod(0o644)
    import hostlib  # the host imported it first, bound to its own libx

    folder = tmp_path / "plugin-a"
    make_libx(folder, "1.0")
    package = make_plugin_folder(
        folder,
        "plugin-a",
        {"plugin_a/__init__.py": "import libx\nfrom hostlib import libx as leaked\n"},
    )
    try:
        with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
            make_loader().load(package, "plugin_a")
    finally:
        del sys.modules["hostlib"]
    assert hostlib.libx.__version__ == "3.0"
    (message,) = [r.getMessage() for r in caplog.records]
    assert "plugin_a.leaked is the host's 'libx'" in message
    assert "dynamicPlugins.sharedPackages" in message


def test_namespace_packages_and_bytecode_only_modules_load_inside_the_namespace(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    make_libx: Callable[[Path, str], Path],
    tmp_path: Path,
) -> None:
    """A PEP 420 package and a ``.pyc`` without source are the plugin's, imports redirected."""
    folder = tmp_path / "plugin-a"
    make_libx(folder, "1.0")
    source = tmp_path / "compiled_src.py"
    source.write_text("import libx\nversion = libx.__version__\n")
    (folder / "nsplug" / "inner").mkdir(parents=True)
    py_compile.compile(str(source), cfile=str(folder / "nsplug" / "inner" / "compiled.pyc"))
    package = make_plugin_folder(
        folder,
        "plugin-a",
        {
            "nsplug/inner/mod.py": "from . import compiled\nplugin = compiled.version\n",
            "plugin_a/__init__.py": "",
        },
    )
    loader = make_loader()
    assert loader.load(package, "nsplug.inner.mod:plugin") == "1.0"
    nsplug = sys.modules[loader.module_name(package, "nsplug")]
    assert list(nsplug.__path__) == [str(folder / "nsplug")]
    assert nsplug.__spec__.origin is None
    assert not [n for n in sys.modules if n.partition(".")[0] in {"nsplug", "libx"}]


@given(st.text(max_size=30))
def test_any_distribution_name_gives_one_identifier_segment(name: str) -> None:
    """Whatever a (malformed) distribution name holds, its namespace segment is an identifier."""
    ident = namespace_ident(name)
    assert ident.isidentifier()
    assert ident.isascii()


@given(st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=30))
def test_names_that_normalise_alike_share_a_segment(name: str) -> None:
    """``My.Plugin_A`` and ``my-plugin-a`` are one distribution, so one namespace."""
    assert namespace_ident(name.swapcase()) == namespace_ident(canonicalize_name(name))


def test_shared_packages_follow_run_time_requirements_only(
    host_site: Path, make_distribution: Callable[..., Path]
) -> None:
    """A shared distribution brings its dependencies, not its extras' nor other platforms'."""
    make_distribution(
        host_site,
        "host-framework",
        "1.0",
        {"hostframework/__init__.py": ""},
        requires=(
            "libdep>=1",
            "libopt; extra == 'opt'",
            "libwin; sys_platform == 'nonexistent-os'",
            "libextra[fast]",
        ),
    )
    make_distribution(host_site, "libdep", "1.0", {"libdep.py": ""})
    make_distribution(host_site, "libopt", "1.0", {"libopt.py": ""})
    make_distribution(host_site, "libwin", "1.0", {"libwin.py": ""})
    make_distribution(
        host_site, "libextra", "1.0", {"libextra.py": ""}, requires=("libfast; extra == 'fast'",)
    )
    make_distribution(host_site, "libfast", "1.0", {"libfast/__init__.py": ""})
    names = shared_import_names(["Host_Framework", "some_import_name"])
    assert {"hostframework", "libdep", "libextra", "libfast", "some_import_name"} <= names
    assert {"greenroom", "pluggy", "starlette", "attrs"} <= names
    assert not {"libopt", "libwin"} & names


@pytest.mark.parametrize("host_has_libx", [True, False], ids=["host-copy", "no-host-copy"])
def test_a_plugin_module_filed_under_its_plain_name_is_swept(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    make_libx: Callable[[Path, str], Path],
    host_site: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    host_has_libx: bool,
) -> None:
    """A load that leaves the plugin's module under a plain name is undone and reported."""
    if host_has_libx:
        make_libx(host_site, "3.0")
        import libx as host_libx
    folder = tmp_path / "plugin-a"
    make_libx(folder, "1.0")
    # What Cython does from C: the module files itself under the name it was built with.
    (folder / "libx" / "sub.py").write_text(
        "import sys\nsys.modules['libx.sub'] = sys.modules[__name__]\n"
    )
    package = make_plugin_folder(folder, "plugin-a", {"plugin_a/__init__.py": "import libx.sub\n"})
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        make_loader().load(package, "plugin_a")
    if host_has_libx:
        assert sys.modules["libx"] is host_libx
        assert "libx.sub" not in sys.modules  # the host never imported its own
    else:
        assert not [n for n in sys.modules if n.partition(".")[0] == "libx"]
    (message,) = [r.getMessage() for r in caplog.records]
    assert "'libx.sub'" in message
    assert "was imported under its plain name" in message


def test_the_checks_after_a_load_look_at_the_new_modules_only(
    make_loader: MakeLoader, make_plugin_folder: MakeFolder, tmp_path: Path
) -> None:
    """The finder records each module it finds for a plugin; the checks after a load take them."""
    package = make_plugin_folder(
        tmp_path / "plugin-a",
        "plugin-a",
        {
            "plugin_a/__init__.py": "from plugin_a import helper\n",
            "plugin_a/helper.py": "",
            "plugin_a/late.py": "x = 1\n",
        },
    )
    loader = make_loader()
    loader.load(package, "plugin_a")
    namespace = loader.namespace(package)
    assert namespace is not None
    assert namespace.fresh == {}
    late = loader.module_name(package, "plugin_a.late")
    importlib.import_module(late)  # imported after the load: checked at the next one
    assert list(namespace.fresh) == [late]
    assert loader.load(package, "plugin_a.late:x") == 1
    assert namespace.fresh == {}


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.", max_size=24))
def test_canonical_names_are_packaging_s(name: str) -> None:
    """Greenroom's own PEP 503 normalisation gives what packaging gives (it avoids the import)."""
    from greenroom._config.schema import _canonical_name
    from greenroom._dynamic.names import canonicalize_name as ours

    assert ours(name) == canonicalize_name(name)
    assert _canonical_name(name) == canonicalize_name(name)


def test_shared_names_are_remembered_per_host(tmp_path: Path) -> None:
    """The cached shared set is the computed one, and a new sys.path entry is a new key."""
    from greenroom._dynamic.shared import cached_shared_import_names

    computed = shared_import_names(["PyYAML"])
    assert cached_shared_import_names(["PyYAML"], tmp_path) == computed
    (file,) = (tmp_path / "shared").iterdir()
    assert cached_shared_import_names(["PyYAML"], tmp_path) == computed
    assert cached_shared_import_names([], tmp_path) == shared_import_names([])
    assert len(list((tmp_path / "shared").iterdir())) == 2
    file.write_text("not json")
    assert cached_shared_import_names(["PyYAML"], tmp_path) == computed


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "info"])
def test_host_imports_are_reported_only_at_debug_level(
    make_loader: MakeLoader,
    make_plugin_folder: MakeFolder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    debug: bool,
) -> None:
    """The host packages a plugin imports without shipping them are a debug message; at
    other levels they are not even collected (a set per plugin less: issue 8, memory)."""
    package = make_plugin_folder(
        tmp_path / "plugin-a",
        "plugin-a",
        {
            "plugin_a/__init__.py": (
                "import json\nimport hypothesis\nimport plugin_a.sub\nplugin = 1\n"
            )
        },
    )
    (tmp_path / "plugin-a" / "plugin_a" / "sub.py").write_text("")
    caplog.set_level(logging.DEBUG if debug else logging.INFO, logger="greenroom.dynamic")
    loader = make_loader()
    assert loader.load(package, "plugin_a:plugin") == 1
    namespace = loader.namespace(package)
    assert namespace is not None
    reported = [r.getMessage() for r in caplog.records if "which it does not ship" in r.message]
    if debug:
        assert namespace.host_imports is not None
        assert {"json", "hypothesis"} <= namespace.host_imports
        assert "plugin_a" not in namespace.host_imports  # its own package, redirected
        assert reported == ["plugin 'plugin-a' uses the host's hypothesis, which it does not ship"]
    else:
        assert namespace.host_imports is None
        assert reported == []
