"""The loaders of plugin modules: source, bytecode-only, compiled, namespace packages.

Each executes a module with the plugin's ``__builtins__`` (so its imports stay
in its namespace) and its real file path (tracebacks, ``linecache`` and
``inspect.getsource`` work as for any installed module). The file-based ones
keep the standard loaders' other behaviour (``get_data``, ``get_source``,
``importlib.resources`` readers) by subclassing them.
"""

from __future__ import annotations

import importlib
import importlib.machinery
from collections.abc import Sequence
from importlib.abc import Loader
from importlib.machinery import ModuleSpec
from importlib.resources.abc import TraversableResources
from importlib.resources.readers import MultiplexedPath
from pathlib import Path
from types import CodeType, ModuleType
from typing import TYPE_CHECKING

from greenroom._dynamic.plain_names import WindowHolder, alias_while_open, plain_names

if TYPE_CHECKING:
    from greenroom._dynamic.namespace import PluginNamespace

__all__ = [
    "AliasLoader",
    "PluginExtensionLoader",
    "PluginSourceLoader",
    "PluginSourcelessLoader",
    "PortionLoader",
]


def _run_in_namespace(
    code: CodeType, module: ModuleType, name: str, namespace: PluginNamespace, holder: WindowHolder
) -> None:
    """Execute a plugin module's code with the plugin's import-rewriting ``__builtins__``."""
    alias_while_open(holder, namespace, name, module)
    module.__dict__["__builtins__"] = namespace.builtins
    exec(code, module.__dict__)


class PluginSourceLoader(importlib.machinery.SourceFileLoader):
    """A ``.py`` file of the plugin, compiled through the loader's bytecode cache.

    ``get_code`` never looks at ``__pycache__``: its files were compiled by
    someone else, maybe from other source.
    """

    def __init__(
        self, fullname: str, path: str, namespace: PluginNamespace, holder: WindowHolder
    ) -> None:
        super().__init__(fullname, path)
        self._namespace = namespace
        self._holder = holder

    def get_code(self, fullname: str) -> CodeType:
        source = self.get_data(self.path)
        return self._namespace.compile(source, self.path)

    def exec_module(self, module: ModuleType) -> None:
        _run_in_namespace(
            self.get_code(module.__name__), module, self.name, self._namespace, self._holder
        )


class PluginSourcelessLoader(importlib.machinery.SourcelessFileLoader):
    """A bytecode-only (``.pyc`` beside no ``.py``) module of the plugin."""

    def __init__(
        self, fullname: str, path: str, namespace: PluginNamespace, holder: WindowHolder
    ) -> None:
        super().__init__(fullname, path)
        self._namespace = namespace
        self._holder = holder

    def exec_module(self, module: ModuleType) -> None:
        code = self.get_code(module.__name__)
        if code is None:  # pragma: no cover - SourcelessFileLoader raises instead
            raise ImportError(f"no code in {self.path}", name=module.__name__, path=self.path)
        _run_in_namespace(code, module, self.name, self._namespace, self._holder)


#: Files of compiled modules loaded in this process. Shared libraries never unload, and
#: loading one again gives its old state (Cython returns its old module, markupsafe keeps
#: the unloaded plugin's ``Markup``): only paths are kept, never modules.
_loaded_native_files: set[str] = set()


class PluginExtensionLoader(importlib.machinery.ExtensionFileLoader):
    """A compiled module of the plugin, loaded from its extracted file.

    Its initialisation runs inside the plugin's plain-name window (native
    code imports by plain name). A failure is recorded before it propagates:
    packages such as msgpack catch it and fall back to pure Python silently,
    and the module loader reports that after the load. Loading a file that
    was loaded before in this process (a plugin unloaded and loaded again
    from the same folder) is reported too.
    """

    def __init__(
        self, fullname: str, path: str, namespace: PluginNamespace, holder: WindowHolder
    ) -> None:
        super().__init__(fullname, path)
        self._namespace = namespace
        self._holder = holder

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        if self.path in _loaded_native_files:
            self._namespace.warn(
                "plugin %r: compiled module %r (%s) was loaded before in this process and "
                "cannot be unloaded: it keeps the state of its first load (objects of the "
                "unloaded plugin). Restart the process to reload a plugin with compiled modules",
                self._namespace.distribution,
                self._namespace.plain(spec.name),
                self.path,
            )
        with plain_names(self._holder, self._namespace):
            try:
                module = super().create_module(spec)
            except ImportError as exc:
                self._namespace.failed_extensions[spec.name] = f"{type(exc).__name__}: {exc}"
                raise
            _loaded_native_files.add(self.path)
            alias_while_open(self._holder, self._namespace, self.name, module)
            return module

    def exec_module(self, module: ModuleType) -> None:
        with plain_names(self._holder, self._namespace):
            try:
                super().exec_module(module)
            except ImportError as exc:
                self._namespace.failed_extensions[module.__name__] = f"{type(exc).__name__}: {exc}"
                raise


class _PortionReader(TraversableResources):
    """``importlib.resources`` over the folders of a namespace package."""

    def __init__(self, folders: Sequence[str]) -> None:
        self._folders = folders

    def files(self) -> MultiplexedPath:
        return MultiplexedPath(*(Path(folder) for folder in self._folders))


class PortionLoader(Loader):
    """A module that only holds a ``__path__``: a namespace package, or a prefix parent.

    ``greenroom_dynamic`` and ``greenroom_dynamic.<plugin>`` have an empty
    ``__path__``: the finder resolves their children from its table, never from
    a folder, so nothing else on ``sys.meta_path`` can load a plugin file.
    """

    def __init__(self, folders: Sequence[str]) -> None:
        self._folders = list(folders)

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        return None

    def is_package(self, fullname: str) -> bool:
        return True

    def get_resource_reader(self, fullname: str) -> _PortionReader | None:
        return _PortionReader(self._folders) if self._folders else None


class AliasLoader(Loader):
    """Loads a plain name as the plugin's prefixed module (only while a window is open).

    Native code of a plugin importing ``msgpack.ext`` before the plugin's own
    code did gets ``greenroom_dynamic.<plugin>.msgpack.ext``; the import system
    then also files it under ``msgpack.ext`` until the window closes.
    """

    def __init__(self, target: str) -> None:
        self._target = target
        self._spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(self._target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system stamped the alias spec on the module: give it its own back.
        module.__spec__ = self._spec
        self._spec = None
