"""Fixtures of the bundle tests: an offline tool environment, bundles made once per session.

Bundling runs the real tools (uv build, uv pip install) against the local
wheelhouse that the test command fills from ``tests/wheelhouse.txt``: with
``UV_OFFLINE``, a fresh ``UV_CACHE_DIR`` (so nothing cached from an index can
answer) and ``UV_FIND_LINKS``, and the same for pip, nothing touches the
network. Bundles are made once per session and copied into each test's root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_builders import write_notes_workspace
from bundle_support import REPO, TODO, TODO_DIR, make_bundle, patched_env

from greenroom._packaging.build_workspace import WorkspaceBuild, build_workspace
from greenroom._packaging.bundle import BundleResult

#: What the wheelhouse must hold for these tests (tests/wheelhouse.txt).
NEEDED_WHEELS = ("python_slugify-9.1.3-", "text_unidecode-1.3-", "hatchling-")


@pytest.fixture(scope="session")
def bundle_wheelhouse() -> Path:
    """The local wheelhouse; missing, the tests skip locally and fail in CI."""
    path = Path(os.environ.get("GREENROOM_WHEELHOUSE") or REPO / ".wheelhouse")
    names = [p.name for p in path.glob("*.whl")] if path.is_dir() else []
    missing = [w for w in NEEDED_WHEELS if not any(n.startswith(w) for n in names)]
    if missing:
        message = (
            f"the wheelhouse {path} lacks {', '.join(missing)}: fill it from "
            "tests/wheelhouse.txt (./dev test does)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def offline_env(
    bundle_wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The variables that keep the tools offline: the wheelhouse and a cache of this session."""
    return {
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": str(bundle_wheelhouse),
        "UV_CACHE_DIR": str(tmp_path_factory.mktemp("uv-cache")),
        "UV_NO_PROGRESS": "1",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(bundle_wheelhouse),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


@pytest.fixture(autouse=True)
def offline(offline_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Every bundle test runs with the tools offline (other test folders never see it)."""
    with patched_env(offline_env) as env:
        yield env


@pytest.fixture(scope="session")
def todo_bundle(
    offline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> BundleResult:
    """The todo contrib plugin, bundled as a folder."""
    with patched_env(offline_env):
        return make_bundle(TODO_DIR, tmp_path_factory.mktemp("todo-bundle"))


@pytest.fixture(scope="session")
def todo_archive(
    offline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> BundleResult:
    """The todo contrib plugin, bundled as a zip."""
    with patched_env(offline_env):
        return make_bundle(TODO_DIR, tmp_path_factory.mktemp("todo-archive"), archive=True)


@pytest.fixture(scope="session")
def todo_prepacked(
    offline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[WorkspaceBuild, BundleResult]:
    """``build-workspace`` of the todo plugin, then a bundle from it (``--pre-packed-dir``)."""
    with patched_env(offline_env):
        built = build_workspace(tmp_path_factory.mktemp("todo-prepacked"), [TODO], cwd=REPO)
        result = make_bundle(
            TODO_DIR,
            tmp_path_factory.mktemp("todo-from-prepacked"),
            pre_packed_dir=built.directory,
        )
    return built, result


@pytest.fixture(scope="session")
def notes_workspace(offline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notes workspace (plugin, common library, inline library), with its uv.lock."""
    import subprocess

    from greenroom._packaging.tools import find_uv

    root = write_notes_workspace(tmp_path_factory.mktemp("notes-workspace"))
    uv = find_uv()
    assert uv is not None, "uv is a dev dependency"
    with patched_env(offline_env):
        subprocess.run([uv, "lock", "--quiet", "--directory", str(root)], check=True)
    return root


@pytest.fixture(scope="session")
def notes_bundle(
    offline_env: dict[str, str], notes_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> BundleResult:
    """The notes plugin bundled from its workspace (pins from uv.lock)."""
    with patched_env(offline_env):
        return make_bundle(
            notes_workspace / "plugins" / "notes-backend", tmp_path_factory.mktemp("notes-bundle")
        )
