"""Progress of the long packaging commands: one line per step on stderr, with rich.

In a terminal each running step shows a spinner; captured or piped, each
step prints a plain line when it starts and when it is done. The tools'
own output is not shown here: it goes to the log (see ``tools.ToolLog``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import attrs
from rich.console import Console

__all__ = ["Steps"]


@attrs.define
class Steps:
    """Reports the steps of one command."""

    console: Console = attrs.field(factory=lambda: Console(stderr=True, highlight=False))
    #: With ``--verbose`` the tools print between the lines: no spinner over them.
    verbose: bool = False

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Show ``text`` while the block runs, then mark it done with its duration."""
        start = time.perf_counter()
        if self.console.is_terminal and not self.verbose:
            with self.console.status(text):
                yield
        else:
            self.console.print(f"- {text} ...", markup=False)
            yield
        elapsed = time.perf_counter() - start
        self.console.print(f"[green]✓[/green] {_escape(text)} [dim]({elapsed:.1f}s)[/dim]")

    def note(self, text: str) -> None:
        """A line of information between steps."""
        self.console.print(text, markup=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
