"""What ``greenroom package start`` runs for a package, and which files restart it.

- ``backend``: the app, as ``greenroom start`` runs it (installed plugins and
  ``dynamicPlugins``), in the package's folder.
- ``backend-plugin``: a development backend with only this plugin and the
  core services, so that a plugin author works on one plugin alone.
- ``backend-plugin-module``: the same with the module, and its plugin when the
  workspace has it (from its sources) or it is installed; otherwise an empty
  plugin stands in, as ``start_test_backend`` does.

Every backend imports the workspace's sources first: the import roots of the
package and of the workspace packages it needs go in front of ``sys.path``,
and a change to any of their code restarts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

from greenroom._dev.spec import ChildSpec, DebugSpec
from greenroom._errors import PackageScriptError
from greenroom._packaging.local_deps import canonical
from greenroom._packaging.project import PYPROJECT, Package
from greenroom._packaging.roles import ROLE_ENTRY_POINT_GROUPS
from greenroom._packaging.sources import package_sources
from greenroom._scripts.target import ScriptTarget, local_dependencies

__all__ = ["DEFAULT_CONFIG_FILES", "DevTarget", "dev_target"]

#: Looked for at the workspace root, then in the package (later files win).
DEFAULT_CONFIG_FILES: Final = ("app-config.yaml", "app-config.local.yaml")
_PLUGIN_GROUP: Final = ROLE_ENTRY_POINT_GROUPS["backend-plugin"]


@attrs.frozen
class DevTarget:
    """The backend to run, and what to watch."""

    spec: ChildSpec
    #: Folders and files to watch (resolved).
    watch: tuple[Path, ...]
    #: Changes under these (resolved) restart the backend; others (tests, docs) do not.
    sources: tuple[Path, ...]
    #: What ``package start`` says it starts.
    description: str


def _entry_points(package: Package, group: str) -> list[tuple[str, str, str]]:
    entries = package.entry_points.get(group, {})
    return [(group, name, value) for name, value in sorted(entries.items())]


def _module_plugin(target: ScriptTarget) -> tuple[Package | None, list[tuple[str, str, str]], str]:
    """The plugin of a module: a workspace member, or installed entry points, or neither."""
    metadata = target.package.metadata
    wanted = metadata.plugin_package if metadata else None
    plugin_id = metadata.declared_plugin_id if metadata else None
    for member in target.workspace.members:
        package = member.package
        if package.role != "backend-plugin" or package.name is None:
            continue
        same_name = wanted is not None and canonical(package.name) == canonical(wanted)
        same_id = (
            wanted is None
            and plugin_id
            and package.metadata
            and (package.metadata.declared_plugin_id == plugin_id)
        )
        if same_name or same_id:
            return package, _entry_points(package, _PLUGIN_GROUP), f"its plugin {package.name}"
    if wanted is not None:
        from importlib.metadata import PackageNotFoundError, distribution

        try:
            found = distribution(wanted)
        except PackageNotFoundError:
            pass
        else:
            installed = [
                (_PLUGIN_GROUP, ep.name, ep.value)
                for ep in found.entry_points
                if ep.group == _PLUGIN_GROUP
            ]
            if installed:
                return None, installed, f"its plugin {wanted} (installed)"
    return None, [], "an empty stand-in for its plugin (neither in the workspace nor installed)"


def _config_files(target: ScriptTarget, given: Sequence[str], cwd: Path) -> list[Path]:
    if given:
        return [(cwd / path).resolve() for path in given]
    folders = list(dict.fromkeys([target.workspace.root.resolve(), target.directory.resolve()]))
    candidates = [folder / name for folder in folders for name in DEFAULT_CONFIG_FILES]
    return [path for path in candidates if path.is_file()]


def dev_target(
    target: ScriptTarget,
    *,
    config: Sequence[str] = (),
    cwd: Path | None = None,
    debug: DebugSpec | None = None,
) -> DevTarget:
    """What to run and watch for ``target``; raise :class:`PackageScriptError` for other roles."""
    mode = target.defaults.start
    if mode is None:
        role = target.package.role or "package without a role"
        raise PackageScriptError(
            f"{target.label} is a {role}: `greenroom package start` runs backends, plugins "
            "and modules",
            package=target.label,
            script="start",
            hint=target.defaults.start_instead,
        )
    package = target.package
    included = [package]
    features: list[tuple[str, str, str]] = []
    if mode == "plugin":
        group = ROLE_ENTRY_POINT_GROUPS[package.role or "backend-plugin"]
        features = _entry_points(package, group)
        if not features:
            raise PackageScriptError(
                f"{target.label} declares no {group} entry point, so there is nothing to start",
                package=target.label,
                script="start",
                hint=f'add [project.entry-points."{group}"] to its {PYPROJECT}',
            )
        description = f"a development backend with {target.label}"
        if package.role == "backend-plugin-module":
            plugin, plugin_features, what = _module_plugin(target)
            features = [*plugin_features, *features]
            if plugin is not None:
                included.append(plugin)
            description += f" and {what}"
    else:
        description = f"the backend {target.label}"

    packages: list[Package] = []
    for each in included:
        for candidate in (each, *reversed(local_dependencies(target.workspace, each))):
            if all(candidate.directory.resolve() != p.directory.resolve() for p in packages):
                packages.append(candidate)
    paths = [str(r.resolve()) for p in packages for r in package_sources(p).roots]
    members = {m.package.directory.resolve() for m in target.workspace.members}
    sources: list[Path] = []
    watch: list[Path] = []
    for each in packages:
        modules = [m.resolve() for m in package_sources(each).modules]
        sources += [*modules, each.pyproject.resolve()]
        # A member's folder is small: watching it whole catches editors that save by renaming.
        watch += [each.directory.resolve()] if each.directory.resolve() in members else modules
        watch += [] if each.directory.resolve() in members else [each.pyproject.resolve()]
    config_files = _config_files(target, config, cwd or Path.cwd())
    sources += config_files
    watch += [path for path in config_files if path.exists()]
    spec = ChildSpec(
        mode=mode,
        label=target.label,
        cwd=str(target.directory.resolve()),
        paths=tuple(dict.fromkeys(paths)),
        features=tuple(features),
        config=tuple(str(path) for path in config_files),
        debug=debug,
    )
    return DevTarget(
        spec,
        tuple(dict.fromkeys(watch)),
        tuple(dict.fromkeys(sources)),
        description,
    )
