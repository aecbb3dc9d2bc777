"""What ``greenroom package bundle`` refuses, each with the fix, leaving the destination alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundle_builders import write_single_plugin
from bundle_support import TODO, TODO_DIR, make_bundle
from click.testing import CliRunner

from greenroom._errors import BundleError, PackageMetadataError
from greenroom._packaging.bundle import BundleResult
from greenroom.cli.main import cli


@pytest.mark.parametrize(
    ("role", "fix"),
    [
        ("backend", "greenroom backend bundle"),
        ("common-library", "bundled inside the plugins"),
        ("cli", "installed with pip"),
    ],
)
def test_roles_other_than_plugin_roles_are_refused(
    offline: dict[str, str], tmp_path: Path, role: str, fix: str
) -> None:
    """A backend, a library or a CLI is no plugin: refused before anything is built."""
    folder = write_single_plugin(tmp_path / "pkg", name="acme-thing", plugin_id=None, role=role)
    with pytest.raises(BundleError, match=f"has role '{role}'") as info:
        make_bundle(folder, tmp_path / "out")
    assert info.value.step == "check"
    assert fix in info.value.hint
    assert not (tmp_path / "out").exists()


def test_publish_check_failures_are_refused(offline: dict[str, str], tmp_path: Path) -> None:
    """A plugin without its plugin-id fails the publish check, which names the fix."""
    folder = write_single_plugin(tmp_path / "pkg", plugin_id=None)
    with pytest.raises(PackageMetadataError, match="missing a plugin-id") as info:
        make_bundle(folder, tmp_path / "out")
    assert "greenroom repo fix --publish" in str(info.value) + info.value.hint


def test_an_existing_bundle_is_replaced_only_with_clean(
    todo_bundle: BundleResult, tmp_path: Path
) -> None:
    """Without --clean an existing bundle is kept and the run refused; --clean replaces it."""
    existing = tmp_path / TODO
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    with pytest.raises(BundleError, match="already exists") as info:
        make_bundle(TODO_DIR, tmp_path)
    assert "--clean" in info.value.hint
    assert (existing / "keep.txt").read_text() == "mine"
    result = make_bundle(TODO_DIR, tmp_path, clean=True)
    assert not (existing / "keep.txt").exists()
    assert result.sha256 == todo_bundle.sha256


def test_no_build_needs_the_wheels_in_dist(offline: dict[str, str], tmp_path: Path) -> None:
    """--no-build takes the wheels from dist/: a missing one is named with the fix."""
    folder = write_single_plugin(tmp_path / "pkg")
    with pytest.raises(BundleError, match=r"no wheel of acme-plugin-hello-backend 0\.1\.0") as info:
        make_bundle(folder, tmp_path / "out", build=False)
    assert "uv build --wheel" in info.value.hint


def test_pre_packed_dir_needs_the_wheel(offline: dict[str, str], tmp_path: Path) -> None:
    """--pre-packed-dir without the plugin's wheel says to run build-workspace first."""
    folder = write_single_plugin(tmp_path / "pkg")
    (tmp_path / "packed").mkdir()
    with pytest.raises(BundleError, match="no wheel of") as info:
        make_bundle(folder, tmp_path / "out", pre_packed_dir=tmp_path / "packed")
    assert "greenroom build-workspace" in info.value.hint


def test_a_bundle_the_runtime_would_refuse_is_not_written(
    offline: dict[str, str], tmp_path: Path
) -> None:
    """A plugin that fails to import fails the bundle with the loader's message; no output."""
    folder = write_single_plugin(tmp_path / "pkg", module_code="raise RuntimeError('broken')")
    out = tmp_path / "out"
    with pytest.raises(BundleError, match="the runtime would refuse") as info:
        make_bundle(folder, out)
    assert "RuntimeError: broken" in str(info.value)
    assert info.value.step == "validate"
    assert sorted(p.name for p in out.iterdir()) == ["acme-plugin-hello-backend-bundle.log"]


def test_a_shared_range_the_host_fails_is_refused(offline: dict[str, str], tmp_path: Path) -> None:
    """A requirement on a shared package the host does not meet fails, as at load."""
    folder = write_single_plugin(
        tmp_path / "pkg", dependencies=("greenroom>=0.1.0.dev0", "click>=999")
    )
    with pytest.raises(BundleError, match="click>=999") as info:
        make_bundle(folder, tmp_path / "out")
    assert "sharedRequirements" in str(info.value)


def test_a_tool_failure_shows_the_log(
    offline: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dependency the wheelhouse lacks fails the install; the CLI shows the log's last lines."""
    folder = write_single_plugin(
        tmp_path / "pkg", dependencies=("greenroom>=0.1.0.dev0", "no-such-package-xyz>=1")
    )
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["package", "bundle", "--output-destination", "out"])
    assert result.exit_code == 1
    log = folder / "out" / "acme-plugin-hello-backend-bundle.log"
    assert f"log: {log.resolve()}" in result.stderr
    assert "no-such-package-xyz" in result.stderr  # uv's own words, from the log's tail
    assert "error: installing acme-plugin-hello-backend" in result.stderr
    assert log.is_file()
    assert [p.name for p in (folder / "out").iterdir()] == [log.name]


@pytest.mark.parametrize("name", ["../escape", ".hidden", "a/b"])
def test_output_name_must_be_a_file_name(
    offline: dict[str, str], tmp_path: Path, name: str
) -> None:
    """--output-name cannot leave the destination or hide the bundle."""
    with pytest.raises(BundleError, match="is not a file name"):
        make_bundle(TODO_DIR, tmp_path, output_name=name)
