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
from collections.abc import Callable
from contextlib import ExitStack
from typing import Final

from benchmarks import plugins
from benchmarks.model import Result, spread
from benchmarks.process import ServerRun
from benchmarks.settings import Settings
from benchmarks.stacks import start_bare, start_greenroom, start_naive

__all__ = ["WRK_MISSING", "run_http"]

Log = Callable[[str], None]
GOAL_RATIO: Final = 0.9
WRK_MISSING: Final = "wrk not found: install it (apt-get install wrk) to measure req/s"
_UNITS: Final = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
QUIET_LOGGING: Final = {"logging": {"level": "warning"}}


def _wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
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


def _check_route(run: ServerRun, path: str) -> None:
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
            f"http-{which}",
            f"req/s, {which} plugin's route",
            n,
            None,
            None,
            "bare Starlette app with that one route",
            f"≥ {GOAL_RATIO}× bare",
            "skipped",
            note=reason,
        )
        for which in ("first", "last")
    ]


def run_http(s: Settings, log: Log) -> list[Result]:
    """req/s of plugin 1's and plugin N's route with N loaded, each against bare Starlette."""
    n = s.http_n
    if shutil.which("wrk") is None:
        log(WRK_MISSING)
        return _skipped(n, WRK_MISSING)
    ws = s.workspace
    paths = {
        "first": f"/api/{plugins.plugin_id(1)}{plugins.ROUTE}",
        "last": f"/api/{plugins.plugin_id(n)}{plugins.ROUTE}",
    }
    rates: dict[str, list[float]] = {}
    p99s: dict[str, list[float]] = {}
    with ExitStack() as stack:
        servers: dict[str, tuple[ServerRun, str]] = {}
        cache = ws / "greenroom-cache"
        greenroom = stack.enter_context(start_greenroom(ws, n, cache, "gr-http"))
        # The same app without its one access-log line per request (uvicorn's, at
        # info, formatted as JSON by Greenroom's handler): what routing alone costs.
        quiet = stack.enter_context(
            start_greenroom(ws, n, cache, "gr-http-quiet", backend=QUIET_LOGGING)
        )
        naive = stack.enter_context(start_naive(ws, n, "naive-http")) if s.peers else None
        for which, path in paths.items():
            servers[f"greenroom-{which}"] = (greenroom, path)
            servers[f"quiet-{which}"] = (quiet, path)
            servers[f"bare-{which}"] = (stack.enter_context(start_bare(ws, path, "bare")), path)
            if naive is not None:
                servers[f"naive-{which}"] = (naive, path)
        for run, path in servers.values():
            _check_route(run, path)
            if s.warmup:
                _wrk(run.url(path), 1, s.wrk_connections)  # not counted
        for rep in range(s.http_reps):
            for label, (run, path) in servers.items():
                rate, p99 = _wrk(run.url(path), s.wrk_seconds, s.wrk_connections)
                rates.setdefault(label, []).append(rate)
                p99s.setdefault(label, []).append(p99)
                log(f"{label} N={n} {rep + 1}/{s.http_reps}: {rate:,.0f} req/s, p99 {p99:.1f} ms")
    rows = []
    for which in paths:
        value = spread(rates[f"greenroom-{which}"], "req/s")
        baseline = spread(rates[f"bare-{which}"], "req/s")
        ratio = value.median / baseline.median
        rows.append(
            Result(
                f"http-{which}",
                f"req/s, {which} plugin's route",
                n,
                value,
                baseline,
                "bare Starlette app with that one route, same server settings",
                f"≥ {GOAL_RATIO}× bare",
                "met" if ratio >= GOAL_RATIO else "not met",
                note=_p99_note(p99s, f"greenroom-{which}", f"bare-{which}"),
                extra={"p99_ms": {k: v for k, v in p99s.items() if k.endswith(which)}},
            )
        )
    for which in paths:
        rows.append(
            Result(
                f"http-{which}-no-access-log",
                f"req/s, {which} plugin's route, access log off",
                n,
                spread(rates[f"quiet-{which}"], "req/s"),
                spread(rates[f"bare-{which}"], "req/s"),
                "bare Starlette app with that one route",
                "(context)",
                "info",
                note="backend.logging.level: warning; "
                + _p99_note(p99s, f"quiet-{which}", f"bare-{which}"),
            )
        )
    if s.peers:
        for which in paths:
            rows.append(
                Result(
                    f"peer-naive-http-{which}",
                    f"peer, naive: req/s, {which} plugin's route",
                    n,
                    spread(rates[f"naive-{which}"], "req/s"),
                    spread(rates[f"bare-{which}"], "req/s"),
                    "bare Starlette app with that one route",
                    "(peer)",
                    "info",
                    note=_p99_note(p99s, f"naive-{which}", f"bare-{which}"),
                )
            )
    return rows


def _p99_note(p99s: dict[str, list[float]], label: str, bare: str) -> str:
    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    return f"p99 {median(p99s[label]):.1f} ms (bare {median(p99s[bare]):.1f} ms)"
