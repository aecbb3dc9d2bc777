"""``greenroom package bundle --package A --package B ...``: many bundles in one command.

Each package is bundled exactly as ``--package NAME`` alone bundles it (by
:func:`~greenroom._packaging.bundle.bundle_package`), each in a worker
process of its own, up to one per CPU at a time. Processes, not threads:
validating a bundle loads it through the runtime's module loader, which
changes ``sys.modules`` and ``sys.meta_path``, so two validations never share
an interpreter; and a fresh process per bundle keeps one bundle's leftovers
out of the next.

What every bundle would work out alike is worked out once, before the
workers start (issue 8: 20 one-package commands paid it 20 times): the
workspace, read once with every package located in it; the host's shared
packages and their versions (``bundle.host_shared``); the shared import
names the loader caches, in one validation cache for the whole batch; and
the modules bundling and validating import. Forked workers inherit all of
it; spawned ones get the workspace and the cache and redo the rest.

A worker sends its progress lines, then its outcome (the result or a
:class:`BundleFailure`), through a pipe; the caller's :class:`Steps` prints
each line with the package's name in front, so lines of different packages
never mix. A failure never stops the other packages.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import attrs

from greenroom._errors import GreenroomError, PackageMetadataError
from greenroom._packaging.bundle import BundleOptions, BundleResult, bundle_package, host_shared
from greenroom._packaging.local_deps import canonical
from greenroom._packaging.progress import Steps
from greenroom._packaging.project import Package
from greenroom._packaging.workspace import Workspace, load_workspace

if TYPE_CHECKING:  # multiprocessing is imported only to bundle several (~10 ms)
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, SpawnContext
    from multiprocessing.process import BaseProcess

__all__ = ["BundleFailure", "StartMethod", "bundle_each", "unique_names"]

#: How worker processes start (see :func:`_context`).
StartMethod = Literal["fork", "spawn"]

#: Imported before forking, so that no worker imports them again (~0.15 s each):
#: what bundling and validating import, and the host's HTTP stack, which a
#: backend has imported before it loads plugins and which most plugins import.
_PRELOAD: Final = (
    "greenroom",
    "greenroom._config.reader",
    "greenroom._dynamic.bundle_manifest",
    "greenroom._dynamic.manager",
    "greenroom._dynamic.manifest",
    "greenroom._dynamic.module_loader",
    "greenroom._dynamic.scanner",
    "greenroom._dynamic.schemas",
    "greenroom._packaging.bundle_layout",
    "greenroom._packaging.bundle_schema",
    "greenroom._packaging.bundle_validate",
    "greenroom._packaging.check",
    "greenroom._packaging.private_deps",
    "greenroom._packaging.wheels",
    "packaging.requirements",
    "starlette.requests",
    "starlette.responses",
    "starlette.routing",
    "uv",
)


@attrs.frozen
class BundleFailure:
    """A package that was not bundled: the error, its fix, and the tools' log if kept."""

    package: str
    message: str
    hint: str = ""
    log: Path | None = None
    #: The traceback of an error that is no Greenroom error (a bug), else empty.
    traceback: str = ""


def unique_names(names: Sequence[str]) -> list[str]:
    """``names`` without repeats (by normalized name), each in its first spelling and place."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(canonical(name), name)
    return list(first.values())


def bundle_each(
    options: BundleOptions,
    names: Sequence[str],
    *,
    steps: Steps | None = None,
    jobs: int | None = None,
    start_method: StartMethod | None = None,
) -> Iterator[tuple[str, BundleResult | BundleFailure]]:
    """Bundle each member ``names`` lists with ``options``; (package, outcome) as each ends.

    Repeated names are bundled once. Unknown names are refused (all of them,
    with :class:`PackageMetadataError`) before anything runs. ``jobs``: how
    many at a time (default: one per CPU; one with ``verbose``, so that the
    tools' output of two packages never mixes). ``start_method``: of the
    worker processes (default: see :func:`_context`).
    """
    from multiprocessing.connection import Connection, wait

    if options.output_name is not None and len(unique_names(names)) > 1:
        raise ValueError("--output-name names one bundle; the CLI refuses it with several")
    steps = steps or Steps(verbose=options.verbose)
    workspace, packages = _locate(unique_names(names), options.cwd)
    count = 1 if options.verbose else (jobs or os.cpu_count() or 1)
    context = _context(start_method)
    cache = Path(tempfile.mkdtemp(prefix="greenroom-bundle-cache-"))
    running: dict[Connection, tuple[str, BaseProcess]] = {}
    try:
        _prepare(options, cache, preload=context.get_start_method() == "fork")
        queue = list(packages)
        while queue or running:
            while queue and len(running) < count:
                package = queue.pop(0)
                one = attrs.evolve(options, package=package.label)
                reader, worker = _start(context, one, (workspace, package), cache)
                running[reader] = (package.label, worker)
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                label, worker = running[ready]
                outcome = _receive(ready, label, worker, steps)
                if outcome is not None:
                    del running[ready]
                    ready.close()
                    worker.join()
                    yield label, outcome
    finally:
        for reader, (_, worker) in running.items():  # left early (an error, ^C): stop the rest
            worker.terminate()
            worker.join()
            reader.close()
        shutil.rmtree(cache, ignore_errors=True)


def _start(
    context: ForkContext | SpawnContext,
    options: BundleOptions,
    located: tuple[Workspace, Package],
    cache: Path,
) -> tuple[Connection, BaseProcess]:
    """A worker bundling ``located``, and the end of the pipe it reports through."""
    reader, writer = context.Pipe(duplex=False)
    worker: BaseProcess = context.Process(
        target=_work,
        args=(options, located, cache, writer),
        name=f"greenroom bundle {located[1].label}",
        daemon=True,
    )
    worker.start()
    writer.close()  # the worker's end: reading gets EOF once the worker is gone
    return reader, worker


def _locate(names: Sequence[str], cwd: Path) -> tuple[Workspace, list[Package]]:
    """The workspace, read once, and the member each name names; all unknown names refused."""
    workspace = load_workspace(cwd)
    members = {canonical(m.name): m.package for m in workspace.members if m.name}
    unknown = [name for name in names if canonical(name) not in members]
    if unknown:
        known = ", ".join(sorted(m.name for m in workspace.members if m.name)) or "none"
        raise PackageMetadataError(
            [
                f"no member package {name!r} in the workspace at {workspace.root}"
                for name in unknown
            ],
            hint=f"pass the [project] name of a member with --package (members: {known})",
        )
    return workspace, [members[canonical(name)] for name in names]


def _context(method: StartMethod | None) -> ForkContext | SpawnContext:
    """The start method of the workers: fork where it is safe, else spawn.

    fork starts a worker in milliseconds, with everything :func:`_prepare`
    worked out and imported already (spawn starts an interpreter and imports
    again, ~0.3 s a worker). It is safe here: the CLI runs no other thread when
    it forks (a lock another thread held would stay locked in the child), and
    a worker runs one bundle and leaves with ``os._exit``. Only on Linux:
    macOS's system libraries are not fork-safe (CPython spawns there since
    3.8) and Windows has no fork. A caller with threads running (a test
    runner, an IDE) gets spawn too.
    """
    import multiprocessing

    if method is None:
        safe = sys.platform.startswith("linux") and threading.active_count() == 1
        method = "fork" if safe else "spawn"
    if method == "fork":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _prepare(options: BundleOptions, cache: Path, *, preload: bool) -> None:
    """Work out once what every bundle needs alike (see the module's docstring)."""
    from greenroom._packaging.bundle_validate import prepare_cache

    if preload:
        for module in _PRELOAD:
            with contextlib.suppress(ImportError):  # uv is optional: pip stands in
                importlib.import_module(module)
        host_shared(options.shared_packages)
    prepare_cache(cache, shared_packages=options.shared_packages)


def _receive(
    reader: Connection, label: str, worker: BaseProcess, steps: Steps
) -> BundleResult | BundleFailure | None:
    """Print a progress line from ``reader`` (``None``), or the worker's outcome."""
    try:
        kind, payload = reader.recv()
    except EOFError:
        worker.join()
        return BundleFailure(
            label,
            f"the process bundling {label} ended (exit code {worker.exitcode}) before it was done",
            hint=f"bundle it alone (`greenroom package bundle --package {label}`) to see why",
        )
    if kind == "line":
        steps.note(f"[{label}] {payload}")
        return None
    assert isinstance(payload, BundleResult | BundleFailure)
    return payload


def _work(
    options: BundleOptions, located: tuple[Workspace, Package], cache: Path, out: Connection
) -> None:
    """In a worker: bundle one package, sending progress lines and then the outcome to ``out``."""
    import traceback

    label = located[1].label
    steps = Steps(verbose=options.verbose, stream=_Lines(out))
    outcome: BundleResult | BundleFailure
    try:
        outcome = bundle_package(options, steps, located=located, validation_cache=cache)
    except GreenroomError as exc:
        outcome = BundleFailure(
            label, str(exc), getattr(exc, "hint", ""), getattr(exc, "log", None)
        )
    except Exception as exc:  # a bug: reported with its traceback, the other packages go on
        outcome = BundleFailure(
            label,
            f"{type(exc).__name__}: {exc}",
            hint="this is a bug in greenroom; please report it with the traceback above",
            traceback=traceback.format_exc(),
        )
    except KeyboardInterrupt:  # ^C reached the whole process group: the parent reports it
        return
    out.send(("done", outcome))
    out.close()


class _Lines(io.StringIO):
    """A text stream that sends each whole line written to it through a pipe."""

    def __init__(self, out: Connection) -> None:
        super().__init__()
        self._out = out
        self._partial = ""

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._out.send(("line", line))
        return len(text)
