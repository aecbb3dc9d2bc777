"""The package a script runs for: its workspace, its role's defaults, what it depends on."""

from __future__ import annotations

from pathlib import Path

import attrs

from greenroom._errors import BundleError
from greenroom._packaging.local_deps import LocalGraph, canonical, locate_package
from greenroom._packaging.project import PYPROJECT, Package, read_package
from greenroom._packaging.workspace import Workspace
from greenroom._scripts.defaults import RoleDefaults, role_defaults

__all__ = ["ScriptTarget", "local_dependencies", "locate_target", "target_of"]


@attrs.frozen
class ScriptTarget:
    """A package, the workspace it belongs to and its role's defaults."""

    workspace: Workspace
    package: Package
    defaults: RoleDefaults

    @property
    def label(self) -> str:
        """The package's name (its folder when the name is missing)."""
        return self.package.label

    @property
    def directory(self) -> Path:
        """The package's folder."""
        return self.package.directory


def target_of(workspace: Workspace, package: Package) -> ScriptTarget:
    """The target for a package already read."""
    return ScriptTarget(workspace, package, role_defaults(package.role))


def locate_target(name: str | None, cwd: Path) -> ScriptTarget:
    """The member called ``name``, or the package at or above ``cwd``."""
    workspace, package = locate_package(name, cwd)
    return target_of(workspace, package)


def _root_project(workspace: Workspace) -> Package | None:
    """The root project when it is not a member but may be a dependency (Greenroom's own repo)."""
    project = workspace.root_data.get("project")
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        return None
    root = workspace.root.resolve()
    if any(member.package.directory.resolve() == root for member in workspace.members):
        return None
    return read_package(workspace.root, PYPROJECT, workspace.root_data)


def local_dependencies(workspace: Workspace, package: Package) -> list[Package]:
    """The workspace packages ``package`` needs, transitively, dependencies first.

    Members of any role count, and so does the root project when a member
    depends on it (in Greenroom's own repository the framework is the root).
    Unreadable dependencies (dynamic, invalid) end the walk there.
    """
    extra = [p for p in (_root_project(workspace),) if p is not None]
    graph = LocalGraph.of(workspace, *extra)
    if package.name and canonical(package.name) not in graph.members:
        graph = LocalGraph({**graph.members, canonical(package.name): package})
    try:
        closure = graph.closure([package], embed_only=False)
    except BundleError:
        return []
    own = package.directory.resolve()
    return [p for p in closure if p.directory.resolve() != own]
