"""Scanning dynamicPlugins.rootDirectory: one record per entry, skips, kinds, never aborting."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest
from dynamic_scan_builders import (
    Dist,
    stored,
    write_bundle,
    write_folder,
    write_raw_zip,
    write_wheel,
    write_zip,
    zip_folder,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from greenroom._dynamic.archive import archive_digest
from greenroom._dynamic.scanner import SKIPPED_SUFFIXES, scan_root
from greenroom._errors import PluginPackageError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty root directory."""
    path = tmp_path / "root"
    path.mkdir()
    return path


def scan(root: Path, cache: Path | None = None) -> dict[str, object]:
    """Scan ``root`` and index the records by entry name."""
    return {p.path.name: p for p in scan_root(root, cache_root=cache)}


def test_a_missing_root_is_one_clear_error(tmp_path: Path) -> None:
    """A root that does not exist names the path and the two fixes."""
    with pytest.raises(PluginPackageError) as info:
        scan_root(tmp_path / "nowhere", cache_root=None)
    assert info.value.path == tmp_path / "nowhere"
    assert "does not exist" in str(info.value)
    assert "create it, or remove dynamicPlugins.rootDirectory" in str(info.value)


def test_a_root_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    """A root that is a file says it is not a directory."""
    (tmp_path / "file").write_text("")
    with pytest.raises(PluginPackageError, match="not a directory"):
        scan_root(tmp_path / "file", cache_root=None)


@pytest.mark.parametrize(
    "name", ["lost+found", ".hidden", ".git", *(f"notes{suffix}" for suffix in SKIPPED_SUFFIXES)]
)
def test_skipped_entries_are_logged_at_debug_only(
    root: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """lost+found, dot-names and installer leftovers get no record, only a debug log line."""
    if name in ("lost+found", ".git"):
        (root / name).mkdir()
    else:
        (root / name).write_text("{}")
    with caplog.at_level(logging.DEBUG, logger="greenroom.dynamic"):
        assert scan_root(root, cache_root=None) == []
    (record,) = [r for r in caplog.records if "skipping" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert record.name == "greenroom.dynamic"


def test_suffix_skips_apply_to_files_only(root: Path) -> None:
    """A folder named like a skipped file still gets a record."""
    (root / "plugin.json").mkdir()
    (record,) = scan_root(root, cache_root=None)
    assert "no *.dist-info declaring greenroom entry points" in (record.failure or "")


@pytest.mark.parametrize("name", ["plugin.tar.gz", "README", "plugin.egg"])
def test_unknown_files_get_a_failure(root: Path, name: str) -> None:
    """Any other file is recorded as 'not a plugin package'."""
    (root / name).write_text("x")
    (record,) = scan_root(root, cache_root=None)
    assert record.kind is None
    assert record.failure == "not a plugin package: expected a wheel, a zip or a folder"


def test_a_folder_without_dist_info_gets_a_failure(root: Path) -> None:
    """A folder with no greenroom dist-info is recorded with the exact reason."""
    (root / "stuff").mkdir()
    (record,) = scan_root(root, cache_root=None)
    assert (record.failure or "").startswith(
        "not a plugin package: the folder has no *.dist-info declaring greenroom entry points"
    )
    assert not record.ok


def test_a_wheel_is_extracted_into_the_cache(root: Path, tmp_path: Path) -> None:
    """A wheel is validated, extracted by content hash and recorded as kind wheel."""
    wheel = write_wheel(root, Dist())
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert record.ok
    assert record.kind == "wheel"
    assert record.digest == archive_digest(wheel)
    assert record.content_dir == tmp_path / "cache" / "extracted" / record.digest
    assert (record.content_dir / "acme_todo" / "__init__.py").is_file()
    assert (record.content_dir / "acme_plugin_todo-1.0.0.dist-info" / "METADATA").is_file()


def test_wheel_data_purelib_lands_at_the_top(root: Path, tmp_path: Path) -> None:
    """Code under <name>.data/purelib is installed at the top of the content folder."""
    dist = Dist(code={"acme_plugin_todo-1.0.0.data/purelib/acme_todo/__init__.py": "x = 1\n"})
    write_wheel(root, dist)
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert record.ok, record.failure
    assert record.content_dir is not None
    assert (record.content_dir / "acme_todo" / "__init__.py").read_text() == "x = 1\n"
    assert record.manifest is not None
    assert record.manifest.top_level == ("acme_todo",)


def test_an_invalid_wheel_is_not_extracted(root: Path, tmp_path: Path) -> None:
    """A wheel failing validation is recorded and nothing is inflated for it."""
    write_wheel(root, Dist(entry_points={}))
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert record.kind == "wheel"
    assert record.content_dir is None
    assert "declares no entry point in a greenroom group" in (record.failure or "")
    assert not (tmp_path / "cache" / "extracted").exists() or not any(
        (tmp_path / "cache" / "extracted").iterdir()
    )


def test_a_plain_folder_is_read_in_place(root: Path) -> None:
    """A pip --target folder is kind folder, its content dir the folder itself."""
    libx = Dist(name="libx", version="1.0", entry_points={}, code={"libx/__init__.py": ""})
    folder = write_folder(root / "todo", Dist(requires=["libx>=1"]), libx)
    (record,) = scan_root(root, cache_root=None)
    assert record.ok, record.failure
    assert record.kind == "folder"
    assert record.content_dir == folder
    assert record.manifest is not None
    assert [p.name for p in record.manifest.private_packages] == ["libx"]


def test_a_bundle_folder_is_kind_bundle(root: Path) -> None:
    """A folder with greenroom-bundle.json is a bundle, checked against its checksums."""
    write_bundle(root / "todo", Dist())
    (record,) = scan_root(root, cache_root=None)
    assert record.ok, record.failure
    assert record.kind == "bundle"
    assert record.manifest is not None
    assert record.manifest.bundle is not None


@pytest.mark.parametrize("top", [None, "acme-todo"])
def test_a_zipped_bundle_is_extracted(root: Path, tmp_path: Path, top: str | None) -> None:
    """A zip holding a bundle at its root or in one top folder is extracted and validated."""
    folder = write_bundle(tmp_path / "src", Dist())
    zip_folder(folder, root / "todo.zip", top=top)
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert record.ok, record.failure
    assert record.kind == "bundle"
    assert record.content_dir is not None
    assert (record.content_dir / "greenroom-bundle.json").is_file()
    assert record.content_dir.name == (top or record.digest)


def test_a_zip_without_a_bundle_is_refused(root: Path, tmp_path: Path) -> None:
    """A zip that is not a bundle is recorded without extracting it."""
    write_zip(root / "code.zip", {"a/x.py": "", "b/y.py": ""})
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert "a .zip must hold a bundle" in (record.failure or "")
    assert not (tmp_path / "cache" / "extracted").exists()


def test_a_zipped_bundle_with_a_changed_file_is_refused(root: Path, tmp_path: Path) -> None:
    """A checksum mismatch inside a zipped bundle is reported on the zip."""
    folder = write_bundle(tmp_path / "src", Dist())
    (folder / "acme_todo" / "__init__.py").write_text("tampered = True\n")
    zip_folder(folder, root / "todo.zip")
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert "file 'acme_todo/__init__.py' was changed" in (record.failure or "")
    assert "greenroom package bundle" in (record.failure or "")


def test_a_zip_bomb_in_the_root_is_recorded_not_inflated(root: Path, tmp_path: Path) -> None:
    """A bomb dropped into the root is a failure record; the scan goes on."""
    from dynamic_scan_builders import zeros_member

    write_raw_zip(root / "bomb.whl", [zeros_member("bomb.bin", 200)])
    write_wheel(root, Dist())
    records = scan(root, tmp_path / "cache")
    assert "over the limit of 128.0 MiB for one member" in str(records["bomb.whl"].failure)  # type: ignore[attr-defined]
    assert sum(p.stat().st_size for p in (tmp_path / "cache").rglob("*") if p.is_file()) < 1 << 20


def test_path_traversal_in_a_wheel_is_a_failure_record(root: Path, tmp_path: Path) -> None:
    """A wheel with a '..' member is recorded with the member named; nothing escapes."""
    write_raw_zip(root / "evil-1.0-py3-none-any.whl", [stored("../../escaped.py", b"x")])
    (record,) = scan_root(root, cache_root=tmp_path / "cache")
    assert "'../../escaped.py'" in (record.failure or "")
    assert not (tmp_path / "escaped.py").exists()


def test_one_bad_entry_never_aborts_the_scan(root: Path, tmp_path: Path) -> None:
    """Broken entries sit beside good ones; records come sorted by name."""
    write_wheel(root, Dist(name="b-good"), filename="b_good-1.0.0-py3-none-any.whl")
    (root / "a-junk.whl").write_bytes(b"garbage")
    (root / "c-empty").mkdir()
    os.symlink(root / "missing", root / "d-dangling")
    records = scan_root(root, cache_root=tmp_path / "cache")
    assert [r.path.name for r in records] == [
        "a-junk.whl",
        "b_good-1.0.0-py3-none-any.whl",
        "c-empty",
        "d-dangling",
    ]
    assert [r.ok for r in records] == [False, True, False, False]
    assert "not a readable zip archive" in (records[0].failure or "")
    assert records[3].failure == "not a plugin package: a broken symbolic link"


def test_without_a_cache_archives_go_to_a_private_folder(root: Path) -> None:
    """cache_root=None still extracts, into a temporary folder of this process."""
    write_wheel(root, Dist())
    (record,) = scan_root(root, cache_root=None)
    assert record.ok
    assert record.content_dir is not None
    assert (record.content_dir / "acme_todo" / "__init__.py").is_file()


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".whl", ".zip"]))
def test_arbitrary_bytes_give_a_failure_record(data: bytes, suffix: str) -> None:
    """Any bytes dropped in as a wheel or zip give a clean failure record, never an exception."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        (root / f"x-1.0-py3-none-any{suffix}").write_bytes(data)
        (record,) = scan_root(root, cache_root=Path(tmp) / "cache")
    assert record.failure
    assert "internal error" not in record.failure


_MEMBER_NAMES = st.one_of(
    st.sampled_from(
        [
            "greenroom-bundle.json",
            "top/greenroom-bundle.json",
            "x-1.0.dist-info/METADATA",
            "x-1.0.dist-info/entry_points.txt",
            "x-1.0.dist-info/WHEEL",
            "x/__init__.py",
            "../up.py",
            "/abs.py",
        ]
    ),
    st.text(alphabet="abx-./_", min_size=1, max_size=10),
)


@settings(max_examples=80, deadline=None)
@given(
    members=st.lists(st.tuples(_MEMBER_NAMES, st.binary(max_size=80)), max_size=6),
    suffix=st.sampled_from([".whl", ".zip"]),
)
def test_arbitrary_zip_contents_give_a_record(
    members: list[tuple[str, bytes]], suffix: str
) -> None:
    """Random members (metadata names included) give a record, failures explained."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        write_raw_zip(root / f"x-1.0-py3-none-any{suffix}", [stored(n, d) for n, d in members])
        (record,) = scan_root(root, cache_root=Path(tmp) / "cache")
    assert record.ok or record.failure
    assert "internal error" not in (record.failure or "")
