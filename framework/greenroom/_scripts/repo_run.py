"""``greenroom repo test`` and ``greenroom repo lint``: every member, in parallel, one report.

Each member runs the same steps as ``greenroom package test|lint`` in its own
processes, as many at once as the machine has CPUs (``--jobs``), with the
output captured: a line per package as it finishes, then the full output of
each package that failed. With the success cache a package whose inputs are
unchanged since it last succeeded is skipped, and the report says so.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import attrs

from greenroom._packaging.workspace import Workspace
from greenroom._scripts.steps import Step, StepResult, lint_steps, pytest_steps, run_steps
from greenroom._scripts.success_cache import SuccessCache, environment_fingerprint, input_key
from greenroom._scripts.target import ScriptTarget, target_of

__all__ = ["Command", "PackageOutcome", "default_jobs", "report_failures", "run_repo", "totals"]

Command = Literal["test", "lint"]
Status = Literal["passed", "failed", "cached"]


@attrs.frozen
class PackageOutcome:
    """What happened to one member."""

    name: str
    status: Status
    detail: str
    results: tuple[StepResult, ...] = ()
    seconds: float = 0.0


def default_jobs() -> int:
    """The CPUs this process may use (its affinity, where the platform says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _steps(target: ScriptTarget, command: Command, args: Sequence[str], fix: bool) -> list[Step]:
    if command == "test":
        return pytest_steps(target, args)
    return lint_steps(target, fix=fix)


def _summary(result: StepResult) -> str:
    """The last line of the tool's output, without pytest's ``=====`` frame."""
    lines = [line.strip(" =") for line in result.output.splitlines() if line.strip(" =")]
    return lines[-1] if lines else f"exit status {result.code}"


def _run_one(target: ScriptTarget, steps: Sequence[Step]) -> PackageOutcome:
    started = time.monotonic()
    results = tuple(run_steps(steps, capture=True))
    seconds = time.monotonic() - started
    failed = [r for r in results if not r.ok]
    if failed:
        detail = "; ".join(f"{r.step.name} failed ({_summary(r)})" for r in failed)
        return PackageOutcome(target.label, "failed", detail, results, seconds)
    detail = "; ".join(_summary(r) for r in results)
    return PackageOutcome(target.label, "passed", detail, results, seconds)


def run_repo(
    workspace: Workspace,
    command: Command,
    args: Sequence[str] = (),
    *,
    success_cache: bool = False,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    fix: bool = False,
    echo: Callable[[str], None] = print,
) -> list[PackageOutcome]:
    """Run ``command`` for every member; ``echo`` gets a line per package as it finishes."""
    from greenroom._scripts.steps import cache_folder

    targets = [target_of(workspace, member.package) for member in workspace.members]
    if not targets:
        return []
    folder = cache_dir or cache_folder(targets[0])
    cache = SuccessCache(folder, command) if success_cache else None
    environment = environment_fingerprint() if cache is not None else ""
    cache_args = [*args, *(["--fix"] if fix else [])]

    outcomes: list[PackageOutcome] = []
    pending: list[tuple[ScriptTarget, list[Step], str | None]] = []
    for target in targets:
        steps = _steps(target, command, args, fix)  # here: a missing tool fails before any run
        key = input_key(target, command, cache_args, environment) if cache is not None else None
        if cache is not None and key is not None and cache.hit(target.label, key):
            outcome = PackageOutcome(
                target.label, "cached", "skipped: unchanged since its last success"
            )
            outcomes.append(outcome)
            echo(_line(outcome))
        else:
            pending.append((target, steps, key))

    with ThreadPoolExecutor(max_workers=jobs or default_jobs()) as pool:
        futures = [(pool.submit(_run_one, t, s), key) for t, s, key in pending]
        for future, key in futures:
            outcome = future.result()
            outcomes.append(outcome)
            echo(_line(outcome))
            if cache is not None and key is not None and outcome.status == "passed":
                cache.record(outcome.name, key)
    if cache is not None:
        cache.save()
    return outcomes


def _line(outcome: PackageOutcome) -> str:
    took = f" ({outcome.seconds:.1f} s)" if outcome.status != "cached" else ""
    return f"{outcome.status:<6}  {outcome.name}: {outcome.detail}{took}"


def report_failures(outcomes: Sequence[PackageOutcome]) -> list[str]:
    """The full output of every failed step, each under a header naming package and step."""
    lines: list[str] = []
    for outcome in outcomes:
        for result in outcome.results:
            if result.ok:
                continue
            lines.append("")
            lines.append(f"--- {outcome.name}: {result.step.name} (exit status {result.code}) ---")
            lines.extend(result.output.rstrip("\n").splitlines())
    return lines


def totals(outcomes: Sequence[PackageOutcome]) -> str:
    """``5 package(s): 3 passed, 1 failed, 1 skipped (success cache)``."""
    statuses = ("passed", "failed", "cached")
    count = {status: sum(1 for o in outcomes if o.status == status) for status in statuses}
    parts = [f"{count['passed']} passed", f"{count['failed']} failed"]
    if count["cached"]:
        parts.append(f"{count['cached']} skipped (success cache)")
    return f"{len(outcomes)} package(s): {', '.join(parts)}"
