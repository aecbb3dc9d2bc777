"""The ``dynamicPlugins`` section of the config.

| key | default |
|---|---|
| ``dynamicPlugins.rootDirectory`` | none: no root scan |
| ``dynamicPlugins.disabled`` | ``[]``: distribution names not to load |
| ``dynamicPlugins.sharedPackages`` | ``[]``: more packages plugins share with the host |
| ``dynamicPlugins.cacheDirectory`` | ``$XDG_CACHE_HOME/greenroom`` |
| ``dynamicPlugins.bytecodeCache`` | ``true`` |
| ``dynamicPlugins.maxUncompressedSize`` | 512 MiB (bytes) |
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import attrs

from greenroom._api.services.config import ConfigService
from greenroom._dynamic.cache import cache_root
from greenroom._dynamic.names import canonicalize_name
from greenroom._errors import ConfigError

__all__ = ["DEFAULT_MAX_UNCOMPRESSED", "DynamicPluginsSettings"]

DEFAULT_MAX_UNCOMPRESSED: Final = 512 * 1024 * 1024


@attrs.frozen
class DynamicPluginsSettings:
    """What the dynamic plugin loader reads from config, resolved."""

    root_directory: Path | None = None
    disabled: frozenset[str] = frozenset()
    shared_packages: tuple[str, ...] = ()
    cache_root: Path = attrs.field(factory=cache_root)
    bytecode_cache: bool = True
    max_uncompressed_size: int = DEFAULT_MAX_UNCOMPRESSED

    @classmethod
    def from_config(cls, config: ConfigService) -> DynamicPluginsSettings:
        """Read ``dynamicPlugins``; relative paths resolve from the first config file's folder."""
        section = config.get_optional_config("dynamicPlugins")
        if section is None:
            return cls()
        files: tuple[Path, ...] = getattr(config, "files", ())
        base = files[0].parent if files else Path.cwd()
        root = section.get_optional_string("rootDirectory")
        size = section.get_optional_number("maxUncompressedSize")
        if size is not None and size <= 0:
            issue = getattr(section, "issue", None)
            if issue is not None:
                raise ConfigError(
                    issue("maxUncompressedSize", "must be a positive number of bytes")
                )
        cache = section.get_optional_string("cacheDirectory")
        return cls(
            root_directory=(base / root) if root else None,
            disabled=frozenset(
                canonicalize_name(n) for n in section.get_optional_string_array("disabled") or []
            ),
            shared_packages=tuple(section.get_optional_string_array("sharedPackages") or ()),
            cache_root=(base / Path(cache).expanduser()) if cache else cache_root(),
            bytecode_cache=section.get_optional_boolean("bytecodeCache") is not False,
            max_uncompressed_size=int(size) if size else DEFAULT_MAX_UNCOMPRESSED,
        )
