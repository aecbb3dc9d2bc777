"""A scenario's result, the statistics the table shows, and the JSON shape of a run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import attrs

__all__ = ["Measured", "Result", "Starts", "Status", "fit_slope", "spread"]

#: ``met``/``not met`` against the goal; ``info`` for peers and context rows;
#: ``skipped`` when a tool is missing; ``not yet`` when the scenario cannot run yet;
#: ``error`` when the scenario itself failed (the suite then exits 1).
Status = Literal["met", "not met", "info", "skipped", "not yet", "error"]


@attrs.frozen
class Measured:
    """Samples of one quantity, in ``unit``."""

    samples: tuple[float, ...]
    unit: str

    @property
    def median(self) -> float:
        """The median sample."""
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        """The smallest sample."""
        return min(self.samples)

    @property
    def high(self) -> float:
        """The largest sample."""
        return max(self.samples)

    def as_json(self) -> dict[str, Any]:
        """``{"unit", "median", "min", "max", "samples"}``."""
        return {
            "unit": self.unit,
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "samples": list(self.samples),
        }


def spread(samples: Sequence[float], unit: str) -> Measured:
    """``samples`` as a :class:`Measured`."""
    return Measured(tuple(samples), unit)


def fit_slope(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """The least-squares line through ``(xs, ys)``: ``(slope, intercept)``."""
    slope, intercept = statistics.linear_regression(xs, ys)
    return slope, intercept


@attrs.frozen
class Result:
    """One row of the table.

    ``ratio`` is the value's median over the baseline's (``None`` without a
    baseline); ``goal`` is the issue's goal as text; ``note`` explains the row
    (how a goal with two parts was judged, why a row was skipped).
    """

    key: str
    scenario: str
    n: int | None
    value: Measured | None
    baseline: Measured | None
    baseline_label: str
    goal: str
    status: Status
    note: str = ""
    extra: dict[str, Any] = attrs.field(factory=dict)
    #: What the ratio compares: the medians, or (for microsecond timings, where noise
    #: only ever adds) the minimums, the least disturbed samples.
    ratio_of: Literal["median", "min"] = "median"

    @property
    def ratio(self) -> float | None:
        """The value's median (or minimum) over the baseline's."""
        if self.value is None or self.baseline is None:
            return None
        if self.ratio_of == "min":
            return self.value.low / self.baseline.low if self.baseline.low else None
        return self.value.median / self.baseline.median if self.baseline.median else None

    def as_json(self) -> dict[str, Any]:
        """The row as JSON (``benchmarks/results/*.json``)."""
        return {
            "key": self.key,
            "scenario": self.scenario,
            "n": self.n,
            "value": self.value.as_json() if self.value else None,
            "baseline": self.baseline.as_json() if self.baseline else None,
            "baseline_label": self.baseline_label,
            "ratio": self.ratio,
            "ratio_of": self.ratio_of,
            "goal": self.goal,
            "status": self.status,
            "note": self.note,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        """A row read back from JSON."""

        def measured(raw: dict[str, Any] | None) -> Measured | None:
            return None if raw is None else Measured(tuple(raw["samples"]), raw["unit"])

        return cls(
            key=data["key"],
            scenario=data["scenario"],
            n=data["n"],
            value=measured(data["value"]),
            baseline=measured(data["baseline"]),
            baseline_label=data["baseline_label"],
            goal=data["goal"],
            status=data["status"],
            note=data.get("note", ""),
            extra=data.get("extra", {}),
            ratio_of=data.get("ratio_of", "median"),
        )


class _Run(Protocol):
    """What a started server tells (``benchmarks.process.ServerRun``)."""

    ready_s: float
    rss_kib: int


@attrs.define
class Starts:
    """Readiness times (s) and RSS (KiB) of one stack, by N, over repetitions."""

    ready: dict[int, list[float]] = attrs.field(factory=dict)
    rss: dict[int, list[int]] = attrs.field(factory=dict)

    def add(self, n: int, run: _Run) -> None:
        """Record one start with ``n`` plugins."""
        self.ready.setdefault(n, []).append(run.ready_s)
        self.rss.setdefault(n, []).append(run.rss_kib)

    def times(self, n: int) -> Measured:
        """The readiness times at ``n``."""
        return spread(self.ready[n], "s")

    def megabytes(self, n: int) -> Measured:
        """RSS at readiness at ``n``, in MB."""
        return spread([kib / 1024 for kib in self.rss[n]], "MB")

    def slopes_ms(self, ns: list[int]) -> list[float]:
        """The per-plugin slope (ms) fitted over ``ns``, once per repetition."""
        reps = min(len(self.ready[n]) for n in ns)
        return [fit_slope(ns, [self.ready[n][rep] for n in ns])[0] * 1000 for rep in range(reps)]

    def median(self, n: int) -> float:
        """The median readiness time at ``n``."""
        return self.times(n).median
