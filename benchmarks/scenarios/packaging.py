"""``greenroom package bundle`` and ``build-workspace``, against the standard tools they drive.

Every command runs as a user runs it: a new process (``greenroom`` or the
installer), timed from spawn to exit, offline against local wheelhouses
(:mod:`benchmarks.packaging_fixtures`). Builds are isolated, as ``uv build``
and ``package bundle`` do by default. The two sides of each row alternate
within every repetition, so a change in the machine's load hits both alike.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import attrs

from benchmarks import packaging_fixtures as fx
from benchmarks.model import Measured, Result, spread
from benchmarks.settings import Settings

__all__ = ["run_build_workspace", "run_bundle"]

Log = Callable[[str], None]
BUNDLE_GOAL: Final = 1.2
WORKSPACE_GOAL: Final = 0.5
#: The issue's sizes, and the short run's.
DEPS_N: Final = 10
DEPS_N_SHORT: Final = 2
PLUGINS_N: Final = 20
PLUGINS_N_SHORT: Final = 3
#: A repetition of the workspace row bundles 40 times; three show the noise well enough.
WORKSPACE_REPS: Final = 3


@attrs.frozen
class _Row:
    """One packaging goal: what its row says, whatever the outcome."""

    key: str
    scenario: str
    n: int
    baseline: str
    #: The largest ratio that meets the goal.
    goal: float

    @property
    def goal_text(self) -> str:
        return f"≤ {self.goal}×"

    def skipped(self) -> Result:
        """The row when no local wheelhouse holds the build backend: nothing builds offline."""
        return Result(
            self.key,
            self.scenario,
            self.n,
            None,
            None,
            self.baseline,
            self.goal_text,
            "skipped",
            note=f"skipped: isolated builds need {fx.BUILD_BACKEND} in a local wheelhouse "
            "($GREENROOM_WHEELHOUSE or .wheelhouse; any ./dev command fills it)",
        )

    def measured(
        self, value: Measured, base: Measured, note: str, extra: dict[str, object]
    ) -> Result:
        """The row of a run, met when the ratio of the medians is within the goal."""
        met = value.median / base.median <= self.goal
        return Result(
            self.key,
            self.scenario,
            self.n,
            value,
            base,
            self.baseline,
            self.goal_text,
            "met" if met else "not met",
            note=note,
            extra=extra,
        )


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _bundle_argv(packages: Sequence[str], out: Path, *extra: str) -> list[str]:
    """One ``greenroom package bundle`` of ``packages`` into ``out``, replacing what is there."""
    options = [option for package in packages for option in ("--package", package)]
    options += ["--output-destination", str(out), "--clean", *extra]
    return fx.greenroom_command("package", "bundle", *options)


def _alternate(
    s: Settings,
    log: Log,
    tag: str,
    measured: Callable[[], float],
    baseline: Callable[[], float],
    reps: int,
) -> tuple[Measured, Measured]:
    """``reps`` timings of each, alternating, after one unmeasured run of each (warm-up)."""
    if s.warmup:  # fills the uv cache and the OS page cache
        log(f"warm-up {tag}: {measured():.3f} s, baseline {baseline():.3f} s")
    values, baselines = [], []
    for rep in range(reps):
        values.append(measured())
        baselines.append(baseline())
        log(f"{tag} {rep + 1}/{reps}: {values[-1]:.3f} s, baseline {baselines[-1]:.3f} s")
    return spread(values, "s"), spread(baselines, "s")


def run_bundle(s: Settings, log: Log) -> list[Result]:
    """``package bundle`` of a plugin with N private dependencies, against build + install."""
    n = DEPS_N_SHORT if s.short else DEPS_N
    row = _Row(
        "package-bundle",
        f"`package bundle` of a plugin with {n} private dependencies",
        n,
        f"building the wheel + installing it and the {n} into a folder, same installer",
        BUNDLE_GOAL,
    )
    backend = fx.dev_wheelhouse()
    if backend is None:
        return [row.skipped()]
    from greenroom._packaging.tools import ToolLog, ToolRunner

    ws = s.workspace
    private = fx.private_wheels(ws, n, backend)
    root, plugin = fx.deps_workspace(ws, n)
    package = plugin.name
    runs = fx.packaging_dir(ws) / "runs" / "bundle"
    with fx.offline_environ(ws, [private[0].parent, backend]):
        # greenroom's own runner: the installer, flags and interpreter the bundle uses.
        runner = ToolRunner(ToolLog(runs / "baseline.log"))

        def bundle() -> float:
            return fx.run_timed(_bundle_argv([package], _fresh(runs / "bundle")), cwd=root)

        def baseline() -> float:
            wheels, target = _fresh(runs / "wheel"), _fresh(runs / "target")
            started = time.perf_counter()
            runner.build_wheel(plugin, wheels, package=package)
            # The plugin and the same private wheels; greenroom and starlette are the
            # host's (shared), left out as the bundle leaves them out.
            args = ["--no-deps", *map(str, wheels.glob("*.whl")), *map(str, private)]
            runner.pip_install(target, args, what="the baseline's install", package=package)
            return time.perf_counter() - started

        installer = fx.installer()
        value, base = _alternate(s, log, f"bundle N={n}", bundle, baseline, s.reps)
        # Context for the note: what starting the command costs before it does anything.
        help_argv = fx.greenroom_command("package", "bundle", "--help")
        cli = spread([fx.run_timed(help_argv) for _ in range(s.reps)], "s")
    runner.log.close(remove=True)
    note = (
        f"installer {installer} on both sides (the bundle's choice: uv when installed), "
        "isolated builds, offline from local wheelhouses, no uv.lock. "
        f"{value.median - base.median:.2f} s over the tools, where {row.goal_text} allows "
        f"{(BUNDLE_GOAL - 1) * base.median:.2f} s; starting the CLI alone "
        f"(`greenroom package bundle --help`) takes {cli.median:.2f} s. The rest: importing "
        "the packaging code, reading the workspace, the shared packages' closure, the split "
        "and manifest, loading the bundle as the runtime does"
    )
    return [row.measured(value, base, note, {"installer": installer, "cli_start_s": cli.as_json()})]


def run_build_workspace(s: Settings, log: Log) -> list[Result]:
    """``build-workspace`` + one ``package bundle --pre-packed-dir`` of all N, against N bundles.

    The measured side is what a user of ``build-workspace`` runs: two commands
    (the bundles in one, ``--package`` repeated); the baseline bundles the N
    one by one, each command building its own wheel.
    """
    n = PLUGINS_N_SHORT if s.short else PLUGINS_N
    row = _Row(
        "build-workspace",
        f"`build-workspace` + `--pre-packed-dir` for {n} plugins",
        n,
        f"bundling the {n} one by one (each builds its wheel)",
        WORKSPACE_GOAL,
    )
    backend = fx.dev_wheelhouse()
    if backend is None:
        return [row.skipped()]
    ws = s.workspace
    root, packages = fx.plugins_workspace(ws, n)
    runs = fx.packaging_dir(ws) / "runs" / "workspace"
    build_s: list[float] = []
    with fx.offline_environ(ws, [backend]):

        def pre_packed() -> float:
            wheels, out = _fresh(runs / "pre-packed"), _fresh(runs / "from-pre-packed")
            seconds = fx.run_timed(fx.greenroom_command("build-workspace", str(wheels)), cwd=root)
            build_s.append(seconds)
            argv = _bundle_argv(packages, out, "--pre-packed-dir", str(wheels))
            return seconds + fx.run_timed(argv, cwd=root)

        def one_by_one() -> float:
            out = _fresh(runs / "one-by-one")
            return sum(fx.run_timed(_bundle_argv([p], out), cwd=root) for p in packages)

        reps = min(s.reps, WORKSPACE_REPS)
        installer = fx.installer()
        value, base = _alternate(s, log, f"workspace N={n}", pre_packed, one_by_one, reps)
    build = spread(build_s[-reps:], "s")  # the warm-up's left out
    cpus = os.cpu_count() or 1  # build-workspace builds one wheel per CPU at a time
    note = (
        f"build-workspace {build.median:.2f} s ({n} wheels, {min(n, cpus)} at a time), "
        f"then one `package bundle` of the {n} (`--package` repeated, {min(n, cpus)} at a "
        f"time) {value.median - build.median:.2f} s; one by one {base.median / n:.2f} s per "
        f"plugin; installer {installer}, isolated builds. With plugins that share no library, "
        "the wheel builds are the same work on both sides, only concurrent: with "
        f"{cpus} CPUs they take at least 1/{cpus} of their one-by-one time, and "
        f"build-workspace is {build.median / value.median:.0%} of the measured side"
    )
    return [row.measured(value, base, note, {"build_workspace_s": build.as_json()})]
