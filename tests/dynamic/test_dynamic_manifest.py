"""Reading and validating plugin metadata without importing anything: one test per rule."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path, PurePosixPath

import pytest
from dynamic_scan_builders import BACKEND, FRONTEND, Dist, write_folder, write_wheel
from hypothesis import given
from hypothesis import strategies as st

from greenroom._dynamic.archive import SafeArchive
from greenroom._dynamic.manifest import (
    _top_level,
    read_folder_manifest,
    read_wheel_manifest,
    top_level_names,
    wheel_install_path,
)
from greenroom._dynamic.models import EntryPointSpec, PrivatePackage, ScannedPluginManifest
from greenroom._errors import PluginPackageError


def read_wheel(directory: Path, dist: Dist, filename: str | None = None) -> ScannedPluginManifest:
    """Build a wheel of ``dist`` and read its manifest."""
    with SafeArchive.open(write_wheel(directory, dist, filename=filename)) as archive:
        return read_wheel_manifest(archive)


def wheel_problems(directory: Path, dist: Dist, filename: str | None = None) -> list[str]:
    """The problems reading a wheel of ``dist`` reports."""
    with pytest.raises(PluginPackageError) as info:
        read_wheel(directory, dist, filename)
    return list(info.value.problems)


def test_a_wheel_manifest_is_read_without_importing(tmp_path: Path) -> None:
    """Name, version, entry points, requirements and top-level names come from the dist-info."""
    dist = Dist(
        requires=["attrs>=20", "libx; extra == 'x'"],
        requires_python=">=3.11",
        code={"acme_todo/__init__.py": "raise SystemExit('imported!')\n", "acme_extra.py": ""},
    )
    manifest = read_wheel(tmp_path, dist)
    assert manifest.name == "acme-plugin-todo"
    assert manifest.version == "1.0.0"
    assert manifest.entry_points == (EntryPointSpec(BACKEND, "todo", "acme_todo:TodoPlugin"),)
    assert manifest.requires == ("attrs>=20", "libx; extra == 'x'")
    assert manifest.requires_python == ">=3.11"
    assert manifest.top_level == ("acme_extra", "acme_todo")
    assert manifest.dist_info == "acme_plugin_todo-1.0.0.dist-info"
    assert manifest.role == "backend-plugin"


def test_a_folder_manifest_lists_private_packages(tmp_path: Path) -> None:
    """The one greenroom dist-info is the plugin; the others are its private packages."""
    libx = Dist(name="libx", version="1.5", entry_points={}, code={"libx/__init__.py": ""})
    folder = write_folder(tmp_path / "todo", Dist(requires=["libx>=1"]), libx)
    manifest = read_folder_manifest(folder)
    assert manifest.name == "acme-plugin-todo"
    assert manifest.private_packages == (PrivatePackage("libx", "1.5", ("libx",)),)


def test_top_level_names_come_from_code_files_only() -> None:
    """Scripts, data, dist-info and .pth files are not import names; wheel .data code is."""
    paths = [
        "pkg/__init__.py",
        "mod.py",
        "ext.cpython-311-x86_64-linux-gnu.so",
        "bin/script",
        "x.pth",
        "pkg-1.0.dist-info/METADATA",
        "pkg-1.0.data/purelib/extra/__init__.py",
        "../../bin/tool",
        "__pycache__/mod.cpython-311.pyc",
    ]
    assert top_level_names(paths) == ("ext", "extra", "mod", "pkg")


def test_missing_metadata_is_reported(tmp_path: Path) -> None:
    """A dist-info without METADATA is named, with the fix."""
    (problem,) = wheel_problems(tmp_path, Dist(metadata=""))
    assert "acme_plugin_todo-1.0.0.dist-info/METADATA is missing" in problem
    assert "fix: rebuild" in problem


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("Metadata-Version: 2.1\nVersion: 1.0.0\n", "Name is missing"),
        ("Metadata-Version: 2.1\nName: -bad-\nVersion: 1.0.0\n", "not a valid distribution name"),
        ("Metadata-Version: 2.1\nName: acme-plugin-todo\n", "Version is missing"),
        ("Metadata-Version: 2.1\nName: acme-plugin-todo\nVersion: one\n", "not a PEP 440"),
    ],
)
def test_malformed_name_or_version_is_reported(
    tmp_path: Path, metadata: str, expected: str
) -> None:
    """Name and Version must be present and valid."""
    problems = wheel_problems(tmp_path, Dist(metadata=metadata))
    assert any(expected in p and "METADATA" in p for p in problems), problems


def test_non_utf8_metadata_is_reported(tmp_path: Path) -> None:
    """METADATA that is not UTF-8 is a problem, not a crash."""
    (problem,) = wheel_problems(tmp_path, Dist(metadata=b"Name: \xff\xfe\n"))
    assert "METADATA is not UTF-8" in problem


def test_an_invalid_requirement_is_reported(tmp_path: Path) -> None:
    """A Requires-Dist that packaging cannot parse is named."""
    (problem,) = wheel_problems(tmp_path, Dist(requires=["libx >> 1"]))
    assert "Requires-Dist 'libx >> 1' is not a valid requirement" in problem
    assert "\n" not in problem


def test_an_invalid_requires_python_is_reported(tmp_path: Path) -> None:
    """A Requires-Python that is not a specifier is named."""
    (problem,) = wheel_problems(tmp_path, Dist(requires_python="three"))
    assert "Requires-Python 'three' is not a valid version specifier" in problem


def test_no_greenroom_entry_point_is_reported(tmp_path: Path) -> None:
    """A distribution without greenroom entry points is not a plugin; near-miss groups are named."""
    dist = Dist(entry_points={"greenroom.backend_plugins": {"todo": "acme_todo:P"}})
    (problem,) = wheel_problems(tmp_path, dist)
    assert "declares no entry point in a greenroom group" in problem
    assert "only in greenroom.backend_plugins" in problem
    assert "[project.entry-points" in problem


def test_malformed_entry_points_file_is_reported(tmp_path: Path) -> None:
    """An entry_points.txt that cannot be parsed is a problem naming the file."""
    (problem,) = wheel_problems(tmp_path, Dist(entry_points_txt=f"[{BACKEND}]\njust words\n"))
    assert "entry_points.txt is malformed" in problem


@pytest.mark.parametrize(
    ("group", "value"),
    [
        (BACKEND, "acme todo:Plugin"),
        (BACKEND, "acme_todo:"),
        (BACKEND, ":Plugin"),
        (BACKEND, "1acme:Plugin"),
        (BACKEND, "acme_todo:Plugin [extra]"),
        (FRONTEND, "acme_todo:assets"),
        (FRONTEND, "acme-todo"),
    ],
)
def test_malformed_entry_point_values_are_reported(tmp_path: Path, group: str, value: str) -> None:
    """Backend values are 'module:attr' or 'module'; frontend values are a package name."""
    problems = wheel_problems(tmp_path, Dist(entry_points={group: {"todo": value}}))
    assert any(f"entry point 'todo' in [{group}] has value {value!r}" in p for p in problems)


@pytest.mark.parametrize("value", ["acme_todo", "acme_todo.plugin:Plugin", "a.b:c.d"])
def test_wellformed_backend_values_are_accepted(tmp_path: Path, value: str) -> None:
    """Dotted modules with or without a dotted attribute are valid backend values."""
    manifest = read_wheel(tmp_path, Dist(entry_points={BACKEND: {"todo": value}}))
    assert manifest.entry_points[0].value == value


def test_a_frontend_package_needs_its_dist_folder(tmp_path: Path) -> None:
    """A frontend entry point must name a package holding dist/; one that does is accepted."""
    dist = Dist(entry_points={FRONTEND: {"todo": "acme_todo"}})
    (problem,) = wheel_problems(tmp_path / "a", dist)
    assert "acme_todo/dist/ is not in the package" in problem
    dist.code["acme_todo/dist/index.js"] = "export {}\n"
    assert read_wheel(tmp_path / "b", dist).role == "frontend-plugin"


def test_an_invalid_wheel_file_name_is_reported(tmp_path: Path) -> None:
    """A wheel whose file name breaks the wheel spec is refused with the fix."""
    problems = wheel_problems(tmp_path, Dist(), filename="todo.whl")
    assert any("not a valid wheel name" in p for p in problems)


def test_a_renamed_wheel_is_reported(tmp_path: Path) -> None:
    """The file name and METADATA must agree on name and version."""
    (problem,) = wheel_problems(tmp_path, Dist(), filename="other-2.0-py3-none-any.whl")
    assert "METADATA says acme-plugin-todo 1.0.0 but the file name says other 2.0" in problem


def test_a_wheel_needs_exactly_one_dist_info(tmp_path: Path) -> None:
    """Zero or two top-level dist-info folders make a broken wheel."""
    dist = Dist(code={"acme_todo/__init__.py": "", "other-1.0.dist-info/METADATA": "Name: o\n"})
    problems = wheel_problems(tmp_path, dist)
    assert any("exactly one top-level *.dist-info" in p for p in problems)


def test_a_wheel_needs_its_wheel_file(tmp_path: Path) -> None:
    """A zip with a dist-info but no WHEEL file is not a wheel."""
    dist = Dist()
    path = tmp_path / dist.wheel_name
    from dynamic_scan_builders import write_zip

    files = {k: v for k, v in dist.files().items() if not k.endswith("/WHEEL")}
    with (
        SafeArchive.open(write_zip(path, files)) as archive,
        pytest.raises(PluginPackageError, match="WHEEL is missing"),
    ):
        read_wheel_manifest(archive)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    """Several broken rules give one error listing each of them."""
    dist = Dist(
        version="1.0.0",
        requires=["a >> 1"],
        requires_python="x",
        entry_points={BACKEND: {"todo": "a b"}},
    )
    problems = wheel_problems(tmp_path, dist)
    assert len(problems) == 3
    assert all(p.startswith("acme_plugin_todo-1.0.0.dist-info/") for p in problems)


def test_a_folder_without_a_plugin_dist_info_is_not_a_plugin(tmp_path: Path) -> None:
    """A folder with only ordinary distributions gets the 'not a plugin package' failure."""
    folder = write_folder(tmp_path / "x", Dist(name="libx", entry_points={}))
    with pytest.raises(PluginPackageError) as info:
        read_folder_manifest(folder)
    assert info.value.problems == (
        "not a plugin package: the folder has no *.dist-info declaring greenroom entry points",
    )
    assert "pip install --target" in info.value.hint


def test_a_folder_holds_one_plugin(tmp_path: Path) -> None:
    """Two dist-info folders declaring greenroom entry points in one folder are refused."""
    other = Dist(name="acme-plugin-other", entry_points={BACKEND: {"other": "acme_other:P"}})
    folder = write_folder(tmp_path / "x", Dist(), other)
    with pytest.raises(PluginPackageError, match="a folder holds one plugin"):
        read_folder_manifest(folder)


def test_a_broken_private_package_is_reported(tmp_path: Path) -> None:
    """Problems in a private package's METADATA are reported too, naming its dist-info."""
    broken = Dist(
        name="libx", version="1.0", entry_points={}, metadata="Name: libx\nVersion: not-a-version\n"
    )
    folder = write_folder(tmp_path / "x", Dist(), broken)
    with pytest.raises(PluginPackageError) as info:
        read_folder_manifest(folder)
    assert any(p.startswith("libx-1.0.dist-info/METADATA") for p in info.value.problems)


class _Texts(importlib.metadata.Distribution):
    """A distribution made of the texts it is given (``None``: the file is absent)."""

    def __init__(self, **texts: str | None) -> None:
        self._texts = texts

    def read_text(self, filename: str) -> str | None:
        return self._texts.get(filename.replace(".", "_"))

    def locate_file(self, path: str | os.PathLike[str]) -> Path:
        return Path(path)


@pytest.mark.parametrize(
    "record",
    [
        "acme_todo/__init__.py,sha256=abc,12,extra\n",
        "acme_todo/__init__.py,sha256=abc,twelve\n",
    ],
    ids=["four-columns", "size-not-a-number"],
)
def test_a_malformed_record_is_reported(record: str) -> None:
    """RECORD lines must be 'path,hash,size': anything else is a problem naming the file."""
    problems: list[str] = []
    assert _top_level(_Texts(RECORD=record), "acme-1.0.dist-info", problems) == ()
    (problem,) = problems
    assert "acme-1.0.dist-info/RECORD is malformed (line 1" in problem


def test_without_record_top_level_txt_names_the_packages() -> None:
    """A distribution without RECORD falls back to top_level.txt."""
    problems: list[str] = []
    dist = _Texts(RECORD=None, top_level_txt="zeta\nacme\n\n")
    assert _top_level(dist, "acme-1.0.dist-info", problems) == ("acme", "zeta")
    assert problems == []


def _reference_top_level(paths: list[str]) -> tuple[str, ...]:
    """What top_level_names computed with PurePosixPath before it parsed strings itself."""
    names: set[str] = set()
    for path in paths:
        installed = wheel_install_path(path)
        parts = PurePosixPath(installed).parts if installed else ()
        if not parts or ".." in parts or parts[0].endswith((".dist-info", ".data")):
            continue
        if not parts[-1].endswith((".py", ".pyc", ".so", ".pyd")):
            continue
        top = parts[0] if len(parts) > 1 else parts[0].split(".", 1)[0]
        if top.isidentifier() and top != "__pycache__":
            names.add(top)
    return tuple(sorted(names))


_SEGMENTS = st.sampled_from(
    ["pkg", "mod.py", "x.so", ".", "..", "", "a.dist-info", "b.data", "purelib", "__pycache__"]
)


@given(paths=st.lists(st.lists(_SEGMENTS, min_size=1, max_size=4).map("/".join), max_size=6))
def test_top_level_names_agree_with_path_parsing(paths: list[str]) -> None:
    """Splitting strings gives the names path objects gave, for relative RECORD paths."""
    relative = [path for path in paths if not path.startswith("/")]
    assert top_level_names(relative) == _reference_top_level(relative)
