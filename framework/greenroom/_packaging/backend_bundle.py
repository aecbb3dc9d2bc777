"""``greenroom backend bundle``: the deployment archives of a ``backend`` package.

Seed ``003``, "Backend Production", in Python. Two archives in the package's
``dist/``:

- ``skeleton.tar.gz``: what installing the third-party dependencies needs,
  and nothing that changes with the code: the root ``pyproject.toml``,
  ``uv.lock`` when there is one, the ``pyproject.toml`` of the backend and of
  each local package it needs (at their places in the workspace), and
  ``requirements.txt``, their third-party dependencies pinned (exported from
  the lock, else resolved now). A container build installs it in its own
  layer, which stays cached while only code changes.
- ``bundle.tar.gz``: ``wheels/`` with the wheels of the backend and its
  local packages, and the same ``requirements.txt``.

Both are reproducible (sorted members, one timestamp, no owners). The wheels
must have been built (``uv build --wheel`` into each package's ``dist/``),
unless ``--build-dependencies`` builds them.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

from greenroom._errors import BundleError
from greenroom._packaging.bundle_layout import source_date_epoch
from greenroom._packaging.local_deps import LocalGraph, canonical, locate_package
from greenroom._packaging.private_deps import LOCK_FILE, export_locked
from greenroom._packaging.progress import Steps
from greenroom._packaging.project import PYPROJECT, Package
from greenroom._packaging.tools import ToolLog, ToolRunner
from greenroom._packaging.wheels import build_wheels, wheels_from

__all__ = ["BUNDLE_NAME", "REQUIREMENTS", "SKELETON_NAME", "BackendBundle", "backend_bundle"]

SKELETON_NAME: Final = "skeleton.tar.gz"
BUNDLE_NAME: Final = "bundle.tar.gz"
#: The pinned third-party dependencies, in both archives.
REQUIREMENTS: Final = "requirements.txt"


@attrs.frozen
class BackendBundle:
    """The two archives, and the local packages whose wheels are in the bundle."""

    skeleton: Path
    bundle: Path
    packages: tuple[str, ...]


def backend_bundle(
    cwd: Path,
    *,
    package_name: str | None = None,
    build_dependencies: bool = False,
    verbose: bool = False,
    steps: Steps | None = None,
) -> BackendBundle:
    """Write ``dist/skeleton.tar.gz`` and ``dist/bundle.tar.gz`` of the backend package."""
    steps = steps or Steps(verbose=verbose)
    workspace, backend = locate_package(package_name, cwd)
    if backend.role != "backend":
        raise BundleError(
            f"{backend.label} has role {backend.role!r}, not 'backend'",
            package=backend.label,
            step="check",
            hint='run this in the backend package (role = "backend"); bundle a plugin '
            "with `greenroom package bundle`",
        )
    graph = LocalGraph.of(workspace, backend)
    local = graph.closure([backend], embed_only=False)
    dist = backend.directory / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    log = ToolLog(None if verbose else dist / "backend-bundle.log")
    if log.path is not None:
        log.path.unlink(missing_ok=True)
    runner = ToolRunner(log)
    try:
        with steps.step(f"getting the wheels of {', '.join(p.label for p in local)}"):
            if build_dependencies:
                wheels: dict[str, Path] = {}
                for package in local:
                    wheels |= build_wheels(
                        runner, [package], package.directory / "dist", report=backend.label
                    )
            else:
                wheels = wheels_from(
                    local,
                    {canonical(p.label): p.directory / "dist" for p in local},
                    report=backend.label,
                    fix="build them first (uv build --wheel in each), or pass --build-dependencies",
                )
        with steps.step("pinning the third-party dependencies"):
            requirements = _requirements(runner, workspace.root, backend, local, dist)
        with steps.step("writing the archives"):
            lock = workspace.root / LOCK_FILE
            skeleton_files = {PYPROJECT: workspace.root_file, REQUIREMENTS: requirements}
            if lock.is_file():
                skeleton_files[LOCK_FILE] = lock
            for package in local:
                relative = package.pyproject.resolve().relative_to(workspace.root.resolve())
                skeleton_files[relative.as_posix()] = package.pyproject
            bundle_files = {REQUIREMENTS: requirements}
            for package in local:
                wheel = wheels[canonical(package.label)]
                bundle_files[f"wheels/{wheel.name}"] = wheel
            skeleton = _write_tar(dist / SKELETON_NAME, skeleton_files)
            bundle = _write_tar(dist / BUNDLE_NAME, bundle_files)
        requirements.unlink()
    except BundleError as exc:
        log.close(remove=False)
        exc.log = log.path if log.path is not None and log.path.is_file() else None
        raise
    log.close(remove=True)
    return BackendBundle(skeleton, bundle, tuple(p.label for p in local))


def _requirements(
    runner: ToolRunner, root: Path, backend: Package, local: Sequence[Package], out_dir: Path
) -> Path:
    """``requirements.txt``: the lock's pins for the backend, else resolved now."""
    from greenroom._packaging.local_deps import project_requirements

    out = out_dir / f".{REQUIREMENTS}"
    if (root / LOCK_FILE).is_file():
        assert backend.name is not None
        return export_locked(runner, root, backend.name, (), out, report=backend.label)
    if runner.uv is None:
        raise BundleError(
            f"resolving the dependencies of {backend.label} without {LOCK_FILE} needs uv",
            package=backend.label,
            step="resolve",
            hint="pip install 'greenroom[bundle]', or lock the workspace with `uv lock`",
        )
    names = {canonical(p.label) for p in local}
    wanted = sorted(
        {str(r) for p in local for r in project_requirements(p) if canonical(r.name) not in names}
    )
    source = out_dir / ".requirements.in"
    source.write_text("".join(f"{line}\n" for line in wanted), encoding="utf-8")
    args = [runner.uv, "pip", "compile", "--python", runner.python, "--quiet", "--no-header"]
    args += ["--no-annotate", "--output-file", str(out), str(source)]
    try:
        runner.run(
            args,
            what=f"resolving the dependencies of {backend.label}",
            package=backend.label,
            step="resolve",
        )
    finally:
        source.unlink(missing_ok=True)
    return out


def _write_tar(path: Path, files: dict[str, Path]) -> Path:
    """A reproducible ``.tar.gz``: sorted members, one mtime, no owners, fixed modes."""
    stamp = source_date_epoch()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            data = files[name].read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), stamp, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=stamp) as gz,
    ):
        gz.write(buffer.getvalue())
    return path
