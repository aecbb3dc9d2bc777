"""The performance page is the newest committed full benchmark run, rendered (issue 8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
PAGE = REPO / "docs" / "explanation" / "performance.md"


def _newest_run() -> tuple[Path, dict[str, Any]]:
    runs = [(path, json.loads(path.read_text())) for path in RESULTS.glob("*.json")]
    assert runs, f"no committed benchmark results in {RESULTS}"
    return max(runs, key=lambda run: str(run[1]["created"]))


def test_the_page_is_the_newest_run_rendered() -> None:
    """Regenerate it with `python -m benchmarks.report <newest json> > <page>`."""
    path, _ = _newest_run()
    rendered = subprocess.run(
        [sys.executable, "-m", "benchmarks.report", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert PAGE.read_text() == rendered, f"{PAGE} is not the rendering of {path.name}"


def test_the_newest_run_is_a_full_run_with_every_goal_measured() -> None:
    """Not the short mode, with the peers, and no goal left "not yet" or skipped."""
    path, run = _newest_run()
    assert run["settings"]["short"] is False, path.name
    assert run["settings"]["peers"] is True, path.name
    unmeasured = [r["key"] for r in run["results"] if r["status"] in ("not yet", "skipped")]
    assert unmeasured == [], path.name
    judged = {r["status"] for r in run["results"] if r["goal"] not in ("(peer)", "(context)")}
    assert judged <= {"met", "not met"}, path.name
