"""``greenroom package build``: the publish check, then wheel and sdist; a backend's bundle.

The standard build frontend does the work: ``uv build`` (``python -m build``
when uv is missing), with the package's own ``[build-system]``, into the
package's ``dist/``. A publishable package (plugin, module or library, not
private) is checked first, as the seed's ``prepack`` does, so that a package
missing its plugin metadata is never built for publishing. A ``backend``
package gets the production bundle of ``greenroom backend bundle``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import attrs

from greenroom._errors import PackageScriptError
from greenroom._packaging.tools import ToolLog, ToolRunner, find_uv
from greenroom._scripts.target import ScriptTarget

__all__ = ["BuildResult", "build_package"]


@attrs.frozen
class BuildResult:
    """The files written, and notes for the user."""

    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def _frontend(out_dir: Path, source: Path) -> list[str]:
    uv = find_uv()
    if uv is not None:
        args = [uv, "build", "--sdist", "--wheel", "--python", sys.executable]
        return [*args, "--out-dir", str(out_dir), str(source)]
    if importlib.util.find_spec("build") is not None:
        args = [sys.executable, "-m", "build", "--sdist", "--wheel"]
        return [*args, "--outdir", str(out_dir), str(source)]
    raise PackageScriptError(
        "`greenroom package build` needs uv or the build package to build wheels and sdists",
        script="build",
        hint="pip install 'greenroom[bundle]' (uv), or pip install build",
    )


def build_package(target: ScriptTarget, *, check: bool = True) -> BuildResult:
    """Build ``target`` as its role says; ``check=False`` skips the publish check."""
    notes: list[str] = []
    if target.defaults.build == "production-bundle":
        from greenroom._packaging.backend_bundle import backend_bundle

        bundle = backend_bundle(target.directory, build_dependencies=True, verbose=True)
        return BuildResult((bundle.skeleton, bundle.bundle))
    if check and target.defaults.publish_check and not target.package.private:
        from greenroom._packaging.check import check_package

        check_package(target.directory)
        notes.append(f"{target.label}: the publish check passed")
    if target.defaults.build_note:
        notes.append(f"{target.label} is a {target.package.role}: {target.defaults.build_note}")
    out_dir = target.directory / "dist"
    out_dir.mkdir(exist_ok=True)
    before = {path: path.stat().st_mtime_ns for path in out_dir.iterdir()}
    runner = ToolRunner(ToolLog(None))
    runner.run(
        _frontend(out_dir, target.directory),
        what=f"building {target.label}",
        package=target.label,
        step="build",
    )
    written = sorted(
        path
        for path in out_dir.iterdir()
        if path.suffix in (".whl", ".gz") and before.get(path) != path.stat().st_mtime_ns
    )
    return BuildResult(tuple(written), tuple(notes))
