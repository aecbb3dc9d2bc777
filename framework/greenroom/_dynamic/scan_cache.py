"""The scan cache: what a root directory held, so an unchanged root rescans in milliseconds.

One file per root and environment in ``<cache_root>/scan/``. Each entry is
keyed by its stat (size, mtime_ns, inode for files; for folders the mtimes of
the folder, its ``*.dist-info`` folders and the files naming the plugin) and
stores the manifest and the host-independent failure. Host-dependent results
are stored with :func:`~greenroom._dynamic.host_check.host_fingerprint` and
recomputed when it changes.

The file is ``marshal`` data of plain tuples, one per entry, fields by
position, behind a magic string and the sha256 of the rest (issue 8: decoding
1000 entries this way takes a third of what JSON with named fields took, and
the records are rebuilt without a check per value). A file that is not exactly
what this code wrote (digest, format, interpreter, models) is ignored as a
whole: every entry is read afresh and the file rewritten. ``marshal`` is only
ever fed bytes whose digest matched, written by this module into the same
cache folder that holds the plugins' bytecode, which is trusted the same way.

The warm path imports only ``marshal`` and ``hashlib``: no cattrs, no
packaging, no zipfile (issue 3: "Rescans of an unchanged root use a cache
keyed by path, size and mtime").
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any, Final, NamedTuple

import attrs

from greenroom._dynamic.cache import CACHE_LAYOUT_VERSION
from greenroom._dynamic.models import (
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
)

__all__ = [
    "Raw",
    "Record",
    "ScanCache",
    "decode_manifest",
    "decode_record",
    "encode_manifest",
    "encode_record",
    "read_entries",
]

_FORMAT: Final = 2
#: How a cache file starts; the sha256 of the rest follows (32 bytes), then the marshal data.
_MAGIC: Final = b"greenroom-scan\n"
_DIGEST_SIZE: Final = 32


class Record(NamedTuple):
    """One root entry as the cache stores it.

    ``key`` is the entry's stat key, ``watch`` what a folder's key covers,
    ``digest`` the archive's sha256, ``content`` the content folder inside the
    extracted archive (``""`` for its top), ``failure`` the package's own
    failure, ``host_failure`` the host checks' (only with a manifest).
    """

    key: tuple[Any, ...]
    kind: str | None
    digest: str | None = None
    content: str | None = None
    manifest: ScannedPluginManifest | None = None
    failure: str | None = None
    host_failure: str | None = None
    watch: tuple[str, ...] = ()


def _eps(specs: tuple[EntryPointSpec, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((ep.group, ep.name, ep.value) for ep in specs)


def _privates(packages: tuple[PrivatePackage, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple((p.name, p.version, p.top_level) for p in packages)


def _encode_bundle(bundle: BundleManifest | None) -> tuple[Any, ...] | None:
    if bundle is None:
        return None
    return (
        bundle.schema_version,
        bundle.name,
        bundle.version,
        bundle.role,
        bundle.plugin_id,
        _eps(bundle.entry_points),
        bundle.shared_requirements,
        _privates(bundle.private_packages),
        bundle.files,
    )


def encode_manifest(manifest: ScannedPluginManifest) -> tuple[Any, ...]:
    """The manifest as a tuple of plain values, fields in declaration order."""
    return (
        manifest.name,
        manifest.version,
        _eps(manifest.entry_points),
        manifest.requires,
        manifest.requires_python,
        manifest.top_level,
        _privates(manifest.private_packages),
        _encode_bundle(manifest.bundle),
        manifest.dist_info,
        _eps(manifest.config_schemas),
    )


#: One string object per group for all entry points, not one per entry (issue 8: memory).
_GROUPS: dict[str, str] = {}


def _ep(data: tuple[str, str, str]) -> EntryPointSpec:
    group = _GROUPS.setdefault(data[0], data[0])
    return EntryPointSpec(group, data[1], data[2])


def _decode_bundle(data: tuple[Any, ...] | None) -> BundleManifest | None:
    if data is None:
        return None
    schema, name, version, role, plugin_id, eps, shared, privates, files = data
    return BundleManifest(
        schema,
        name,
        version,
        role,
        plugin_id,
        tuple(map(_ep, eps)),
        shared,
        tuple(PrivatePackage(*p) for p in privates),
        files,
    )


def decode_manifest(data: tuple[Any, ...]) -> ScannedPluginManifest:
    """The manifest :func:`encode_manifest` encoded."""
    name, version, eps, requires, python, top_level, privates, bundle, dist_info, schemas = data
    return ScannedPluginManifest(
        name,
        version,
        tuple(map(_ep, eps)),
        requires,
        python,
        top_level,
        tuple(PrivatePackage(*p) for p in privates) if privates else (),
        _decode_bundle(bundle),
        dist_info,
        tuple(map(_ep, schemas)) if schemas else (),
    )


#: A record as stored: :class:`Record`'s fields in order, the manifest encoded.
Raw = tuple[Any, ...]


def encode_record(record: Record) -> Raw:
    """The stored form of ``record``."""
    manifest = None if record.manifest is None else encode_manifest(record.manifest)
    return (*record[:4], manifest, *record[5:])


def decode_record(data: Raw) -> Record:
    """The record :func:`encode_record` encoded; ``TypeError``/``ValueError`` if malformed."""
    manifest = data[4]
    if manifest is None:
        return Record._make(data)
    return Record._make((*data[:4], decode_manifest(manifest), *data[5:]))


def _models_signature() -> tuple[tuple[str, ...], ...]:
    classes = (ScannedPluginManifest, BundleManifest, EntryPointSpec, PrivatePackage)
    return tuple((cls.__name__, *(f.name for f in attrs.fields(cls))) for cls in classes)


@attrs.define
class ScanCache:
    """The cached scan of one root: ``old`` as read; :meth:`keep`, :meth:`put`, :meth:`save`.

    Records stay in their stored form (:data:`Raw`) until the scan finds their
    entry unchanged, and are saved again as they were read: a rescan decodes
    each record once and encodes none (issue 8).
    """

    file: Path
    header: tuple[Any, ...]
    host: str
    old: dict[str, Raw]
    host_changed: bool
    new: dict[str, Raw] = attrs.field(factory=dict)
    dirty: bool = False

    @classmethod
    def open(cls, cache_root: Path, root: Path, settings: list[int], host: str) -> ScanCache:
        """The cache of ``root`` (empty when absent, unreadable, damaged or made otherwise)."""
        # One file per root and environment: two virtualenvs sharing a cache do not thrash.
        key = hashlib.sha256(os.fsencode(f"{root}\0{sys.prefix}")).hexdigest()[:32]
        header = (
            _FORMAT,
            CACHE_LAYOUT_VERSION,
            marshal.version,
            sys.hexversion,
            str(root),
            tuple(settings),
            _models_signature(),
        )
        file = cache_root / "scan" / f"{key}.marshal"
        old: dict[str, Raw] = {}
        cached_host = None
        try:
            data = _read(file.read_bytes())
            if data is not None and data[0] == header and type(data[2]) is dict:
                cached_host, old = data[1], data[2]
        except (OSError, ValueError, TypeError, EOFError, IndexError):
            old, cached_host = {}, None  # a file this code did not write: start afresh
        return cls(file, header, host, old, host_changed=cached_host != host)

    def keep(self, name: str, raw: Raw) -> None:
        """Carry a stored record (possibly updated) into the next save."""
        self.new[name] = raw

    def put(self, name: str, record: Record) -> None:
        """Store a freshly scanned record."""
        self.new[name] = encode_record(record)
        self.dirty = True

    def save(self) -> None:
        """Write the cache if anything changed; a read-only cache is silently left alone."""
        if not (self.dirty or self.host_changed or self.new.keys() != self.old.keys()):
            return
        import tempfile

        body = marshal.dumps((self.header, self.host, self.new))
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".scan-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as stream:
                    stream.write(_MAGIC + hashlib.sha256(body).digest() + body)
                os.replace(tmp, self.file)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass


def _read(raw: bytes) -> Any:
    """The data of a cache file as :meth:`ScanCache.save` wrote it, else ``None``."""
    start = len(_MAGIC) + _DIGEST_SIZE
    digest = raw[len(_MAGIC) : start]
    if not raw.startswith(_MAGIC) or hashlib.sha256(raw[start:]).digest() != digest:
        return None
    return marshal.loads(raw[start:])


def read_entries(file: Path) -> dict[str, Record] | None:
    """The entries of a cache file, or ``None`` if it is not one (for tools and tests)."""
    data = _read(file.read_bytes())
    return None if data is None else {name: decode_record(rec) for name, rec in data[2].items()}
