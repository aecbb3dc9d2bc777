"""A failing import (``import nonexistent_xyz``) once N plugins are loaded, against a bare one.

Every ``sys.path`` entry and every meta-path finder is asked on each failing
import, so a loader that adds one per plugin makes every later miss slower
(a library probing optional dependencies does this often). Greenroom adds one
finder in all; the goal is no measurable change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from benchmarks import plugins
from benchmarks.model import Result, spread
from benchmarks.process import bench_env, free_port
from benchmarks.settings import Settings
from benchmarks.stacks import APPS, greenroom_config

__all__ = ["run_failed_import"]

Log = Callable[[str], None]
#: "Unchanged", allowing for the noise of timing a few microseconds on a shared machine.
GOAL_RATIO: Final = 1.1


def _timed(argv: Sequence[str], cache: Path) -> dict[str, Any]:
    env = bench_env({"GREENROOM_CACHE_DIR": str(cache)})
    done = subprocess.run(
        list(argv), capture_output=True, text=True, env=env, check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run_failed_import(s: Settings, log: Log) -> list[Result]:
    """µs per failing import: bare interpreter, Greenroom with N plugins started (and naive)."""
    ws, n = s.workspace, s.failed_import_n
    config = greenroom_config(
        ws / "configs" / "failed-import.yaml",
        root=plugins.wheel_root(ws, n),
        cache=ws / "greenroom-cache",
        port=free_port(),
    )
    repeat = ["--repeat", str(s.timeit_repeat)]
    runs: dict[str, list[str]] = {
        "bare": [sys.executable, str(APPS / "bare_interpreter.py"), *repeat],
        "greenroom": [
            sys.executable,
            str(APPS / "greenroom_loaded.py"),
            "--config",
            str(config),
            *repeat,
        ],
    }
    if s.peers:
        naive = plugins.naive_dirs(ws, n)
        runs["naive"] = [
            sys.executable,
            str(APPS / "naive.py"),
            "--dir",
            str(naive),
            "--count",
            str(n),
            "--time-failed-import",
            *repeat,
        ]
    micros: dict[str, list[float]] = {}
    shape: dict[str, dict[str, int]] = {}
    for rep in range(s.reps):
        for label, argv in runs.items():
            result = _timed(argv, ws / "greenroom-cache")
            # The least disturbed repeat of each process, as timeit advises; the
            # spread between processes then shows the machine's noise.
            micros.setdefault(label, []).append(min(result["seconds"]) * 1e6)
            shape[label] = {"sys_path": result["sys_path"], "meta_path": result["meta_path"]}
            log(
                f"failed import, {label} N={n} {rep + 1}/{s.reps}: "
                f"{min(result['seconds']) * 1e6:.1f} µs"
            )
    value, bare = spread(micros["greenroom"], "µs"), spread(micros["bare"], "µs")
    # A few microseconds, timed on a shared machine: noise only ever adds, so the
    # least disturbed process of each decides (timeit's advice), not the medians.
    ratio = value.low / bare.low
    rows = [
        Result(
            "failed-import",
            "a failed import after loading the plugins",
            n,
            value,
            bare,
            "bare interpreter",
            f"unchanged (≤ {GOAL_RATIO}× bare)",
            "met" if ratio <= GOAL_RATIO else "not met",
            note=(
                f"sys.path {shape['greenroom']['sys_path']} entries, sys.meta_path "
                f"{shape['greenroom']['meta_path']} finders (bare: {shape['bare']['sys_path']}, "
                f"{shape['bare']['meta_path']})"
            ),
            extra={"shape": shape},
            ratio_of="min",
        )
    ]
    if s.peers:
        rows.append(
            Result(
                "peer-naive-failed-import",
                "peer, naive: a failed import after loading the plugins",
                n,
                spread(micros["naive"], "µs"),
                bare,
                "bare interpreter",
                "(peer)",
                "info",
                note=f"sys.path {shape['naive']['sys_path']} entries",
                ratio_of="min",
            )
        )
    return rows
