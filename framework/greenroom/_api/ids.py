"""Validation of plugin, module and extension point ids."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ID_PATTERN", "is_valid_id"]

#: Plugin and module ids are kebab-case: lower-case words of letters and digits
#: joined by single dashes, starting with a letter (``catalog``, ``yaml-files``).
ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def is_valid_id(value: object) -> bool:
    """Tell whether ``value`` is a kebab-case id."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None
