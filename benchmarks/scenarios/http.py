"""Requests per second on the first and the last plugin's route, driven by ``wrk``.

A Python client on two cores cannot drive 15k req/s and would measure itself,
so the load comes from ``wrk`` (Debian package ``wrk``); without it the
scenario is skipped with a message. Every server is one uvicorn worker with
the settings ``greenroom start`` uses; ``wrk`` runs one thread.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Final

from benchmarks import plugins
from benchmarks.model import Result, spread
from benchmarks.process import ServerRun
from benchmarks.settings import Settings
from benchmarks.stacks import start_bare, start_greenroom, start_naive

__all__ = ["WRK_MISSING", "Samples", "check_route", "drive", "run_http", "wrk"]

Log = Callable[[str], None]
GOAL_RATIO: Final = 0.9
WRK_MISSING: Final = "wrk not found: install it (apt-get install wrk) to measure req/s"
_UNITS: Final = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
QUIET_LOGGING: Final = {"logging": {"accessLog": False}}


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    """``(requests per second, p99 latency in ms)`` of one ``wrk`` run against ``url``."""
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if done.returncode != 0 or rate is None or p99 is None:
        raise RuntimeError(f"wrk failed on {url}:\n{out}{done.stderr}")
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors on {url}:\n{out}")
    return float(rate.group(1)), float(p99.group(1)) * _UNITS[p99.group(2)]


Samples = dict[str, list[float]]


def drive(
    servers: Mapping[str, tuple[ServerRun, str]], s: Settings, log: Log
) -> tuple[Samples, Samples]:
    """req/s and p99 (ms) samples by label: each route checked and warmed up, then
    ``wrk`` on every server in turn, ``http_reps`` times (interleaved, as noise is)."""
    rates: Samples = {}
    p99s: Samples = {}
    for run, path in servers.values():
        check_route(run, path)
        if s.warmup:
            wrk(run.url(path), 1, s.wrk_connections)  # not counted
    for rep in range(s.http_reps):
        for label, (run, path) in servers.items():
            rate, p99 = wrk(run.url(path), s.wrk_seconds, s.wrk_connections)
            rates.setdefault(label, []).append(rate)
            p99s.setdefault(label, []).append(p99)
            log(
                f"{label} N={s.http_n} {rep + 1}/{s.http_reps}: {rate:,.0f} req/s, p99 {p99:.1f} ms"
            )
    return rates, p99s


def check_route(run: ServerRun, path: str) -> None:
    """Fail unless ``GET path`` answers 200 ``hello`` (every plugin route does)."""
    connection = http.client.HTTPConnection("127.0.0.1", run.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200 or body != b"hello":
        raise RuntimeError(f"GET {path} answered {response.status} {body[:200]!r}")


def _skipped(n: int, reason: str) -> list[Result]:
    return [
        Result(
            f"http-{which}{suffix}",
            f"req/s, {which} plugin's route{label}",
            n,
            None,
            None,
            "bare Starlette app with that one route",
            f"≥ {GOAL_RATIO}× bare",
            "skipped",
            note=reason,
        )
        for suffix, label in _LOGGING.values()
        for which in ("first", "last")
    ]


#: The two server settings compared like for like: ids' suffix and label of each.
_LOGGING: Final = {
    "logged": ("", ", access log on (both)"),
    "quiet": ("-quiet", ", access log off (both)"),
}


def _start_all(
    stack: ExitStack, s: Settings, paths: dict[str, str]
) -> dict[str, tuple[ServerRun, str]]:
    """Every server measured, by label, with the path ``wrk`` drives on it."""
    ws, n = s.workspace, s.http_n
    cache = ws / "greenroom-cache"
    # Greenroom as configured by default (one access-log line per request, as Backstage
    # writes), and with backend.logging.accessLog: false; the bare app with uvicorn's
    # default access log (what `uvicorn app:app` writes), and without any logging.
    greenroom = {
        "logged": stack.enter_context(start_greenroom(ws, n, cache, "gr-http")),
        "quiet": stack.enter_context(
            start_greenroom(ws, n, cache, "gr-http-quiet", backend=QUIET_LOGGING)
        ),
    }
    naive = stack.enter_context(start_naive(ws, n, "naive-http")) if s.peers else None
    servers: dict[str, tuple[ServerRun, str]] = {}
    for which, path in paths.items():
        for logging in _LOGGING:
            servers[f"greenroom-{logging}-{which}"] = (greenroom[logging], path)
            bare = start_bare(ws, path, f"bare-{logging}", access_log=logging == "logged")
            servers[f"bare-{logging}-{which}"] = (stack.enter_context(bare), path)
        if naive is not None:
            servers[f"naive-{which}"] = (naive, path)
    return servers


def run_http(s: Settings, log: Log) -> list[Result]:
    """req/s of plugin 1's and plugin N's route with N loaded, each against bare Starlette.

    Like for like: Greenroom's default (an access-log line per request) against
    the bare app under uvicorn's default logging (the same), and both without.
    """
    n = s.http_n
    if shutil.which("wrk") is None:
        log(WRK_MISSING)
        return _skipped(n, WRK_MISSING)
    paths = {
        "first": f"/api/{plugins.plugin_id(1)}{plugins.ROUTE}",
        "last": f"/api/{plugins.plugin_id(n)}{plugins.ROUTE}",
    }
    with ExitStack() as stack:
        rates, p99s = drive(_start_all(stack, s, paths), s, log)
    rows = [_goal_row(rates, p99s, n, which, logging) for logging in _LOGGING for which in paths]
    if s.peers:
        rows += [
            Result(
                f"peer-naive-http-{which}",
                f"peer, naive: req/s, {which} plugin's route",
                n,
                spread(rates[f"naive-{which}"], "req/s"),
                spread(rates[f"bare-quiet-{which}"], "req/s"),
                "bare Starlette app with that one route, no access log (as the naive app)",
                "(peer)",
                "info",
                note=_p99_note(p99s, f"naive-{which}", f"bare-quiet-{which}"),
            )
            for which in paths
        ]
    return rows


def _goal_row(
    rates: dict[str, list[float]],
    p99s: dict[str, list[float]],
    n: int,
    which: str,
    logging: str,
) -> Result:
    suffix, label = _LOGGING[logging]
    ours, bare = f"greenroom-{logging}-{which}", f"bare-{logging}-{which}"
    value, baseline = spread(rates[ours], "req/s"), spread(rates[bare], "req/s")
    ratio = value.median / baseline.median
    how = (
        "uvicorn's default access log, one line per request"
        if logging == "logged"
        else "no access log"
    )
    return Result(
        f"http-{which}{suffix}",
        f"req/s, {which} plugin's route{label}",
        n,
        value,
        baseline,
        f"bare Starlette app with that one route, same server settings ({how})",
        f"≥ {GOAL_RATIO}× bare",
        "met" if ratio >= GOAL_RATIO else "not met",
        note=_p99_note(p99s, ours, bare),
        extra={"p99_ms": {ours: p99s[ours], bare: p99s[bare]}},
    )


def _p99_note(p99s: dict[str, list[float]], label: str, bare: str) -> str:
    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    return f"p99 {median(p99s[label]):.1f} ms (bare {median(p99s[bare]):.1f} ms)"
