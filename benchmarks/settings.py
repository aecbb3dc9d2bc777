"""How big and how often: the full run and the short (CI) run."""

from __future__ import annotations

from pathlib import Path

import attrs

__all__ = ["Settings"]


@attrs.frozen
class Settings:
    """Sizes and repetitions of one run.

    ``startup_n`` is the N of the start-up, cold-start and RSS goals,
    ``fit_ns`` the Ns the per-plugin cost is fitted over (``startup_n``
    among them, so its samples serve both), ``rescan_n`` and
    ``failed_import_n`` the Ns of those goals, ``http_n`` the plugins
    loaded while ``wrk`` drives one route.
    """

    workspace: Path
    short: bool = False
    peers: bool = False
    reps: int = 5
    cold_reps: int = 3
    startup_n: int = 500
    fit_ns: tuple[int, ...] = (10, 100, 500, 1000)
    rescan_n: int = 1000
    failed_import_n: int = 1000
    http_n: int = 500
    http_reps: int = 3
    wrk_seconds: int = 5
    wrk_connections: int = 32
    #: Unmeasured runs first (fill caches, warm the server up); the short run skips them.
    warmup: bool = True
    #: timeit repeats per process in the failed-import scenario.
    timeit_repeat: int = 5
    only: frozenset[str] = frozenset()

    @classmethod
    def full(cls, workspace: Path, **overrides: object) -> Settings:
        """The run the goals are judged on."""
        return attrs.evolve(cls(workspace), **overrides)  # type: ignore[arg-type]

    @classmethod
    def short_run(cls, workspace: Path, **overrides: object) -> Settings:
        """A tiny run that only checks every scenario still works (CI): timings mean nothing."""
        small = cls(
            workspace,
            short=True,
            reps=1,
            cold_reps=1,
            startup_n=10,
            fit_ns=(5, 10, 20),
            rescan_n=20,
            failed_import_n=20,
            http_n=10,
            http_reps=1,
            wrk_seconds=1,
            wrk_connections=8,
            warmup=False,
            timeit_repeat=2,
        )
        return attrs.evolve(small, **overrides)  # type: ignore[arg-type]

    @property
    def largest_n(self) -> int:
        """The most plugins any scenario generates."""
        return max(self.startup_n, *self.fit_ns, self.rescan_n, self.failed_import_n, self.http_n)

    def wanted(self, key: str) -> bool:
        """Whether scenario group ``key`` runs (``--only``)."""
        return not self.only or key in self.only
