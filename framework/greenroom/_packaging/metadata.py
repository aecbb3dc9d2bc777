"""``[tool.greenroom]``: a package's role and plugin metadata, as seed ``001``'s ``backstage``.

::

    [tool.greenroom]
    role = "backend-plugin-module"          # one of the ten roles
    plugin-id = "catalog"                   # kebab-case; false: not part of a plugin
    plugin-package = "acme-plugin-catalog-backend"   # modules: the plugin they extend
    # plugin-packages = [...]               # plugins and their libraries: the plugin's packages
    # moved = "new-name"                    # renamed and moved to another distribution
    # inline = true                         # private, copied into the packages that use it
    config-schema = "config.schema.json"    # the package's config schema, a path in the package

The model is an attrs class structured by cattrs; every problem is reported
at once as ``<description> @ <file>:$.tool.greenroom.<key>``. A root's
``[tool.greenroom.workspace]`` table is the workspace's, read in ``workspace.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from greenroom._api.ids import is_valid_id
from greenroom._errors import PackageMetadataError
from greenroom._packaging.roles import APP_ROLES, LIBRARY_ROLES, MODULE_ROLES, ROLES, Role

if TYPE_CHECKING:
    import cattrs

__all__ = ["KEYS", "KEY_PATH", "GreenroomMetadata", "parse_metadata"]

#: Where the table lives, as the start of every key path in messages.
KEY_PATH: Final = "$.tool.greenroom"
#: Keys of ``[tool.greenroom]`` that belong to the workspace, not to the package.
_WORKSPACE_KEYS: Final = frozenset({"workspace"})

PluginId = str | Literal[False] | None


@attrs.frozen
class GreenroomMetadata:
    """A package's ``[tool.greenroom]`` table.

    ``plugin_id`` is ``None`` when absent (``repo fix --publish`` infers it)
    and ``False`` for the explicit opt-out of a package whose name looks like a
    plugin's but is not part of one (Backstage's ``pluginId: null``).
    """

    role: Role
    plugin_id: PluginId = None
    plugin_packages: tuple[str, ...] | None = None
    plugin_package: str | None = None
    moved: str | None = None
    inline: bool = False
    #: A POSIX path inside the import package (issue 6); ``repo fix`` makes it the
    #: ``greenroom.config_schema`` entry point that carries it into the wheel.
    config_schema: str | None = None

    @property
    def declared_plugin_id(self) -> str | None:
        """The plugin id if one is set, ``None`` when absent or opted out."""
        return self.plugin_id or None


def _kebab(name: str) -> str:
    return name.replace("_", "-")


#: The keys, in the order the docs list them.
KEYS: Final = tuple(_kebab(field.name) for field in attrs.fields(GreenroomMetadata))


class _ShapeError(TypeError):
    """A TOML value of the wrong kind; its message is shown as is."""


_TOML_KINDS: Final = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    list: "an array",
    dict: "a table",
}
Hook = Callable[[Any, Any], Any]


def _kind(value: object) -> str:
    return _TOML_KINDS.get(type(value), type(value).__name__)


def _expect(kind: type, inner: Hook | None = None) -> Hook:
    """Accept only TOML values of ``kind``: cattrs would turn 1 into "1" and "ab" into a tuple."""

    def hook(value: Any, tp: Any) -> Any:
        if type(value) is not kind:
            raise _ShapeError(f"expected {_TOML_KINDS[kind]}, got {_kind(value)}")
        return value if inner is None else inner(value, tp)

    return hook


def _role(value: Any, _: Any) -> Role:
    if value not in ROLES:
        shown = repr(value) if isinstance(value, str) else _kind(value)
        raise _ShapeError(f"unknown role {shown}, expected one of: {', '.join(ROLES)}")
    return value  # type: ignore[no-any-return]


def _plugin_id(value: Any, _: Any) -> PluginId:
    if value is False or is_valid_id(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        raise _ShapeError(
            f"plugin id {value!r} is not kebab-case (lower-case words of letters and "
            "digits, each starting with a letter, joined by '-')"
        )
    raise _ShapeError(
        f"expected a kebab-case plugin id, or false for a package that is not part of "
        f"a plugin, got {'true' if value is True else _kind(value)}"
    )


def _config_schema(value: Any, _: Any) -> str:
    if type(value) is not str:
        raise _ShapeError(f"expected a string, got {_kind(value)}")
    problems = _path_problems(value)
    if problems:
        raise _ShapeError("; ".join(problems))
    return value


def _format(exc: BaseException, tp: type | None) -> str:
    from cattrs.v import format_exception

    return str(exc) if isinstance(exc, _ShapeError) else format_exception(exc, tp)


@functools.cache
def _converter() -> cattrs.Converter:
    import cattrs
    from cattrs.cols import homogenous_tuple_structure_factory
    from cattrs.gen import make_dict_structure_fn, override

    converter = cattrs.Converter()
    converter.register_structure_hook(str, _expect(str))
    converter.register_structure_hook(bool, _expect(bool))
    names = _expect(list, homogenous_tuple_structure_factory(tuple[str, ...], converter))
    renames: dict[str, Any] = {
        f.name: override(rename=_kebab(f.name)) for f in attrs.fields(GreenroomMetadata)
    }
    renames["plugin_packages"] = override(rename="plugin-packages", struct_hook=names)
    renames["role"] = override(rename="role", struct_hook=_role)
    renames["plugin_id"] = override(rename="plugin-id", struct_hook=_plugin_id)
    renames["config_schema"] = override(rename="config-schema", struct_hook=_config_schema)
    converter.register_structure_hook(
        GreenroomMetadata, make_dict_structure_fn(GreenroomMetadata, converter, **renames)
    )
    return converter


def parse_metadata(table: object, file: str) -> GreenroomMetadata:
    """Structure and check a ``[tool.greenroom]`` table; raise listing every problem.

    ``file`` is the ``pyproject.toml`` as shown in messages.
    """
    import cattrs

    if not isinstance(table, dict):
        raise PackageMetadataError(f"expected a table, got {_kind(table)} @ {file}:{KEY_PATH}")
    data = {key: value for key, value in table.items() if key not in _WORKSPACE_KEYS}
    problems = [
        f"unknown key, the keys are {', '.join(KEYS)} @ {file}:{KEY_PATH}.{key}"
        for key in data
        if key not in KEYS
    ]
    known = {key: value for key, value in data.items() if key in KEYS}
    try:
        metadata = _converter().structure(known, GreenroomMetadata)
    except cattrs.BaseValidationError as exc:
        lines = cattrs.transform_error(exc, path=KEY_PATH, format_exception=_format)
        problems.extend(_at(line, file) for line in lines)
        raise PackageMetadataError(problems) from exc
    problems.extend(f"{what} @ {file}:{KEY_PATH}.{key}" for what, key in _field_problems(metadata))
    if problems:
        raise PackageMetadataError(problems)
    return metadata


def _at(line: str, file: str) -> str:
    """``<description> @ <file>:$.tool.greenroom.<key>``, attribute names kebab-cased."""
    what, sep, where = line.rpartition(" @ ")
    if not sep:
        return f"{line} @ {file}:{KEY_PATH}"
    if where == f"{KEY_PATH}.role" and what == "required field missing":
        what = f"role is missing; fix: set it to one of: {', '.join(ROLES)}"
    return f"{what} @ {file}:{KEY_PATH}{_kebab(where.removeprefix(KEY_PATH))}"


def _field_problems(metadata: GreenroomMetadata) -> list[tuple[str, str]]:
    """Values that are well-formed but wrong for the role, or not distribution names."""
    from packaging.utils import InvalidName, canonicalize_name

    problems: list[tuple[str, str]] = []
    role = metadata.role

    def check_name(value: str, key: str) -> None:
        try:
            canonicalize_name(value, validate=True)
        except InvalidName:
            problems.append((f"{value!r} is not a valid distribution name", key))

    if metadata.moved is not None:
        check_name(metadata.moved, "moved")
    if role in APP_ROLES:
        for key, value in (
            ("plugin-id", metadata.plugin_id),
            ("plugin-packages", metadata.plugin_packages),
            ("plugin-package", metadata.plugin_package),
        ):
            if value is not None:
                problems.append(
                    (f"a {role} package is not part of a plugin; fix: remove {key}", key)
                )
        return problems
    if metadata.plugin_id is False and role not in LIBRARY_ROLES:
        problems.append(
            (
                f"a {role} is always part of a plugin, so it cannot opt out; fix: set "
                "its kebab-case plugin id, or remove plugin-id to infer it from the name",
                "plugin-id",
            )
        )
    if role in MODULE_ROLES and metadata.plugin_packages is not None:
        problems.append(
            (
                f"a {role} names the plugin it extends in plugin-package, not "
                "plugin-packages; fix: remove plugin-packages",
                "plugin-packages",
            )
        )
    if role not in MODULE_ROLES and metadata.plugin_package is not None:
        problems.append(
            (
                f"only modules have a plugin-package, and this is a {role}; fix: remove "
                "plugin-package (plugins and libraries list plugin-packages)",
                "plugin-package",
            )
        )
    for index, value in enumerate(metadata.plugin_packages or ()):
        check_name(value, f"plugin-packages[{index}]")
    if metadata.plugin_package is not None:
        check_name(metadata.plugin_package, "plugin-package")
    return problems


def _path_problems(path: str) -> list[str]:
    """What keeps ``path`` from being a ``config-schema``: a plain relative POSIX path.

    The path becomes an entry point name in the wheel's ``entry_points.txt``,
    so it also follows the rules of those names (no ``=``, no leading ``[``).
    """
    example = 'fix: write the path of the file inside the package, e.g. "config.schema.json"'
    if not path.strip():
        return [f"config-schema is empty; {example}"]
    problems: list[str] = []
    if "\\" in path:
        problems.append(f"{path!r} is not a POSIX path; fix: separate folders with '/'")
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or (path[1:2] == ":" and path[0].isalpha()):
        problems.append(f"{path!r} is an absolute path; {example}")
    elif ".." in parts:
        problems.append(f"{path!r} leaves the package through '..'; {example}")
    elif any(part in ("", ".") for part in parts):
        problems.append(f"{path!r} has an empty or '.' part; fix: write it as 'folder/file.json'")
    if "=" in path or path.startswith("[") or path != path.strip() or not path.isprintable():
        problems.append(
            f"{path!r} cannot be an entry point name (it has an '=', a leading '[', "
            "spaces around it or a control character); fix: rename the file"
        )
    return problems
