"""Builders of small workspaces on disk for the packaging tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

#: The entry point group each plugin role declares in the members these tests build.
GROUPS = {
    "backend-plugin": "greenroom.backend_plugin",
    "backend-plugin-module": "greenroom.backend_plugin_module",
    "frontend-plugin": "greenroom.frontend_plugin",
    "frontend-plugin-module": "greenroom.frontend_plugin_module",
}


def toml_value(value: object) -> str:
    """A Python str, bool or list of str as TOML (JSON's syntax is TOML's for these)."""
    return json.dumps(value)


def member_toml(
    name: str,
    role: str | None,
    *,
    greenroom: Mapping[str, object] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    project_extra: str = "",
) -> str:
    """A member's ``pyproject.toml``: by default the entry point its role needs."""
    module = name.replace("-", "_")
    if entry_points is None:
        group = GROUPS.get(role or "")
        value = module if role and role.startswith("frontend") else f"{module}:Feature"
        entry_points = {group: {"feature": value}} if group else {}
    lines = ["[project]", f"name = {toml_value(name)}", 'version = "1.0"']
    if project_extra:
        lines.append(project_extra)
    for group, entries in entry_points.items():
        lines += ["", f'[project.entry-points."{group}"]']
        lines += [f"{key} = {toml_value(value)}" for key, value in entries.items()]
    if role is not None or greenroom:
        lines += ["", "[tool.greenroom]"]
        if role is not None:
            lines.append(f"role = {toml_value(role)}")
        lines += [f"{key} = {toml_value(value)}" for key, value in (greenroom or {}).items()]
    return "\n".join(lines) + "\n"


class WorkspaceBuilder:
    """Writes a root ``pyproject.toml`` and members under ``plugins/``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write_root(
        self, members: Sequence[str] = ("plugins/*",), *, extra: str = "", url: str | None = None
    ) -> Path:
        """The root: a project (with a Source URL if given) and a uv workspace."""
        lines = ["[project]", 'name = "acme-root"', 'version = "0"']
        if url:
            lines.append(f"urls = {{ Source = {toml_value(url)} }}")
        lines += ["", "[tool.uv.workspace]", f"members = {toml_value(list(members))}"]
        path = self.root / "pyproject.toml"
        path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return path

    def add(
        self, name: str, role: str | None, *, folder: str = "plugins", **options: object
    ) -> Path:
        """A member in ``<folder>/<name>``; options go to :func:`member_toml`."""
        directory = self.root / folder / name
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "pyproject.toml"
        path.write_text(member_toml(name, role, **options), encoding="utf-8")  # type: ignore[arg-type]
        return path

    def add_text(self, folder: str, text: str) -> Path:
        """A member whose ``pyproject.toml`` is exactly ``text``."""
        directory = self.root / folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "pyproject.toml"
        path.write_text(text, encoding="utf-8")
        return path


#: The seed's @backstage/plugin-catalog family, in Python names, without plugin metadata.
CATALOG_FAMILY: dict[str, str] = {
    "backstage-plugin-catalog": "frontend-plugin",
    "backstage-plugin-catalog-backend": "backend-plugin",
    "backstage-plugin-catalog-common": "common-library",
    "backstage-plugin-catalog-node": "node-library",
    "backstage-plugin-catalog-react": "web-library",
    "backstage-plugin-catalog-backend-module-github": "backend-plugin-module",
}
