"""The scan cache: what a root directory held, so an unchanged root rescans in milliseconds.

One JSON file per root in ``<cache_root>/scan/``. Each entry is keyed by its
stat (size, mtime_ns, inode for files; for folders the mtimes of the folder,
its ``*.dist-info`` folders and the files naming the plugin) and stores the
manifest and the host-independent failure. Host-dependent results are stored
with :func:`~greenroom._dynamic.host_check.host_fingerprint` and recomputed
when it changes. Everything read back is type-checked; anything odd is a miss.

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
    ENTRY_POINT_GROUPS,
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
)

__all__ = ["ScanCache", "manifest_from_json", "manifest_to_json"]

_FORMAT: Final = 1
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


def _miss(tp: Any) -> Any:
    raise _Miss(f"not a {tp!r}")


def _not_default(field: attrs.Attribute[Any], value: Any) -> bool:
    return bool(value != field.default)


def manifest_to_json(manifest: ScannedPluginManifest) -> dict[str, Any]:
    """The manifest as JSON-ready data, fields at their default left out (tuples stay tuples)."""
    return attrs.asdict(manifest, filter=_not_default)


def manifest_from_json(data: Any) -> ScannedPluginManifest:
    """The manifest back from :func:`manifest_to_json`; raise ``ValueError`` if malformed."""
    try:
        manifest: ScannedPluginManifest = _converter(ScannedPluginManifest)(data)
    except _Miss as exc:
        raise ValueError(f"malformed cached manifest: {exc}") from exc
    for ep in manifest.entry_points:
        if ep.group not in ENTRY_POINT_GROUPS:
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
        try:
            data = json.loads(file.read_bytes())
            same = isinstance(data, dict) and all(data.get(k) == v for k, v in header.items())
            old = data["entries"] if same and isinstance(data.get("entries"), dict) else {}
            cached_host = data.get("host") if same else None
        except (OSError, ValueError, RecursionError):
            old, cached_host = {}, None
        return cls(file, {**header, "host": host}, old, host_changed=cached_host != host)

    def keep(self, name: str, record: dict[str, Any]) -> None:
        """Carry a record (possibly updated) into the next save."""
        self.new[name] = record

    def put(self, name: str, record: dict[str, Any]) -> None:
        """Store a freshly scanned record."""
        self.new[name] = record
        self.dirty = True

    def save(self) -> None:
        """Write the cache if anything changed; a read-only cache is silently left alone."""
        if not (self.dirty or self.host_changed or self.new.keys() != self.old.keys()):
            return
        import tempfile

        text = json.dumps({**self.header, "entries": self.new}, separators=(",", ":"))
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".scan-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(tmp, self.file)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass
