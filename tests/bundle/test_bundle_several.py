"""``greenroom package bundle --package A --package B``: several bundles in one run (issue 8)."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest
from bundle_builders import write_single_plugin
from bundle_support import patched_env
from click.testing import CliRunner, Result

from greenroom._packaging.bundle import BundleOptions, BundleResult
from greenroom._packaging.bundle_batch import (
    BundleFailure,
    StartMethod,
    bundle_each,
    unique_names,
)
from greenroom._packaging.progress import Steps
from greenroom.cli.main import cli

ONE = "acme-plugin-one-backend"
TWO = "acme-plugin-two-backend"
#: A library: not a plugin role, refused by the check.
LIBRARY = "acme-thing"
#: Needs a package no wheelhouse has: fails while installing, with the tools' log kept.
BROKEN = "acme-plugin-broken-backend"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A uv workspace of two plugins, a library and a plugin whose dependency does not exist."""
    root = tmp_path_factory.mktemp("several")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.uv.workspace]
            members = ["plugins/*"]

            [tool.greenroom.workspace]
            prefix = "acme"
            """
        ),
        encoding="utf-8",
    )
    plugins = root / "plugins"
    write_single_plugin(plugins / "one", name=ONE, plugin_id="one")
    write_single_plugin(plugins / "two", name=TWO, plugin_id="two")
    write_single_plugin(plugins / "thing", name=LIBRARY, plugin_id=None, role="common-library")
    write_single_plugin(
        plugins / "broken",
        name=BROKEN,
        plugin_id="broken",
        dependencies=("greenroom>=0.1.0.dev0", "no-such-package-xyz>=1"),
    )
    return root


def bundle(root: Path, *args: str) -> Result:
    """``greenroom package bundle ARGS`` in ``root``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return CliRunner().invoke(cli, ["package", "bundle", *args])


def printed(result: Result) -> dict[str, str]:
    """Bundle name -> the sha256 printed for it."""
    pairs = re.findall(r"^bundle: (.+)\nsha256: ([0-9a-f]{64})$", result.stdout, re.MULTILINE)
    return {Path(path).name: sha256 for path, sha256 in pairs}


@pytest.fixture(scope="module")
def several(workspace: Path, offline_env: dict[str, str]) -> Result:
    """One run bundling both plugins, the first named twice (spelled differently)."""
    with patched_env(offline_env):
        names = ["--package", ONE, "--package", TWO, "--package", "Acme_Plugin_One_Backend"]
        return bundle(workspace, *names, "--output-destination", "several")


def test_several_packages_are_bundled_in_one_run(several: Result, workspace: Path) -> None:
    """Each package's bundle is written and printed with its sha256; exit 0."""
    assert several.exit_code == 0, several.output
    assert sorted(printed(several)) == [ONE, TWO]
    for name in (ONE, TWO):
        assert (workspace / "several" / name / "greenroom-bundle.json").is_file()


def test_a_repeated_package_is_bundled_once(several: Result) -> None:
    """A name given twice (in any spelling) is bundled once, in its first spelling."""
    assert several.stdout.count("bundle: ") == 2
    assert unique_names([ONE, TWO, "Acme_Plugin_One_Backend", "acme.plugin.two.backend"]) == [
        ONE,
        TWO,
    ]


def test_progress_lines_name_their_package(several: Result) -> None:
    """Every progress line starts with the package it is about."""
    lines = several.stderr.splitlines()
    assert f"[{ONE}] ✓ loading the bundle as the runtime does" in "\n".join(lines)
    assert lines
    assert all(line.startswith((f"[{ONE}] ", f"[{TWO}] ")) for line in lines)


def test_a_package_bundles_alike_alone_and_with_others(several: Result, workspace: Path) -> None:
    """The sha256 printed for a package bundled alone is the one printed in a run of several."""
    alone = bundle(workspace, "--package", TWO, "--output-destination", "alone")
    assert alone.exit_code == 0, alone.output
    assert printed(alone) == {TWO: printed(several)[TWO]}


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_bundle_alike_however_they_start(
    several: Result, workspace: Path, tmp_path: Path, method: StartMethod
) -> None:
    """Forked or spawned (where there is no fork), the workers write the same bundles."""
    options = BundleOptions(cwd=workspace, output_destination=tmp_path)
    steps = Steps(stream=io.StringIO())
    outcomes = dict(bundle_each(options, [ONE, TWO], steps=steps, start_method=method))
    assert all(isinstance(outcome, BundleResult) for outcome in outcomes.values()), outcomes
    sha256s = {name: getattr(outcome, "sha256", None) for name, outcome in outcomes.items()}
    assert sha256s == printed(several)


def test_failures_are_reported_at_the_end_and_the_others_written(workspace: Path) -> None:
    """A failing package stops no other: each failure is reported with its log, then exit 1."""
    names = ["--package", LIBRARY, "--package", BROKEN, "--package", ONE]
    result = bundle(workspace, *names, "--output-destination", "mixed")
    assert result.exit_code == 1
    assert list(printed(result)) == [ONE]
    assert (workspace / "mixed" / ONE / "greenroom-bundle.json").is_file()
    report = result.stderr[result.stderr.index(f"error: [{LIBRARY}]") :]  # in the names' order
    assert f"error: [{LIBRARY}] {LIBRARY} has role 'common-library'" in report
    assert "hint: a library is bundled inside the plugins that depend on it" in report
    log = (workspace / "mixed" / f"{BROKEN}-bundle.log").resolve()
    assert f"error: [{BROKEN}] installing {BROKEN}" in report
    assert f"log: {log}" in report
    # As when bundled alone: the log's tail, then the error (whose hint points above).
    assert report.index(f"log: {log}") < report.index(f"error: [{BROKEN}]")
    assert "no-such-package-xyz" in report  # uv's own words, from the log's tail
    assert report.rstrip().endswith(
        f"error: 2 of 3 packages were not bundled: {LIBRARY}, {BROKEN}\n"
        "hint: fix what each error above says, then bundle those packages again"
    )


def test_output_name_with_several_packages_is_refused(workspace: Path) -> None:
    """--output-name names one bundle: with two packages it is a usage error saying the fix."""
    result = bundle(workspace, "--package", ONE, "--package", TWO, "--output-name", "x")
    assert result.exit_code == 2
    assert f"--output-name names one bundle, but 2 packages were given ({ONE}, {TWO})" in (
        result.stderr
    )
    assert "drop --output-name" in result.stderr
    assert not (workspace / "plugins" / "one" / "dist-bundle").exists()


def test_unknown_packages_are_refused_before_anything_runs(workspace: Path) -> None:
    """Every name that is no member is listed at once, and nothing is bundled."""
    result = bundle(workspace, "--package", "acme-nope", "--package", ONE, "--package", "acme-no")
    assert result.exit_code == 1
    assert "no member package 'acme-nope'" in result.stderr
    assert "no member package 'acme-no'" in result.stderr
    assert not (workspace / "plugins" / "one" / "dist-bundle").exists()


def test_a_worker_that_dies_is_reported(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that ends without an outcome is a failure of its package, with the fix."""
    import os

    import greenroom._packaging.bundle_batch as batch

    monkeypatch.setattr(batch, "bundle_package", lambda *args, **kwargs: os._exit(3))
    options = BundleOptions(cwd=workspace, output_destination=tmp_path)
    steps = Steps(stream=io.StringIO())
    (outcome,) = dict(bundle_each(options, [ONE], steps=steps, start_method="fork")).values()
    assert isinstance(outcome, BundleFailure)
    assert outcome.message == f"the process bundling {ONE} ended (exit code 3) before it was done"
    assert f"greenroom package bundle --package {ONE}" in outcome.hint


def test_a_bug_in_a_worker_is_reported_with_its_traceback(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that is no Greenroom error fails its package with the traceback to report."""
    import greenroom._packaging.bundle_batch as batch

    def broken(*args: object, **kwargs: object) -> BundleResult:
        raise KeyError("oops")

    monkeypatch.setattr(batch, "bundle_package", broken)
    options = BundleOptions(cwd=workspace, output_destination=tmp_path)
    steps = Steps(stream=io.StringIO())
    (outcome,) = dict(bundle_each(options, [ONE], steps=steps, start_method="fork")).values()
    assert isinstance(outcome, BundleFailure)
    assert outcome.message == "KeyError: 'oops'"
    assert "this is a bug in greenroom" in outcome.hint
    assert 'raise KeyError("oops")' in outcome.traceback
