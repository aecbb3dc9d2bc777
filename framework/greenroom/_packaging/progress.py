"""Progress of the long packaging commands: one line per step on stderr.

In a terminal each running step shows a spinner (rich); captured or piped,
each step prints a plain line when it starts and when it is done, and rich
is not imported at all (~30 ms of every bundle, issue 8). The tools' own
output is not shown here: it goes to the log (see ``tools.ToolLog``).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

import attrs

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Steps"]


@attrs.define
class Steps:
    """Reports the steps of one command."""

    #: With ``--verbose`` the tools print between the lines: no spinner over them.
    verbose: bool = False
    stream: TextIO = attrs.field(factory=lambda: sys.stderr)
    _console: Console | None = attrs.field(default=None, init=False, repr=False)

    @property
    def console(self) -> Console | None:
        """The rich console of a terminal (made on first use); ``None`` when not a terminal."""
        if self._console is None and self.stream.isatty():
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)
        return self._console

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Show ``text`` while the block runs, then mark it done with its duration."""
        start = time.perf_counter()
        console = self.console
        if console is not None and not self.verbose:
            with console.status(text):
                yield
        else:
            self._print(f"- {text} ...")
            yield
        elapsed = time.perf_counter() - start
        if console is None:
            self._print(f"✓ {text} ({elapsed:.1f}s)")
        else:
            console.print(f"[green]✓[/green] {_escape(text)} [dim]({elapsed:.1f}s)[/dim]")

    def note(self, text: str) -> None:
        """A line of information between steps."""
        self._print(text)

    def _print(self, text: str) -> None:
        console = self.console
        if console is None:
            print(text, file=self.stream, flush=True)
        else:
            console.print(text, markup=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
