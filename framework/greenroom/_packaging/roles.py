"""The ten package roles (seed ``003``, "Package Roles") and what each implies.

A role is one string in ``[tool.greenroom] role`` saying what a package is for.
The names are Backstage's, so a Backstage user reads them the same way; what
each means for a Python package is in ``docs/reference/package-metadata.md``.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from greenroom._dynamic.models import ENTRY_POINT_GROUPS

__all__ = [
    "APP_ROLES",
    "LIBRARY_ROLES",
    "MODULE_ROLES",
    "PLUGIN_ROLES",
    "ROLES",
    "ROLE_ENTRY_POINT_GROUPS",
    "Role",
    "module_target_role",
]

Role = Literal[
    "frontend",
    "backend",
    "cli",
    "web-library",
    "node-library",
    "common-library",
    "frontend-plugin",
    "frontend-plugin-module",
    "backend-plugin",
    "backend-plugin-module",
]
#: Every role, in the seed's order.
ROLES: Final[tuple[Role, ...]] = get_args(Role)

#: Deployables and tools: never part of a plugin, no plugin metadata.
APP_ROLES: Final[frozenset[Role]] = frozenset({"frontend", "backend", "cli"})
#: Libraries: part of a plugin when they have a plugin id, otherwise standalone.
LIBRARY_ROLES: Final[frozenset[Role]] = frozenset({"web-library", "node-library", "common-library"})
PLUGIN_ROLES: Final[frozenset[Role]] = frozenset({"frontend-plugin", "backend-plugin"})
MODULE_ROLES: Final[frozenset[Role]] = frozenset(
    {"frontend-plugin-module", "backend-plugin-module"}
)

#: The entry point group each loadable role must declare (and the only one it may).
ROLE_ENTRY_POINT_GROUPS: Final[dict[str, str]] = {
    role: group for group, role in ENTRY_POINT_GROUPS.items()
}


def module_target_role(role: Role) -> Role:
    """The role of the plugin a module extends: ``backend-plugin-module`` -> ``backend-plugin``."""
    return "backend-plugin" if role == "backend-plugin-module" else "frontend-plugin"
