"""``python -m benchmarks``: generate the plugins, run every scenario, print the table.

Exits 0 when every scenario ran (goals met or not: the timings of a shared
machine are no test verdict), 1 when a scenario failed, or with ``--strict``
when a goal is not met.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from benchmarks import plugins
from benchmarks.model import Result
from benchmarks.settings import Settings
from benchmarks.table import rich_table

__all__ = ["machine", "main"]

Log = Callable[[str], None]
Scenario = Callable[[Settings, Log], list[Result]]
GROUPS = (
    "startup",
    "cold",
    "rescan",
    "http",
    "imports",
    "bundle",
    "build-workspace",
    "backstage",
)


def _scenarios() -> dict[str, Scenario]:
    from benchmarks.scenarios.backstage import run_backstage
    from benchmarks.scenarios.http import run_http
    from benchmarks.scenarios.imports import run_failed_import
    from benchmarks.scenarios.packaging import run_build_workspace, run_bundle
    from benchmarks.scenarios.scan import run_rescan
    from benchmarks.scenarios.startup import run_cold, run_warm

    return {
        "startup": run_warm,
        "cold": run_cold,
        "rescan": run_rescan,
        "http": run_http,
        "imports": run_failed_import,
        "bundle": run_bundle,
        "build-workspace": run_build_workspace,
        "backstage": run_backstage,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Greenroom's benchmark suite: each goal of issue 8 against a baseline "
        "measured in the same run.",
    )
    parser.add_argument(
        "--short",
        action="store_true",
        help="a tiny run (small N, one repetition) that only checks the suite still works",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also measure the peers: the naive approach, and Backstage (needs Node.js, npm)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 5)")
    parser.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        metavar="GROUP",
        help=f"run only these scenario groups (repeatable): {', '.join(GROUPS)}",
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        help="where generated plugins and caches go "
        "(default $GREENROOM_BENCH_DIR or $XDG_CACHE_HOME/greenroom-bench)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is not met, too")
    return parser


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, timeout=10
        )
    except OSError:
        return ""
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    """What the numbers depend on: CPUs, Python, versions, load."""
    import importlib.metadata

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    banner = ""
    if shutil.which("wrk"):
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        banner = ((done.stdout + done.stderr).splitlines() or [""])[0].split(" [")[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "greenroom": version("greenroom"),
        "starlette": version("starlette"),
        "uvicorn": version("uvicorn"),
        "pluggy": version("pluggy"),
        "wrk": banner,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--", "framework")),
        "loadavg_start": list(os.getloadavg()),
    }


def _compile_greenroom(log: Log) -> None:
    """Bring Greenroom's own bytecode up to date, as an installed (non-editable) copy has it.

    ``PYTHONDONTWRITEBYTECODE=1`` is set for every measured process, so an
    editable checkout whose ``__pycache__`` is stale would recompile on each start.
    """
    import greenroom

    folder = Path(greenroom.__file__).parent
    compileall.compile_dir(folder, quiet=1)
    log(f"bytecode of {folder} is up to date")


def _run(settings: Settings, log: Log) -> list[Result]:
    results: list[Result] = []
    for group, scenario in _scenarios().items():
        if not settings.wanted(group):
            continue
        started = time.perf_counter()
        log(f"== {group}")
        try:
            results.extend(scenario(settings, log))
        except Exception as exc:
            log(traceback.format_exc())
            results.append(
                Result(
                    f"{group}-error",
                    f"{group} (failed)",
                    None,
                    None,
                    None,
                    "",
                    "",
                    "error",
                    note=f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
                )
            )
        log(f"== {group} took {time.perf_counter() - started:.1f} s")
    return results


def _settings_json(settings: Settings) -> dict[str, Any]:
    raw = attrs.asdict(settings, recurse=False)
    del raw["workspace"]
    raw["only"] = sorted(raw["only"])
    raw["fit_ns"] = list(raw["fit_ns"])
    return raw


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; the exit code says whether every scenario ran (see the module doc)."""
    from rich.console import Console

    args = _parser().parse_args(argv)
    err = Console(stderr=True, highlight=False)

    def log(message: str) -> None:
        err.print(f"[dim]{message}[/]", markup=True, soft_wrap=True)

    ws = plugins.workspace(args.workspace)
    overrides: dict[str, Any] = {"peers": args.peers, "only": frozenset(args.only or ())}
    if args.reps:
        overrides["reps"] = overrides["cold_reps"] = overrides["http_reps"] = args.reps
    settings = Settings.short_run(ws, **overrides) if args.short else Settings.full(ws, **overrides)
    log(f"workspace: {ws}")
    _compile_greenroom(log)
    info = machine()
    started = time.perf_counter()
    results = _run(settings, log)
    info["loadavg_end"] = list(os.getloadavg())
    info["duration_s"] = round(time.perf_counter() - started, 1)
    short = " (short: checks that the suite runs; its timings mean nothing)"
    title = (
        f"Greenroom benchmarks{short if args.short else ''}"
        f" — {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}"
    )
    out = Console()
    if not out.is_terminal:
        out = Console(width=160)  # a log or a pipe: wide enough for the table's columns
    out.print(rich_table(results, title))
    if args.json:
        document = {
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": "python -m benchmarks " + " ".join(argv or sys.argv[1:]),
            "machine": info,
            "settings": _settings_json(settings),
            "results": [result.as_json() for result in results],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        log(f"results written to {args.json}")
    if any(r.status == "error" for r in results):
        return 1
    if args.strict and any(r.status == "not met" for r in results):
        return 1
    return 0
