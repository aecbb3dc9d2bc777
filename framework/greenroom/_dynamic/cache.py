"""Greenroom's cache directory: extracted archives, scan results, plugin bytecode.

``dynamicPlugins.cacheDirectory`` in config, else ``$GREENROOM_CACHE_DIR``,
else ``$XDG_CACHE_HOME/greenroom``, else ``~/.cache/greenroom``. A directory
that cannot be written is not an error: callers fall back to working without
a cache (extraction then goes to a private temporary directory).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Final

__all__ = ["CACHE_LAYOUT_VERSION", "cache_root", "interpreter_tag", "writable_dir"]

#: Bumped whenever the layout or the meaning of cached files changes.
CACHE_LAYOUT_VERSION: Final = 1


def cache_root(configured: str | os.PathLike[str] | None = None) -> Path:
    """The cache root, not created yet."""
    if configured:
        return Path(configured).expanduser()
    explicit = os.environ.get("GREENROOM_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "greenroom"


def interpreter_tag() -> str:
    """What compiled bytecode depends on: implementation, version and magic number."""
    from importlib.util import MAGIC_NUMBER

    return f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}"


def writable_dir(path: Path) -> Path | None:
    """``path`` created and writable, or ``None`` when it cannot be (read-only filesystem)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError:
        return None
    return path
