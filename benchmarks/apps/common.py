"""What the standalone scripts share: serving under uvicorn the way Greenroom does.

Imported by the scripts beside it (their folder is ``sys.path[0]``); kept free
of imports beyond the standard library until a function needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import timeit
from typing import Any

READINESS = "/.greenroom/health/v1/readiness"


def arguments(description: str) -> argparse.ArgumentParser:
    """A parser with the options every script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=7007)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timeit repeats (--time-failed-import)"
    )
    parser.add_argument(
        "--time-failed-import",
        action="store_true",
        help="instead of serving, print how long a failing import takes (JSON) and exit",
    )
    return parser


def serve(app: Any, port: int, *, access_log: bool = False) -> None:
    """Serve ``app`` with the uvicorn settings ``greenroom start`` uses.

    ``access_log``: uvicorn's own logging set up as ``uvicorn app:app`` does by
    default, one access line per request on stdout; else no logging at all.
    """
    import uvicorn

    # The settings of greenroom._backend.server: no lifespan.
    if access_log:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off")
    else:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False
        )
    uvicorn.Server(config).run()


def time_failed_import(repeat: int) -> None:
    """Print ``{"seconds": [...]}``: per failing ``import nonexistent_xyz``, ``repeat`` times.

    Each repeat runs as many imports as take 0.2 s (``timeit``'s autorange).
    """

    def attempt() -> None:
        with contextlib.suppress(ImportError):
            import nonexistent_xyz  # type: ignore[import-not-found]  # noqa: F401

    timer = timeit.Timer(attempt)
    number, _ = timer.autorange()
    samples = [total / number for total in timer.repeat(repeat, number)]
    json.dump(
        {"seconds": samples, "sys_path": len(sys.path), "meta_path": len(sys.meta_path)}, sys.stdout
    )


def plugin_manager() -> Any:
    """pluggy's manager with the one hook the benchmark plugins implement, ``routes()``."""
    import pluggy

    hookspec = pluggy.HookspecMarker("bench")

    class Spec:
        @hookspec
        def routes(self) -> Any:
            """The plugin's routes."""

    manager = pluggy.PluginManager("bench")
    manager.add_hookspecs(Spec)
    return manager


def run_plugin_app(build: Any, description: str) -> None:
    """The command line of an app of N plugins: ``build(--dir, --count)``, then serve it,
    or time a failing import in it (``--time-failed-import``)."""
    parser = arguments(description)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    application = build(args.dir, args.count)
    if args.time_failed_import:
        time_failed_import(args.repeat)
    else:
        serve(application, args.port)
