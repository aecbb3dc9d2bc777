"""The scan cache: unchanged entries are not reread, changed ones are, the host is rechecked."""

from __future__ import annotations

import hashlib
import marshal
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dynamic_scan_builders import Dist, write_folder, write_wheel
from hypothesis import given
from hypothesis import strategies as st

import greenroom._dynamic.scanner as scanner
import greenroom._version
from greenroom._dynamic.models import ScannedPluginManifest, ScannedPluginPackage
from greenroom._dynamic.scan_cache import _MAGIC as MAGIC
from greenroom._dynamic.scan_cache import decode_manifest, encode_manifest, read_entries
from greenroom._dynamic.scanner import scan_root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty root directory."""
    path = tmp_path / "root"
    path.mkdir()
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache root."""
    return tmp_path / "cache"


def refuse_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, any fresh read of a package fails the test."""

    def refuse(path: Path, *args: object) -> object:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(scanner, "read_package", refuse)


def rewrite_keeping_stat(path: Path, data: bytes) -> None:
    """Overwrite a file in place with same-size bytes, keeping size, mtime and inode."""
    st = path.stat()
    assert len(data) == st.st_size
    with open(path, "r+b") as file:
        file.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def only(records: list[ScannedPluginPackage]) -> ScannedPluginPackage:
    """The single record of a scan."""
    (record,) = records
    return record


def test_an_unchanged_root_comes_from_the_cache(root: Path, cache: Path) -> None:
    """Changing a wheel's bytes but not its size, mtime or inode is not noticed: no reread."""
    wheel = write_wheel(root, Dist())
    first = only(scan_root(root, cache_root=cache))
    assert first.ok
    rewrite_keeping_stat(wheel, bytes(wheel.stat().st_size))
    assert only(scan_root(root, cache_root=cache)) == first


def test_a_touched_entry_is_read_again(root: Path, cache: Path) -> None:
    """A new mtime on the same bytes makes the scan read the entry again."""
    wheel = write_wheel(root, Dist())
    assert only(scan_root(root, cache_root=cache)).ok
    rewrite_keeping_stat(wheel, bytes(wheel.stat().st_size))
    st = wheel.stat()
    os.utime(wheel, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert "not a readable zip archive" in (only(scan_root(root, cache_root=cache)).failure or "")


def test_a_replaced_file_is_read_again(root: Path, cache: Path, tmp_path: Path) -> None:
    """A file replaced by another (new inode) with the same size and mtime is noticed."""
    wheel = write_wheel(root, Dist())
    assert only(scan_root(root, cache_root=cache)).ok
    st = wheel.stat()
    other = tmp_path / "other"
    other.write_bytes(bytes(st.st_size))
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, wheel)
    assert not only(scan_root(root, cache_root=cache)).ok


def test_failures_are_cached_too(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken entry is not reread on every start."""
    (root / "junk.whl").write_bytes(b"junk")
    (root / "empty").mkdir()
    first = scan_root(root, cache_root=cache)
    refuse_reading(monkeypatch)
    assert scan_root(root, cache_root=cache) == first


def test_folders_come_from_the_cache_until_their_dist_info_changes(
    root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder is keyed by its own and its dist-info's stat; editing METADATA is noticed."""
    folder = write_folder(root / "todo", Dist())
    first = only(scan_root(root, cache_root=cache))
    assert first.ok
    with monkeypatch.context() as patch:
        refuse_reading(patch)
        assert only(scan_root(root, cache_root=cache)) == first
    metadata = folder / "acme_plugin_todo-1.0.0.dist-info" / "METADATA"
    metadata.write_text(metadata.read_text().replace("1.0.0", "1.0.1"))
    assert only(scan_root(root, cache_root=cache)).manifest.version == "1.0.1"  # type: ignore[union-attr]


def test_a_new_private_package_in_a_folder_is_noticed(root: Path, cache: Path) -> None:
    """Adding a dist-info to a plugin folder changes the folder's key."""
    folder = write_folder(root / "todo", Dist())
    assert only(scan_root(root, cache_root=cache)).manifest.private_packages == ()  # type: ignore[union-attr]
    write_folder(folder, Dist(name="libx", entry_points={}))
    record = only(scan_root(root, cache_root=cache))
    assert [p.name for p in record.manifest.private_packages] == ["libx"]  # type: ignore[union-attr]


def test_host_checks_are_redone_when_the_host_changes(
    root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new greenroom version re-runs the host checks from the cache, without rereading."""
    write_wheel(root, Dist(requires=["greenroom>=99"]))
    assert "this is greenroom" in (only(scan_root(root, cache_root=cache)).failure or "")
    refuse_reading(monkeypatch)
    monkeypatch.setattr(greenroom._version, "__version__", "99.0")
    record = only(scan_root(root, cache_root=cache))
    assert record.ok, record.failure
    monkeypatch.undo()
    assert not only(scan_root(root, cache_root=cache)).ok


def test_a_removed_extraction_is_rebuilt(root: Path, cache: Path) -> None:
    """When the extracted folder is gone from the cache, the archive is extracted again."""
    import shutil

    write_wheel(root, Dist())
    first = only(scan_root(root, cache_root=cache))
    assert first.content_dir is not None
    shutil.rmtree(first.content_dir)
    second = only(scan_root(root, cache_root=cache))
    assert second == first
    assert (first.content_dir / "acme_todo" / "__init__.py").is_file()


def _flip_last_byte(raw: bytes) -> bytes:
    return raw[:-1] + bytes([raw[-1] ^ 0xFF])


def _other_interpreter(raw: bytes) -> bytes:
    """A well-formed file with another header, as another Python or format would write."""
    data = marshal.loads(raw[len(MAGIC) + 32 :])
    header = (data[0][0] + 1, *data[0][1:])
    body = marshal.dumps((header, *data[1:]))
    return MAGIC + hashlib.sha256(body).digest() + body


def _bad_record(raw: bytes) -> bytes:
    """A well-formed, correctly digested file whose records have the wrong shape."""
    data = marshal.loads(raw[len(MAGIC) + 32 :])
    entries = dict.fromkeys(data[2], ("rocket",))
    body = marshal.dumps((data[0], data[1], entries))
    return MAGIC + hashlib.sha256(body).digest() + body


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"garbage{",
        lambda raw: b"",
        lambda raw: raw[: len(raw) // 2],
        _flip_last_byte,
        _other_interpreter,
        _bad_record,
    ],
    ids=["garbage", "empty", "truncated", "flipped-byte", "other-header", "bad-record"],
)
def test_a_damaged_cache_is_a_miss_not_an_error(root: Path, cache: Path, damage: object) -> None:
    """Whatever is in the cache file, a scan gives the right answer and rewrites it."""
    write_wheel(root, Dist())
    first = only(scan_root(root, cache_root=cache))
    (file,) = (cache / "scan").iterdir()
    intact = file.read_bytes()
    file.write_bytes(damage(intact))  # type: ignore[operator]
    assert only(scan_root(root, cache_root=cache)) == first
    assert read_entries(file) is not None


def test_removed_entries_leave_the_cache(root: Path, cache: Path) -> None:
    """The cache holds only what the root holds now."""
    wheel = write_wheel(root, Dist())
    (root / "junk.whl").write_bytes(b"junk")
    scan_root(root, cache_root=cache)
    wheel.unlink()
    scan_root(root, cache_root=cache)
    (file,) = (cache / "scan").iterdir()
    assert list(read_entries(file) or {}) == ["junk.whl"]


def test_an_unwritable_cache_root_means_no_cache(root: Path, tmp_path: Path) -> None:
    """A cache root that cannot be created is not an error: scans work without it."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    write_wheel(root, Dist())
    assert only(scan_root(root, cache_root=blocker / "cache")).ok
    assert only(scan_root(root, cache_root=blocker / "cache")).ok


def test_the_warm_path_imports_no_parsers(root: Path, cache: Path) -> None:
    """A scan served from the cache imports neither cattrs, packaging nor zipfile readers."""
    write_wheel(root, Dist(requires=["attrs>=20"]))
    scan_root(root, cache_root=cache)
    code = (
        "import sys; from pathlib import Path;"
        "from greenroom._dynamic.scanner import scan_root;"
        "before = set(sys.modules);"
        "(r,) = scan_root(Path(sys.argv[1]), cache_root=Path(sys.argv[2]));"
        "assert r.ok, r.failure;"
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root), str(cache)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    imported = out.stdout.split()
    assert not [m for m in imported if m.split(".")[0] in ("cattrs", "packaging", "email")], (
        imported
    )
    assert "greenroom._dynamic.manifest" not in imported
    assert "greenroom._dynamic.archive" not in imported


def test_a_warm_scan_of_many_wheels_opens_no_archive(
    root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rescan of 250 unchanged wheels is served from the cache without opening one.

    Speed itself is measured in benchmarks/, never asserted here.
    """
    for i in range(250):
        write_wheel(
            root,
            Dist(
                name=f"acme-plugin-p{i}",
                entry_points={"greenroom.backend_plugin": {f"p{i}": f"acme_p{i}:P"}},
                code={f"acme_p{i}/__init__.py": "class P: ...\n"},
                requires=["attrs>=20"],
            ),
        )
    assert all(p.ok for p in scan_root(root, cache_root=cache))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm scan opened an archive")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    records = scan_root(root, cache_root=cache)
    assert len(records) == 250
    assert all(p.ok for p in records)


def test_an_edited_cache_file_is_ignored_as_a_whole(
    root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes not exactly as the scanner wrote them are never decoded: every entry is reread."""
    write_wheel(root, Dist())
    write_wheel(root, Dist(name="acme-plugin-other", code={"acme_other/__init__.py": ""}))
    first = scan_root(root, cache_root=cache)
    (file,) = (cache / "scan").iterdir()
    raw = file.read_bytes()
    assert raw.startswith(MAGIC)
    entries = read_entries(file)
    assert entries is not None
    assert len(entries) == 2
    file.write_bytes(_flip_last_byte(raw))
    reread: list[Path] = []
    real = scanner.read_package

    def spy(path: Path, *args: object) -> object:
        reread.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(scanner, "read_package", spy)
    assert scan_root(root, cache_root=cache) == first
    assert sorted(p.name for p in reread) == sorted(p.path.name for p in first)
    assert read_entries(file) == entries  # rewritten as it was


@given(manifest=st.from_type(ScannedPluginManifest))
def test_a_manifest_survives_the_cache_encoding(manifest: ScannedPluginManifest) -> None:
    """Every field of every model goes through the positional encoding and back unchanged."""
    encoded = marshal.loads(marshal.dumps(encode_manifest(manifest)))
    assert decode_manifest(encoded) == manifest


def test_config_schema_entry_points_are_kept_with_the_manifest(root: Path, cache: Path) -> None:
    """A wheel's greenroom.config_schema entry points are read once, at scan time (issue 8)."""
    entry_points = {
        "greenroom.backend_plugin": {"todo": "acme_todo:TodoPlugin"},
        "greenroom.config_schema": {"acme-todo": "acme_todo:schema.json"},
    }
    write_wheel(root, Dist(entry_points=entry_points))
    first = only(scan_root(root, cache_root=cache))
    assert first.manifest is not None
    assert [(ep.group, ep.name, ep.value) for ep in first.manifest.config_schemas] == [
        ("greenroom.config_schema", "acme-todo", "acme_todo:schema.json")
    ]
    assert only(scan_root(root, cache_root=cache)) == first
