"""Builders for the scanner's tests: wheels, folders, bundles and raw zips, made by hand.

Wheels follow the wheel spec (one ``*.dist-info`` with METADATA, WHEEL,
entry_points.txt and RECORD); folders follow ``pip install --target``; raw zips
are written byte by byte so that a test can make a member lie about itself.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from greenroom._dynamic.bundle_manifest import dump_bundle_manifest
from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
)

BACKEND = "greenroom.backend_plugin"
FRONTEND = "greenroom.frontend_plugin"


def normalize(name: str) -> str:
    """The dist-info form of a project name."""
    return re.sub(r"[-_.]+", "_", name).lower()


@dataclass
class Dist:
    """A distribution to write: its metadata and its code."""

    name: str = "acme-plugin-todo"
    version: str = "1.0.0"
    entry_points: dict[str, dict[str, str]] = field(
        default_factory=lambda: {BACKEND: {"todo": "acme_todo:TodoPlugin"}}
    )
    requires: list[str] = field(default_factory=list)
    requires_python: str | None = None
    code: dict[str, str | bytes] = field(
        default_factory=lambda: {"acme_todo/__init__.py": "class TodoPlugin: ...\n"}
    )
    #: Raw text replacing the generated METADATA (``None``: generate; ``""``: leave it out).
    metadata: str | bytes | None = None
    #: Raw text replacing the generated entry_points.txt.
    entry_points_txt: str | None = None
    extra_dist_info: dict[str, str | bytes] = field(default_factory=dict)

    @property
    def dist_info(self) -> str:
        """The dist-info folder name."""
        return f"{normalize(self.name)}-{self.version}.dist-info"

    @property
    def wheel_name(self) -> str:
        """The wheel file name."""
        return f"{normalize(self.name)}-{self.version}-py3-none-any.whl"

    def files(self, *, wheel: bool = True) -> dict[str, bytes]:
        """Every file of the installed distribution, RECORD last."""
        info = self.dist_info
        files = {name: _bytes(data) for name, data in self.code.items()}
        if self.metadata is None:
            lines = ["Metadata-Version: 2.1", f"Name: {self.name}", f"Version: {self.version}"]
            if self.requires_python:
                lines.append(f"Requires-Python: {self.requires_python}")
            lines += [f"Requires-Dist: {req}" for req in self.requires]
            files[f"{info}/METADATA"] = ("\n".join(lines) + "\n").encode()
        elif self.metadata != "":
            files[f"{info}/METADATA"] = _bytes(self.metadata)
        text = self.entry_points_txt
        if text is None:
            text = "".join(
                f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
                for group, eps in self.entry_points.items()
            )
        if text:
            files[f"{info}/entry_points.txt"] = text.encode()
        if wheel:
            files[f"{info}/WHEEL"] = (
                b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            )
        files.update({f"{info}/{k}": _bytes(v) for k, v in self.extra_dist_info.items()})
        record = [f"{name},sha256={_b64(data)},{len(data)}" for name, data in files.items()]
        files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
        return files


def _bytes(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else data


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_zip(path: Path, files: Mapping[str, bytes | str]) -> Path:
    """A zip of ``files`` (deflated), duplicates allowed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names; some tests want them
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    return path


def write_wheel(directory: Path, dist: Dist, *, filename: str | None = None) -> Path:
    """A wheel of ``dist`` in ``directory``."""
    return write_zip(directory / (filename or dist.wheel_name), dist.files())


def write_folder(path: Path, dist: Dist, *private: Dist) -> Path:
    """A ``pip install --target`` folder holding ``dist`` and its private dependencies."""
    for one in (dist, *private):
        for name, data in one.files(wheel=False).items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return path


def bundle_manifest_for(folder: Path, dist: Dist, *private: Dist) -> BundleManifest:
    """The manifest ``greenroom package bundle`` would write for ``folder``."""
    files = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != BUNDLE_MANIFEST_NAME
    }
    group_roles = {BACKEND: "backend-plugin", FRONTEND: "frontend-plugin"}
    entry_points = tuple(
        sorted(
            EntryPointSpec(group, name, value)
            for group, eps in dist.entry_points.items()
            for name, value in eps.items()
        )
    )
    return BundleManifest(
        schema_version=1,
        name=dist.name,
        version=dist.version,
        role=group_roles.get(next(iter(dist.entry_points)), "backend-plugin"),
        plugin_id="todo",
        entry_points=entry_points,
        shared_requirements=("greenroom>=0.0.1",),
        private_packages=tuple(PrivatePackage(p.name, p.version, ()) for p in private),
        files=files,
    )


def write_bundle(path: Path, dist: Dist, *private: Dist) -> Path:
    """A bundle folder: the ``--target`` layout plus a matching greenroom-bundle.json."""
    write_folder(path, dist, *private)
    (path / ".config-schema.json").write_text("{}\n")
    manifest = bundle_manifest_for(path, dist, *private)
    (path / BUNDLE_MANIFEST_NAME).write_text(dump_bundle_manifest(manifest))
    return path


def zip_folder(folder: Path, target: Path, *, top: str | None = None) -> Path:
    """A zip of ``folder``'s files, at the zip's root or inside one ``top`` folder."""
    prefix = f"{top}/" if top else ""
    files = {
        prefix + p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    return write_zip(target, files)


@dataclass
class RawMember:
    """One member of a hand-written zip; sizes and CRC may lie."""

    name: str
    data: bytes  # as stored (already deflated when method is 8)
    file_size: int
    crc: int
    method: int = zipfile.ZIP_STORED
    external_attr: int = 0o100644 << 16
    flags: int = 0


def stored(name: str, content: bytes, **kwargs: int) -> RawMember:
    """A stored member whose header tells the truth."""
    return RawMember(name, content, len(content), zlib.crc32(content), **kwargs)


def zeros_member(name: str, size_mib: int) -> RawMember:
    """``size_mib`` MiB of zeros, deflated to about 1 KiB per MiB, built without inflating."""
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the compressor starts afresh, so every MiB deflates the same.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(chunk, crc)
    data = block * size_mib + compressor.flush()
    return RawMember(name, data, size_mib << 20, crc, method=zipfile.ZIP_DEFLATED)


def write_raw_zip(path: Path, members: list[RawMember]) -> Path:
    """A zip written byte by byte (no zip64: members stay under 4 GiB)."""
    local, central = bytearray(), bytearray()
    for member in members:
        name = member.name.encode()
        offset = len(local)
        header = (
            member.flags | 0x800,
            member.method,
            0,
            0x21,
            member.crc,
            len(member.data),
            member.file_size,
            len(name),
        )
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, *header, 0) + name + member.data
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                (3 << 8) | 20,
                20,
                *header,
                0,
                0,
                0,
                0,
                member.external_attr,
                offset,
            )
            + name
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))
    return path
