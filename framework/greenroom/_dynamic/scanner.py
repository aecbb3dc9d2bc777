"""Scan ``dynamicPlugins.rootDirectory``: one record per entry, valid or not.

The direct children of the root, sorted by name. Wheels and zips are checked
from their central directory and extracted into the cache; folders are read in
place. Every entry but the skipped ones gets a :class:`ScannedPluginPackage`;
one bad entry never aborts the scan (issue 3, "Discovery: root directory
plugins"). Unchanged entries come from the scan cache, so a warm start reads
one cache file and stats each entry.
"""

from __future__ import annotations

import functools
import logging
import os
import stat
from pathlib import Path
from typing import Any, Final

import attrs

from greenroom._dynamic.host_check import host_fingerprint
from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    ScannedPluginManifest,
    ScannedPluginPackage,
)
from greenroom._dynamic.package_reader import NOT_A_PACKAGE, read_package
from greenroom._dynamic.scan_cache import Record, ScanCache, decode_manifest
from greenroom._errors import PluginPackageError
from greenroom._gc import paused_gc

__all__ = ["SKIPPED_NAMES", "SKIPPED_SUFFIXES", "scan_root", "skip_reason"]

logger = logging.getLogger("greenroom.dynamic")

#: Entries skipped quietly whatever their kind.
SKIPPED_NAMES: Final = frozenset({"lost+found"})
#: Files skipped quietly (what installers leave beside plugins); compared lower-case.
SKIPPED_SUFFIXES: Final = (".yaml", ".yml", ".json", ".lock", ".hash", ".log", ".txt", ".md")
# The same defaults as greenroom._dynamic.archive, without importing zipfile on the warm path.
_MAX_UNCOMPRESSED: Final = 512 * 1024 * 1024
_MAX_MEMBER: Final = 128 * 1024 * 1024


def skip_reason(name: str, is_dir: bool) -> str | None:
    """Why a root entry is skipped quietly, or ``None`` when it gets a record."""
    if name in SKIPPED_NAMES:
        return "a filesystem folder"
    if name.startswith("."):
        return "a hidden entry"
    if not is_dir and name.lower().endswith(SKIPPED_SUFFIXES):
        return "a file installers leave beside plugins"
    return None


def scan_root(
    root: Path,
    *,
    cache_root: Path | None,
    max_uncompressed: int = _MAX_UNCOMPRESSED,
    max_member: int = _MAX_MEMBER,
) -> list[ScannedPluginPackage]:
    """Scan the direct children of ``root``; raise :class:`PluginPackageError` if it is missing.

    ``cache_root`` holds extracted archives and the scan cache (``None``: no
    cache; archives go to a private temporary folder removed at exit).
    """
    root = Path(os.path.abspath(root))
    try:
        # iterdir builds child paths without reparsing them: it matters at 1000 entries.
        entries = sorted((child.name, child) for child in root.iterdir())
    except FileNotFoundError as exc:
        raise PluginPackageError(
            root,
            "the dynamic plugins root directory does not exist",
            hint="create it, or remove dynamicPlugins.rootDirectory from the config",
        ) from exc
    except NotADirectoryError as exc:
        raise PluginPackageError(
            root,
            "dynamicPlugins.rootDirectory is not a directory",
            hint="point it at a folder of plugin packages",
        ) from exc
    except OSError as exc:
        raise PluginPackageError(
            root,
            f"the dynamic plugins root directory cannot be read ({exc.strerror})",
            hint="give the server read access to it",
        ) from exc
    with paused_gc():  # every record built here lives on: nothing to collect (issue 8)
        cache: ScanCache | None = None
        if cache_root is not None:
            settings = [max_uncompressed, max_member]
            cache = ScanCache.open(cache_root, root, settings, host_fingerprint())
        scan = _Scan(cache_root, cache, max_uncompressed, max_member)
        _installed.cache_clear()  # host versions are memoized for one scan: installs happen
        packages = _scan_entries(scan, root, entries)
        if cache is not None:
            cache.save()
    logger.debug("scanned %s: %d entries, %d from the scan cache", root, len(packages), scan.hits)
    return packages


def _scan_entries(
    scan: _Scan, root: Path, entries: list[tuple[str, Path]]
) -> list[ScannedPluginPackage]:
    packages = []
    # Entries are stat'ed by name relative to the open root: a third of the cost of
    # stat'ing their full paths at 1000 entries (issue 8).
    root_fd = _open_dir(root)
    try:
        for name, path in entries:
            try:
                st: os.stat_result | OSError = (
                    os.stat(path) if root_fd is None else os.stat(name, dir_fd=root_fd)
                )
            except OSError as exc:
                st = exc
            is_dir = not isinstance(st, OSError) and stat.S_ISDIR(st.st_mode)
            reason = skip_reason(name, is_dir)
            if reason:
                logger.debug("skipping %s in the dynamic plugins root: %s", path, reason)
                continue
            package = scan.known(name, path, st, is_dir)
            if package is None:
                # Not in threads: four readers made a cold start of 500 wheels ~40% slower
                # here (creating files in one folder is serialised by the file system; issue 8).
                assert not isinstance(st, OSError)
                package = scan.fresh(name, path, st, is_dir)
            packages.append(package)
    finally:
        if root_fd is not None:
            os.close(root_fd)
    return packages


def _open_dir(path: Path) -> int | None:
    """A descriptor of ``path`` to stat its children by name, where the platform can."""
    if os.stat not in os.supports_dir_fd:
        return None
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None


def _file_key(st: os.stat_result) -> tuple[Any, ...]:
    return ("f", st.st_size, st.st_mtime_ns, st.st_ino)


def _dir_key(path: str, st: os.stat_result, watched: tuple[str, ...]) -> tuple[Any, ...]:
    key: list[Any] = ["d", st.st_mtime_ns, st.st_ino]
    for name in watched:
        try:
            child = os.stat(os.path.join(path, name))
        except OSError:
            key.append((name,))
        else:
            key.append((name, child.st_size, child.st_mtime_ns, child.st_ino))
    return tuple(key)


def _watched(path: str) -> tuple[str, ...]:
    """What a folder's cache key covers: its dist-info folders, their files, the bundle."""
    names = (
        [BUNDLE_MANIFEST_NAME] if os.path.isfile(os.path.join(path, BUNDLE_MANIFEST_NAME)) else []
    )
    with os.scandir(path) as children:
        infos = sorted(c.name for c in children if c.name.endswith(".dist-info") and c.is_dir())
    for info in infos:
        names.append(info)
        names.extend(f"{info}/{name}" for name in ("METADATA", "entry_points.txt", "RECORD"))
    return tuple(names)


class _Scan:
    """One scan: cached entries reused, the others read fresh.

    What the cache keeps of an entry is a :class:`~greenroom._dynamic.scan_cache.Record`
    (its stat key, kind, digest, content folder, manifest, failures and, for a
    folder, what its key covers), stored in the cache's positional form.
    """

    def __init__(
        self,
        cache_root: Path | None,
        cache: ScanCache | None,
        max_uncompressed: int,
        max_member: int,
    ) -> None:
        self.cache_root = cache_root
        self.cache = cache
        self.limits = (max_uncompressed, max_member)
        self.hits = 0
        self._extracted_dir = None if cache_root is None else cache_root / "extracted"
        self._extracted: dict[str, Path] | None = None

    def known(
        self, name: str, path: Path, st: os.stat_result | OSError, is_dir: bool
    ) -> ScannedPluginPackage | None:
        """The entry without reading it (unreadable, not a package, or cached), else ``None``."""
        if isinstance(st, OSError):
            broken = path.is_symlink()
            failure = "a broken symbolic link" if broken else f"cannot be read ({st.strerror})"
            return ScannedPluginPackage(path, None, failure=f"not a plugin package: {failure}")
        if not (is_dir or stat.S_ISREG(st.st_mode)):
            return ScannedPluginPackage(path, None, failure=NOT_A_PACKAGE)
        if self.cache is not None:
            cached = self._cached(name, path, st, is_dir)
            if cached is not None:
                self.hits += 1
                return cached
        return None

    def fresh(
        self, name: str, path: Path, st: os.stat_result, is_dir: bool
    ) -> ScannedPluginPackage:
        """The entry read from disk (and stored in the cache when it can be)."""
        package, cacheable = read_package(path, is_dir, self.cache_root, *self.limits)
        if package.manifest is not None and package.failure is None:
            package = attrs.evolve(package, failure=_host_failure(path, package.manifest))
        content = self._content(package.content_dir, package.digest) if not is_dir else None
        if (
            self.cache is not None
            and cacheable
            and (content is not None or is_dir or package.content_dir is None)
        ):
            watched = _watched(str(path)) if is_dir else ()
            manifest = package.manifest
            record = Record(
                key=_dir_key(str(path), st, watched) if is_dir else _file_key(st),
                kind=package.kind,
                digest=package.digest,
                content=content,
                manifest=manifest,
                # A package that read fine failed only the host checks.
                failure=package.failure if manifest is None else None,
                host_failure=package.failure if manifest is not None else None,
                watch=watched,
            )
            self.cache.put(name, record)
        return package

    def _content(self, content_dir: Path | None, digest: str | None) -> str | None:
        """``content_dir`` relative to its extracted archive in the shared cache, or ``None``."""
        if content_dir is None or digest is None or self._extracted_dir is None:
            return None
        extracted = self._extracted_dir / digest
        if not content_dir.is_relative_to(extracted):
            return None  # a private temporary folder does not outlive the process
        relative = content_dir.relative_to(extracted).as_posix()
        return "" if relative == "." else relative

    def _cached(
        self, name: str, path: Path, st: os.stat_result, is_dir: bool
    ) -> ScannedPluginPackage | None:
        """The package from the cache if its entry is unchanged, else ``None`` (read it).

        Works on the stored record as it is (see :class:`ScanCache`): one
        unpacking and the manifest's decoding per entry, the rescan's hot path.
        """
        assert self.cache is not None
        raw = self.cache.old.get(name)
        if raw is None:
            return None
        try:
            _, kind, digest, content, data, failure, host_failure, watch = raw
            if raw[0] != (_dir_key(str(path), st, watch) if is_dir else _file_key(st)):
                return None
            manifest = None if data is None else decode_manifest(data)
        except (TypeError, ValueError, IndexError):  # not a record this code wrote
            return None
        if content is None:
            if not (is_dir or manifest is None):
                return None  # an archive's manifest comes with its extraction
            content_dir = path if manifest is not None else None
        elif is_dir or type(digest) is not str or type(content) is not str:
            return None
        else:
            extracted = self._extracted_folder(digest)
            if extracted is None:
                return None  # the extraction was removed: extract again
            content_dir = extracted / content if content else extracted
        if self.cache.host_changed and manifest is not None:
            host_failure = _host_failure(path, manifest)
            raw = (*raw[:6], host_failure, watch)
        self.cache.keep(name, raw)
        return ScannedPluginPackage(
            path, kind, manifest, content_dir, failure or host_failure, digest
        )

    def _extracted_folder(self, digest: str) -> Path | None:
        """The extracted folder of an archive, if it is still in the cache."""
        # One listing for the whole scan rather than a stat per archive; the listing
        # makes the paths more cheaply than joining each name (issue 8).
        if self._extracted is None:
            try:
                folders = [] if self._extracted_dir is None else self._extracted_dir.iterdir()
                self._extracted = {folder.name: folder for folder in folders}
            except OSError:
                self._extracted = {}
        return self._extracted.get(digest)


@functools.cache
def _installed(name: str) -> str | None:
    from greenroom._dynamic.host_check import installed_version

    return installed_version(name)


def _host_failure(path: Path, manifest: ScannedPluginManifest) -> str | None:
    from greenroom._dynamic.host_check import host_problems

    problems = host_problems(manifest, installed=_installed)
    return PluginPackageError(path, problems).detail if problems else None
