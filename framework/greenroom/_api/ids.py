"""Validation of plugin, module and extension point ids."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ID_PATTERN", "is_valid_id"]

#: Plugin and module ids are kebab-case: lower-case words of letters and digits,
#: each starting with a letter, joined by single dashes (``catalog``, ``yaml-files``).
#: Ids are config key parts (``backend.plugins.<id>.enabled``), so every id must
#: also match Backstage's config key pattern, which refuses a word like ``-2``.
ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*")


def is_valid_id(value: object) -> bool:
    """Tell whether ``value`` is a kebab-case id."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None
