"""Safe reading and extraction of plugin archives (wheels and bundle zips).

Every rule is checked from the zip's central directory before a single byte is
inflated: member names that could write outside the target (absolute, ``..``,
backslashes, drive letters), symbolic links and other special files,
encryption, unknown compression, and declared sizes over the limits. While
inflating, each member is streamed with a cap, so an archive whose data does
not match its directory is refused too (issue 3, "unsafe archives").

Archives are extracted once into ``<cache_root>/extracted/<sha256>/``: built in a
temporary folder beside it and renamed into place, so concurrent starts never
see a half-written folder, and two different archives never share one (native
extension modules must not be shared between plugin namespaces).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Final, final

from greenroom._errors import PluginPackageError

__all__ = [
    "DEFAULT_MAX_UNCOMPRESSED",
    "MAX_MEMBERS",
    "MAX_MEMBER_SIZE",
    "SafeArchive",
    "archive_digest",
    "extract_archive",
    "extraction_root",
    "member_name_problem",
]

#: ``dynamicPlugins.maxUncompressedSize`` when not configured.
DEFAULT_MAX_UNCOMPRESSED: Final = 512 * 1024 * 1024
#: No single member may inflate to more than this.
MAX_MEMBER_SIZE: Final = 128 * 1024 * 1024
#: More members than this is a denial of service, not a plugin.
MAX_MEMBERS: Final = 100_000

_REBUILD_HINT: Final = (
    "rebuild the archive with a standard tool (python -m build for a wheel, "
    "greenroom package bundle for a bundle) from a folder without such entries"
)
_CHUNK: Final = 1024 * 1024
_MAX_LISTED: Final = 20
_SUPPORTED_COMPRESSION: Final = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_DRIVE: Final = re.compile(r"[A-Za-z]:")
# What zipfile and its decompressors raise on damaged input.
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    OSError,
    IndexError,
    KeyError,
    OverflowError,
)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def member_name_problem(name: str) -> str | None:
    """Why a member name is unsafe, or ``None``."""
    if not name or name == "/":
        return "has an empty name"
    if "\x00" in name:
        return "has a NUL character in its name"
    if "\\" in name:
        return "uses a backslash, which Windows tools read as a folder separator"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    segments = name.removesuffix("/").split("/")
    if ".." in segments:
        return "has a '..' segment and would be written outside the extraction folder"
    if "" in segments or "." in segments:
        return "has an empty or '.' path segment"
    return None


def _member_problems(infos: list[zipfile.ZipInfo], max_total: int, max_member: int) -> list[str]:
    """Every safety problem of the central directory, all at once."""
    problems: list[str] = []
    if len(infos) > MAX_MEMBERS:
        problems.append(f"holds {len(infos)} members, more than the limit of {MAX_MEMBERS}")
    seen: set[str] = set()
    files: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        where = f"member {name!r}"
        total += info.file_size
        if info.file_size > max_member:
            problems.append(
                f"{where} inflates to {_mib(info.file_size)}, over the limit of "
                f"{_mib(max_member)} for one member"
            )
        problem = member_name_problem(name)
        if problem:
            problems.append(f"{where} {problem}")
            continue
        key = name.removesuffix("/")
        if key in seen:
            problems.append(f"{where} appears more than once")
        seen.add(key)
        file_type = stat.S_IFMT(info.external_attr >> 16)
        if stat.S_ISLNK(file_type):
            problems.append(f"{where} is a symbolic link; archives may hold only files and folders")
        elif file_type and not (stat.S_ISREG(file_type) or stat.S_ISDIR(file_type)):
            problems.append(f"{where} is a special file (device, pipe or socket)")
        if info.flag_bits & 0x1:
            problems.append(f"{where} is encrypted")
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            problems.append(f"{where} uses unsupported compression method {info.compress_type}")
        if not info.is_dir():
            files.add(key)
    for name in sorted(files):
        parent = name.rpartition("/")[0]
        while parent:
            if parent in files:
                problems.append(f"member {parent!r} is a file and also a folder of {name!r}")
                break
            parent = parent.rpartition("/")[0]
    if total > max_total:
        problems.append(
            f"inflates to {_mib(total)} in total, over dynamicPlugins.maxUncompressedSize "
            f"({_mib(max_total)}); raise the limit in config if the archive is trusted"
        )
    if len(problems) > _MAX_LISTED:
        # A hostile archive can hold 100 000 bad names; the first ones make the point.
        return [*problems[:_MAX_LISTED], f"... and {len(problems) - _MAX_LISTED} more problems"]
    return problems


@final
class SafeArchive:
    """An open zip whose central directory passed every safety rule; nothing inflated yet.

    Use :meth:`open`; close it (or use it as a context manager) when done.
    """

    def __init__(self, path: Path, zf: zipfile.ZipFile, max_member: int) -> None:
        self.path = path
        self.zipfile = zf
        self._max_member = max_member
        self._infos = {info.filename: info for info in zf.infolist()}
        #: Members read whole (metadata, capped small), kept so that extracting them or
        #: reading them again does not inflate them twice (issue 8: cold start).
        self._read: dict[str, bytes] = {}

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
        max_member: int = MAX_MEMBER_SIZE,
    ) -> SafeArchive:
        """Open ``path`` and check its directory; raise :class:`PluginPackageError` if unsafe."""
        try:
            zf = zipfile.ZipFile(path)
        except _ZIP_ERRORS as exc:
            raise PluginPackageError(
                path,
                f"not a readable zip archive ({exc})",
                hint="replace the file with a complete wheel or zip (it may be truncated)",
            ) from exc
        problems = _member_problems(zf.infolist(), max_uncompressed, max_member)
        if problems:
            zf.close()
            raise PluginPackageError(
                path,
                [f"unsafe archive: {problem}" for problem in problems],
                hint=f"nothing was extracted; {_REBUILD_HINT}",
            )
        return cls(path, zf, min(max_member, max_uncompressed))

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying zip file."""
        self.zipfile.close()

    @property
    def names(self) -> tuple[str, ...]:
        """Every member name, folders included (they end in ``/``)."""
        return tuple(self._infos)

    def read_bytes(self, name: str, *, limit: int | None = None) -> bytes:
        """One member's bytes, streamed with a cap; damage raises :class:`PluginPackageError`.

        With a ``limit`` the bytes are kept for later reads and :meth:`copy_to`.
        """
        known = self._read.get(name)
        if known is not None:
            if limit is not None and len(known) > limit:
                self._stream(name, lambda chunk: None, limit)  # raises: over this cap
            return known
        chunks: list[bytes] = []
        self._stream(name, chunks.append, limit)
        data = b"".join(chunks)
        if limit is not None:
            self._read[name] = data
        return data

    def copy_to(self, name: str, target: IO[bytes]) -> None:
        """Stream one member into ``target`` with a cap."""
        known = self._read.get(name)
        if known is not None:
            target.write(known)
            return
        self._stream(name, target.write, None)

    def _stream(self, name: str, sink: Callable[[bytes], object], limit: int | None) -> None:
        info = self._infos[name]
        cap = min(info.file_size, self._max_member if limit is None else limit)
        if info.file_size > cap:
            raise PluginPackageError(
                self.path,
                f"member {name!r} is {_mib(info.file_size)}, over the limit of "
                f"{_mib(cap)} for this kind of file",
                hint=_REBUILD_HINT,
            )
        seen = 0
        try:
            with self.zipfile.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    seen += len(chunk)
                    # zipfile stops at the declared size, but never trust one layer alone.
                    if seen > cap:
                        raise PluginPackageError(
                            self.path,
                            f"member {name!r} inflates past its declared size "
                            f"({info.file_size} bytes): a zip bomb or a damaged archive",
                            hint=_REBUILD_HINT,
                        )
                    sink(chunk)
        except _ZIP_ERRORS as exc:
            raise PluginPackageError(
                self.path,
                f"member {name!r} cannot be read ({exc})",
                hint="replace the file with a complete, undamaged archive",
            ) from exc


def archive_digest(path: Path) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


_private_root: Path | None = None


#: Extraction folders found writable in this process.
_writable_roots: set[Path] = set()


def extraction_root(cache_root: Path | None) -> tuple[Path, bool]:
    """Where archives are extracted, and whether that is the shared cache.

    ``<cache_root>/extracted`` when it can be written, else one private
    temporary folder for this process, removed at exit.
    """
    global _private_root
    if cache_root is not None:
        from greenroom._dynamic.cache import writable_dir

        wanted = cache_root / "extracted"
        if wanted in _writable_roots:
            # Probed once per process: a probe creates a file and a folder, ~7% of a cold
            # start of 500 wheels (issue 8). extract_archive probes again if it is gone.
            return wanted, True
        shared = writable_dir(wanted)
        if shared is not None:
            _writable_roots.add(wanted)
            return shared, True
    if _private_root is None:
        _private_root = Path(tempfile.mkdtemp(prefix="greenroom-extracted-"))
        atexit.register(shutil.rmtree, _private_root, ignore_errors=True)
    return _private_root, False


def extract_archive(
    archive: SafeArchive,
    *,
    digest: str,
    cache_root: Path | None,
    rename: Callable[[str], str | None] | None = None,
) -> Path:
    """Extract ``archive`` (whose sha256 is ``digest``) once; return the extracted folder.

    ``rename`` maps a member name to its path in the folder (``None`` skips it),
    for the wheel layout. Raises :class:`PluginPackageError` when a member is
    damaged or lies about its size, and :class:`OSError` when the disk fails.
    """
    base, _ = extraction_root(cache_root)
    target = base / digest
    # Only a finished extraction is ever renamed to ``target``: a folder there is complete
    # (no marker file to write and check: one file creation less per archive; issue 8).
    if target.is_dir():
        return target
    try:
        scratch = Path(tempfile.mkdtemp(dir=base, prefix=f".{digest[:16]}-"))
    except FileNotFoundError:  # the cache folder was removed since it was probed
        _writable_roots.discard(base)
        base, _ = extraction_root(cache_root)
        target = base / digest
        scratch = Path(tempfile.mkdtemp(dir=base, prefix=f".{digest[:16]}-"))
    try:
        _extract_into(archive, scratch, rename)
        _move_into_place(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _extract_into(
    archive: SafeArchive, folder: Path, rename: Callable[[str], str | None] | None
) -> None:
    # Plain strings, not Path objects: ~30 path parses per wheel were a tenth of a cold
    # start of 500 wheels (issue 8).
    top = os.fspath(folder)
    made = {top}  # folders known to exist: one mkdir each, not one per member
    for info in archive.zipfile.infolist():
        name = rename(info.filename) if rename else info.filename
        if not name:
            continue
        # Names passed member_name_problem, so joining cannot leave ``folder``.
        path = os.path.join(top, *name.removesuffix("/").split("/"))
        if info.is_dir():
            if path not in made:
                os.makedirs(path, exist_ok=True)
                made.add(path)
            continue
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        try:
            with open(path, "xb") as file:
                archive.copy_to(info.filename, file)
        except (FileExistsError, IsADirectoryError, NotADirectoryError) as exc:
            raise PluginPackageError(
                archive.path,
                f"member {info.filename!r} collides with another member ({exc})",
                hint=_REBUILD_HINT,
            ) from exc
        if (info.external_attr >> 16) & 0o111:
            os.chmod(path, 0o755)


def _move_into_place(scratch: Path, target: Path) -> None:
    """Rename the finished folder into place; a complete one already there wins."""
    try:
        os.rename(scratch, target)
        return
    except OSError:
        if target.is_dir():
            return  # another process finished first with the same content
    # Something else in the way (a file): set it aside.
    trash = Path(tempfile.mkdtemp(dir=target.parent, prefix=".trash-"))
    with contextlib.suppress(OSError):
        os.rename(target, trash / "old")
    try:
        os.rename(scratch, target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)
