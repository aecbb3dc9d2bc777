"""``python -m benchmarks.report RESULTS.json``: the performance page, in Markdown, on stdout.

The page is generated from a committed run's JSON: its table, the machine it
ran on, the command that reproduces it, which goals are met and which not yet.
The measured causes of the misses are hand-written beside the JSON, in
``<same name>.notes.md``, and included when present.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.model import Result
from benchmarks.table import markdown_table

__all__ = ["main", "render"]

_INTRO = """\
# Performance

A plugin framework is judged by what it costs to have many plugins. Greenroom's
benchmark suite (`benchmarks/`, issue 8) measures each goal against a baseline
taken **in the same run on the same machine**: the *floor* is the same stack
(uvicorn + Starlette + pluggy) importing the same trivial plugins from one plain
directory, with nothing of Greenroom's; the HTTP baseline is a bare Starlette
app with the one route; the failed-import baseline is a bare interpreter.
Every trivial plugin has one route; the Greenroom ones are wheels with a
`greenroom.backend_plugin` entry point in `dynamicPlugins.rootDirectory`.

This page is generated from the run's JSON; do not edit it by hand.
"""

_METHOD = """\
## How it is measured

- **Start-up**: a new process is timed from its spawn to the first
  `GET /.greenroom/health/v1/readiness` answering 200 (polled every 2 ms), so the
  interpreter's own start counts. *Warm*: Greenroom's cache (extracted wheels,
  scan cache, plugin bytecode) is filled by an unmeasured start first, and the
  floor's modules have bytecode; each label keeps its port (and so its config)
  from start to start, as a restart does. *Cold*: an empty cache directory for
  Greenroom, and the floor's modules without bytecode; the disk is synced
  (`os.sync()`, then 1 s) after removing the previous cache and before each
  measured start. `PYTHONDONTWRITEBYTECODE=1` is set for every process
  measured (common in deployments), and Greenroom's own bytecode is brought up
  to date first, as a non-editable install has it.
- **Per-plugin cost**: the least-squares slope of warm start-up times over the
  Ns, once per repetition; the framework's share is Greenroom's slope minus the
  floor's. Linear means the slope over the last interval is at most 1.5× the
  slope before it.
- **Rescan**: `scan_root()` over unchanged wheels with a warm cache, in a fresh
  process, imports excluded; the baseline opens every wheel and reads its
  `METADATA` and `entry_points.txt`.
- **req/s**: `wrk -t1 -c32 --latency` for a few seconds per run against one
  uvicorn worker (`greenroom start`'s settings for every server), runs of
  Greenroom and the baselines interleaved. Like for like: Greenroom as
  configured by default (one access-log line per request) against the bare app
  under uvicorn's default logging (one access line per request, as
  `uvicorn app:app` writes), and Greenroom with `backend.logging.accessLog:
  false` against the bare app with no logging.
- **Failed import**: `timeit` of `import nonexistent_xyz` failing, the least
  disturbed of a few repeats in each process, after Greenroom started the
  plugins; the ratio compares the least disturbed process of each side (marked
  "(min)"), since noise only ever adds to a few microseconds.
- **RSS**: `VmRSS` of the server process at readiness; per plugin is the
  least-squares slope of RSS over the Ns of the per-plugin fit (what each
  further plugin costs); the note gives (RSS with N − RSS with none) / N too,
  which also carries what the first root-directory plugin loads once.
- **Peers** (`--peers`): the naive approach and Backstage (Node.js, its
  `dynamicPluginsFeatureLoader`, `NODE_ENV=production`, readiness at
  `/.backstage/health/v1/readiness` polled every 20 ms) measured the same way,
  on the same plugin ids and routes.
- Medians of the repetitions, min–max beside them. The machine is shared and
  noisy: ratios against a baseline of the same run are the reliable figures.
"""


def _wrk(banner: str) -> str:
    """``wrk 4.1.0`` out of its banner (``wrk debian/4.1.0-3+b2 [epoll] Copyright ...``)."""
    return banner.split(" [")[0] if banner else "no wrk"


def _machine(meta: dict[str, Any]) -> str:
    machine = meta["machine"]
    load = ", ".join(f"{x:.2f}" for x in machine.get("loadavg_start", []))
    load_end = ", ".join(f"{x:.2f}" for x in machine.get("loadavg_end", []))
    lines = [
        "## Machine and command",
        "",
        f"- {machine['nproc']} CPUs: {machine['cpu']}",
        f"- {machine['implementation']} {machine['python']} on {machine['platform']}",
        f"- greenroom {machine['greenroom']} (commit {machine['commit']}"
        f"{', with uncommitted changes' if machine.get('dirty') else ''}), "
        f"starlette {machine['starlette']}, uvicorn {machine['uvicorn']}, "
        f"pluggy {machine['pluggy']}, {_wrk(machine.get('wrk', ''))}",
        f"- run on {meta['created']}, {machine.get('duration_s', '?')} s; load average "
        f"{load} at the start, {load_end} at the end",
        "",
        "Reproduce it with:",
        "",
        "```sh",
        meta["command"].strip(),
        "```",
        "",
    ]
    return "\n".join(lines)


def _verdicts(results: Sequence[Result]) -> str:
    met = [r for r in results if r.status == "met"]
    missed = [r for r in results if r.status == "not met"]
    later = [r for r in results if r.status in ("not yet", "skipped", "error")]
    lines = ["## Goals", ""]
    if met:
        lines.append(f"**Met ({len(met)})**:")
        lines.append("")
        lines += [
            f"- {r.scenario} (N={r.n}): {r.goal}" if r.n else f"- {r.scenario}: {r.goal}"
            for r in met
        ]
        lines.append("")
    if missed:
        lines.append(f"**Not met yet ({len(missed)})**:")
        lines.append("")
        lines += [f"- {r.scenario}: goal {r.goal}; {r.note}" for r in missed]
        lines.append("")
    if later:
        lines.append(f"**Not measured ({len(later)})**:")
        lines.append("")
        lines += [f"- {r.scenario}: {r.note or r.status}" for r in later]
        lines.append("")
    return "\n".join(lines)


def render(path: Path) -> str:
    """The Markdown page for the results in ``path``."""
    meta = json.loads(path.read_text())
    results = [Result.from_json(row) for row in meta["results"]]
    parts = [
        _INTRO,
        "## Results",
        "",
        markdown_table(results),
        _verdicts(results),
    ]
    notes = path.with_suffix(".notes.md")
    if notes.exists():
        parts.append(notes.read_text().rstrip() + "\n")
    parts += [_machine(meta), _METHOD]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the page for the JSON file named on the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__)
    parser.add_argument("results", type=Path, help="a JSON file written by --json")
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
