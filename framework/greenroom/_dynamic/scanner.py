"""Scan ``dynamicPlugins.rootDirectory``: one record per entry, valid or not.

The direct children of the root, sorted by name. Wheels and zips are checked
from their central directory and extracted into the cache; folders are read in
place. Every entry but the skipped ones gets a :class:`ScannedPluginPackage`;
one bad entry never aborts the scan (issue 3, "Discovery: root directory
plugins"). Unchanged entries come from the scan cache, so a warm start reads
one JSON file and stats each entry.
"""

from __future__ import annotations

import functools
import logging
import os
import stat
from pathlib import Path
from typing import Any, Final

import attrs

from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    ScannedPluginManifest,
    ScannedPluginPackage,
)
from greenroom._dynamic.package_reader import NOT_A_PACKAGE, read_package
from greenroom._dynamic.scan_cache import ScanCache, manifest_from_json, manifest_to_json
from greenroom._errors import PluginPackageError

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
    cache: ScanCache | None = None
    if cache_root is not None:
        from greenroom._dynamic.host_check import host_fingerprint

        cache = ScanCache.open(cache_root, root, [max_uncompressed, max_member], host_fingerprint())
    scan = _Scan(cache_root, cache, max_uncompressed, max_member)
    _installed.cache_clear()  # host versions are memoized for one scan: installs happen
    packages = []
    for name, path in entries:
        try:
            st: os.stat_result | OSError = os.stat(path)
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
    if cache is not None:
        cache.save()
    hits = scan.hits
    logger.debug("scanned %s: %d entries, %d from the scan cache", root, len(packages), hits)
    return packages


def _file_key(st: os.stat_result) -> list[Any]:
    return ["f", st.st_size, st.st_mtime_ns, st.st_ino]


def _dir_key(path: str, st: os.stat_result, watched: list[str]) -> list[Any]:
    key: list[Any] = ["d", st.st_mtime_ns, st.st_ino]
    for name in watched:
        try:
            child = os.stat(os.path.join(path, name))
        except OSError:
            key.append([name])
        else:
            key.append([name, child.st_size, child.st_mtime_ns, child.st_ino])
    return key


def _watched(path: str) -> list[str]:
    """What a folder's cache key covers: its dist-info folders, their files, the bundle."""
    names = (
        [BUNDLE_MANIFEST_NAME] if os.path.isfile(os.path.join(path, BUNDLE_MANIFEST_NAME)) else []
    )
    with os.scandir(path) as children:
        infos = sorted(c.name for c in children if c.name.endswith(".dist-info") and c.is_dir())
    for info in infos:
        names.append(info)
        names.extend(f"{info}/{name}" for name in ("METADATA", "entry_points.txt", "RECORD"))
    return names


class _Scan:
    """One scan: cached entries reused, the others read fresh.

    A record is the JSON form of one entry, as the cache stores it: ``key``,
    ``kind``, and when set ``watch`` (what a folder's key covers), ``digest``,
    ``content`` (the content folder inside the extracted archive, ``""`` for
    its top), ``manifest``, ``failure`` (the package's own) and ``host_failure``.
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
            watched = _watched(str(path)) if is_dir else []
            record: dict[str, Any] = {
                "key": _dir_key(str(path), st, watched) if is_dir else _file_key(st),
                "kind": package.kind,
            }
            if watched:
                record["watch"] = watched
            if package.digest is not None:
                record["digest"] = package.digest
            if content is not None:
                record["content"] = content
            if package.manifest is None:
                record["failure"] = package.failure
            else:
                record["manifest"] = manifest_to_json(package.manifest)
                # A package that read fine failed only the host checks.
                if package.failure is not None:
                    record["host_failure"] = package.failure
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
        assert self.cache is not None
        old = self.cache.old.get(name)
        if type(old) is not dict:
            return None
        watched = old.get("watch", [])
        if is_dir:
            if type(watched) is not list or not all(type(name) is str for name in watched):
                return None
            key = _dir_key(str(path), st, watched)
        else:
            key = _file_key(st)
        if old.get("key") != key:
            return None
        try:
            package = self._package(path, old, is_dir)
        except (ValueError, TypeError):
            return None
        if package is None:
            return None
        if self.cache.host_changed and package.manifest is not None:
            failure = _host_failure(path, package.manifest)
            old = {k: v for k, v in old.items() if k != "host_failure"}
            if failure is not None:
                old["host_failure"] = failure
            package = attrs.evolve(package, failure=failure)
        self.cache.keep(name, old)
        return package

    def _package(
        self, path: Path, record: dict[str, Any], is_dir: bool
    ) -> ScannedPluginPackage | None:
        """The package a cached record describes, or ``None`` when it is malformed or stale."""
        kind, digest, content = record.get("kind"), record.get("digest"), record.get("content")
        failure, host_failure = record.get("failure"), record.get("host_failure")
        data = record.get("manifest")
        trusted = self.cache is not None and self.cache.trusted
        manifest = None if data is None else manifest_from_json(data, trusted=trusted)
        if (
            kind not in _KINDS
            or type(failure) not in _OPTIONAL_STR
            or type(host_failure) not in _OPTIONAL_STR
            or type(digest) not in _OPTIONAL_STR
            or (manifest is None) == (failure is None)  # exactly one of the two
        ):
            return None
        if content is None:
            if not (is_dir or manifest is None):
                return None
            content_dir = path if manifest is not None else None
        elif is_dir or type(content) is not str or digest is None:
            return None
        else:
            extracted = self._extracted_folder(digest)
            if extracted is None:
                return None
            content_dir = extracted / content if content else extracted
        return ScannedPluginPackage(
            path=path,
            kind=kind,
            manifest=manifest,
            content_dir=content_dir,
            failure=failure or host_failure,
            digest=digest,
        )

    def _extracted_folder(self, digest: str) -> Path | None:
        """The extracted folder of an archive, if it is still in the cache."""
        # One listing for the whole scan rather than a stat and a path parse per archive.
        if self._extracted is None:
            try:
                folders = [] if self._extracted_dir is None else self._extracted_dir.iterdir()
                self._extracted = {folder.name: folder for folder in folders}
            except OSError:
                self._extracted = {}
        return self._extracted.get(digest)


_KINDS: Final = (None, "wheel", "folder", "bundle")
_OPTIONAL_STR: Final = (str, type(None))


@functools.cache
def _installed(name: str) -> str | None:
    from greenroom._dynamic.host_check import installed_version

    return installed_version(name)


def _host_failure(path: Path, manifest: ScannedPluginManifest) -> str | None:
    from greenroom._dynamic.host_check import host_problems

    problems = host_problems(manifest, installed=_installed)
    return PluginPackageError(path, problems).detail if problems else None
