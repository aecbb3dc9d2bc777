"""The wheels of workspace packages: built with the standard frontend, or taken ready-made.

Three sources, one per option of ``greenroom package bundle``: built now
(``uv build --wheel``), from each package's own ``dist/`` (``--no-build``: built
earlier), or from a ``greenroom build-workspace`` folder (``--pre-packed-dir``).
"""

from __future__ import annotations

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
    """Build each package's wheel into ``out_dir``, in order; canonical name -> wheel."""
    out_dir.mkdir(parents=True, exist_ok=True)
    wheels: dict[str, Path] = {}
    for package in packages:
        before = set(out_dir.glob("*.whl"))
        runner.build_wheel(package.directory, out_dir, package=package.label)
        wheel = find_wheel(out_dir, package)
        if wheel is None:
            new = sorted(set(out_dir.glob("*.whl")) - before)
            wheel = new[0] if len(new) == 1 else None
        if wheel is None:
            raise BundleError(
                f"building {package.label} left no wheel of it in {out_dir}",
                package=report,
                step="build",
            )
        wheels[canonical(package.label)] = wheel
    return wheels


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
