"""``greenroom repo fix [--publish]``: plan the generated metadata of every member, then write it.

Planning (:func:`plan_fixes`) is pure: it reads the workspace and says, per
member, which generated fields change and what is wrong that only a person
can fix. Writing (:func:`write_fixes`) edits each ``pyproject.toml`` with
tomlkit, so comments, order and formatting stay as they were, and writes only
files whose text changes.

The generated fields: always, the ``greenroom.config_schema`` entry point of
``config-schema`` (issue 6; the runtime reads it from the wheel, so it must be
there whether or not the package is published, see ``check.py``); with
``--publish`` (seed ``001``):

- ``plugin-id``, inferred from the name by role when absent (an explicit
  value, or ``false``, is kept);
- ``plugin-packages`` of plugins and their libraries: the sorted names of the
  workspace's plugins and libraries with the same plugin id, never modules;
- ``plugin-package`` of modules: the workspace's plugin with the same id, else
  the known first-party plugin of that id;
- ``[project.urls] Source``: the root's source URL with the member's folder.

Names, entry points and dependencies are what a user wrote: never rewritten
(the one entry point above is generated).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Final

import attrs

from greenroom._config.schema import SCHEMA_ENTRY_POINT_GROUP
from greenroom._errors import PackageMetadataError
from greenroom._packaging.check import (
    config_schema_entry_point,
    consistency_problems,
    publish_problems,
)
from greenroom._packaging.metadata import KEY_PATH, GreenroomMetadata
from greenroom._packaging.naming import infer_plugin_id
from greenroom._packaging.project import Package
from greenroom._packaging.roles import (
    APP_ROLES,
    LIBRARY_ROLES,
    MODULE_ROLES,
    PLUGIN_ROLES,
    Role,
    module_target_role,
)
from greenroom._packaging.workspace import Member, Workspace, source_url

__all__ = [
    "KNOWN_PLUGIN_PACKAGES",
    "FieldChange",
    "FixPlan",
    "MemberFix",
    "fix_command",
    "plan_fixes",
    "write_fixes",
]

#: The first-party plugins (issue 7, ``contrib_plugins/``) by role and plugin id: the
#: plugin package of a module written outside this repository for one of them.
KNOWN_PLUGIN_PACKAGES: Final[dict[tuple[str, str], str]] = {
    ("backend-plugin", "catalog"): "greenroom-plugin-catalog-backend",
    ("backend-plugin", "todo"): "greenroom-plugin-todo-backend",
    ("frontend-plugin", "hello"): "greenroom-plugin-hello",
}


@attrs.frozen
class FieldChange:
    """One generated field to set: its key path in the TOML document and its new value.

    A value of ``None`` removes the key (a generated entry point that was renamed).
    """

    path: tuple[str, ...]
    value: str | tuple[str, ...] | None

    @property
    def key(self) -> str:
        """``plugin-id`` for ``[tool.greenroom]`` keys, else the dotted path (TOML-quoted)."""
        parts = self.path[2:] if self.path[:2] == ("tool", "greenroom") else self.path
        return ".".join(f'"{part}"' if "." in part else part for part in parts)


@attrs.frozen
class MemberFix:
    """What ``repo fix`` would change in one member, and what it cannot fix."""

    member: Member
    changes: tuple[FieldChange, ...] = ()
    problems: tuple[str, ...] = ()


@attrs.frozen
class FixPlan:
    """The plan for a whole workspace."""

    workspace: Workspace
    publish: bool
    fixes: tuple[MemberFix, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem: the workspace's, then each member's in folder order."""
        found = list(self.workspace.problems)
        for fix in self.fixes:
            found.extend(fix.problems)
        return tuple(found)

    @property
    def out_of_sync(self) -> tuple[MemberFix, ...]:
        """The members with fields to change."""
        return tuple(fix for fix in self.fixes if fix.changes)

    @property
    def command(self) -> str:
        """The command that applies this plan."""
        return "greenroom repo fix" + (" --publish" if self.publish else "")


def _sorted_names(names: Iterable[str]) -> tuple[str, ...]:
    """Sorted by normal form, so that the order does not depend on how names are spelled."""
    from packaging.utils import canonicalize_name

    return tuple(sorted(set(names), key=lambda name: (canonicalize_name(name), name)))


class _Planner:
    """Works out one workspace's plan; each step fills ``changes`` and ``problems``."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.members = [m for m in workspace.members if m.package.metadata and m.package.name]
        self.changes: dict[str, list[FieldChange]] = defaultdict(list)
        self.problems: dict[str, list[str]] = defaultdict(list)
        self.plugin_ids: dict[str, str | None] = {}

    def plugin_ids_step(self) -> None:
        """Each member's plugin id: declared, inferred from its name, or none."""
        for member in self.members:
            package, metadata = _parts(member)
            if metadata.role in APP_ROLES or metadata.plugin_id is False:
                self.plugin_ids[member.relative] = None
            elif metadata.plugin_id is not None:
                self.plugin_ids[member.relative] = metadata.plugin_id
            else:
                try:
                    inferred = infer_plugin_id(metadata.role, _name(package))
                except PackageMetadataError:
                    inferred = None  # consistency_problems() reports the name
                self.plugin_ids[member.relative] = inferred
                if inferred is not None:
                    self.changes[member.relative].append(
                        FieldChange(("tool", "greenroom", "plugin-id"), inferred)
                    )

    def plugin_packages_step(self) -> None:
        """``plugin-packages`` of plugins and libraries, ``plugin-package`` of modules."""
        by_id: dict[str, list[Member]] = defaultdict(list)
        for member in self.members:
            plugin_id = self.plugin_ids.get(member.relative)
            if plugin_id is not None:
                by_id[plugin_id].append(member)
        plugins: dict[tuple[str, str], Member] = {}
        for plugin_id, members in sorted(by_id.items()):
            for role in sorted(PLUGIN_ROLES):
                same = [m for m in members if _parts(m)[1].role == role]
                if len(same) > 1:
                    for member in same:
                        others = ", ".join(repr(_name(m.package)) for m in same if m != member)
                        self.problems[member.relative].append(
                            f"more than one {role} has plugin id {plugin_id!r}: this one and "
                            f"{others}; fix: give each plugin its own id, or make one of them "
                            f"a module @ {member.package.file}:{KEY_PATH}.plugin-id"
                        )
                elif same:
                    plugins[role, plugin_id] = same[0]
        for plugin_id, members in by_id.items():
            siblings = _sorted_names(
                _name(m.package)
                for m in members
                if _parts(m)[1].role in PLUGIN_ROLES | LIBRARY_ROLES
            )
            for member in members:
                metadata = _parts(member)[1]
                if metadata.role in MODULE_ROLES:
                    self._plugin_package(member, plugin_id, plugins)
                elif metadata.plugin_packages != siblings:
                    self.changes[member.relative].append(
                        FieldChange(("tool", "greenroom", "plugin-packages"), siblings)
                    )

    def _plugin_package(
        self, member: Member, plugin_id: str, plugins: dict[tuple[str, str], Member]
    ) -> None:
        package, metadata = _parts(member)
        target: Role = module_target_role(metadata.role)
        found = plugins.get((target, plugin_id))
        name = _name(found.package) if found else KNOWN_PLUGIN_PACKAGES.get((target, plugin_id))
        if name is None:
            if metadata.plugin_package is None:
                library = "web-library" if target == "frontend-plugin" else "node-library"
                self.problems[member.relative].append(
                    f"cannot find the plugin package of {metadata.role} {package.name!r}: no "
                    f"{target} with plugin id {plugin_id!r} in the workspace, nor a known "
                    f"one; fix: set plugin-package to the {target}'s distribution name by "
                    f"hand (or, if this package is not a module, set its role to {library}) "
                    f"@ {package.file}:{KEY_PATH}.plugin-package"
                )
            return
        if metadata.plugin_package != name:
            self.changes[member.relative].append(
                FieldChange(("tool", "greenroom", "plugin-package"), name)
            )

    def source_url_step(self) -> None:
        """``[project.urls] Source`` from the root's source URL and the member's folder."""
        root_url = self.workspace.source_url
        if not root_url:
            return
        root_url = root_url.rstrip("/")
        for member in self.members:
            package = member.package
            if "urls" in package.dynamic:
                continue
            wanted = (
                root_url if member.relative == "." else f"{root_url}/tree/HEAD/{member.relative}"
            )
            label = _source_label(package.urls)
            current = package.urls.get(label) if label else None
            if current == wanted:
                continue
            # Keep a URL the user wrote; update only one that this command generated.
            if current is not None and not current.startswith(f"{root_url}/tree/"):
                continue
            self.changes[member.relative].append(
                FieldChange(("project", "urls", label or "Source"), wanted)
            )

    def config_schema_step(self) -> None:
        """The ``greenroom.config_schema`` entry point that ``config-schema`` stands for."""
        for member in self.members:
            package = member.package
            wanted = config_schema_entry_point(package)
            entries = package.entry_points.get(SCHEMA_ENTRY_POINT_GROUP, {})
            if wanted is None or entries == dict([wanted]):
                continue
            group = ("project", "entry-points", SCHEMA_ENTRY_POINT_GROUP)
            # What is there is the entry of an earlier config-schema (check.py's _owned).
            changes = [FieldChange((*group, old), None) for old in entries]
            changes.append(FieldChange((*group, wanted[0]), wanted[1]))
            self.changes[member.relative].extend(changes)

    def check_step(self, publish: bool) -> None:
        """The rules that always apply, and with ``--publish`` the publish-time check."""
        self._duplicate_names()
        for member in self.workspace.members:
            package = member.package
            own = self.problems[member.relative]
            own[:0] = [*package.problems, *consistency_problems(package)]
            if publish and not own and package.metadata is not None:
                fixed = _with_changes(package, self.changes[member.relative])
                own.extend(publish_problems(fixed))

    def _duplicate_names(self) -> None:
        from packaging.utils import canonicalize_name

        by_name: dict[str, list[Member]] = defaultdict(list)
        for member in self.workspace.members:
            if member.package.name:
                by_name[canonicalize_name(member.package.name)].append(member)
        for same in by_name.values():
            for member in same if len(same) > 1 else ():
                others = ", ".join(m.relative for m in same if m is not member)
                self.problems[member.relative].append(
                    f"{others} has the same distribution name {member.package.name!r}; fix: "
                    f"rename one of them @ {member.package.file}:$.project.name"
                )


def _parts(member: Member) -> tuple[Package, GreenroomMetadata]:
    metadata = member.package.metadata
    assert metadata is not None  # the planner only keeps members with metadata
    return member.package, metadata


def _name(package: Package) -> str:
    assert package.name is not None  # the planner only keeps members with a name
    return package.name


def _source_label(urls: dict[str, str]) -> str | None:
    """The label of the member's source URL, if it has one."""
    wanted = source_url(urls)
    return next((label for label, url in urls.items() if url == wanted), None) if wanted else None


def _with_changes(package: Package, changes: list[FieldChange]) -> Package:
    """The package as it will read once ``changes`` are written."""
    assert package.metadata is not None
    values: dict[str, Any] = {
        change.path[2].replace("-", "_"): change.value
        for change in changes
        if change.path[:2] == ("tool", "greenroom")
    }
    return attrs.evolve(package, metadata=attrs.evolve(package.metadata, **values))


def plan_fixes(workspace: Workspace, *, publish: bool) -> FixPlan:
    """What ``repo fix`` (``--publish``) would change in each member, and every problem."""
    planner = _Planner(workspace)
    if publish:
        planner.plugin_ids_step()
        planner.plugin_packages_step()
        planner.source_url_step()
    planner.config_schema_step()
    planner.check_step(publish)
    fixes = tuple(
        MemberFix(
            member,
            tuple(planner.changes.get(member.relative, ())),
            tuple(planner.problems.get(member.relative, ())),
        )
        for member in workspace.members
    )
    return FixPlan(workspace, publish, fixes)


def write_fixes(plan: FixPlan, only: Iterable[str] | None = None) -> list[MemberFix]:
    """Write each out-of-sync member's changes with tomlkit; return the members written.

    ``only`` limits the writes to members whose folder (relative to the root)
    is listed. A file is written only if its text changes.
    """
    import tomlkit

    wanted = set(only) if only is not None else None
    written = []
    for fix in plan.out_of_sync:
        if wanted is not None and fix.member.relative not in wanted:
            continue
        path = fix.member.package.pyproject
        text = path.read_text(encoding="utf-8")
        document = tomlkit.parse(text)
        for change in fix.changes:
            _set(document, change)
        new_text = tomlkit.dumps(document)
        if new_text != text:
            with path.open("w", encoding="utf-8", newline="") as stream:
                stream.write(new_text)
            written.append(fix)
    return written


def _set(document: Any, change: FieldChange) -> None:
    """Set (or remove) one generated field, creating the tables on its path that are missing."""
    import tomlkit
    from tomlkit.items import InlineTable

    value: Any = change.value
    if isinstance(value, tuple):
        array = tomlkit.array()
        array.extend(value)
        # One name per line once there are several: diffs then show which one changed.
        array.multiline(len(value) > 1)
        value = array
    table = document
    for index, key in enumerate(change.path[:-1]):
        if value is None and key not in table:
            return
        if key not in table:
            inline = isinstance(table, InlineTable)
            # A missing table is made whole, then attached: inside an inline table
            # as an inline table, else as a [header] table ending in a blank line like
            # the tables around it; tables that only hold tables get no header of
            # their own ([project.entry-points."group"], not also [project.entry-points]).
            deeper = change.path[index + 1 : -1]
            new = tomlkit.inline_table() if inline else tomlkit.table(is_super_table=bool(deeper))
            inner = new
            for depth, name in enumerate(deeper, start=1):
                only_tables = depth < len(deeper)
                inner[name] = (
                    tomlkit.inline_table() if inline else tomlkit.table(is_super_table=only_tables)
                )
                inner = inner[name]
            inner[change.path[-1]] = value
            if not inline:
                inner.add(tomlkit.nl())
                _take_header_comments(table, inner)
            table[key] = new
            return
        table = table[key]
    if value is None:
        table.pop(change.path[-1], None)
    else:
        table[change.path[-1]] = value


def _take_header_comments(parent: Any, new: Any) -> None:
    """Move the comment lines that end ``parent`` (those above the next [header]) into ``new``.

    A table attached to ``parent`` is written after everything in it; the comment
    lines right above the header that followed it would then sit above the new
    table instead. A comment followed by a blank line stays where it is.
    """
    from tomlkit.items import Comment, Table

    if not isinstance(parent, Table):
        return  # the document's own end: nothing follows it
    last = parent
    while True:
        values = [item for key, item in last.value.body if key is not None]
        if not values or not isinstance(values[-1], Table):
            break
        last = values[-1]
    body = last.value.body
    start = len(body)
    while start and body[start - 1][0] is None and isinstance(body[start - 1][1], Comment):
        start -= 1
    moved = [item for _, item in body[start:]]
    # Past the last key, so the container's index of keys stays right.
    del body[start:]
    for item in moved:
        new.add(item)


def fix_command(plan: FixPlan, *, check: bool) -> tuple[list[str], int]:
    """Carry out ``repo fix`` on a plan: the lines to print and the exit code.

    Raise :class:`PackageMetadataError` listing every problem (nothing is
    written then); with ``check``, write nothing and exit 1 when out of sync.
    """
    if plan.problems:
        raise PackageMetadataError(
            plan.problems,
            hint=f"fix these by hand (nothing was written), then run `{plan.command}` again",
        )
    pending = plan.out_of_sync
    count = len(plan.workspace.members)
    if check:
        if not pending:
            return [f"all {count} package(s) are in sync"], 0
        lines = [f"The following packages are out of sync, run `{plan.command}` to fix them:"]
        lines.extend(_describe(fix) for fix in pending)
        return lines, 1
    written = write_fixes(plan)
    if not written:
        return [f"all {count} package(s) are in sync, nothing to write"], 0
    return [f"fixed {_describe(fix).strip()}" for fix in written], 0


def _describe(fix: MemberFix) -> str:
    keys = ", ".join(change.key for change in fix.changes)
    return f"  {fix.member.package.label} ({fix.member.package.file}: {keys})"
