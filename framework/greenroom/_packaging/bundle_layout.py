"""The files of a bundle folder: made reproducible, inline libraries merged, hashed, zipped.

An installer leaves things in a ``--target`` folder that depend on when and
where it ran: ``direct_url.json`` (the wheel's path), uv's ``uv_cache.json``
(a timestamp), ``bin/`` scripts (the interpreter's path in their shebang), a
``.lock`` file, ``REQUESTED`` markers that depend on how a package was asked
for. :func:`normalize` removes them and rewrites every ``RECORD`` sorted, so
the same inputs give the same bytes. :func:`write_archive` zips a folder
with sorted members, one fixed timestamp (``SOURCE_DATE_EPOCH``, else
1980-01-01) and fixed permissions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import time
import zipfile
from base64 import urlsafe_b64encode
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

from greenroom._dynamic.models import BUNDLE_MANIFEST_NAME

__all__ = [
    "file_digests",
    "inline_into",
    "normalize",
    "source_date_epoch",
    "write_archive",
]

#: Files an installer writes into ``*.dist-info`` that vary between runs or hosts.
_VOLATILE_DIST_FILES: Final = frozenset({"direct_url.json", "uv_cache.json", "REQUESTED"})
#: Top-level entries of a ``--target`` folder that are no code of the plugin.
_VOLATILE_TOP: Final = frozenset({"bin", ".lock", "__pycache__"})
#: The earliest time a zip member can carry.
_ZIP_EPOCH: Final = 315532800  # 1980-01-01T00:00:00Z


def normalize(target: Path) -> None:
    """Remove what varies between runs from an installed folder; rewrite each RECORD sorted."""
    for name in sorted(_VOLATILE_TOP):
        path = target / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    for pycache in sorted(target.rglob("__pycache__"), reverse=True):
        shutil.rmtree(pycache, ignore_errors=True)
    for dist_info in sorted(target.glob("*.dist-info")):
        for name in _VOLATILE_DIST_FILES:
            (dist_info / name).unlink(missing_ok=True)
        write_record(target, dist_info)


def _record_paths(target: Path, dist_info: Path) -> list[str]:
    record = dist_info / "RECORD"
    if not record.is_file():
        return []
    rows = csv.reader(io.StringIO(record.read_text(encoding="utf-8")))
    return [row[0] for row in rows if row]


def write_record(target: Path, dist_info: Path, extra: Iterable[str] = ()) -> None:
    """Rewrite ``RECORD``: the files it lists that still exist (plus ``extra``), sorted, hashed."""
    record_name = f"{dist_info.name}/RECORD"
    root = target.resolve()
    paths = set(_record_paths(target, dist_info)) | set(extra)
    for file in dist_info.rglob("*"):
        if file.is_file():
            paths.add(file.relative_to(target).as_posix())
    rows = []
    for path in sorted(paths - {record_name}):
        full = (target / path).resolve()
        if not full.is_relative_to(root) or not full.is_file():
            continue
        data = full.read_bytes()
        digest = urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append([path, f"sha256={digest}", str(len(data))])
    rows.append([record_name, "", ""])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (dist_info / "RECORD").write_text(buffer.getvalue(), encoding="utf-8")


def inline_into(target: Path, plugin: Path, inline: Mapping[str, Path]) -> None:
    """Make inline libraries private code of the plugin: their files join its RECORD.

    ``plugin`` and the values of ``inline`` (canonical name -> folder) are
    ``*.dist-info`` folders in ``target``. Each inline library's dist-info is
    removed; every ``Requires-Dist`` on it, in any distribution left, is
    dropped, and its own requirements move to the plugin's METADATA.
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    moved_files: list[str] = []
    moved_requires: list[str] = []
    for folder in inline.values():
        moved_files += [
            path for path in _record_paths(target, folder) if not path.startswith(f"{folder.name}/")
        ]
        moved_requires += _headers(folder / "METADATA", "Requires-Dist")
        shutil.rmtree(folder)

    def keep(line: str) -> bool:
        try:
            return canonicalize_name(Requirement(line).name) not in inline
        except InvalidRequirement:
            return True

    for dist_info in sorted(target.glob("*.dist-info")):
        extra = [r for r in moved_requires if keep(r)] if dist_info == plugin else []
        _rewrite_requires(dist_info / "METADATA", keep, extra)
    write_record(target, plugin, moved_files)


def _headers(metadata: Path, header: str) -> list[str]:
    prefix = f"{header}:"
    return [
        line[len(prefix) :].strip()
        for line in metadata.read_text(encoding="utf-8").splitlines()
        if line.startswith(prefix)
    ]


def _rewrite_requires(metadata: Path, keep: Callable[[str], bool], extra: list[str]) -> None:
    """Drop the ``Requires-Dist`` lines ``keep`` refuses; add ``extra`` after the last one."""
    lines = metadata.read_text(encoding="utf-8").split("\n")
    header_end = lines.index("") if "" in lines else len(lines)
    head, body = lines[:header_end], lines[header_end:]
    present = {line for line in head if line.startswith("Requires-Dist:")}
    kept = [
        line
        for line in head
        if not line.startswith("Requires-Dist:") or keep(line.partition(":")[2].strip())
    ]
    added = [f"Requires-Dist: {r}" for r in dict.fromkeys(extra)]
    added = [line for line in added if line not in present]
    positions = [i for i, line in enumerate(kept) if line.startswith("Requires-Dist:")]
    at = positions[-1] + 1 if positions else len(kept)
    new = [*kept[:at], *added, *kept[at:], *body]
    if new != lines:
        metadata.write_text("\n".join(new), encoding="utf-8")


def file_digests(folder: Path) -> dict[str, str]:
    """POSIX path -> sha256 of every file in the bundle folder but its manifest."""
    digests: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(name for name in dirnames if name != "__pycache__")
        for name in sorted(filenames):
            path = Path(dirpath, name)
            relative = path.relative_to(folder).as_posix()
            if relative == BUNDLE_MANIFEST_NAME:
                continue
            with open(path, "rb") as stream:
                digests[relative] = hashlib.file_digest(stream, "sha256").hexdigest()
    return dict(sorted(digests.items()))


def source_date_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` if set (not before 1980, a zip's first date), else 1980-01-01."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return max(int(value), _ZIP_EPOCH) if value else _ZIP_EPOCH
    except ValueError:
        return _ZIP_EPOCH


def write_archive(folder: Path, archive: Path, top: str) -> None:
    """Zip ``folder`` as ``top/...``: sorted members, fixed time and modes, no folder entries."""
    stamp = time.gmtime(source_date_epoch())[:6]
    files = sorted(
        (path.relative_to(folder).as_posix(), path)
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.relative_to(folder).parts
    )
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for relative, path in files:
            info = zipfile.ZipInfo(f"{top}/{relative}", date_time=stamp)
            info.create_system = 3  # Unix, so that the mode below is read
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, path.read_bytes(), compresslevel=9)
