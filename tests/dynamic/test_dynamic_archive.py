"""Safe archive handling: every rule checked from the central directory, extraction atomic."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
from dynamic_scan_builders import (
    RawMember,
    stored,
    write_raw_zip,
    write_zip,
    zeros_member,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from greenroom._dynamic.archive import (
    SafeArchive,
    archive_digest,
    extract_archive,
)
from greenroom._errors import PluginPackageError


def _extract(path: Path, cache_root: Path | None, **limits: int) -> Path:
    with SafeArchive.open(path, **limits) as archive:
        return extract_archive(archive, digest=archive_digest(path), cache_root=cache_root)


def _no_extraction(cache_root: Path) -> bool:
    extracted = cache_root / "extracted"
    return not extracted.exists() or not any(extracted.iterdir())


def test_extracts_into_the_cache_by_content_hash(tmp_path: Path) -> None:
    """An archive lands in <cache>/extracted/<sha256>/ with its files and nothing else."""
    path = write_zip(tmp_path / "a.zip", {"pkg/__init__.py": "x = 1\n", "pkg/data/": ""})
    folder = _extract(path, tmp_path / "cache")
    assert folder == tmp_path / "cache" / "extracted" / archive_digest(path)
    assert (folder / "pkg" / "__init__.py").read_text() == "x = 1\n"
    assert (folder / "pkg" / "data").is_dir()
    assert sorted(os.listdir(folder)) == ["pkg"]
    assert _extract(path, tmp_path / "cache") == folder


def test_two_different_archives_never_share_a_folder(tmp_path: Path) -> None:
    """Archives with different bytes get different folders, even with the same file names."""
    one = write_zip(tmp_path / "one.zip", {"m.py": "v = 1\n"})
    two = write_zip(tmp_path / "two.zip", {"m.py": "v = 2\n"})
    first, second = _extract(one, tmp_path / "c"), _extract(two, tmp_path / "c")
    assert first != second
    assert (first / "m.py").read_text() != (second / "m.py").read_text()


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("/etc/evil.py", "absolute path"),
        ("../evil.py", "'..' segment"),
        ("pkg/../../evil.py", "'..' segment"),
        ("pkg\\..\\evil.py", "backslash"),
        ("C:/evil.py", "drive letter"),
        ("c:evil.py", "drive letter"),
        ("pkg//evil.py", "empty or '.' path segment"),
        ("./evil.py", "empty or '.' path segment"),
    ],
)
def test_unsafe_member_names_are_refused(tmp_path: Path, name: str, rule: str) -> None:
    """Members that could write outside the target are refused before extraction."""
    path = write_raw_zip(tmp_path / "evil.zip", [stored("ok.py", b""), stored(name, b"boom")])
    with pytest.raises(PluginPackageError) as info:
        SafeArchive.open(path)
    assert info.value.path == path
    assert any(repr(name) in p and rule in p for p in info.value.problems), info.value
    assert "rebuild the archive" in str(info.value)


@pytest.mark.parametrize(
    ("mode", "rule"),
    [(stat.S_IFLNK | 0o777, "symbolic link"), (stat.S_IFIFO | 0o644, "special file")],
)
def test_links_and_special_files_are_refused(tmp_path: Path, mode: int, rule: str) -> None:
    """A member whose unix mode bits say symlink or device is refused."""
    member = stored("pkg/link", b"/etc/passwd", external_attr=mode << 16)
    path = write_raw_zip(tmp_path / "link.zip", [member])
    with pytest.raises(PluginPackageError, match=rule):
        SafeArchive.open(path)


def test_encrypted_and_unknown_compression_are_refused(tmp_path: Path) -> None:
    """Encrypted members and compression methods zipfile cannot read are refused together."""
    members = [stored("a.py", b"x", flags=0x1), RawMember("b.py", b"x", 1, 0, method=99)]
    with pytest.raises(PluginPackageError) as info:
        SafeArchive.open(write_raw_zip(tmp_path / "x.zip", members))
    assert len(info.value.problems) == 2
    assert "encrypted" in info.value.problems[0]
    assert "compression method 99" in info.value.problems[1]


def test_duplicates_and_file_folder_clashes_are_refused(tmp_path: Path) -> None:
    """Two members with one name, or a file that is also a folder, are refused."""
    members = [stored("a.py", b"1"), stored("a.py", b"2"), stored("b", b""), stored("b/c", b"")]
    with pytest.raises(PluginPackageError) as info:
        SafeArchive.open(write_raw_zip(tmp_path / "dup.zip", members))
    assert any("appears more than once" in p for p in info.value.problems)
    assert any("is a file and also a folder" in p for p in info.value.problems)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """One error lists all unsafe members, not only the first."""
    members = [stored("/a", b""), stored("../b", b""), stored("c\\d", b"")]
    with pytest.raises(PluginPackageError) as info:
        SafeArchive.open(write_raw_zip(tmp_path / "x.zip", members))
    assert len(info.value.problems) == 3
    assert "3 problems" in str(info.value)


def test_a_flood_of_problems_is_listed_briefly(tmp_path: Path) -> None:
    """Thousands of bad members give the first twenty problems and a count of the rest."""
    members = [stored(f"../m{i}.py", b"") for i in range(1000)]
    with pytest.raises(PluginPackageError) as info:
        SafeArchive.open(write_raw_zip(tmp_path / "x.zip", members))
    assert len(info.value.problems) == 21
    assert info.value.problems[-1] == "unsafe archive: ... and 980 more problems"


def test_a_member_over_the_member_limit_is_refused(tmp_path: Path) -> None:
    """One member declaring more than the per-member limit is refused from the directory."""
    path = write_zip(tmp_path / "big.zip", {"big.bin": bytes(2000), "small.py": ""})
    with pytest.raises(PluginPackageError, match=r"over the limit of .* for one member"):
        SafeArchive.open(path, max_member=1000)


def test_a_total_over_max_uncompressed_size_is_refused(tmp_path: Path) -> None:
    """Members that together inflate past dynamicPlugins.maxUncompressedSize are refused."""
    path = write_zip(tmp_path / "many.zip", {f"f{i}.bin": bytes(600) for i in range(4)})
    with pytest.raises(PluginPackageError, match=r"dynamicPlugins\.maxUncompressedSize"):
        SafeArchive.open(path, max_uncompressed=2000)


def test_zip_bomb_is_refused_without_inflating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """600 MiB of zeros deflated to ~600 KiB is refused from the central directory alone."""
    path = write_raw_zip(tmp_path / "bomb.whl", [zeros_member("bomb.bin", 600)])
    assert path.stat().st_size < 1 << 20

    def no_inflating(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened for reading")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    started = time.perf_counter()
    with pytest.raises(PluginPackageError) as info:
        SafeArchive.open(path)
    assert time.perf_counter() - started < 1.0
    assert any("600.0 MiB" in p and "one member" in p for p in info.value.problems)
    assert any("in total" in p for p in info.value.problems)
    assert "nothing was extracted" in str(info.value)


def test_a_member_lying_about_its_size_is_refused_while_reading(tmp_path: Path) -> None:
    """A member whose data is larger than its declared size is caught by the capped stream."""
    content = b"x" * 4096
    liar = RawMember("pkg/data.bin", content, 16, zipfile.crc32(content[:16]))
    path = write_raw_zip(tmp_path / "liar.zip", [liar])
    with SafeArchive.open(path) as archive:
        assert archive.read_bytes("pkg/data.bin") == content[:16]  # never more than declared
    bad_crc = RawMember("pkg/data.bin", content, 16, zipfile.crc32(content))
    path = write_raw_zip(tmp_path / "bad.zip", [bad_crc])
    with pytest.raises(PluginPackageError, match="cannot be read"):
        _extract(path, tmp_path / "cache")
    assert not list((tmp_path / "cache" / "extracted").iterdir())


def test_a_capped_read_refuses_a_member_over_the_cap(tmp_path: Path) -> None:
    """read_bytes with a limit refuses a larger member before inflating it."""
    path = write_zip(tmp_path / "a.zip", {"METADATA": "x" * 100})
    with SafeArchive.open(path) as archive, pytest.raises(PluginPackageError, match="over"):
        archive.read_bytes("METADATA", limit=10)


def test_bytes_that_are_not_a_zip_are_refused(tmp_path: Path) -> None:
    """A file that is not a zip gives a PluginPackageError saying so."""
    path = tmp_path / "junk.whl"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(PluginPackageError, match="not a readable zip archive"):
        SafeArchive.open(path)


def test_concurrent_extractions_agree(tmp_path: Path) -> None:
    """Threads extracting one archive at once all get the same, complete folder."""
    files = {f"pkg/m{i}.py": f"v = {i}\n" * 200 for i in range(50)}
    path = write_zip(tmp_path / "a.zip", files)
    results: list[Path] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(_extract(path, tmp_path / "cache"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    folder = results[0]
    assert all((folder / name).read_text() == text for name, text in files.items())
    assert os.listdir(folder.parent) == [folder.name]  # no scratch folders left behind


def test_a_file_in_the_way_is_replaced(tmp_path: Path) -> None:
    """Something that is not a finished extraction at the target is set aside, then replaced."""
    path = write_zip(tmp_path / "a.zip", {"m.py": "v = 1\n"})
    target = tmp_path / "cache" / "extracted" / archive_digest(path)
    target.parent.mkdir(parents=True)
    target.write_text("in the way")
    assert _extract(path, tmp_path / "cache") == target
    assert sorted(os.listdir(target)) == ["m.py"]
    assert sorted(os.listdir(target.parent)) == [target.name]  # no scratch or trash left


def test_a_finished_extraction_is_reused_as_it_is(tmp_path: Path) -> None:
    """Only a finished extraction is renamed into place, so a folder there is not redone."""
    path = write_zip(tmp_path / "a.zip", {"m.py": "v = 1\n"})
    folder = _extract(path, tmp_path / "cache")
    (folder / "m.py").write_text("v = 2\n")
    assert _extract(path, tmp_path / "cache") == folder
    assert (folder / "m.py").read_text() == "v = 2\n"


def test_an_unwritable_cache_falls_back_to_a_private_folder(tmp_path: Path) -> None:
    """When the cache cannot be created, extraction goes to a private temporary folder."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = write_zip(tmp_path / "a.zip", {"m.py": "v = 1\n"})
    folder = _extract(path, blocker / "cache")
    assert (folder / "m.py").is_file()
    assert not folder.is_relative_to(tmp_path)


def test_the_private_folder_is_removed_at_exit(tmp_path: Path) -> None:
    """A process without a cache removes its extracted archives when it exits."""
    path = write_zip(tmp_path / "a.zip", {"m.py": "v = 1\n"})
    code = (
        "import sys; from pathlib import Path; "
        "from greenroom._dynamic.archive import SafeArchive, archive_digest, extract_archive; "
        "p = Path(sys.argv[1]); a = SafeArchive.open(p); "
        "print(extract_archive(a, digest=archive_digest(p), cache_root=None)); a.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    folder = Path(out.stdout.strip())
    assert folder.name == archive_digest(path)
    assert not folder.exists()


_NAMES = st.text(alphabet="ab./\\:C\x00 é", min_size=0, max_size=12)


@settings(max_examples=80, deadline=None)
@given(members=st.lists(st.tuples(_NAMES, st.binary(max_size=64)), max_size=6))
def test_arbitrary_zip_contents_extract_inside_or_fail_cleanly(
    members: list[tuple[str, bytes]],
) -> None:
    """Random member names and contents are extracted inside the target or refused, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        path = write_raw_zip(base / "r.zip", [stored(name, data) for name, data in members])
        try:
            folder = _extract(path, base / "cache")
        except PluginPackageError:
            assert _no_extraction(base / "cache") or not [
                p for p in (base / "cache" / "extracted").iterdir() if not p.name.startswith(".")
            ]
            return
        written = [p for p in base.rglob("*") if p.is_file()]
        assert all(p == path or p.is_relative_to(folder) for p in written)


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=512))
def test_arbitrary_bytes_never_escape_as_other_errors(data: bytes) -> None:
    """Any bytes given as an archive are either a readable zip or a PluginPackageError."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.whl"
        path.write_bytes(data)
        try:
            with SafeArchive.open(path) as archive:
                for name in archive.names:
                    if not name.endswith("/"):
                        archive.read_bytes(name)
        except PluginPackageError:
            pass
