"""Config schema checks remembered by content hash, so a warm start needs no jsonschema.

Checking every schema against its meta-schema and validating the config took
~70 ms of CPU on each start, most of it importing jsonschema (issue 8). Both
outcomes depend only on their inputs, so the successes are kept in
Greenroom's cache directory (``$GREENROOM_CACHE_DIR``, else
``$XDG_CACHE_HOME/greenroom``, else ``~/.cache/greenroom``), under
``config-schemas/``:

- ``valid/<digest>``: an empty file for each schema value that passed
  ``check_source`` (meta-schema and ``visibility`` keywords);
- ``validated/<digest>.json``: the ``visibility`` of the values of a config
  that satisfied the same schemas with no issue and no problem.

Only successes are kept: a bad schema or config is checked every time, so its
messages are always those of the running code. Secrets are never written:
they are recomputed from the config and the remembered visibility. Digests
are keyed BLAKE2b (a random key in the cache directory), so the files tell
nothing about the values hashed, and they cover the jsonschema version and
the size and mtime of the modules that do the checking, so an upgrade or an
edit of those checks starts afresh. A cache that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from greenroom._config.paths import Path
    from greenroom._config.schema import SchemaSource
    from greenroom._config.visibility import Visibility

__all__ = ["SchemaCache", "schema_cache"]

#: Bumped whenever what is stored, or how it is keyed, changes.
_LAYOUT: Final = 1
#: The modules whose logic the remembered outcomes stand for.
_CHECKERS: Final = ("schema.py", "validation.py", "visibility.py", "schema_cache.py")


class SchemaCache:
    """Remembered schema checks and validations in ``directory`` (``None``: remember nothing)."""

    def __init__(self, directory: FsPath | None) -> None:
        self._directory = directory
        self._key: bytes | None = None
        self._salt: str | None = None

    def schema_known_valid(self, value: Any) -> bool:
        """Whether ``value`` passed the schema checks before."""
        digest = self._digest("schema", value)
        return digest is not None and os.path.exists(self._file("valid", digest))

    def remember_valid_schema(self, value: Any) -> None:
        """Record that ``value`` passed the schema checks."""
        digest = self._digest("schema", value)
        if digest is not None:
            self._write(self._file("valid", digest), b"")

    def validation(
        self, sources: Iterable[SchemaSource], data: Any
    ) -> dict[Path, Visibility] | None:
        """The visibility of a config ``data`` that satisfied ``sources`` before, else ``None``."""
        digest = self._digest("validation", [_source(s) for s in sources], data)
        if digest is None:
            return None
        try:
            stored = json.loads(self._file("validated", digest + ".json").read_bytes())
            return {tuple(path): visibility for path, visibility in stored["visibility"]}
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remember_validation(
        self,
        sources: Iterable[SchemaSource],
        data: Any,
        visibility: Mapping[Path, Visibility],
    ) -> None:
        """Record that ``data`` satisfied ``sources``, with the visibility of its values."""
        digest = self._digest("validation", [_source(s) for s in sources], data)
        if digest is not None:
            document = {"visibility": [[list(path), value] for path, value in visibility.items()]}
            self._write(self._file("validated", digest + ".json"), json.dumps(document).encode())

    # -- helpers --------------------------------------------------------------

    def _file(self, kind: str, name: str) -> FsPath:
        assert self._directory is not None  # only called with a digest, which needs one
        return self._directory / kind / name

    def _digest(self, kind: str, *parts: Any) -> str | None:
        if self._directory is None:
            return None
        try:
            text = json.dumps(
                [kind, self._versions(), *parts],
                sort_keys=True,
                separators=(",", ":"),
                allow_nan=False,
                ensure_ascii=False,
            )
            key = self._secret_key()
        except (TypeError, ValueError, OSError):  # data that is not JSON, or no usable cache
            return None
        return hashlib.blake2b(text.encode(), key=key, digest_size=20).hexdigest()

    def _versions(self) -> str:
        if self._salt is None:
            import importlib.metadata

            try:
                jsonschema = importlib.metadata.version("jsonschema")
            except importlib.metadata.PackageNotFoundError:
                jsonschema = "none"
            here = FsPath(__file__).parent
            stats = []
            for name in _CHECKERS:
                st = os.stat(here / name)
                stats.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
            self._salt = f"{_LAYOUT}|{jsonschema}|{'|'.join(stats)}"
        return self._salt

    def _secret_key(self) -> bytes:
        if self._key is None:
            assert self._directory is not None
            self._directory.mkdir(parents=True, exist_ok=True)
            path = self._directory / ".key"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                key = path.read_bytes()
            else:
                key = secrets.token_bytes(32)
                with os.fdopen(fd, "wb") as file:
                    file.write(key)
            if len(key) != 32:  # a key half-written by a process that died: no cache
                raise OSError(f"{path} is not a cache key")
            self._key = key
        return self._key

    @staticmethod
    def _write(path: FsPath, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
                file.write(data)
            os.replace(file.name, path)
        except OSError:  # a read-only or full cache: checked again next time
            pass


def _source(source: SchemaSource) -> list[Any]:
    return [source.package, source.origin, source.value]


_cache: SchemaCache | None = None
_lock = threading.Lock()


def schema_cache() -> SchemaCache:
    """The process's cache, in Greenroom's cache directory (see the module doc)."""
    global _cache
    with _lock:
        if _cache is None:
            _cache = SchemaCache(_default_directory())
        return _cache


def _default_directory() -> FsPath | None:
    explicit = os.environ.get("GREENROOM_CACHE_DIR")
    if explicit:
        base = FsPath(explicit).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (FsPath(xdg) if xdg else FsPath.home() / ".cache") / "greenroom"
    return base / "config-schemas"
