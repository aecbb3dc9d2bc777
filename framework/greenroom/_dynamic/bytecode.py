"""The module loader's own bytecode cache for plugin source.

``PYTHONDONTWRITEBYTECODE`` is common and archives never get ``__pycache__``
folders, so without a cache every start compiles every plugin module again
(~0.6-0.9 ms per module against ~0.12-0.16 ms from a cache, measured; see
``isolation-notes.md``). Entries live in
``<cache root>/bytecode/<interpreter tag>/<sha256>.pyc``, keyed by the source
bytes, the loader version and the optimisation level, so one entry serves every
copy of the same file (two plugins shipping the same library version); the
file name baked into a code object is replaced on the way out.

The ordinary ``__pycache__`` is never read: its ``.pyc`` files were compiled
by someone else, maybe from other source (an unchecked-hash ``.pyc`` is used
without looking at the source at all). A cache that cannot be written (a
read-only file system) is not an error: the loader compiles without one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import sys
from pathlib import Path
from types import CodeType
from typing import Final

from greenroom._dynamic.cache import interpreter_tag, writable_dir

__all__ = ["LOADER_VERSION", "BytecodeCache", "CacheStats", "compile_source", "with_filename"]

_log = logging.getLogger("greenroom.dynamic")

#: Bumped whenever the loader compiles differently (a rewrite added, flags changed).
LOADER_VERSION: Final = 1
#: Guards against reading some other tool's file that happens to sit there.
_HEADER: Final = b"GRBC\x01\n"


class CacheStats:
    """Counters a caller can show (``greenroom plugins list --verbose``) or test."""

    __slots__ = ("hits", "misses", "writes")

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
        self.writes = 0


def with_filename(code: CodeType, filename: str) -> CodeType:
    """``code`` and every code object nested in it, reporting ``filename``."""
    if code.co_filename == filename:
        return code
    consts = tuple(
        with_filename(const, filename) if isinstance(const, CodeType) else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def compile_source(source: bytes, filename: str, optimize: int = -1) -> CodeType:
    """Compile plugin source as the import system would, without this module's future flags."""
    return compile(source, filename, "exec", dont_inherit=True, optimize=optimize)


class BytecodeCache:
    """Compiles plugin source, keeping code objects under ``directory`` when it can.

    ``directory`` ``None`` switches the cache off. The directory is created on
    first use; when it cannot be, the cache switches itself off silently.
    ``optimize`` is the level code is compiled at (default: the interpreter's
    ``-O`` level); it is part of the key.
    """

    def __init__(self, directory: Path | None, *, optimize: int | None = None) -> None:
        self.optimize = sys.flags.optimize if optimize is None else optimize
        self._wanted = directory
        self._directory: Path | None = None
        self._probed = directory is None
        self.stats = CacheStats()

    @classmethod
    def under(cls, cache_root: Path | None, *, enabled: bool = True) -> BytecodeCache:
        """The cache for this interpreter under Greenroom's cache root."""
        if cache_root is None or not enabled:
            return cls(None)
        return cls(cache_root / "bytecode" / interpreter_tag())

    @property
    def directory(self) -> Path | None:
        """Where entries go, or ``None`` when the cache is off (asked for, or unwritable)."""
        if not self._probed:
            self._probed = True
            assert self._wanted is not None
            self._directory = writable_dir(self._wanted)
            if self._directory is None:
                _log.debug("bytecode cache %s is not writable; compiling without it", self._wanted)
        return self._directory

    def code(self, source: bytes, filename: str) -> CodeType:
        """The code object of ``source``, whose tracebacks name ``filename``."""
        directory = self.directory
        if directory is None:
            return compile_source(source, filename, self.optimize)
        key = hashlib.sha256(
            b"greenroom-bytecode\0%d\0%d\0" % (LOADER_VERSION, self.optimize) + source
        ).hexdigest()
        entry = directory / f"{key}.pyc"
        cached = _read(entry)
        if cached is not None:
            self.stats.hits += 1
            return with_filename(cached, filename)
        self.stats.misses += 1
        code = compile_source(source, filename, self.optimize)
        if _write(entry, code):
            self.stats.writes += 1
        return code


def _read(entry: Path) -> CodeType | None:
    """The code object stored in ``entry``; ``None`` when absent or unreadable (then rebuilt).

    A damaged entry (a writer that crashed half-way) is removed, so that it is written anew.
    """
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    code = None
    if data.startswith(_HEADER):
        try:
            code = marshal.loads(data[len(_HEADER) :])
        except (EOFError, ValueError, TypeError):
            code = None
    if isinstance(code, CodeType):
        return code
    with contextlib.suppress(OSError):
        entry.unlink()
    return None


def _write(entry: Path, code: CodeType) -> bool:
    """Create ``entry`` holding ``code``; leave an existing one alone.

    Written in place, not through a temporary file and a rename: one file
    system operation less per module on a cold start (issue 8). A reader that
    catches the file half-written gets a truncated marshal stream, which
    :func:`_read` refuses (marshal never decodes a prefix of a code object as a
    whole one), and compiles the source itself.
    """
    try:
        file = open(entry, "xb")  # noqa: SIM115 - closed below, removed if the write fails
    except FileExistsError:
        return False  # another process wrote it first
    except OSError as exc:
        _log.debug("could not write bytecode cache entry %s: %s", entry, exc)
        return False
    try:
        with file:
            file.write(_HEADER + marshal.dumps(code))
    except OSError as exc:  # a full disk: leave no truncated entry behind
        _log.debug("could not write bytecode cache entry %s: %s", entry, exc)
        with contextlib.suppress(OSError):
            entry.unlink()
        return False
    return True
