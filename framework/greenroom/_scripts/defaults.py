"""What each package script does for each role: the defaults a ``pyproject.toml`` never repeats.

Backstage picks a package's Jest environment, lint rules and build output by
its role; Greenroom does the same with the Python tools. Everything here can
be overridden where the tool itself looks (``[tool.ruff]``, ``[tool.mypy]``,
``[tool.pytest.ini_options]``, ``[build-system]``), never in
``[tool.greenroom]``: see ``docs/reference/package-scripts.md``.
"""

from __future__ import annotations

from typing import Final, Literal

import attrs

from greenroom._packaging.roles import ROLES, Role

__all__ = ["ROLE_DEFAULTS", "BuildMode", "RoleDefaults", "StartMode", "role_defaults"]

#: ``backend``: run the app; ``plugin``: a development backend with just this package.
StartMode = Literal["backend", "plugin"]
#: ``distributions``: wheel and sdist; ``production-bundle``: ``greenroom backend bundle``.
BuildMode = Literal["distributions", "production-bundle"]


@attrs.frozen
class RoleDefaults:
    """One role's defaults for every package script."""

    #: What ``package start`` runs, or ``None`` when the role has nothing to start.
    start: StartMode | None
    #: What to do instead, when ``start`` is ``None``.
    start_instead: str
    build: BuildMode
    #: Whether ``package build`` runs the publish-time metadata check first (seed: prepack).
    publish_check: bool
    #: Whether ``package typecheck`` runs mypy on a typed package without ``[tool.mypy]``.
    typecheck: bool
    #: Added to ``build``'s output: where the rest of the build happens.
    build_note: str = ""


_FRONTEND_INSTEAD: Final = (
    "build its web assets with your JavaScript toolchain's dev server; a backend serves the "
    "built assets (start the backend package, or a plugin's development backend)"
)
_FRONTEND_NOTE: Final = (
    "its web assets are built by your JavaScript toolchain: the wheel ships what is in "
    "the package's dist/ folder as it is now"
)
_LIBRARY_INSTEAD: Final = (
    "a library has nothing to start: run `greenroom package start` in a plugin that uses it "
    "(its changes restart that backend too)"
)

_plugin = RoleDefaults("plugin", "", "distributions", publish_check=True, typecheck=True)
_library = RoleDefaults(None, _LIBRARY_INSTEAD, "distributions", publish_check=True, typecheck=True)
_web = RoleDefaults(
    None, _FRONTEND_INSTEAD, "distributions", True, typecheck=False, build_note=_FRONTEND_NOTE
)

#: Every role's defaults, in the seed's order of roles.
ROLE_DEFAULTS: Final[dict[Role, RoleDefaults]] = {
    "frontend": attrs.evolve(_web, publish_check=False),
    "backend": RoleDefaults("backend", "", "production-bundle", False, typecheck=True),
    "cli": RoleDefaults(
        None,
        "run its command: it is installed with the package (`pip install -e .`)",
        "distributions",
        publish_check=False,
        typecheck=True,
    ),
    "web-library": _web,
    "node-library": _library,
    "common-library": _library,
    "frontend-plugin": _web,
    "frontend-plugin-module": _web,
    "backend-plugin": _plugin,
    "backend-plugin-module": _plugin,
}
assert tuple(ROLE_DEFAULTS) == ROLES

#: For a package whose role cannot be read: the plain Python tools, nothing role-specific.
_UNKNOWN: Final = RoleDefaults(
    None,
    'give the package a role in [tool.greenroom] (e.g. role = "backend-plugin")',
    "distributions",
    publish_check=False,
    typecheck=True,
)


def role_defaults(role: Role | None) -> RoleDefaults:
    """The defaults of ``role``; for ``None`` (no readable role), the role-less ones."""
    return _UNKNOWN if role is None else ROLE_DEFAULTS[role]
