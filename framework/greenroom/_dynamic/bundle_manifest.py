"""``greenroom-bundle.json``: the contract between ``greenroom package bundle`` and the loader.

The manifest is a JSON object with camelCase keys::

    {
      "schemaVersion": 1,                      # always 1 for this layout
      "name": "acme-plugin-todo",              # must match the plugin's *.dist-info
      "version": "1.2.0",                      # idem (PEP 440, compared as versions)
      "role": "backend-plugin",                # the main role of its entry points
      "pluginId": "todo",                      # kebab-case, or null
      "entryPoints": [{"group": "greenroom.backend_plugin", "name": "todo",
                       "value": "acme_todo:TodoPlugin"}],   # as in entry_points.txt
      "sharedRequirements": ["greenroom>=0.1"],  # ranges the host must satisfy
      "privatePackages": [{"name": "libx", "version": "1.0", "topLevel": ["libx"]}],
      "files": {"acme_todo/__init__.py": "<sha256 hex>", ...}
    }

``files`` lists every file of the bundle (POSIX paths relative to its root,
the manifest itself and ``__pycache__`` folders excluded). Parsing reports every
problem at once as ``<description> @ greenroom-bundle.json:$.key`` (cattrs
``transform_error``). cattrs is imported only here, on the cold path.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from greenroom._api.ids import is_valid_id
from greenroom._dynamic.archive import member_name_problem
from greenroom._dynamic.models import (
    BUNDLE_MANIFEST_NAME,
    ENTRY_POINT_GROUPS,
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
)
from greenroom._errors import PluginPackageError

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "REBUNDLE_HINT",
    "SCHEMA_VERSION",
    "bundle_problems",
    "dump_bundle_manifest",
    "load_bundle_manifest",
]

#: The only ``schemaVersion`` this loader reads.
SCHEMA_VERSION: Final = 1
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
#: The fix for every bundle manifest problem.
REBUNDLE_HINT: Final = "rebuild the bundle with 'greenroom package bundle' and do not edit it after"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class _ShapeError(TypeError):
    """A JSON value of the wrong kind; its message is shown as is."""


_JSON_KINDS: Final = {
    str: "a string",
    int: "an integer",
    list: "an array",
    dict: "an object",
    bool: "a boolean",
    float: "a number",
    type(None): "null",
}
Hook = Callable[[Any, Any], Any]


def _expect(kind: type, inner: Hook | None = None) -> Hook:
    """A hook accepting only JSON values of ``kind`` (then structured by ``inner``).

    cattrs would turn 1 into "1", True into 1 and "abc" into ("a", "b", "c"):
    a manifest says what it means.
    """

    def hook(value: Any, tp: Any) -> Any:
        if type(value) is not kind:
            got = _JSON_KINDS.get(type(value), type(value).__name__)
            raise _ShapeError(f"expected {_JSON_KINDS[kind]}, got {got}")
        return value if inner is None else inner(value, tp)

    return hook


def _format(exc: BaseException, tp: type | None) -> str:
    from cattrs.v import format_exception

    return str(exc) if isinstance(exc, _ShapeError) else format_exception(exc, tp)


def _origin_is(origin: type) -> Callable[[Any], bool]:
    return lambda tp: typing.get_origin(tp) is origin


@functools.cache
def _converter() -> cattrs.Converter:
    import cattrs
    from cattrs.cols import homogenous_tuple_structure_factory, mapping_structure_factory
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _expect(str))
    converter.register_structure_hook(int, _expect(int))

    def arrays(tp: Any, conv: cattrs.BaseConverter) -> Hook:
        return _expect(list, homogenous_tuple_structure_factory(tp, conv))

    def objects(tp: Any, conv: cattrs.BaseConverter) -> Hook:
        return _expect(dict, mapping_structure_factory(tp, conv))

    converter.register_structure_hook_factory(_origin_is(tuple), arrays)
    converter.register_structure_hook_factory(_origin_is(dict), objects)
    for cls in (EntryPointSpec, PrivatePackage, BundleManifest):
        renames: dict[str, Any] = {
            f.name: override(rename=_camel(f.name)) for f in attrs.fields(cls)
        }
        structure = make_dict_structure_fn(cls, converter, **renames)
        converter.register_structure_hook(cls, _expect(dict, structure))
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, **renames)
        )
    return converter


def dump_bundle_manifest(manifest: BundleManifest) -> str:
    """The manifest as stable JSON text: sorted keys, two-space indent, final newline."""
    data = _converter().unstructure(manifest)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def load_bundle_manifest(path: Path) -> BundleManifest:
    """Read and check ``greenroom-bundle.json``; raise :class:`PluginPackageError` listing all."""
    import cattrs

    file = path.name
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        raise PluginPackageError(
            path, f"not valid JSON ({exc}) @ {file}:$", hint=REBUNDLE_HINT
        ) from exc
    if not isinstance(data, dict):
        raise PluginPackageError(path, f"must be a JSON object @ {file}:$", hint=REBUNDLE_HINT)
    try:
        manifest = _converter().structure(data, BundleManifest)
    except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
        lines = cattrs.transform_error(exc, path="$", format_exception=_format)
        problems = [_at(line, file) for line in lines]
        raise PluginPackageError(path, problems, hint=REBUNDLE_HINT) from exc
    problems = [f"{what} @ {file}:{where}" for what, where in _field_problems(manifest)]
    if problems:
        raise PluginPackageError(path, problems, hint=REBUNDLE_HINT)
    return manifest


def _at(line: str, file: str) -> str:
    """``<description> @ <file>:$.camelCaseKey``; cattrs names nested attributes in snake case."""
    what, sep, where = line.rpartition(" @ ")
    if not sep:
        return f"{line} @ {file}:$"
    where = re.sub(r"\.([a-z_]+)", lambda match: "." + _camel(match[1]), where)
    return f"{what} @ {file}:{where}"


def _field_problems(manifest: BundleManifest) -> list[tuple[str, str]]:
    from packaging.requirements import InvalidRequirement, Requirement

    problems: list[tuple[str, str]] = []
    if manifest.schema_version != SCHEMA_VERSION:
        problems.append(
            (
                f"unsupported schema version {manifest.schema_version}, this "
                f"greenroom reads {SCHEMA_VERSION}",
                "$.schemaVersion",
            )
        )
    if manifest.role not in ENTRY_POINT_GROUPS.values():
        problems.append(
            (
                f"unknown role {manifest.role!r}, expected one of "
                + ", ".join(ENTRY_POINT_GROUPS.values()),
                "$.role",
            )
        )
    if manifest.plugin_id is not None and not is_valid_id(manifest.plugin_id):
        problems.append((f"plugin id {manifest.plugin_id!r} is not kebab-case", "$.pluginId"))
    if not manifest.entry_points:
        problems.append(("no entry points", "$.entryPoints"))
    for index, ep in enumerate(manifest.entry_points):
        if ep.group not in ENTRY_POINT_GROUPS:
            problems.append(
                (f"unknown entry point group {ep.group!r}", f"$.entryPoints[{index}].group")
            )
    for index, text in enumerate(manifest.shared_requirements):
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            problems.append(
                (
                    f"invalid requirement {text!r} ({str(exc).splitlines()[0]})",
                    f"$.sharedRequirements[{index}]",
                )
            )
    for name, digest in sorted(manifest.files.items()):
        where = f"$.files[{json.dumps(name)}]"
        problem = member_name_problem(name)
        if problem or name.endswith("/"):
            problems.append((f"file path {name!r} {problem or 'is a folder'}", where))
        if not _SHA256.fullmatch(digest):
            problems.append(("not a lower-case sha256 hex digest", where))
    return problems


def bundle_problems(
    bundle: BundleManifest, manifest: ScannedPluginManifest, folder: Path
) -> list[str]:
    """Where the bundle manifest disagrees with the plugin's dist-info or with its files."""
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    file = BUNDLE_MANIFEST_NAME
    source = f"{manifest.dist_info}/METADATA"
    problems: list[str] = []
    if canonicalize_name(bundle.name) != canonicalize_name(manifest.name):
        problems.append(
            f"name {bundle.name!r} does not match {source} ({manifest.name!r}) @ {file}:$.name"
        )
    try:
        same_version = Version(bundle.version) == Version(manifest.version)
    except InvalidVersion:
        same_version = bundle.version == manifest.version
    if not same_version:
        problems.append(
            f"version {bundle.version!r} does not match {source} "
            f"({manifest.version!r}) @ {file}:$.version"
        )
    if bundle.role != manifest.role:
        problems.append(
            f"role {bundle.role!r} does not match the entry points of "
            f"{manifest.dist_info} ({manifest.role!r}) @ {file}:$.role"
        )
    if set(bundle.entry_points) != set(manifest.entry_points):
        problems.append(
            f"entry points differ from {manifest.dist_info}/entry_points.txt @ {file}:$.entryPoints"
        )
    declared: dict[str, str] = {
        canonicalize_name(p.name): p.version for p in bundle.private_packages
    }
    installed: dict[str, str] = {
        canonicalize_name(p.name): p.version for p in manifest.private_packages
    }
    if declared != installed:
        problems.append(
            "private packages differ from the *.dist-info folders beside the "
            f"plugin ({_versions(installed)}) @ {file}:$.privatePackages"
        )
    problems.extend(_file_problems(bundle, folder))
    return problems


def _versions(packages: Mapping[str, str]) -> str:
    return ", ".join(f"{name} {version}" for name, version in sorted(packages.items())) or "none"


def _file_problems(bundle: BundleManifest, folder: Path) -> list[str]:
    """Missing, extra and changed files, each named."""
    file = BUNDLE_MANIFEST_NAME
    present: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(name for name in dirnames if name != "__pycache__")
        for name in filenames:
            full = Path(dirpath, name)
            present[full.relative_to(folder).as_posix()] = full
    present.pop(BUNDLE_MANIFEST_NAME, None)
    problems: list[str] = []
    for name in sorted(bundle.files.keys() - present.keys()):
        problems.append(f"file {name!r} is listed but missing @ {file}:$.files")
    for name in sorted(present.keys() - bundle.files.keys()):
        problems.append(f"file {name!r} is in the bundle but not listed @ {file}:$.files")
    for name in sorted(bundle.files.keys() & present.keys()):
        with open(present[name], "rb") as stream:
            actual = hashlib.file_digest(stream, "sha256").hexdigest()
        if actual != bundle.files[name]:
            problems.append(
                f"file {name!r} was changed (sha256 {actual}, listed "
                f"{bundle.files[name]}) @ {file}:$.files[{json.dumps(name)}]"
            )
    return problems
