"""The same inputs give the same bundle, byte for byte (issue 5: reproducible output)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from bundle_support import TODO_DIR, make_bundle

from greenroom._dynamic.models import BUNDLE_MANIFEST_NAME
from greenroom._packaging.bundle import BundleResult


def test_archives_are_byte_identical(todo_archive: BundleResult, tmp_path: Path) -> None:
    """Bundling again, elsewhere, writes the same zip bytes, so the same sha256."""
    again = make_bundle(TODO_DIR, tmp_path, archive=True)
    assert again.path.read_bytes() == todo_archive.path.read_bytes()
    assert again.sha256 == todo_archive.sha256


def test_folders_have_the_same_files(todo_bundle: BundleResult, tmp_path: Path) -> None:
    """A folder bundle made twice has the same manifest (which hashes every file)."""
    again = make_bundle(TODO_DIR, tmp_path)
    manifest = (again.path / BUNDLE_MANIFEST_NAME).read_bytes()
    assert manifest == (todo_bundle.path / BUNDLE_MANIFEST_NAME).read_bytes()
    assert again.sha256 == todo_bundle.sha256


def test_members_are_sorted_with_fixed_times(todo_archive: BundleResult) -> None:
    """Members are sorted, dated 1980-01-01 by default, without installer leftovers."""
    with zipfile.ZipFile(todo_archive.path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    leftovers = ("direct_url.json", "uv_cache.json", "REQUESTED", "/bin/", "__pycache__", ".lock")
    assert not [name for name in names if any(part in name for part in leftovers)]


def test_source_date_epoch_sets_the_time(
    offline: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH dates every member, and the result is still the same twice."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    first = make_bundle(TODO_DIR, tmp_path / "a", archive=True)
    second = make_bundle(TODO_DIR, tmp_path / "b", archive=True)
    assert first.path.read_bytes() == second.path.read_bytes()
    with zipfile.ZipFile(first.path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
