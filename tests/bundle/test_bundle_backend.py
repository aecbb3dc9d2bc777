"""``greenroom backend bundle``: the two archives, and the documented Dockerfile run as a script.

Issue 5: no Docker engine here, so the Dockerfile of
docs/how-to/deploy-backend-bundle.md is read and its steps are run in order
(``WORKDIR`` a temporary folder, ``COPY`` from the workspace, ``RUN`` with sh,
``CMD`` started as a process), offline, into an empty venv, from the local
wheelhouse plus a wheel of this greenroom. The backend must start and serve.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
import pytest
import yaml
from bundle_builders import write_notes_workspace
from bundle_support import patched_env

from greenroom._errors import BundleError
from greenroom._packaging.backend_bundle import BackendBundle, backend_bundle
from greenroom._packaging.tools import find_uv

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "how-to" / "deploy-backend-bundle.md"
DEADLINE_SECONDS = 60.0

BACKEND_FILES = {
    "packages/backend/pyproject.toml": """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "acme-backend"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["greenroom>=0.1.0.dev0", "acme-plugin-notes-backend"]

[tool.greenroom]
role = "backend"

[tool.hatch.build.targets.wheel]
packages = ["acme_backend"]
""",
    "packages/backend/acme_backend/__init__.py": '"""The acme backend: its plugins."""\n',
}


@pytest.fixture(scope="module")
def backend_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notes workspace without a lock, plus a backend package that serves the notes plugin."""
    root = write_notes_workspace(tmp_path_factory.mktemp("backend-workspace"))
    for name, text in BACKEND_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    project = root / "pyproject.toml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace('["plugins/*"]', '["packages/*", "plugins/*"]'), "utf-8")
    return root


@pytest.fixture(scope="module")
def greenroom_wheels(offline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a wheel of this greenroom, built offline (its backend from the wheelhouse)."""
    folder = tmp_path_factory.mktemp("greenroom-wheel")
    uv = find_uv()
    assert uv is not None
    with patched_env(offline_env):
        subprocess.run(
            [uv, "build", "--wheel", "--quiet", "--out-dir", str(folder), str(REPO)], check=True
        )
    return folder


@pytest.fixture(scope="module")
def bundled(
    offline_env: dict[str, str],
    backend_workspace: Path,
    greenroom_wheels: Path,
    bundle_wheelhouse: Path,
) -> BackendBundle:
    """``greenroom backend bundle --build-dependencies`` in the backend package."""
    # uv reads a comma-separated list: the wheelhouse and the greenroom wheel.
    find_links = {"UV_FIND_LINKS": f"{bundle_wheelhouse},{greenroom_wheels}"}
    with patched_env({**offline_env, **find_links}):
        return backend_bundle(backend_workspace / "packages" / "backend", build_dependencies=True)


def members(archive: Path) -> list[str]:
    """The member names of a tar.gz."""
    with tarfile.open(archive) as tar:
        return tar.getnames()


def test_skeleton_and_bundle_contents(bundled: BackendBundle) -> None:
    """The skeleton holds project files and pins; the bundle the wheels of every local package."""
    assert members(bundled.skeleton) == [
        "packages/backend/pyproject.toml",
        "plugins/notes-backend/pyproject.toml",
        "plugins/notes-common/pyproject.toml",
        "plugins/notes-text/pyproject.toml",
        "pyproject.toml",
        "requirements.txt",
    ]
    assert sorted(members(bundled.bundle)) == [
        "requirements.txt",
        "wheels/acme_backend-1.0.0-py3-none-any.whl",
        "wheels/acme_notes_text-0.1.0-py3-none-any.whl",
        "wheels/acme_plugin_notes_backend-1.2.0-py3-none-any.whl",
        "wheels/acme_plugin_notes_common-1.0.3-py3-none-any.whl",
    ]
    with tarfile.open(bundled.skeleton) as tar:
        stream = tar.extractfile("requirements.txt")
        assert stream is not None
        pins = stream.read().decode().split()
    assert "python-slugify==9.1.3" in pins
    assert "greenroom==0.1.0.dev0" in pins
    assert not [pin for pin in pins if pin.startswith("acme")]


def test_archives_are_reproducible(
    bundled: BackendBundle, backend_workspace: Path, greenroom_wheels: Path, bundle_wheelhouse: Path
) -> None:
    """Bundling again (wheels already in dist/) gives the same bytes."""
    skeleton, bundle = bundled.skeleton.read_bytes(), bundled.bundle.read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UV_FIND_LINKS", f"{bundle_wheelhouse},{greenroom_wheels}")
        again = backend_bundle(backend_workspace / "packages" / "backend")
    assert again.skeleton.read_bytes() == skeleton
    assert again.bundle.read_bytes() == bundle


def test_only_backend_packages_are_bundled(backend_workspace: Path) -> None:
    """A plugin is not a deployable app: backend bundle refuses it."""
    with pytest.raises(BundleError, match="not 'backend'"):
        backend_bundle(backend_workspace / "plugins" / "notes-backend")


def dockerfile_steps() -> list[tuple[str, str]]:
    """The instructions of the guide's Dockerfile, continuation lines joined."""
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"```dockerfile\n(.*?)```", text, re.S)
    assert match, "the guide has a dockerfile block"
    joined = match[1].replace("\\\n", " ")
    steps = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            steps.append((instruction, rest))
    return steps


@pytest.mark.e2e
def test_the_dockerfile_steps_give_a_backend_that_starts(
    bundled: BackendBundle,
    backend_workspace: Path,
    greenroom_wheels: Path,
    bundle_wheelhouse: Path,
    tmp_path: Path,
) -> None:
    """The documented install steps, offline into an empty venv: the backend serves notes."""
    port = _free_port()
    context = backend_workspace
    (context / "app-config.yaml").write_text(
        yaml.safe_dump({"backend": {"listen": {"host": "127.0.0.1", "port": port}}})
    )
    bin_dir = tmp_path / "bin"  # `python` in RUN lines is this interpreter, as in the image
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": f"{bundle_wheelhouse} {greenroom_wheels}",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    workdir: Path | None = None
    image_dir = Path("/app")
    command: list[str] | None = None
    for instruction, argument in dockerfile_steps():
        if workdir is not None:
            argument = argument.replace(str(image_dir), str(workdir))
        if instruction == "FROM":
            assert argument.startswith("python:3.")
        elif instruction == "WORKDIR":
            image_dir = Path(argument)
            workdir = tmp_path / image_dir.name
            workdir.mkdir()
        elif instruction == "COPY":
            assert workdir is not None
            *sources, _ = shlex.split(argument)
            for source in sources:
                shutil.copy(context / source, workdir)
        elif instruction == "RUN":
            assert workdir is not None
            subprocess.run(["sh", "-c", argument], cwd=workdir, env=env, check=True, timeout=300)
        elif instruction == "CMD":
            command = json.loads(argument)
        else:
            pytest.fail(f"the test does not know the Dockerfile instruction {instruction}")
    assert workdir is not None
    assert command is not None
    _check_serves(command, workdir, env, port)


def _check_serves(command: list[str], workdir: Path, env: dict[str, str], port: int) -> None:
    """Start ``command``; poll until the notes route answers; stop it with SIGTERM."""
    out = workdir / "backend.log"
    with out.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/notes/note/Hello World")
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the backend did not serve:\n{out.read_text(errors='replace')}")
            time.sleep(0.2)
        assert response.json() == {"id": "hello-world", "greeting": "hello, Hello World"}
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE_SECONDS)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
