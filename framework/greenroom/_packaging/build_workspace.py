"""``greenroom build-workspace DIR [PACKAGE...]``: wheels for ``package bundle --pre-packed-dir``.

The Python form of ``backstage-cli build-workspace``: the wheels of the named
members and of the workspace packages they need (every member when none is
named), built once each (several at a time, one per CPU), into ``DIR``, with
the root lock file (``uv.lock``) beside them. Bundling many plugins from it builds
each library once instead of once per plugin that embeds it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import attrs

from greenroom._errors import BundleError
from greenroom._packaging.local_deps import LocalGraph, canonical
from greenroom._packaging.private_deps import LOCK_FILE
from greenroom._packaging.progress import Steps
from greenroom._packaging.tools import ToolLog, ToolRunner
from greenroom._packaging.wheels import build_wheels
from greenroom._packaging.workspace import load_workspace

__all__ = ["LOG_NAME", "WorkspaceBuild", "build_workspace"]

#: The tools' log in ``DIR`` (removed after a success).
LOG_NAME = "build-workspace.log"


@attrs.frozen
class WorkspaceBuild:
    """What ``build-workspace`` wrote."""

    directory: Path
    #: The wheels, in the order they were built (dependencies first).
    wheels: tuple[Path, ...]
    lock: Path | None


def build_workspace(
    directory: Path,
    names: Sequence[str] = (),
    *,
    cwd: Path,
    verbose: bool = False,
    steps: Steps | None = None,
) -> WorkspaceBuild:
    """Build the wheels of ``names`` (all members when empty) and their local dependencies."""
    steps = steps or Steps(verbose=verbose)
    workspace = load_workspace(cwd)
    graph = LocalGraph.of(workspace)
    unknown = [name for name in names if canonical(name) not in graph.members]
    if unknown:
        members = ", ".join(sorted(graph.members)) or "none"
        raise BundleError(
            [
                f"no member package {name!r} in the workspace at {workspace.root}"
                for name in unknown
            ],
            step="build",
            hint=f"name members of the workspace (members: {members})",
        )
    roots = [graph.members[canonical(n)] for n in names] or list(graph.members.values())
    order = graph.closure(roots, embed_only=False)
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    log = ToolLog(None if verbose else directory / LOG_NAME)
    if log.path is not None:
        log.path.unlink(missing_ok=True)
    runner = ToolRunner(log)
    try:
        with steps.step(f"building {len(order)} wheel(s): {', '.join(p.label for p in order)}"):
            wheels = build_wheels(runner, order, directory, report="build-workspace")
        lock = None
        if (workspace.root / LOCK_FILE).is_file():
            lock = directory / LOCK_FILE
            shutil.copyfile(workspace.root / LOCK_FILE, lock)
    except BundleError as exc:
        log.close(remove=False)
        exc.log = log.path if log.path is not None and log.path.is_file() else None
        raise
    log.close(remove=True)
    return WorkspaceBuild(directory, tuple(wheels[canonical(p.label)] for p in order), lock)
