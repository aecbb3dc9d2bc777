"""``greenroom new``: a new package in the workspace, from templates shipped as package data.

Each kind has a folder under ``templates/`` (read with importlib.resources)
whose ``*.tmpl`` files are :class:`string.Template` texts. The new package is
named by the scheme, has its ``[tool.greenroom]`` role and plugin id, an entry
point, a working ``register``, a test and a README; then the same planner as
``greenroom repo fix --publish`` fills its generated fields and those of the
packages of the same plugin, so the workspace passes ``repo fix --check``.
"""

from __future__ import annotations

import string
from importlib.resources import files
from pathlib import Path
from typing import Final

import attrs
from packaging.utils import canonicalize_name

from greenroom._api.ids import is_valid_id
from greenroom._errors import PackageMetadataError
from greenroom._packaging.fix import (
    KNOWN_PLUGIN_PACKAGES,
    FixPlan,
    MemberFix,
    plan_fixes,
    write_fixes,
)
from greenroom._packaging.naming import infer_plugin_id, normalize_name, package_name
from greenroom._packaging.roles import LIBRARY_ROLES, Role, module_target_role
from greenroom._packaging.workspace import Workspace, load_workspace
from greenroom._version import __version__

__all__ = ["KINDS", "Scaffolded", "scaffold"]

#: ``greenroom new`` kind -> the role of the package it makes (a library's role is chosen).
KINDS: Final[dict[str, Role | None]] = {
    "backend-plugin": "backend-plugin",
    "backend-module": "backend-plugin-module",
    "frontend-plugin": "frontend-plugin",
    "library": None,
}

#: Template file -> where it goes (a :class:`string.Template` of the package's variables).
_FILES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "backend-plugin": (
        ("pyproject.toml.tmpl", "pyproject.toml"),
        ("README.md.tmpl", "README.md"),
        ("init.py.tmpl", "src/$import_name/__init__.py"),
        ("plugin.py.tmpl", "src/$import_name/plugin.py"),
        ("test.py.tmpl", "tests/test_$import_name.py"),
    ),
    "backend-module": (
        ("pyproject.toml.tmpl", "pyproject.toml"),
        ("README.md.tmpl", "README.md"),
        ("init.py.tmpl", "src/$import_name/__init__.py"),
        ("module.py.tmpl", "src/$import_name/module.py"),
        ("test.py.tmpl", "tests/test_$import_name.py"),
    ),
    "frontend-plugin": (
        ("pyproject.toml.tmpl", "pyproject.toml"),
        ("README.md.tmpl", "README.md"),
        ("init.py.tmpl", "src/$import_name/__init__.py"),
        # Not a dist/ folder in the templates: repositories commonly git-ignore dist/.
        ("mf-manifest.json.tmpl", "src/$import_name/dist/mf-manifest.json"),
        ("remoteEntry.js.tmpl", "src/$import_name/dist/remoteEntry.js"),
        ("test.py.tmpl", "tests/test_$import_name.py"),
    ),
    "library": (
        ("pyproject.toml.tmpl", "pyproject.toml"),
        ("README.md.tmpl", "README.md"),
        ("init.py.tmpl", "src/$import_name/__init__.py"),
        ("test.py.tmpl", "tests/test_$import_name.py"),
    ),
}

_DESCRIPTIONS: Final[dict[str, str]] = {
    "backend-plugin": "The {plugin_id} backend plugin for Greenroom.",
    "backend-plugin-module": "The {module_id} module of the {plugin_id} backend plugin.",
    "frontend-plugin": "The {plugin_id} frontend plugin for Greenroom.",
    "node-library": "Backend utilities of the {plugin_id} plugin, for it and its modules.",
    "web-library": "Frontend widgets of the {plugin_id} plugin, for it and other plugins.",
    "common-library": "Models and clients of the {plugin_id} plugin, for backend and frontend.",
}


@attrs.frozen
class Scaffolded:
    """What ``greenroom new`` made."""

    name: str
    role: Role
    directory: Path
    files: tuple[Path, ...]
    #: Other members whose generated fields were brought in sync (by name).
    updated: tuple[str, ...] = ()
    #: Set when the folder is not a workspace member (``repo`` commands will not see it).
    warning: str | None = None


def _pascal(*ids: str) -> str:
    return "".join(word.title() for value in ids for word in value.split("-"))


def _greenroom_requirement() -> str:
    from packaging.version import Version

    version = Version(__version__)
    if version.is_prerelease or version.is_devrelease:
        return f"greenroom>={version}"
    return f"greenroom>={version.major}.{version.minor}"


def _fail(message: str, hint: str) -> PackageMetadataError:
    return PackageMetadataError(message, hint=hint)


def _check_id(value: str | None, option: str, kind: str) -> str:
    if value is None:
        raise _fail(f"greenroom new {kind} needs {option}", f"pass {option} ID (kebab-case)")
    if not is_valid_id(value):
        raise _fail(
            f"{option} {value!r} is not kebab-case",
            "use lower-case words of letters and digits, each starting with a letter, "
            "joined by '-' (e.g. yaml-files)",
        )
    return value


def _default_directory(workspace: Workspace, name: str) -> Path:
    """``<folder>/<name>`` for the first members glob of the form ``<folder>/*``."""
    for pattern in workspace.settings.members:
        head, sep, tail = pattern.rstrip("/").rpartition("/")
        if sep and tail == "*" and not any(c in head for c in "*?["):
            return workspace.root / head / name
    raise _fail(
        "cannot tell where new packages go: no members glob of the form '<folder>/*'",
        "pass --directory DIR, and make sure the workspace's members include it",
    )


def _plugin_package_line(
    workspace: Workspace, role: Role, plugin_id: str, given: str | None
) -> str:
    """The ``plugin-package`` line of a new module, or "" when ``repo fix`` will find it."""
    target = module_target_role(role)
    in_workspace = any(
        p.metadata is not None
        and p.metadata.role == target
        and (p.metadata.declared_plugin_id or _inferred(p.metadata.role, p.name)) == plugin_id
        for p in workspace.packages()
    )
    if given is None and (in_workspace or (target, plugin_id) in KNOWN_PLUGIN_PACKAGES):
        return ""
    if given is None:
        raise _fail(
            f"no {target} with plugin id {plugin_id!r} in the workspace, nor a known one, "
            "so the plugin package of the new module is unknown",
            f"pass --plugin-package NAME (the distribution name of the {target}), "
            "or create the plugin first",
        )
    normalize_name(given)
    return f'plugin-package = "{given}"\n'


def _inferred(role: Role, name: str | None) -> str | None:
    try:
        return infer_plugin_id(role, name) if name else None
    except PackageMetadataError:
        return None


def scaffold(
    kind: str,
    *,
    start: Path | None = None,
    prefix: str | None = None,
    plugin_id: str | None = None,
    module_id: str | None = None,
    role: Role | None = None,
    name: str | None = None,
    directory: Path | None = None,
    plugin_package: str | None = None,
) -> Scaffolded:
    """Create a new package of ``kind`` (see :data:`KINDS`) in the workspace at ``start``.

    Raise :class:`PackageMetadataError` before writing anything when an option
    is missing or wrong, the name is taken or the folder is not empty.
    """
    for option, value, kinds in (
        ("--module-id", module_id, ("backend-module",)),
        ("--plugin-package", plugin_package, ("backend-module",)),
        ("--name", name, ("library",)),
    ):
        if value is not None and kind not in kinds:
            raise _fail(f"{option} is not an option of {kind}", f"it is for {' and '.join(kinds)}")
    workspace = load_workspace(start)
    prefix = prefix or workspace.settings.prefix
    if not prefix:
        raise _fail(
            "no naming prefix: new packages are named '<prefix>-plugin-<pluginId>...'",
            "pass --prefix (e.g. your organisation's name), or set prefix in the root's "
            "[tool.greenroom.workspace] table",
        )
    normal_prefix = normalize_name(prefix)
    if not normal_prefix[0].isalpha():
        raise _fail(
            f"prefix {prefix!r} starts with a digit, so the package could not be imported",
            "use a prefix that starts with a letter",
        )
    role = KINDS[kind] or role or "node-library"
    if kind == "library" and role not in LIBRARY_ROLES:
        raise _fail(
            f"{role!r} is not a library role", "use node-library, web-library or common-library"
        )
    package, variables = _naming(
        workspace, kind, role, normal_prefix, plugin_id, module_id, name, plugin_package
    )
    taken = {canonicalize_name(p.name) for p in workspace.packages() if p.name}
    if canonicalize_name(package) in taken:
        raise _fail(f"the workspace already has a package named {package!r}", "choose another id")
    target = (directory or _default_directory(workspace, package)).resolve()
    if target.exists() and any(target.iterdir()):
        raise _fail(f"{target} exists and is not empty", "remove it, or pass another --directory")
    written = _render(kind, target, variables)
    return _sync(start, package, role, target, written)


def _naming(
    workspace: Workspace,
    kind: str,
    role: Role,
    prefix: str,
    plugin_id: str | None,
    module_id: str | None,
    name: str | None,
    plugin_package: str | None,
) -> tuple[str, dict[str, str]]:
    """The new package's name, and the variables its templates are filled with."""
    variables: dict[str, str] = {"role": role, "plugin_id_line": "", "plugin_package_line": ""}
    if kind == "library" and name is not None:
        if plugin_id is not None:
            raise _fail(
                "pass --name or --plugin-id, not both", "--name makes a library of no plugin"
            )
        package = f"{prefix}-{normalize_name(name)}"
        plugin_id = ""
        if _inferred(role, package):
            # The name reads like a plugin's library; say that it is not one.
            variables["plugin_id_line"] = "plugin-id = false\n"
        description = "A library for Greenroom packages."
    else:
        plugin_id = _check_id(plugin_id, "--plugin-id", kind)
        if role == "backend-plugin-module":
            module_id = _check_id(module_id, "--module-id", kind)
        package = package_name(prefix, role, plugin_id, module_id)
        if _inferred(role, package) != plugin_id:
            raise _fail(
                f"the name {package!r} would not read back as plugin {plugin_id!r}",
                "use a prefix without the word 'plugin'",
            )
        if kind == "library":
            variables["plugin_id_line"] = f'plugin-id = "{plugin_id}"\n'
        if role == "backend-plugin-module":
            variables["plugin_package_line"] = _plugin_package_line(
                workspace, role, plugin_id, plugin_package
            )
        description = _DESCRIPTIONS[role].format(plugin_id=plugin_id, module_id=module_id)
    import_name = package.replace("-", "_")
    variables.update(
        name=package,
        import_name=import_name,
        # A frontend remote's global name: the import name is a valid JS identifier too.
        container=import_name,
        plugin_id=plugin_id,
        module_id=module_id or "",
        class_name=_pascal(plugin_id) + ("Module" + _pascal(module_id) if module_id else "Plugin"),
        description=description,
        greenroom_requirement=_greenroom_requirement(),
    )
    return package, variables


def _render(kind: str, target: Path, variables: dict[str, str]) -> tuple[Path, ...]:
    templates = files("greenroom._packaging") / "templates" / kind
    written = []
    for source, destination in _FILES[kind]:
        text = string.Template((templates / source).read_text(encoding="utf-8"))
        path = target / string.Template(destination).substitute(variables)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.substitute(variables), encoding="utf-8")
        written.append(path)
    return tuple(written)


def _sync(
    start: Path | None, package: str, role: Role, target: Path, written: tuple[Path, ...]
) -> Scaffolded:
    """Fill the generated fields of the new package and of its plugin's other packages."""
    workspace = load_workspace(start)
    plan: FixPlan = plan_fixes(workspace, publish=True)
    member = next((m for m in workspace.members if m.package.directory == target), None)
    if member is None:
        warning = (
            f"{target} is not a member of the workspace, so `greenroom repo` commands "
            "will not see it; add its folder to the root's members globs"
        )
        return Scaffolded(package, role, target, written, warning=warning)
    fixes = {fix.member.relative: fix for fix in plan.fixes}
    own = fixes[member.relative]
    if own.problems:
        raise PackageMetadataError(
            own.problems, hint=f"the files are in {target}; fix these by hand there"
        )
    plugin_id = _plugin_id_after(own)
    related = {member.relative} | {
        fix.member.relative
        for fix in plan.fixes
        if plugin_id is not None and _plugin_id_after(fix) == plugin_id
    }
    done = write_fixes(plan, only=related)
    updated = tuple(
        fix.member.package.label for fix in done if fix.member.relative != member.relative
    )
    return Scaffolded(package, role, target, written, updated=updated)


def _plugin_id_after(fix: MemberFix) -> str | None:
    """A member's plugin id once the fix is written."""
    metadata = fix.member.package.metadata
    if metadata is None:
        return None
    for change in fix.changes:
        if change.key == "plugin-id" and isinstance(change.value, str):
            return change.value
    return metadata.declared_plugin_id
