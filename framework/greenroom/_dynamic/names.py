"""Distribution names in their canonical form (PEP 503), without importing ``packaging``.

``packaging.utils`` imports ``packaging.tags``, ``sysconfig`` and more (~10 ms),
which a warm start needs for nothing else (issue 8). The algorithm is
packaging's own (``canonicalize_name``, without ``validate``); a test compares
the two.
"""

from __future__ import annotations

__all__ = ["canonicalize_name"]


def canonicalize_name(name: str) -> str:
    """``My.Plugin__A`` -> ``my-plugin-a`` (PEP 503: ``re.sub(r"[-_.]+", "-", name).lower()``)."""
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value
