"""Watching the sources with watchfiles, and restarting on change.

watchfiles (the file watcher uvicorn's ``--reload`` uses) gathers a burst of
changes, such as an editor's "save all" or a formatter rewriting files on
save, into one batch: it yields once no new change came for
:data:`QUIET_MS` milliseconds, or after :data:`DEBOUNCE_MS` at most. One
batch is one restart. Only changes to code, ``pyproject.toml`` files and the
config files count; tests, docs and caches never restart the backend.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from greenroom._dev.supervisor import Supervisor
from greenroom._dev.target import DevTarget

if TYPE_CHECKING:
    from watchfiles import Change

__all__ = ["DEBOUNCE_MS", "QUIET_MS", "describe_changes", "lasting_changes", "run_dev_backend"]

#: A batch of changes is yielded after this long without a new change ...
QUIET_MS: Final = 150
#: ... or after this long at most.
DEBOUNCE_MS: Final = 1600
#: How many changed files a restart message lists before "and N more".
_SHOWN: Final = 5


def _restart_filter(sources: Sequence[Path]) -> Callable[[Change, str], bool]:
    from watchfiles import DefaultFilter

    # Only the defaults (caches, editors' temporary files): a folder name added here would
    # also match the folders above the workspace. The allow-list below does the rest.
    default = DefaultFilter()
    files = frozenset(str(path) for path in sources)
    folders = tuple(str(path) + os.sep for path in sources)

    def accept(change: Change, path: str) -> bool:
        return default(change, path) and (path in files or path.startswith(folders))

    return accept


def lasting_changes(changes: Iterable[tuple[Change, str]]) -> dict[str, str]:
    """Each changed path with what happened to it, left out the ones that came and went.

    An editor that saves by writing a temporary file and renaming it shows up
    as the temporary file added and deleted: no change to restart for.
    """
    events: dict[str, list[str]] = {}
    for change, path in changes:
        events.setdefault(path, []).append(change.name)
    lasting = {}
    for path, names in sorted(events.items()):
        exists = os.path.exists(path)
        if not exists and "added" in names:
            continue  # came and went within the batch
        # "changed", not added/modified: a save by renaming reports an existing file as added.
        lasting[path] = "changed" if exists else "deleted"
    return lasting


def describe_changes(changes: Iterable[tuple[Change, str]], root: Path) -> str:
    """``src/acme/plugin.py changed, src/acme/old.py deleted`` (relative to ``root``)."""
    shown = []
    for path, what in lasting_changes(changes).items():
        try:
            name = Path(path).relative_to(root).as_posix()
        except ValueError:
            name = path
        shown.append(f"{name} {what}")
    more = len(shown) - _SHOWN
    text = ", ".join(shown[:_SHOWN])
    return f"{text} and {more} more" if more > 0 else text


def run_dev_backend(
    target: DevTarget,
    root: Path,
    echo: Callable[[str], None],
    stop_event: threading.Event | None = None,
) -> None:
    """Start the backend, restart it on each batch of changes; stop on Ctrl-C or ``stop_event``."""
    from watchfiles import watch

    # watchfiles logs "KeyboardInterrupt caught, stopping watch" on Ctrl-C: we say it ourselves.
    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    stop_event = stop_event or threading.Event()
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a process manager, `timeout`) stops the backend gracefully too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda signum, frame: stop_event.set())
    supervisor = Supervisor(target, echo)
    folders = sum(1 for path in target.watch if path.is_dir())
    echo(f"greenroom: starting {target.description}")
    echo(
        f"greenroom: watching {folders} folder(s) and {len(target.watch) - folders} file(s); "
        "a change restarts the backend (Ctrl-C quits)"
    )
    try:
        supervisor.start()
        for changes in watch(
            *target.watch,
            watch_filter=_restart_filter(target.sources),
            debounce=DEBOUNCE_MS,
            step=QUIET_MS,
            stop_event=stop_event,
            raise_interrupt=False,
        ):
            if not lasting_changes(changes):
                continue
            echo(f"greenroom: {describe_changes(changes, root)}; restarting the backend")
            supervisor.restart()
    except KeyboardInterrupt:
        pass  # Ctrl-C during a restart: quitting is what was asked for
    finally:
        echo("greenroom: stopping the backend")
        supervisor.close()
