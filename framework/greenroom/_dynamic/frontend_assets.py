"""One asset of a frontend remote: a safe path, its type, caching, encoding and strong ETag.

Nothing here speaks HTTP; :mod:`greenroom._dynamic.frontend_http` does. A
request path is refused (:func:`refusal`) before it touches the filesystem,
and what it resolves to must still lie inside the assets folder once symlinks
are followed (:func:`contained`), so no spelling of ``..`` and no link can
reach a file outside it (issue 6, "Path traversal in every form").
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

__all__ = [
    "CONTENT_TYPES",
    "IMMUTABLE",
    "REVALIDATE",
    "Representation",
    "accepted",
    "cache_control",
    "contained",
    "content_type",
    "is_hashed",
    "refusal",
    "representation",
]

#: Types by suffix; written out rather than read from ``mimetypes``, whose answers
#: depend on the machine's ``/etc/mime.types`` (``.mjs`` and ``.wasm`` are often missing).
CONTENT_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}
DEFAULT_TYPE: Final = "application/octet-stream"
#: Types worth compressing (woff/woff2, images and media are compressed already).
_COMPRESSIBLE: Final = frozenset(
    {
        "text/javascript",
        "text/css",
        "text/html",
        "text/plain",
        "application/json",
        "application/manifest+json",
        "application/xml",
        "application/wasm",
        "image/svg+xml",
        "image/x-icon",
        "font/ttf",
        "font/otf",
        "application/vnd.ms-fontobject",
    }
)
#: Smaller files gain less from gzip than its header costs.
GZIP_MIN_SIZE: Final = 256
#: Larger files are sent as they are rather than compressed in memory on the fly.
GZIP_MAX_SIZE: Final = 8 * 1024 * 1024
#: Precompressed siblings, best first: ``app.js.br`` before ``app.js.gz``.
_SIBLINGS: Final = (("br", ".br"), ("gzip", ".gz"))

IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"

# A content hash in a file name: 8 or more lowercase hex digits with a digit and a
# letter among them (``chunk.3f2a1b9c.js``, ``main-3f2a1b9c.css``). Requiring both
# keeps words and dates out; a real hash lacking one only loses the long caching.
_HEX_TOKEN: Final = re.compile(r"[0-9a-f]{8,64}")
_TOKEN_SPLIT: Final = re.compile(r"[.\-_]")


def content_type(name: str) -> str:
    """The ``Content-Type`` of a file called ``name``."""
    return CONTENT_TYPES.get(Path(name).suffix.lower(), DEFAULT_TYPE)


def is_hashed(name: str) -> bool:
    """Whether the file name carries a content hash, so its content never changes."""
    stem = name.rsplit(".", 1)[0]
    return any(
        _HEX_TOKEN.fullmatch(token)
        and any(c.isdigit() for c in token)
        and any(c.isalpha() for c in token)
        for token in _TOKEN_SPLIT.split(stem)
    )


def cache_control(name: str) -> str:
    """A year and ``immutable`` for hashed names; revalidate by ETag for the rest."""
    return IMMUTABLE if is_hashed(name) else REVALIDATE


def refusal(segments: Sequence[str]) -> str | None:
    """Why a request path (already percent-decoded, split on ``/``) is refused, or ``None``.

    Checked on the decoded path, so ``%2e%2e``, ``%2f`` and ``%5c`` are caught
    as the ``..``, ``/`` and ``\\`` they stand for.
    """
    for segment in segments:
        if segment == "..":
            return "a '..' segment"
        if "\\" in segment:
            return "a backslash"
        if "/" in segment:  # not from a request path (split on it), but from a caller
            return "a '/' inside a segment"
        if "\x00" in segment:
            return "a NUL character"
        if segment in ("", "."):
            return "an empty or '.' segment (an absolute path or '//')"
        if len(segment) >= 2 and segment[1] == ":" and segment[0].isalpha():
            return "a drive letter"
    return None


def contained(root: Path, segments: Sequence[str]) -> Path | None:
    """``root/segments`` with symlinks resolved, or ``None`` if that leaves ``root``."""
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(real_root.joinpath(*segments)))
    return target if target.is_relative_to(real_root) else None


@attrs.frozen
class Representation:
    """What answers one request for an asset: a file to stream, or bytes in memory."""

    etag: str
    size: int
    encoding: str | None = None
    path: Path | None = None
    body: bytes | None = None


def _stat_key(path: Path) -> tuple[str, int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (str(path), info.st_mtime_ns, info.st_size, info.st_ino)


@functools.lru_cache(maxsize=2048)
def _digest(key: tuple[str, int, int, int]) -> str:
    # Keyed by path, mtime, size and inode: an asset rewritten in place gets a new ETag.
    with open(key[0], "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:32]


@functools.lru_cache(maxsize=256)
def _gzipped(key: tuple[str, int, int, int]) -> bytes:
    # mtime=0 makes the output a function of the input, which a strong ETag requires.
    return gzip.compress(Path(key[0]).read_bytes(), compresslevel=6, mtime=0)


def accepted(header: str | None) -> dict[str, float]:
    """``Accept-Encoding`` as ``{coding: q}`` (lower-case codings, ``*`` included)."""
    found: dict[str, float] = {}
    for item in (header or "").split(","):
        coding, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding:
            found[coding.strip().lower()] = q
    return found


def _quality(codings: dict[str, float], coding: str) -> float:
    return codings.get(coding, codings.get("*", 0.0))


def representation(
    root: Path, segments: Sequence[str], file: Path, accept_encoding: str | None
) -> Representation | None:
    """The best representation of ``file`` (``root/segments``, contained) for the client.

    Blocking I/O: call it in a thread.

    A precompressed sibling the client accepts comes first (``br`` before
    ``gzip`` at equal quality), then gzip made on the fly for compressible
    types, then the file itself. ``None`` when ``file`` is not a regular file.
    """
    key = _stat_key(file)
    if key is None:
        return None
    codings = accepted(accept_encoding)
    best: tuple[float, Representation] | None = None
    for coding, suffix in _SIBLINGS:
        q = _quality(codings, coding)
        if q <= 0 or (best is not None and q <= best[0]):
            continue
        sibling = contained(root, [*segments[:-1], segments[-1] + suffix])
        sibling_key = _stat_key(sibling) if sibling is not None else None
        if sibling is not None and sibling_key is not None:
            etag = f'"{_digest(sibling_key)}"'
            best = (q, Representation(etag, sibling_key[2], coding, path=sibling))
    if best is not None:
        return best[1]
    base_type = content_type(file.name).split(";")[0]
    size = key[2]
    if (
        base_type in _COMPRESSIBLE
        and GZIP_MIN_SIZE <= size <= GZIP_MAX_SIZE
        and _quality(codings, "gzip") > 0
    ):
        body = _gzipped(key)
        return Representation(f'"{_digest(key)}-gz"', len(body), "gzip", body=body)
    return Representation(f'"{_digest(key)}"', size, path=file)
