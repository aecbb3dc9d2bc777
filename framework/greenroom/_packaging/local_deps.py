"""Which workspace packages a package needs, transitively, and in which order to build them.

A package's ``[project] dependencies`` that name workspace members are its
local dependencies (the seed's ``workspace:^`` dependencies). Libraries
(``node-library``, ``common-library``, ``web-library``) are embedded in a
bundle; a library marked ``inline`` is copied in as private code; a member
of any other role (a plugin a module depends on, an app) is never embedded:
the host must provide it, like a shared package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from greenroom._errors import BundleError, PackageMetadataError
from greenroom._packaging.project import PYPROJECT, Package, read_package, read_pyproject
from greenroom._packaging.roles import LIBRARY_ROLES
from greenroom._packaging.workspace import Workspace, load_workspace

if TYPE_CHECKING:
    from packaging.requirements import Requirement

__all__ = [
    "LocalGraph",
    "canonical",
    "locate_package",
    "project_requirements",
]


def canonical(name: str) -> str:
    """The normalized distribution name (PEP 503)."""
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def locate_package(name: str | None, cwd: Path) -> tuple[Workspace, Package]:
    """The package to work on: the member called ``name``, or the project at or above ``cwd``.

    Raise :class:`PackageMetadataError` when there is none.
    """
    if name is not None:
        workspace = load_workspace(cwd)
        for member in workspace.members:
            if member.name and canonical(member.name) == canonical(name):
                return workspace, member.package
        names = ", ".join(sorted(m.name for m in workspace.members if m.name)) or "none"
        raise PackageMetadataError(
            f"no member package {name!r} in the workspace at {workspace.root} (members: {names})",
            hint="pass the [project] name of a member with --package",
        )
    cwd = cwd.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / PYPROJECT).is_file():
            break
    else:
        raise PackageMetadataError(
            f"no {PYPROJECT} at or above {cwd}",
            hint="run this inside a package's folder, or pass --package NAME",
        )
    workspace = load_workspace(folder)
    for member in workspace.members:
        if member.package.directory.resolve() == folder:
            return workspace, member.package
    if folder == workspace.root.resolve() and workspace.settings.table is not None:
        raise PackageMetadataError(
            f"{folder} is the workspace root, not a package",
            hint="run this inside a package's folder, or pass --package NAME",
        )
    return workspace, read_package(folder, str(folder / PYPROJECT))


def project_requirements(package: Package) -> tuple[Requirement, ...]:
    """``[project] dependencies`` that apply here (markers evaluated, extras-only left out)."""
    from packaging.requirements import InvalidRequirement, Requirement

    data = read_pyproject(package.pyproject, package.file)
    project = data.get("project")
    raw = project.get("dependencies", []) if isinstance(project, dict) else []
    if "dependencies" in package.dynamic:
        raise BundleError(
            f"{package.file}: [project] dependencies are dynamic, so the workspace "
            "packages it needs cannot be read from it",
            package=package.label,
            step="resolve",
            hint="list the dependencies in [project] dependencies",
        )
    requirements = []
    for text in raw if isinstance(raw, list) else []:
        try:
            requirement = Requirement(str(text))
        except InvalidRequirement as exc:
            raise BundleError(
                f"{package.file}: {text!r} is not a valid requirement ({exc}) "
                "@ $.project.dependencies",
                package=package.label,
                step="resolve",
            ) from exc
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            requirements.append(requirement)
    return tuple(requirements)


@attrs.frozen
class LocalGraph:
    """The members of a workspace by canonical name, and their local dependencies."""

    members: dict[str, Package]

    @classmethod
    def of(cls, workspace: Workspace, *extra: Package) -> LocalGraph:
        """The graph of ``workspace``'s members (plus ``extra`` packages outside it)."""
        members = {canonical(p.name): p for p in (*workspace.packages(), *extra) if p.name}
        return cls(members)

    def direct(self, package: Package) -> list[Package]:
        """The members ``package`` depends on directly, sorted by name."""
        names = {canonical(r.name) for r in project_requirements(package)}
        own = canonical(package.name) if package.name else None
        return [
            self.members[name] for name in sorted(names) if name in self.members and name != own
        ]

    def closure(self, roots: Iterable[Package], *, embed_only: bool) -> list[Package]:
        """``roots`` and the members they need, transitively, dependencies first.

        With ``embed_only``, only libraries are followed past the roots (what a
        bundle embeds); plugins, modules and apps a root depends on are left out.
        """
        order: list[Package] = []
        state: dict[str, str] = {}

        def visit(package: Package, trail: tuple[str, ...]) -> None:
            key = canonical(package.label)
            if state.get(key) == "done":
                return
            if state.get(key) == "visiting":
                cycle = " -> ".join((*trail, package.label))
                raise BundleError(
                    f"workspace packages depend on each other in a cycle: {cycle}",
                    package=trail[0] if trail else package.label,
                    step="resolve",
                    hint="break the cycle: move what both need into a library",
                )
            state[key] = "visiting"
            for dependency in self.direct(package):
                if embed_only and dependency.role not in LIBRARY_ROLES:
                    continue
                visit(dependency, (*trail, package.label))
            state[key] = "done"
            order.append(package)

        for root in sorted(roots, key=lambda p: canonical(p.label)):
            visit(root, ())
        return order

    def not_embedded(self, packages: Sequence[Package]) -> set[str]:
        """Canonical names of members that ``packages`` depend on but a bundle does not embed."""
        inside = {canonical(p.label) for p in packages}
        return {
            canonical(d.label)
            for p in packages
            for d in self.direct(p)
            if d.role not in LIBRARY_ROLES and canonical(d.label) not in inside
        }
