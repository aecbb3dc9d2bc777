"""Rescanning a root directory of unchanged wheels, against reading them all."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import plugins
from benchmarks.model import Result, spread
from benchmarks.process import bench_env
from benchmarks.settings import Settings
from benchmarks.stacks import APPS

__all__ = ["run_rescan"]

Log = Callable[[str], None]
RESCAN_GOAL_MS = 20.0


def _scan_once(mode: str, root: Path, cache: Path) -> float:
    argv = [sys.executable, str(APPS / "scan_once.py"), "--mode", mode, "--root", str(root)]
    argv += ["--cache", str(cache)]
    done = subprocess.run(
        argv, capture_output=True, text=True, env=bench_env(), check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"scan_once.py --mode {mode} failed:\n{done.stderr[-2000:]}")
    seconds: float = json.loads(done.stdout)["seconds"]
    return seconds


def run_rescan(s: Settings, log: Log) -> list[Result]:
    """``scan_root`` over ``rescan_n`` unchanged wheels with a warm cache, in a fresh process."""
    ws, n = s.workspace, s.rescan_n
    root = plugins.wheel_root(ws, n)
    cache = ws / "greenroom-cache"
    _scan_once("rescan", root, cache)  # fills the cache if this root was never scanned
    rescans, reads = [], []
    for rep in range(s.reps):
        rescans.append(_scan_once("rescan", root, cache) * 1000)
        reads.append(_scan_once("full-read", root, cache) * 1000)
        log(f"rescan N={n} {rep + 1}/{s.reps}: {rescans[-1]:.1f} ms, full read {reads[-1]:.1f} ms")
    value = spread(rescans, "ms")
    return [
        Result(
            "rescan",
            "rescan of a root of unchanged wheels",
            n,
            value,
            spread(reads, "ms"),
            "full read: every wheel's METADATA and entry_points.txt (zipfile)",
            f"≤ {RESCAN_GOAL_MS:.0f} ms",
            "met" if value.median <= RESCAN_GOAL_MS else "not met",
            note="scan_root() in a fresh process, imports excluded",
        )
    ]
