"""Peer: Backstage itself (``@backstage/backend-defaults`` + the dynamic feature service).

Opt-in with ``--peers``; needs Node.js and npm, and installs Backstage into a
cache folder outside the repository (``benchmarks/peers/backstage``). Measured
as the Python stacks are: start-up to readiness 200 and ``VmRSS`` at that
moment, at N=0 and at each N the per-plugin cost is fitted over (Backstage
takes ~10 s at 1000 plugins: the whole group takes about 5 minutes of a full
run, plus 2 to 3 minutes for the first install), and ``wrk`` on the first and
the last plugin's route. Within each repetition Backstage,
the floor and Greenroom are started in turn, as ``startup.py`` does, so the
rows carry the baselines the naive peer's rows carry (the floor, the bare
stack, bare Starlette) and, in their notes, Greenroom measured alongside.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path

from benchmarks import plugins
from benchmarks.model import Measured, Result, Starts, Status, spread
from benchmarks.peers.backstage.install import InstallError, ensure_installed, installed_versions
from benchmarks.peers.backstage.server import start_backstage
from benchmarks.process import ServerRun, start_and_stop
from benchmarks.scenarios.http import WRK_MISSING, Samples, drive
from benchmarks.settings import Settings
from benchmarks.stacks import start_bare, start_floor, start_greenroom
from benchmarks.table import number

__all__ = ["run_backstage"]

Log = Callable[[str], None]
_STACKS = ("backstage", "floor", "greenroom")
_STACKS_HTTP = ("backstage", "greenroom", "bare")


def _row(status: Status, note: str, n: int) -> Result:
    """The one row saying why Backstage was not measured."""
    return _peer_row(
        "", "start-up, RSS, req/s with N dynamic plugins", n, None, (None, ""), note, status=status
    )


def run_backstage(s: Settings, log: Log) -> list[Result]:
    """Nothing without ``--peers``; else Backstage's rows, or one saying why it was not measured."""
    if not s.peers:
        return []
    if shutil.which("node") is None or shutil.which("npm") is None:
        message = "skipped: Node.js and npm are needed to measure Backstage"
        log(message)
        return [_row("skipped", message, s.startup_n)]
    try:
        # Beside the suite's versioned workspace, so that regenerating the Python
        # plugins keeps the npm tree (~350 MB, minutes to install).
        home = ensure_installed(s.workspace.parent, log)
    except InstallError as exc:
        log(str(exc))
        note = f"skipped: npm install of the Backstage peer failed: {exc.summary} (see {exc.log})"
        return [_row("skipped", note, s.startup_n)]
    versions = {"node": _node_version(), **installed_versions(home)}
    log("Backstage peer: " + ", ".join(f"{name} {v}" for name, v in versions.items()))
    rows = _startup_rows(s, _starts(s, home, log), versions)
    return rows + _http_rows(s, home, log)


def _node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def _starts(s: Settings, home: Path, log: Log) -> dict[str, Starts]:
    """Every start of Backstage, the floor and Greenroom, at N=0 and each N of the fit."""
    ws, logs = s.workspace, s.workspace / "logs"
    cache = ws / "greenroom-cache"  # Greenroom's own cache, warm as in startup.py
    starts = {name: Starts() for name in _STACKS}
    for n in sorted({0, *s.fit_ns, s.startup_n}):
        starters: dict[str, Callable[[], ServerRun]] = {
            "backstage": functools.partial(start_backstage, home, n, logs, "backstage"),
            "floor": functools.partial(start_floor, ws, n, compiled=True, label="fl-bs"),
            "greenroom": functools.partial(start_greenroom, ws, n, cache, "gr-bs"),
        }
        if s.warmup:  # generates the plugins, fills the caches (Greenroom's, the OS's)
            for name, start in starters.items():
                start_and_stop(start, log, f"warm-up {name} N={n}")
        for rep in range(s.reps):
            for name, start in starters.items():
                starts[name].add(n, start_and_stop(start, log, f"{name} N={n} {rep + 1}/{s.reps}"))
    return starts


def _versus(value: float, greenroom: float, unit: str) -> str:
    shown = f"{number(greenroom, unit)} {unit}"
    return f"Greenroom in the same run: {shown} (Backstage {value / greenroom:.1f}×)"


def _peer_row(
    key: str,
    scenario: str,
    n: int | None,
    value: Measured | None,
    baseline: tuple[Measured | None, str],
    note: str,
    *,
    status: Status = "info",
    **extra: object,
) -> Result:
    """A ``peer-backstage-<key>`` row; ``baseline`` is the baseline and its label."""
    return Result(
        f"peer-backstage-{key}" if key else "peer-backstage",
        f"peer, Backstage: {scenario}",
        n,
        value,
        baseline[0],
        baseline[1],
        "(peer)",
        status,
        note=note,
        extra=dict(extra),
    )


def _startup_rows(
    s: Settings, starts: dict[str, Starts], versions: Mapping[str, str]
) -> list[Result]:
    backstage, floor, greenroom = (starts[name] for name in _STACKS)
    n = s.startup_n
    fit_ns = sorted(x for x in backstage.ready if x > 0)
    rss, empty = backstage.megabytes(n), backstage.megabytes(0)
    per_plugin_kb = (rss.median - empty.median) * 1024 / n
    gr_slope = spread(greenroom.slopes_ms(fit_ns), "ms/plugin").median
    return [
        _peer_row(
            "startup",
            "start-up to readiness",
            n,
            backstage.times(n),
            (floor.times(n), "floor (as above)"),
            f"{n} dynamic plugins (dynamicPluginsFeatureLoader), NODE_ENV=production; "
            + _versus(backstage.times(n).median, greenroom.times(n).median, "s"),
            versions=dict(versions),
        ),
        _peer_row(
            "startup-0",
            "start-up to readiness, no plugins",
            0,
            backstage.times(0),
            (floor.times(0), "floor: uvicorn + Starlette + pluggy, nothing imported"),
            _versus(backstage.times(0).median, greenroom.times(0).median, "s"),
        ),
        _peer_row(
            "per-plugin",
            "cost per extra plugin",
            None,
            spread(backstage.slopes_ms(fit_ns), "ms/plugin"),
            (spread(floor.slopes_ms(fit_ns), "ms/plugin"), "floor's slope"),
            f"Ns: {', '.join(map(str, fit_ns))}; "
            f"Greenroom's slope in the same run: {gr_slope:.3f} ms/plugin",
            ns=fit_ns,
            backstage_medians_s=[backstage.times(x).median for x in fit_ns],
        ),
        _peer_row(
            "rss",
            "RSS at readiness",
            n,
            rss,
            (floor.megabytes(0), "bare stack"),
            f"{per_plugin_kb:.0f} KB per plugin (Backstage with no plugins: "
            f"{empty.median:.1f} MB); " + _versus(rss.median, greenroom.megabytes(n).median, "MB"),
            per_plugin_kb=per_plugin_kb,
            backstage_empty_mb=empty.median,
        ),
    ]


def _load(s: Settings, home: Path, paths: Mapping[str, str], log: Log) -> tuple[Samples, Samples]:
    """req/s and p99 (ms) samples by ``<stack>-<which>``: Backstage, Greenroom, bare Starlette."""
    n, ws = s.http_n, s.workspace
    with ExitStack() as stack:
        backstage = stack.enter_context(start_backstage(home, n, ws / "logs", "backstage-http"))
        greenroom = stack.enter_context(
            start_greenroom(ws, n, ws / "greenroom-cache", "gr-bs-http")
        )
        servers: dict[str, tuple[ServerRun, str]] = {}
        for which, path in paths.items():
            servers[f"backstage-{which}"] = (backstage, path)
            servers[f"greenroom-{which}"] = (greenroom, path)
            bare = stack.enter_context(start_bare(ws, path, f"bare-bs-{which}"))
            servers[f"bare-{which}"] = (bare, path)
        return drive(servers, s, log)


def _http_rows(s: Settings, home: Path, log: Log) -> list[Result]:
    """req/s of plugin 1's and plugin N's route, each against bare Starlette, Greenroom beside."""
    n = s.http_n
    paths = {
        "first": f"/api/{plugins.plugin_id(1)}{plugins.ROUTE}",
        "last": f"/api/{plugins.plugin_id(n)}{plugins.ROUTE}",
    }
    label = "bare Starlette app with that one route"
    if shutil.which("wrk") is None:
        log(WRK_MISSING)
        return [
            _peer_row(
                f"http-{which}",
                f"req/s, {which} plugin's route",
                n,
                None,
                (None, label),
                WRK_MISSING,
                status="skipped",
            )
            for which in paths
        ]
    rates, p99s = _load(s, home, paths, log)
    rows = []
    for which in paths:
        rps = {name: spread(rates[f"{name}-{which}"], "req/s") for name in _STACKS_HTTP}
        p99 = {name: spread(p99s[f"{name}-{which}"], "ms").median for name in _STACKS_HTTP}
        note = (
            f"p99 {p99['backstage']:.1f} ms (bare {p99['bare']:.1f} ms); Greenroom in the same "
            f"run: {rps['greenroom'].median:,.0f} req/s, p99 {p99['greenroom']:.1f} ms "
            "(both log every request)"
        )
        rows.append(
            _peer_row(
                f"http-{which}",
                f"req/s, {which} plugin's route",
                n,
                rps["backstage"],
                (rps["bare"], label),
                note,
                p99_ms=p99,
                greenroom_rps=rps["greenroom"].median,
            )
        )
    return rows
