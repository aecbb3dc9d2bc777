"""Formatting results: numbers with their units, the rich table, the Markdown table."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.model import Measured, Result

__all__ = ["cells", "markdown_table", "rich_table"]

HEADERS = ("scenario", "N", "median", "min–max", "baseline", "ratio", "goal", "met")


def number(value: float, unit: str) -> str:
    """``value`` with as many digits as its unit deserves."""
    if unit == "req/s":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.3f}"
    if unit in ("ms", "µs"):
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    if unit == "ms/plugin":
        return f"{value:.3f}"
    return f"{value:.1f}"


def _median(measured: Measured | None) -> str:
    if measured is None:
        return "—"
    return f"{number(measured.median, measured.unit)} {measured.unit}"


def _range(measured: Measured | None) -> str:
    if measured is None:
        return "—"
    if len(measured.samples) == 1:
        return "(1 run)"
    low, high = number(measured.low, measured.unit), number(measured.high, measured.unit)
    return f"{low}–{high}"


def cells(result: Result) -> tuple[str, ...]:
    """The row's cells, in :data:`HEADERS` order."""
    ratio = result.ratio
    baseline = (
        f"{_median(result.baseline)} ({result.baseline_label})"
        if result.baseline
        else result.baseline_label
    )
    return (
        result.scenario,
        "—" if result.n is None else str(result.n),
        _median(result.value),
        _range(result.value),
        baseline,
        "—" if ratio is None else f"{ratio:.2f}×" + (" (min)" if result.ratio_of == "min" else ""),
        result.goal,
        result.status,
    )


_STYLES = {
    "met": "green",
    "not met": "red",
    "info": "cyan",
    "skipped": "yellow",
    "not yet": "yellow",
    "error": "bold red",
}


def rich_table(results: Sequence[Result], title: str) -> object:
    """A ``rich.table.Table`` of ``results``; the notes are numbered below it."""
    from rich.table import Table

    table = Table(title=title, caption=_notes(results), caption_justify="left")
    for header in HEADERS:
        table.add_column(header, overflow="fold", no_wrap=header in ("N", "median", "ratio", "met"))
    for index, result in enumerate(results, 1):
        *row, status = cells(result)
        row[0] = f"{row[0]} [{index}]" if result.note else row[0]
        table.add_row(*row, f"[{_STYLES.get(status, '')}]{status}[/]")
    return table


def _notes(results: Sequence[Result]) -> str:
    return "\n".join(
        f"[{index}] {result.note}" for index, result in enumerate(results, 1) if result.note
    )


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(results: Sequence[Result]) -> str:
    """A Markdown table of ``results`` (notes in a last column)."""
    lines = [
        "| " + " | ".join((*HEADERS, "note")) + " |",
        "|" + "---|" * (len(HEADERS) + 1),
    ]
    for result in results:
        row = (*cells(result), result.note)
        lines.append("| " + " | ".join(_escape(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"
