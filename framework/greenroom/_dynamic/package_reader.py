"""Read one entry of the plugins root afresh: what kind it is, its manifest, its content.

Wheels are checked from the zip's directory, read from the zip and only then
extracted; bundle zips are extracted and read like folders. Every failure of
the package becomes its record's failure; nothing here raises (issue 3: "Never
abort startup because of one entry"). The scanner calls this only for entries
the scan cache does not know, so the heavy modules are imported lazily.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final

from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    PackageKind,
    ScannedPluginManifest,
    ScannedPluginPackage,
)
from greenroom._errors import PluginPackageError

if TYPE_CHECKING:
    from greenroom._dynamic.archive import SafeArchive

__all__ = ["NOT_A_PACKAGE", "read_package"]

logger = logging.getLogger("greenroom.dynamic")

#: The failure of a root entry that is neither a wheel, a zip nor a folder.
NOT_A_PACKAGE: Final = "not a plugin package: expected a wheel, a zip or a folder"


def read_package(
    path: Path, is_dir: bool, cache_root: Path | None, max_uncompressed: int, max_member: int
) -> tuple[ScannedPluginPackage, bool]:
    """Read one entry afresh (host checks aside); also say whether the result may be cached.

    Failures of the package itself are cached; failures of the disk are not.
    """
    kind: PackageKind | None = None
    digest = None
    try:
        if is_dir:
            from greenroom._dynamic.manifest import read_folder_manifest

            kind = "bundle" if (path / BUNDLE_MANIFEST_NAME).is_file() else "folder"
            try:
                manifest = read_folder_manifest(path)
            except PluginPackageError:
                if not any(path.glob("*.dist-info")):
                    kind = None
                raise
            return ScannedPluginPackage(path, kind, manifest, content_dir=path), True
        suffix = path.suffix.lower()
        if suffix not in (".whl", ".zip"):
            return ScannedPluginPackage(path, None, failure=NOT_A_PACKAGE), True
        kind = "wheel" if suffix == ".whl" else "bundle"
        from greenroom._dynamic.archive import SafeArchive, archive_digest

        with SafeArchive.open(
            path, max_uncompressed=max_uncompressed, max_member=max_member
        ) as archive:
            # Hashed only once the directory passed: a huge junk file is refused unread.
            digest = archive_digest(path)
            manifest, content = _read_archive(archive, kind, digest, cache_root)
        return ScannedPluginPackage(path, kind, manifest, content, digest=digest), True
    except PluginPackageError as exc:
        return ScannedPluginPackage(path, kind, failure=exc.detail, digest=digest), True
    except OSError as exc:
        return ScannedPluginPackage(
            path, kind, failure=f"cannot be read: {exc}", digest=digest
        ), False
    except Exception as exc:  # one bad entry never aborts the scan (issue 3)
        logger.warning("unexpected error while scanning %s", path, exc_info=True)
        return ScannedPluginPackage(
            path,
            kind,
            failure=f"internal error while scanning: {type(exc).__name__}: {exc}",
            digest=digest,
        ), False


def _read_archive(
    archive: SafeArchive, kind: str, digest: str, cache_root: Path | None
) -> tuple[ScannedPluginManifest, Path]:
    """A wheel is read from the zip before extraction; a bundle zip after it."""
    from greenroom._dynamic.archive import extract_archive
    from greenroom._dynamic.manifest import (
        read_folder_manifest,
        read_wheel_manifest,
        wheel_install_path,
    )

    if kind == "wheel":
        manifest = read_wheel_manifest(archive)
        content = extract_archive(
            archive, digest=digest, cache_root=cache_root, rename=wheel_install_path
        )
        return manifest, content
    top = _bundle_top(archive.names)
    if top is None:
        raise PluginPackageError(
            archive.path,
            f"not a plugin package: a .zip must hold a bundle, with {BUNDLE_MANIFEST_NAME} "
            "at its root or inside its one top folder",
            hint="build it with 'greenroom package bundle', or drop the wheel itself into "
            "the root directory",
        )
    extracted = extract_archive(archive, digest=digest, cache_root=cache_root)
    content = extracted / top if top else extracted
    return read_folder_manifest(content, path=archive.path), content


def _bundle_top(names: tuple[str, ...]) -> str | None:
    """``""`` when the bundle manifest is at the zip's root, the top folder, or ``None``."""
    if BUNDLE_MANIFEST_NAME in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        top = tops.pop()
        if f"{top}/{BUNDLE_MANIFEST_NAME}" in names:
            return top
    return None
