"""``catalog.yamlFiles``: which files to read, and how often. Every key is optional.

- ``catalog.yamlFiles.paths`` (default ``[]``): YAML files of entities; relative
  paths start at the folder of the first config file.
- ``catalog.yamlFiles.refreshSeconds`` (default ``60``): seconds between two reads.

``config.schema.json`` in this package says the same to ``greenroom config check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import attrs

from greenroom import ConfigError, ConfigIssue, ConfigService

__all__ = ["DEFAULT_REFRESH_SECONDS", "KEY", "YamlFilesSettings"]

#: The config key of this module's settings.
KEY: Final = "catalog.yamlFiles"
DEFAULT_REFRESH_SECONDS: Final = 60.0


@attrs.frozen
class YamlFilesSettings:
    """The module's settings, resolved: absolute paths, a positive interval."""

    paths: tuple[Path, ...] = ()
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS

    @classmethod
    def from_config(cls, config: ConfigService) -> YamlFilesSettings:
        """Read ``catalog.yamlFiles``; the config's own getters report wrong types with the key."""
        section = config.get_optional_config(KEY)
        if section is None:
            return cls()
        refresh = section.get_optional_number("refreshSeconds")
        if refresh is not None and not refresh > 0:
            raise ConfigError(
                ConfigIssue(
                    f"must be a positive number of seconds, not {refresh!r}",
                    f"$.{KEY}.refreshSeconds",
                )
            )
        # Relative paths start where the config lives, as dynamicPlugins.rootDirectory does.
        files: tuple[Path, ...] = getattr(config, "files", ())
        base = files[0].parent if files else Path.cwd()
        return cls(
            paths=tuple(base / path for path in section.get_optional_string_array("paths") or ()),
            refresh_seconds=float(refresh) if refresh is not None else DEFAULT_REFRESH_SECONDS,
        )
