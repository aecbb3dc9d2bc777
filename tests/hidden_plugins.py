"""Hide the greenroom plugins installed in the test environment from a test (issue 7).

``./dev`` installs every contrib plugin into ``.venv`` so that their own suites run
there; the framework's tests of discovery must see only the plugins they install
themselves. ``hide_installed_plugins()`` filters ``importlib.metadata.distributions``,
which ``importlib.metadata.entry_points()`` and Greenroom's own scan both read: a
distribution with an entry point in a ``greenroom.*`` group is left out unless it lies
under one of the ``keep`` folders (the test's own site-packages).

In a ``python -c`` subprocess, start the program with :data:`SUBPROCESS`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final

__all__ = ["SUBPROCESS", "filtered_distributions", "hide_installed_plugins"]

#: Statements that hide the installed plugins, to start a ``python -c`` program with.
SUBPROCESS: Final = (
    f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
    "import hidden_plugins; hidden_plugins.hide_installed_plugins(); "
)


def _is_plugin(dist: importlib.metadata.Distribution) -> bool:
    return any(ep.group.startswith("greenroom.") for ep in dist.entry_points)


def filtered_distributions(
    keep: Iterable[Path | str] = (),
) -> Callable[..., Iterator[importlib.metadata.Distribution]]:
    """``importlib.metadata.distributions`` without the greenroom plugins outside ``keep``."""
    original = importlib.metadata.distributions
    kept = tuple(str(Path(folder)) for folder in keep)

    def distributions(**kwargs: Any) -> Iterator[importlib.metadata.Distribution]:
        for dist in original(**kwargs):
            if _is_plugin(dist) and not (kept and str(dist.locate_file("")).startswith(kept)):
                continue
            yield dist

    return distributions


def hide_installed_plugins(keep: Iterable[Path | str] = ()) -> None:
    """Filter the installed greenroom plugins out of discovery, for the rest of the process."""
    importlib.metadata.distributions = filtered_distributions(keep)  # type: ignore[assignment]
