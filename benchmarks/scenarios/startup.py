"""Start-up to readiness (warm and cold), the per-plugin cost, and RSS at readiness.

Every start is a new process timed from its spawn to the first readiness 200,
with ``VmRSS`` read at that moment. Greenroom, the floor (and the naive peer
with ``--peers``) are started in turn within each repetition, so that a
change in the machine's load hits all of them alike.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Callable
from typing import Final

from benchmarks import plugins
from benchmarks.model import Result, Starts, fit_slope, spread
from benchmarks.process import ServerRun, start_and_stop
from benchmarks.settings import Settings
from benchmarks.stacks import start_floor, start_greenroom, start_naive

__all__ = ["run_cold", "run_warm"]

Log = Callable[[str], None]
START_GOAL_S = 0.5
START_GOAL_RATIO = 1.5
PER_PLUGIN_GOAL_MS = 0.3
#: The slope over the last interval may exceed the slope before it by this factor
#: and still count as linear (a quadratic term doubles it from 500 to 1000).
LINEAR_TOLERANCE = 1.5
COLD_GOAL_S = 2.0
RSS_GOAL_MB = 64.0
RSS_PER_PLUGIN_GOAL_KB = 20.0


def run_warm(s: Settings, log: Log) -> list[Result]:
    """Warm start-up at ``startup_n``, the per-plugin fit, RSS, and the N=0 start."""
    ws = s.workspace
    cache = ws / "greenroom-cache"  # Greenroom's own cache, kept warm across starts
    ns = sorted({*s.fit_ns, s.startup_n})
    greenroom, floor, naive = Starts(), Starts(), Starts()

    def starters(n: int) -> dict[str, Callable[[], ServerRun]]:
        stacks: dict[str, Callable[[], ServerRun]] = {
            "greenroom": functools.partial(start_greenroom, ws, n, cache, "gr"),
            "floor": functools.partial(start_floor, ws, n, compiled=True, label="fl"),
        }
        if s.peers:
            stacks["naive"] = functools.partial(start_naive, ws, n, "naive")
        return stacks

    starts = {"greenroom": greenroom, "floor": floor, "naive": naive}
    # One unmeasured start of each first: generates the plugins, fills Greenroom's cache
    # (extraction, scan cache, bytecode) and the OS page cache.
    if s.warmup:
        for n in [0, *ns]:
            for stack, start in starters(n).items():
                start_and_stop(start, log, f"warm-up {stack} N={n}")
    # Every N within each repetition, so that a slower spell of the shared machine
    # lands on all Ns alike instead of bending the fit (issue 8: linearity).
    for rep in range(s.reps):
        for n in [0, *ns]:
            for stack, start in starters(n).items():
                starts[stack].add(
                    n, start_and_stop(start, log, f"{stack} N={n} {rep + 1}/{s.reps}")
                )
    rows = [
        _warm_row(greenroom, floor, s.startup_n),
        _fit_row(greenroom, floor, ns),
        _rss_row(greenroom, floor, s.startup_n, ns),
        Result(
            "startup-0",
            "start-up to readiness, no plugins (the framework's fixed cost)",
            0,
            greenroom.times(0),
            floor.times(0),
            "floor: uvicorn + Starlette + pluggy, nothing imported",
            "(context)",
            "info",
        ),
    ]
    if s.peers:
        rows += _naive_rows(naive, floor, ns, s.startup_n)
    return rows


def _warm_row(greenroom: Starts, floor: Starts, n: int) -> Result:
    value, baseline = greenroom.times(n), floor.times(n)
    ratio = value.median / baseline.median
    met = value.median <= START_GOAL_S and ratio <= START_GOAL_RATIO
    return Result(
        "startup-warm",
        "start-up to readiness, warm (wheels in the root directory)",
        n,
        value,
        baseline,
        "floor: same stack, same modules from one plain directory, with bytecode",
        f"≤ {START_GOAL_S} s and ≤ {START_GOAL_RATIO}× floor",
        "met" if met else "not met",
        note=f"{value.median:.3f} s is {ratio:.2f}× the floor",
    )


def _linearity(starts: Starts, ns: list[int]) -> float:
    """The slope over the last interval of ``ns`` over the slope up to its start."""
    first, middle, last = ns[0], ns[-2], ns[-1]
    before = (starts.median(middle) - starts.median(first)) / (middle - first)
    after = (starts.median(last) - starts.median(middle)) / (last - middle)
    return after / before if before > 0 else float("inf")


def _fit_row(greenroom: Starts, floor: Starts, ns: list[int]) -> Result:
    fit_ns = [n for n in ns if n > 0]
    value = spread(greenroom.slopes_ms(fit_ns), "ms/plugin")
    baseline = spread(floor.slopes_ms(fit_ns), "ms/plugin")
    framework = value.median - baseline.median
    bend = _linearity(greenroom, fit_ns)
    linear = bend <= LINEAR_TOLERANCE
    met = framework <= PER_PLUGIN_GOAL_MS and linear
    return Result(
        "per-plugin",
        "cost per extra plugin (least-squares slope of warm start-up)",
        None,
        value,
        baseline,
        "floor's slope over the same Ns",
        f"framework's share ≤ {PER_PLUGIN_GOAL_MS} ms, linear",
        "met" if met else "not met",
        note=(
            f"framework's share (slope − floor's) {framework:.3f} ms/plugin; slope over "
            f"{fit_ns[-2]}→{fit_ns[-1]} is {bend:.2f}× the slope over {fit_ns[0]}→{fit_ns[-2]} "
            f"({'linear' if linear else 'grows faster than linear'}); Ns: "
            + ", ".join(map(str, fit_ns))
        ),
        extra={
            "ns": fit_ns,
            "greenroom_medians_s": [greenroom.median(n) for n in fit_ns],
            "floor_medians_s": [floor.median(n) for n in fit_ns],
        },
    )


def _rss_row(greenroom: Starts, floor: Starts, n: int, ns: list[int]) -> Result:
    """RSS at ``n``, judged with the per-plugin cost as the slope of RSS over ``ns``.

    The slope is what each further plugin costs. The average from no plugins
    to ``n`` also carries what the first root-directory plugin brings once
    (the module loader's own modules, ~0.5 MB), so it is shown beside it.
    """
    value, bare = greenroom.megabytes(n), floor.megabytes(0)
    empty = greenroom.megabytes(0)
    fit_ns = [x for x in ns if x > 0]
    slope_kb, _ = fit_slope(fit_ns, [greenroom.megabytes(x).median * 1024 for x in fit_ns])
    average_kb = (value.median - empty.median) * 1024 / n
    met = value.median <= RSS_GOAL_MB and slope_kb <= RSS_PER_PLUGIN_GOAL_KB
    return Result(
        "rss",
        "RSS at readiness",
        n,
        value,
        bare,
        "bare stack: uvicorn + Starlette + pluggy, no plugins",
        f"≤ {RSS_GOAL_MB:.0f} MB, ≤ {RSS_PER_PLUGIN_GOAL_KB:.0f} KB per plugin",
        "met" if met else "not met",
        note=(
            f"{slope_kb:.1f} KB per plugin (least-squares slope of RSS over N = "
            f"{', '.join(map(str, fit_ns))}); from no plugins to {n}: {average_kb:.1f} KB "
            f"per plugin (Greenroom with no plugins: {empty.median:.1f} MB)"
        ),
        extra={
            "per_plugin_kb": slope_kb,
            "per_plugin_kb_from_empty": average_kb,
            "greenroom_empty_mb": empty.median,
        },
    )


def _naive_rows(naive: Starts, floor: Starts, ns: list[int], n: int) -> list[Result]:
    fit_ns = [x for x in ns if x > 0]
    return [
        Result(
            "peer-naive-startup",
            "peer, naive: start-up to readiness",
            n,
            naive.times(n),
            floor.times(n),
            "floor (as above)",
            "(peer)",
            "info",
            note="a sys.path entry and a Starlette Mount per plugin",
        ),
        Result(
            "peer-naive-per-plugin",
            "peer, naive: cost per extra plugin",
            None,
            spread(naive.slopes_ms(fit_ns), "ms/plugin"),
            spread(floor.slopes_ms(fit_ns), "ms/plugin"),
            "floor's slope",
            "(peer)",
            "info",
            note=f"slope over {fit_ns[-2]}→{fit_ns[-1]} is {_linearity(naive, fit_ns):.2f}× "
            f"the slope before",
            extra={"ns": fit_ns, "naive_medians_s": [naive.median(x) for x in fit_ns]},
        ),
        Result(
            "peer-naive-rss",
            "peer, naive: RSS at readiness",
            n,
            naive.megabytes(n),
            floor.megabytes(0),
            "bare stack",
            "(peer)",
            "info",
        ),
    ]


def _settle() -> None:
    """Let the file system finish what earlier steps left (issue 8: cold starts).

    Removing Greenroom's previous cache (thousands of files) leaves the
    journal writing it back for a while; a start measured then pays for that
    in every file it creates (2-5x slower file creation, measured here). A
    real first start after dropping new wheels follows no such removal, so
    each cold start begins with the disk synced.
    """
    os.sync()
    time.sleep(_SETTLE_S)


_SETTLE_S: Final = 1.0


def run_cold(s: Settings, log: Log) -> list[Result]:
    """The first start after dropping ``startup_n`` new wheels: Greenroom's cache empty."""
    ws, n = s.workspace, s.startup_n
    plugins.wheel_root(ws, n)
    greenroom, floor = Starts(), Starts()
    for rep in range(s.cold_reps):
        tag = f"N={n} {rep + 1}/{s.cold_reps}"
        cache = ws / "cold" / "greenroom-cache"
        shutil.rmtree(cache, ignore_errors=True)
        _settle()
        try:
            start_gr = functools.partial(start_greenroom, ws, n, cache, "grc")
            greenroom.add(n, start_and_stop(start_gr, log, f"cold greenroom {tag}"))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        _settle()  # after removing Greenroom's cache: the floor is measured settled too
        start_fl = functools.partial(start_floor, ws, n, compiled=False, label="flc")
        floor.add(n, start_and_stop(start_fl, log, f"cold floor {tag}"))
    value, baseline = greenroom.times(n), floor.times(n)
    return [
        Result(
            "startup-cold",
            "first start after dropping new wheels (cold: empty cache)",
            n,
            value,
            baseline,
            "floor, cold: same modules, no bytecode (compiled at import)",
            f"≤ {COLD_GOAL_S} s",
            "met" if value.median <= COLD_GOAL_S else "not met",
            note="Greenroom extracts, scans, compiles and caches every wheel",
        )
    ]
