"""Checks of a manifest against the running host: Python, greenroom and installed packages."""

from __future__ import annotations

import platform
from collections.abc import Callable

import pytest

import greenroom
from greenroom._dynamic.host_check import host_fingerprint, host_problems, installed_version
from greenroom._dynamic.models import (
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
)

EP = EntryPointSpec("greenroom.backend_plugin", "todo", "acme_todo:TodoPlugin")


def manifest(*requires: str, python: str | None = None, **kwargs: object) -> ScannedPluginManifest:
    """A plugin manifest with the given requirements."""
    return ScannedPluginManifest(
        "acme-plugin-todo",
        "1.0",
        (EP,),
        requires=requires,
        requires_python=python,
        dist_info="acme_plugin_todo-1.0.dist-info",
        **kwargs,  # type: ignore[arg-type]
    )


def host(**versions: str) -> Callable[[str], str | None]:
    """A host with exactly these distributions installed."""
    return lambda name: versions.get(name.lower().replace("_", "").replace("-", ""))


def test_a_satisfied_plugin_has_no_problems() -> None:
    """Requirements met by the real host give no problems."""
    assert host_problems(manifest("attrs>=20", python=">=3.11")) == []


def test_requires_python_not_satisfied_is_reported() -> None:
    """A Requires-Python that excludes this interpreter names both and the fix."""
    (problem,) = host_problems(manifest(python="<3"))
    assert "Requires-Python '<3' excludes the running Python" in problem
    assert platform.python_version() in problem
    assert problem.startswith("acme_plugin_todo-1.0.dist-info/METADATA")


def test_an_unsatisfied_greenroom_requirement_is_reported() -> None:
    """A range on greenroom that the running version misses names the running version."""
    (problem,) = host_problems(manifest("greenroom>=99"))
    assert f"this is greenroom {greenroom.__version__}" in problem
    assert "fix: upgrade greenroom" in problem


def test_a_greenroom_prerelease_satisfies_a_plain_range() -> None:
    """The running greenroom counts even when it is a pre-release (0.1.0.dev0 >= 0.0.1)."""
    assert host_problems(manifest("greenroom>=0.0.1")) == []


def test_a_requirement_nobody_satisfies_names_what_was_found() -> None:
    """The problem names the requirement, the host's version and the plugin's private one."""
    private = (PrivatePackage("libx", "1.0"),)
    (problem,) = host_problems(
        manifest("libx>=2", private_packages=private),
        installed=host(libx="1.5"),
    )
    assert "requires 'libx>=2'" in problem
    assert "the host has libx 1.5" in problem
    assert "the plugin ships libx 1.0" in problem
    assert "pip install 'libx>=2'" in problem


def test_a_missing_requirement_says_nobody_has_it() -> None:
    """When neither the host nor the plugin has the package, the message says so."""
    (problem,) = host_problems(manifest("libx"), installed=host())
    assert "the host does not have libx and the plugin does not ship it" in problem


def test_the_host_may_satisfy_a_requirement() -> None:
    """A host copy in range is enough."""
    assert host_problems(manifest("libx>=2"), installed=host(libx="2.5")) == []


def test_a_private_package_may_satisfy_a_requirement() -> None:
    """A private copy in range is enough, names compared normalized."""
    private = (PrivatePackage("Lib_X", "2.1"),)
    assert host_problems(manifest("lib.x>=2", private_packages=private), installed=host()) == []


def test_markers_are_evaluated_and_extras_only_requirements_skipped() -> None:
    """A requirement whose marker is false here, or that only an extra needs, is not checked."""
    requires = ("libx; python_version < '3'", "liby>=1; extra == 'test'", "libz; os_name == 'xx'")
    assert host_problems(manifest(*requires), installed=host()) == []


def test_shared_requirements_of_a_bundle_need_the_host() -> None:
    """A bundle's sharedRequirements are checked against the host only, not private packages."""
    bundle = BundleManifest(
        1,
        "acme-plugin-todo",
        "1.0",
        "backend-plugin",
        "todo",
        (EP,),
        shared_requirements=("libx>=2",),
    )
    private = (PrivatePackage("libx", "2.0"),)
    (problem,) = host_problems(manifest(bundle=bundle, private_packages=private), installed=host())
    assert problem.startswith("greenroom-bundle.json sharedRequirements requires 'libx>=2'")


def test_installed_version_reads_the_host() -> None:
    """installed_version finds real distributions and gives None for absent ones."""
    assert installed_version("attrs") is not None
    assert installed_version("surely-not-installed-anywhere") is None


def test_the_fingerprint_follows_the_greenroom_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host fingerprint is stable, and changes when greenroom's version does."""
    import greenroom._version

    before = host_fingerprint()
    assert host_fingerprint() == before
    monkeypatch.setattr(greenroom._version, "__version__", "99.0")
    assert host_fingerprint() != before


def test_the_fingerprint_ignores_folders_without_distributions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """Starting from another folder (sys.path[0]) does not make another host."""
    import sys

    before = host_fingerprint()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert host_fingerprint() == before
