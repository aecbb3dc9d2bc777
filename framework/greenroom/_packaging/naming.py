"""The naming scheme of seed ``001`` in Python distribution names, and plugin id inference.

``<prefix>-plugin-<pluginId>`` is a frontend plugin, ``-backend`` its backend,
``-backend-module-<name>`` and ``-module-<name>`` modules of either,
``-react``, ``-node`` and ``-common`` its web, backend and shared libraries.
Names are compared in their PEP 503 normal form (``Acme_Plugin.Todo`` is
``acme-plugin-todo``), so the scheme holds however a name is spelled.

The inference rules are Backstage's ``repo fix`` rules, with one change: the
``plugin-`` they look for must be a whole word (at the start or after a
dash), so ``superplugin-x`` is not read as plugin ``x``.
"""

from __future__ import annotations

import re
from typing import Final, Literal

import attrs

from greenroom._api.ids import is_valid_id
from greenroom._errors import PackageMetadataError
from greenroom._packaging.roles import APP_ROLES, LIBRARY_ROLES, Role

__all__ = [
    "NAMING_RULES",
    "NamingRule",
    "infer_plugin_id",
    "naming_problem",
    "normalize_name",
    "package_name",
]


@attrs.frozen
class NamingRule:
    """How a role's packages are named, and how their plugin id is read back."""

    role: Role
    #: Searched in the normalized name; group 1 is the plugin id.
    pattern: re.Pattern[str]
    #: The scheme as shown in messages and docs.
    scheme: str
    #: What follows ``plugin-<pluginId>`` in a name :func:`package_name` builds.
    suffix: str


def _rule(role: Role, tail: str, scheme: str, suffix: str) -> NamingRule:
    return NamingRule(role, re.compile(r"(?:^|-)plugin-(.*)" + tail), scheme, suffix)


#: Role -> rule, for every role that can be part of a plugin.
NAMING_RULES: Final[dict[str, NamingRule]] = {
    rule.role: rule
    for rule in (
        _rule("frontend-plugin", "", "<prefix>-plugin-<pluginId>", ""),
        _rule(
            "frontend-plugin-module",
            "-module-",
            "<prefix>-plugin-<pluginId>-module-<name>",
            "-module-{module}",
        ),
        _rule("backend-plugin", "-backend$", "<prefix>-plugin-<pluginId>-backend", "-backend"),
        _rule(
            "backend-plugin-module",
            "-backend-module-",
            "<prefix>-plugin-<pluginId>-backend-module-<name>",
            "-backend-module-{module}",
        ),
        _rule("common-library", "-common$", "<prefix>-plugin-<pluginId>-common", "-common"),
        _rule(
            "web-library",
            "-(?:react|test-utils)",
            "<prefix>-plugin-<pluginId>-react",
            "-react",
        ),
        _rule("node-library", "-(?:node|backend)-?", "<prefix>-plugin-<pluginId>-node", "-node"),
    )
}

#: Endings that belong to other roles; a frontend plugin's catch-all rule would
#: otherwise take ``acme-plugin-todo-backend`` as plugin ``todo-backend``.
_OTHER_ROLE_ENDINGS: Final = re.compile(r"-(?:backend|common|node|react|test-utils)$|-module-")


def normalize_name(name: str) -> str:
    """The PEP 503 normal form of a distribution name; raise if it is not a valid name."""
    from packaging.utils import InvalidName, canonicalize_name

    try:
        return str(canonicalize_name(name, validate=True))
    except InvalidName as exc:
        raise PackageMetadataError(
            f"{name!r} is not a valid distribution name (letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit)"
        ) from exc


def infer_plugin_id(role: Role, name: str) -> str | None:
    """The plugin id that ``name`` gives a package of ``role``, by the naming scheme.

    ``None`` when the role has no plugin (``frontend``, ``backend``, ``cli``)
    or for a library whose name is not a plugin's (a library that stands
    alone). A plugin or module whose name matches no rule, or yields an id
    that is not kebab-case, raises :class:`PackageMetadataError` saying which
    field to set by hand.
    """
    if role in APP_ROLES:
        return None
    normal = normalize_name(name)
    rule = NAMING_RULES[role]
    match = rule.pattern.search(normal)
    if match is None:
        if role in LIBRARY_ROLES:
            return None
        raise PackageMetadataError(
            f"cannot infer the plugin id of {role} {name!r} from its name: a {role} is "
            f"named {rule.scheme!r}",
            hint="rename the package, or set plugin-id in its [tool.greenroom] table",
        )
    plugin_id = match[1]
    if not is_valid_id(plugin_id):
        opt_out = ", or plugin-id = false if it is not part of a plugin"
        raise PackageMetadataError(
            f"the name of {role} {name!r} gives plugin id {plugin_id!r}, which is not "
            "kebab-case (lower-case words of letters and digits, each starting with a letter)",
            hint="rename the package, or set plugin-id in its [tool.greenroom] table"
            + (opt_out if role in LIBRARY_ROLES else ""),
        )
    return plugin_id


def naming_problem(role: Role, name: str, plugin_id: str | Literal[False] | None) -> str | None:
    """Why ``name`` breaks the naming scheme for ``role`` and ``plugin_id``, or ``None``.

    ``plugin_id`` is the package's declared ``plugin-id``: the name must give
    that same id. ``None`` (absent) asks only that the name gives some id, and
    a library's ``False`` (not part of a plugin) leaves its name free.
    """
    if role in APP_ROLES or (plugin_id is False and role in LIBRARY_ROLES):
        return None
    try:
        normalize_name(name)
    except PackageMetadataError:
        return None  # not a distribution name at all: the project's reader says so
    try:
        inferred = infer_plugin_id(role, name)
    except PackageMetadataError as exc:
        return f"{exc}; fix: {exc.hint}"
    scheme = NAMING_RULES[role].scheme
    if role == "frontend-plugin" and _OTHER_ROLE_ENDINGS.search(normalize_name(name)):
        return (
            f"frontend-plugin {name!r} is named like another role's package; a "
            f"frontend-plugin is named {scheme!r}; fix: rename it or correct its role"
        )
    if plugin_id and inferred != plugin_id:
        wanted = scheme.replace("<pluginId>", plugin_id)
        gives = f"gives plugin id {inferred!r}" if inferred else "names no plugin"
        return (
            f"the name of {role} {name!r} {gives}, but plugin-id is {plugin_id!r}; "
            f"fix: rename the package to {wanted!r}, or correct plugin-id"
        )
    return None


def package_name(prefix: str, role: Role, plugin_id: str, module_id: str | None = None) -> str:
    """The name the scheme gives a package of ``role`` in plugin ``plugin_id``."""
    suffix = NAMING_RULES[role].suffix
    if "{module}" in suffix:
        if module_id is None:
            raise ValueError(f"a {role} needs a module id")
        suffix = suffix.format(module=module_id)
    return f"{prefix}-plugin-{plugin_id}{suffix}"
