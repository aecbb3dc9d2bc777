"""Goals whose scenarios cannot run yet, listed so that the table shows every goal."""

from __future__ import annotations

from benchmarks.model import Result

__all__ = ["pending_rows"]


def pending_rows() -> list[Result]:
    """The packaging goals: their commands do not exist yet."""
    return [
        Result(
            "package-bundle",
            "`package bundle` of a plugin with 10 private dependencies",
            10,
            None,
            None,
            "building the wheel + installing it and the 10 into a folder, same installer",
            "≤ 1.2×",
            "not yet",
            note="not yet: `greenroom package bundle` landed while this suite was written; "
            "its scenario is still to be added",
        ),
        Result(
            "build-workspace",
            "`build-workspace` + `--pre-packed-dir` for 20 plugins",
            20,
            None,
            None,
            "bundling the 20 one by one",
            "≤ 0.5×",
            "not yet",
            note="not yet: needs `greenroom package build-workspace`",
        ),
    ]
