"""The scan cache: what a root directory held, so an unchanged root rescans in milliseconds.

One JSON file per root in ``<cache_root>/scan/``. Each entry is keyed by its
stat (size, mtime_ns, inode for files; for folders the mtimes of the folder,
its ``*.dist-info`` folders and the files naming the plugin) and stores the
manifest and the host-independent failure. Host-dependent results are stored
with :func:`~greenroom._dynamic.host_check.host_fingerprint` and recomputed
when it changes. Everything read back is type-checked; anything odd is a miss,
unless the file is exactly as this code wrote it: it starts with the sha256 of
the rest, and a file whose digest matches is read without checking every value
(the checks cost ~12 µs per entry, a third of a rescan of 1000 wheels: issue 8).

The warm path imports only ``json``: no cattrs, no packaging, no zipfile
(issue 3: "Rescans of an unchanged root use a cache keyed by path, size and mtime").
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs

from greenroom._dynamic.cache import CACHE_LAYOUT_VERSION
from greenroom._dynamic.models import (
    CONFIG_SCHEMA_GROUP,
    ENTRY_POINT_GROUPS,
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
)

__all__ = ["ScanCache", "manifest_from_json", "manifest_to_json"]

_FORMAT: Final = 1
#: How a cache file starts: its digest comes first, at a fixed place.
_DIGEST_HEAD: Final = b'{"digest":"'
Converter = Callable[[Any], Any]


class _Miss(Exception):
    """A cached value does not have the shape it must have."""


_PLAIN: Final = {str: (str,), int: (int,), bool: (bool,)}


def _plain(tp: Any) -> tuple[type, ...] | None:
    """The JSON types a plain field accepts (``str``, ``int | None``, ...), else ``None``."""
    if tp in _PLAIN:
        return _PLAIN[tp]
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        inner = [_PLAIN.get(arg) for arg in args if arg is not type(None)]
        if len(inner) == 1 and inner[0] is not None:
            return (*inner[0], type(None))
    return None


@functools.cache
def _converter(tp: Any) -> Converter:
    """A strict JSON -> value converter for the types the manifest models use.

    Built once per type; checks every value's type without a call per string,
    because a warm scan of 1000 packages structures 1000 manifests (issue 3).
    """
    plain = _plain(tp)
    if plain is not None:
        return lambda value: value if type(value) in plain else _miss(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _converter(next(arg for arg in args if arg is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        items = _plain(args[0])
        if items is not None:
            accepted = frozenset(items)
            return lambda value: (
                tuple(value)
                if type(value) is list and set(map(type, value)) <= accepted
                else _miss(tp)
            )
        item = _converter(args[0])
        return lambda value: tuple(map(item, value)) if type(value) is list else _miss(tp)
    if origin is dict and args == (str, str):
        return lambda value: (
            value if type(value) is dict and set(map(type, value.values())) <= {str} else _miss(tp)
        )
    if isinstance(tp, type) and attrs.has(tp):
        return _class_converter(tp)
    raise TypeError(f"the scan cache cannot store {tp!r}")


def _class_converter(cls: type) -> Converter:
    hints = typing.get_type_hints(cls)
    names = frozenset(field.name for field in attrs.fields(cls))
    plain = [(f.name, frozenset(t)) for f in attrs.fields(cls) if (t := _plain(hints[f.name]))]
    other = [
        (f.name, _converter(hints[f.name]))
        for f in attrs.fields(cls)
        if _plain(hints[f.name]) is None
    ]

    if not other and len({accepted for _, accepted in plain}) == 1:
        only = plain[0][1]  # every field takes the same JSON types: one check in C

        def build_plain(value: Any) -> Any:
            if (
                type(value) is not dict
                or not names.issuperset(value)
                or not set(map(type, value.values())) <= only
            ):
                return _miss(cls)
            try:
                return cls(**value)
            except TypeError as exc:  # a required field is missing
                raise _Miss(str(exc)) from exc

        return build_plain

    def build(value: Any) -> Any:
        # Fields left at their defaults are not written (see manifest_to_json).
        if type(value) is not dict or not names.issuperset(value):
            return _miss(cls)
        for name, accepted in plain:
            if name in value and type(value[name]) not in accepted:
                return _miss(cls)
        data = dict(value)
        for name, convert in other:
            if name in data:
                data[name] = convert(data[name])
        try:
            return cls(**data)
        except TypeError as exc:  # a required field is missing
            raise _Miss(str(exc)) from exc

    return build


@functools.cache
def _trusted_builder(tp: Any) -> Converter | None:
    """Like :func:`_converter` for values known to be well-formed: no checks, ``None`` if as is."""
    if _plain(tp) is not None or (typing.get_origin(tp) is dict):
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _trusted_builder(next(arg for arg in args if arg is not type(None)))
        if inner is None:
            return None
        return lambda value: None if value is None else inner(value)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _trusted_builder(args[0])
        return tuple if item is None else (lambda value: tuple(map(item, value)))
    if isinstance(tp, type) and attrs.has(tp):
        hints = typing.get_type_hints(tp)
        steps = [
            (f.name, build) for f in attrs.fields(tp) if (build := _trusted_builder(hints[f.name]))
        ]
        cls = tp
        if tp is EntryPointSpec:
            # One string per group for all entry points, not one per entry (issue 8: memory).
            groups = {group: group for group in (*ENTRY_POINT_GROUPS, CONFIG_SCHEMA_GROUP)}
            return lambda value: EntryPointSpec(
                groups.get(value["group"], value["group"]), value["name"], value["value"]
            )
        if not steps:
            return lambda value: cls(**value)

        def build_class(value: Any) -> Any:
            data = dict(value)
            for name, build in steps:
                if name in data:
                    data[name] = build(data[name])
            return cls(**data)

        return build_class
    raise TypeError(f"the scan cache cannot store {tp!r}")


def _miss(tp: Any) -> Any:
    raise _Miss(f"not a {tp!r}")


def _not_default(field: attrs.Attribute[Any], value: Any) -> bool:
    return bool(value != field.default)


def manifest_to_json(manifest: ScannedPluginManifest) -> dict[str, Any]:
    """The manifest as JSON-ready data, fields at their default left out (tuples stay tuples)."""
    return attrs.asdict(manifest, filter=_not_default)


def manifest_from_json(data: Any, *, trusted: bool = False) -> ScannedPluginManifest:
    """The manifest back from :func:`manifest_to_json`; raise ``ValueError`` if malformed.

    ``trusted``: ``data`` is known to be what :func:`manifest_to_json` gave (a
    cache file whose digest matched), so the types of its values are not checked.
    """
    try:
        build = _trusted_builder(ScannedPluginManifest) if trusted else None
        if build is not None:
            manifest: ScannedPluginManifest = build(data)
        else:
            manifest = _converter(ScannedPluginManifest)(data)
    except _Miss as exc:
        raise ValueError(f"malformed cached manifest: {exc}") from exc
    except (TypeError, AttributeError) as exc:  # trusted, yet not what was written
        raise ValueError(f"malformed cached manifest: {exc}") from exc
    for ep in manifest.entry_points:
        if ep.group not in ENTRY_POINT_GROUPS:
            raise ValueError(f"malformed cached manifest: unknown group {ep.group!r}")
    for ep in manifest.config_schemas:
        if ep.group != CONFIG_SCHEMA_GROUP:
            raise ValueError(f"malformed cached manifest: unknown group {ep.group!r}")
    return manifest


def _models_signature() -> list[list[str]]:
    classes = (ScannedPluginManifest, BundleManifest, EntryPointSpec, PrivatePackage)
    return [[cls.__name__, *(f.name for f in attrs.fields(cls))] for cls in classes]


@attrs.define
class ScanCache:
    """The cached scan of one root: ``old`` as read; :meth:`keep`, :meth:`put`, :meth:`save`."""

    file: Path
    header: dict[str, Any]
    old: dict[str, Any]
    host_changed: bool
    new: dict[str, Any] = attrs.field(factory=dict)
    dirty: bool = False
    #: The file was read back exactly as written (its digest matched).
    trusted: bool = False

    @classmethod
    def open(cls, cache_root: Path, root: Path, settings: list[int], host: str) -> ScanCache:
        """The cache of ``root`` (empty when absent, unreadable or made with other settings)."""
        # One file per root and environment: two virtualenvs sharing a cache do not thrash.
        key = hashlib.sha256(os.fsencode(f"{root}\0{sys.prefix}")).hexdigest()[:32]
        header = {
            "format": _FORMAT,
            "layout": CACHE_LAYOUT_VERSION,
            "root": str(root),
            "settings": settings,
            "models": _models_signature(),
        }
        file = cache_root / "scan" / f"{key}.json"
        trusted = False
        try:
            raw = file.read_bytes()
            data = json.loads(raw)
            same = isinstance(data, dict) and all(data.get(k) == v for k, v in header.items())
            old = data["entries"] if same and isinstance(data.get("entries"), dict) else {}
            cached_host = data.get("host") if same else None
            trusted = same and _intact(raw)
        except (OSError, ValueError, RecursionError):
            old, cached_host = {}, None
        return cls(
            file, {**header, "host": host}, old, host_changed=cached_host != host, trusted=trusted
        )

    def keep(self, name: str, record: dict[str, Any]) -> None:
        """Carry a record (possibly updated) into the next save."""
        self.new[name] = record

    def put(self, name: str, record: dict[str, Any]) -> None:
        """Store a freshly scanned record."""
        self.new[name] = record
        self.dirty = True

    def save(self) -> None:
        """Write the cache if anything changed; a read-only cache is silently left alone."""
        if not (
            self.dirty
            or self.host_changed
            or not self.trusted
            or self.new.keys() != self.old.keys()
        ):
            return
        import tempfile

        text = json.dumps({**self.header, "entries": self.new}, separators=(",", ":"))
        body = text.encode("utf-8")
        digest = hashlib.sha256(body).hexdigest().encode("ascii")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".scan-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as stream:
                    # {"digest":"<sha256 of the document without it>",<the document's rest>
                    stream.write(_DIGEST_HEAD + digest + b'",' + body[1:])
                os.replace(tmp, self.file)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass


def _intact(raw: bytes) -> bool:
    """Whether ``raw`` is a cache file as :meth:`ScanCache.save` wrote it (its digest matches)."""
    start = len(_DIGEST_HEAD)
    end = start + 64
    if not raw.startswith(_DIGEST_HEAD) or raw[end : end + 2] != b'",':
        return False
    return hashlib.sha256(b"{" + raw[end + 2 :]).hexdigest().encode("ascii") == raw[start:end]
