"""A bundle's private dependencies: which to install, installing them, and the shared split.

Shared packages (greenroom, the installed closure of its requirements, and
``--shared-package`` names, as ``dynamicPlugins.sharedPackages``) are never
installed into a bundle: the host provides them, and the requirement ranges
the bundle's code puts on them are recorded in ``sharedRequirements`` for the
loader to check against the host.

Everything else the plugin needs is private. In a workspace with a lock file
(``uv.lock``), the pinned set is exported from the lock for this plugin only
(``uv export --package``) with the shared packages pruned (``--prune``, which
drops what only they need) and installed as is (``--no-deps``): the Python
form of "seeds a lockfile from the monorepo and prunes it". Without a lock the
plugin's requirements are resolved with the shared packages excluded from the
resolution (``uv pip install --excludes``; with pip, stand-in wheels of the
host's versions). Either way, :func:`split_requirements` then walks the
installed metadata from the plugin, records what reaches a shared package,
and removes a private package nothing reaches.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import zipfile
from base64 import urlsafe_b64encode
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from greenroom._errors import BundleError
from greenroom._packaging.local_deps import canonical
from greenroom._packaging.tools import ToolRunner

__all__ = [
    "LOCK_FILE",
    "Split",
    "dist_infos",
    "export_locked",
    "install_private",
    "remove_distribution",
    "split_requirements",
]

#: The workspace lock file bundling reads (uv workspaces).
LOCK_FILE = "uv.lock"


def export_locked(
    runner: ToolRunner,
    project_root: Path,
    package: str,
    prune: Iterable[str],
    out: Path,
    *,
    report: str,
) -> Path:
    """The pinned third-party set of ``package`` from ``project_root``'s lock, shared pruned."""
    if runner.uv is None:
        raise BundleError(
            f"reading {project_root / LOCK_FILE} needs uv, which is not installed",
            package=report,
            step="resolve",
            hint="pip install 'greenroom[bundle]'",
        )
    args = [runner.uv, "export", "--directory", str(project_root), "--package", package]
    args += ["--frozen", "--no-hashes", "--no-header", "--no-annotate", "--no-dev"]
    args += ["--no-emit-workspace", "--format", "requirements-txt", "--output-file", str(out)]
    for name in sorted(prune):
        args += ["--prune", name]
    runner.run(
        args, what=f"exporting {package}'s pins from {LOCK_FILE}", package=report, step="resolve"
    )
    return out


def install_private(
    runner: ToolRunner,
    target: Path,
    wheels: Sequence[Path],
    *,
    locked: Path | None,
    shared: dict[str, str | None],
    install: bool,
    report: str,
    scratch: Path,
) -> None:
    """Install ``wheels`` into ``target``, with their private dependencies when ``install``.

    ``locked``: an exported requirements file, installed as pinned. ``shared``:
    canonical name -> the version the host has (``None``: unknown), excluded.
    Every wheel of the workspace is named on the command line, so no
    ``--find-links`` is passed: one would replace ``UV_FIND_LINKS``/``PIP_FIND_LINKS``.
    """
    target.mkdir(parents=True, exist_ok=True)
    what = f"installing {report} and its private dependencies into the bundle"
    args: list[str] = []
    stand_ins: list[Path] = []
    if not install:
        args = ["--no-deps"]
    elif locked is not None:
        args = ["--no-deps", "--requirement", str(locked)]
    elif runner.uv is not None:
        excludes = scratch / "shared-excludes.txt"
        excludes.write_text("".join(f"{name}\n" for name in sorted(shared)), encoding="utf-8")
        args = ["--excludes", str(excludes)]
    else:
        stand_ins = _stand_ins(scratch / "shared-stand-ins", shared)
    runner.pip_install(target, [*args, *map(str, [*stand_ins, *wheels])], what=what, package=report)
    if stand_ins:
        for folder in dist_infos(target).values():
            if canonical(_dist_name(folder)) in shared:
                remove_distribution(target, folder)


def _stand_ins(folder: Path, shared: dict[str, str | None]) -> list[Path]:
    """Empty wheels of the host's shared versions: pip resolves nothing beneath them.

    Named on the command line, each one is the only candidate for its name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wheels = []
    for name, version in sorted(shared.items()):
        if version is None:
            continue
        stem = f"{name.replace('-', '_')}-{version}"
        info = f"{stem}.dist-info"
        files = {
            f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
            f"{info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        }
        record = "".join(
            f"{path},{_record_hash(text.encode())},{len(text)}\n" for path, text in files.items()
        )
        files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
        wheel = folder / f"{stem}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            for path, text in files.items():
                archive.writestr(path, text)
        wheels.append(wheel)
    return wheels


def _record_hash(data: bytes) -> str:
    digest = urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def dist_infos(target: Path) -> dict[str, Path]:
    """Canonical distribution name -> its ``*.dist-info`` folder in ``target``."""
    found = {}
    for folder in sorted(target.glob("*.dist-info")):
        if folder.is_dir():
            found[canonical(_dist_name(folder))] = folder
    return found


def _dist_name(folder: Path) -> str:
    name = importlib.metadata.PathDistribution(folder).metadata["Name"]
    return str(name) if name else folder.name.partition("-")[0]


def remove_distribution(target: Path, dist_info: Path) -> None:
    """Remove an installed distribution's files (by its RECORD) and then empty folders."""
    distribution = importlib.metadata.PathDistribution(dist_info)
    folders: set[Path] = set()
    for file in distribution.files or ():
        path = (target / str(file)).resolve()
        if path.is_relative_to(target.resolve()) and path.is_file():
            path.unlink()
            folders.update(p for p in path.parents if p.is_relative_to(target.resolve()))
    shutil.rmtree(dist_info, ignore_errors=True)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder != target.resolve() and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@attrs.frozen
class Split:
    """What the walk found: the shared ranges, and the private packages nothing reaches."""

    shared_requirements: tuple[str, ...]
    unreached: tuple[str, ...]
    #: Private requirements that no installed distribution satisfies (``--no-install``).
    missing: tuple[str, ...]


def split_requirements(target: Path, roots: Sequence[str], shared: Iterable[str]) -> Split:
    """Walk the requirements from ``roots`` through the distributions installed in ``target``.

    A requirement on a shared package is recorded (name, extras and range:
    its marker was true here, and the loader evaluates it without extras);
    one on a private package continues into that package with its extras.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    shared_names = set(shared)
    installed = dist_infos(target)
    seen: dict[str, set[str]] = {}
    ranges: set[str] = set()
    missing: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [(canonical(root), frozenset()) for root in roots]
    while todo:
        name, extras = todo.pop()
        if name in seen and extras <= seen[name]:
            continue
        seen.setdefault(name, set()).update(extras)
        folder = installed.get(name)
        if folder is None:
            continue
        for text in importlib.metadata.PathDistribution(folder).requires or ():
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue  # the scan of the bundle reports it with its file
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({"extra": extra}) for extra in (extras or {""})
            ):
                continue
            key = canonical(requirement.name)
            if key in shared_names:
                requirement.marker = None
                ranges.add(str(requirement))
            elif key in installed:
                todo.append((key, frozenset(requirement.extras)))
            else:
                requirement.marker = None
                missing.add(str(requirement))
    unreached = tuple(sorted(name for name in installed if name not in seen))
    return Split(tuple(sorted(ranges)), unreached, tuple(sorted(missing)))
