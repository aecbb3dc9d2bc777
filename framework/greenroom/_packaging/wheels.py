"""The wheels of workspace packages: built with the standard frontend, or taken ready-made.

Three sources, one per option of ``greenroom package bundle``: built now
(``uv build --wheel``), from each package's own ``dist/`` (``--no-build``: built
earlier), or from a ``greenroom build-workspace`` folder (``--pre-packed-dir``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from greenroom._errors import BundleError
from greenroom._packaging.local_deps import canonical
from greenroom._packaging.project import Package
from greenroom._packaging.tools import ToolRunner

__all__ = ["build_wheels", "find_wheel", "wheels_from"]


def find_wheel(directory: Path, package: Package) -> Path | None:
    """The wheel of ``package`` in ``directory``: its version if known, else the only one."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename
    from packaging.version import InvalidVersion, Version

    found: list[tuple[Version, Path]] = []
    for wheel in sorted(directory.glob("*.whl")) if directory.is_dir() else []:
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except (InvalidWheelFilename, InvalidVersion):
            continue
        if name == canonical(package.label):
            found.append((version, wheel))
    if package.version is not None:
        try:
            wanted = Version(package.version)
        except InvalidVersion:
            return None
        matches = [wheel for version, wheel in found if version == wanted]
        return matches[0] if matches else None
    return max(found)[1] if len(found) == 1 else None


def build_wheels(
    runner: ToolRunner, packages: Sequence[Package], out_dir: Path, *, report: str
) -> dict[str, Path]:
    """Build each package's wheel into ``out_dir``; canonical name -> wheel.

    Several packages are built concurrently, one build per CPU (issue 8:
    ``build-workspace`` of 20 plugins took 20 builds' time on 2 CPUs), each
    into a folder of its own (uv locks its ``--out-dir``), then moved here.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = min(len(packages), os.cpu_count() or 1)
    if jobs <= 1:
        wheels: dict[str, Path] = {}
        for package in packages:
            before = set(out_dir.glob("*.whl"))
            runner.build_wheel(package.directory, out_dir, package=package.label)
            wheel = _built(out_dir, package, before, out_dir, report=report)
            wheels[canonical(package.label)] = wheel
        return wheels
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        folders = [scratch / str(index) for index in range(len(packages))]
        commands = [
            runner.build_wheel_command(p.directory, folder, package=p.label)
            for p, folder in zip(packages, folders, strict=True)
        ]
        runner.run_all(commands, jobs=jobs)
        wheels = {}
        for package, folder in zip(packages, folders, strict=True):
            wheel = _built(folder, package, set(), out_dir, report=report)
            for file in sorted(folder.iterdir()):  # the wheel, and what the tool adds beside it
                os.replace(file, out_dir / file.name)
            wheels[canonical(package.label)] = out_dir / wheel.name
        return wheels
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _built(
    folder: Path, package: Package, before: set[Path], out_dir: Path, *, report: str
) -> Path:
    """The wheel of ``package`` just built into ``folder`` (``before``: the wheels there before).

    ``out_dir`` is the folder a failure names: the one the user asked for.
    """
    wheel = find_wheel(folder, package)
    if wheel is None:
        new = sorted(set(folder.glob("*.whl")) - before)
        wheel = new[0] if len(new) == 1 else None
    if wheel is None:
        raise BundleError(
            f"building {package.label} left no wheel of it in {out_dir}",
            package=report,
            step="build",
        )
    return wheel


def wheels_from(
    packages: Sequence[Package], folder_of: dict[str, Path], *, report: str, fix: str
) -> dict[str, Path]:
    """Ready-made wheels: each package's from ``folder_of[canonical name]``; all missing listed."""
    wheels: dict[str, Path] = {}
    missing = []
    for package in packages:
        folder = folder_of[canonical(package.label)]
        wheel = find_wheel(folder, package)
        if wheel is None:
            version = f" {package.version}" if package.version else ""
            missing.append(f"no wheel of {package.label}{version} in {folder}")
        else:
            wheels[canonical(package.label)] = wheel
    if missing:
        raise BundleError(missing, package=report, step="build", hint=fix)
    return wheels
