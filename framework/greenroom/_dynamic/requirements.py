"""Parsed requirement strings, remembered: a root of plugins repeats the same few.

Scanning 500 new wheels parsed ``Requires-Dist: greenroom`` 1,000 times (once
to check the metadata, once against the host), ~0.1 s of a cold start with
packaging's parser (issue 8). The objects are shared: treat them as read-only.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.requirements import Requirement

__all__ = ["parse_requirement"]


@functools.lru_cache(maxsize=4096)
def parse_requirement(text: str) -> Requirement:
    """``packaging.requirements.Requirement(text)``; raises ``InvalidRequirement`` likewise."""
    from packaging.requirements import Requirement

    return Requirement(text)
