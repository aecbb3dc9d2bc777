"""A backend process of ``greenroom package start``: ``python -m greenroom._dev.child``.

It reads what to run from :data:`~greenroom._dev.protocol.TARGET_ENV`, puts
the workspace's sources first on ``sys.path``, starts debugpy when asked,
and runs the backend as ``greenroom start`` does (graceful stop on SIGTERM
and SIGINT). Two things tie it to its parent: it reports to the session when
it has started, and it stops itself gracefully when its standard input
closes, which is how the parent asks it to stop (on every platform), and what
happens when the parent dies.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

from greenroom._dev.spec import ChildSpec, DebugSpec

__all__ = ["main"]


def _stop_self() -> None:
    if os.name == "nt":
        signal.raise_signal(signal.SIGINT)
    else:
        os.kill(os.getpid(), signal.SIGTERM)


def _watch_parent() -> None:
    """Stop gracefully once standard input closes: the parent asked, or is gone."""

    def wait() -> None:
        # os.read on the descriptor, not sys.stdin: a daemon thread blocked in a buffered
        # reader holds its lock, and the interpreter aborts on it at exit.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        _stop_self()

    threading.Thread(target=wait, name="dev-parent", daemon=True).start()


def _start_debugger(debug: DebugSpec) -> None:
    import importlib

    # An optional dependency (greenroom[debug]) without type hints; the parent checked it.
    debugpy = importlib.import_module("debugpy")

    debugpy.listen((debug.host, debug.port))
    if debug.wait:
        print(
            f"greenroom: waiting for a debugger to attach to {debug.host}:{debug.port} "
            "(debugpy) before the backend starts",
            file=sys.stderr,
            flush=True,
        )
        debugpy.wait_for_client()
        print("greenroom: debugger attached", file=sys.stderr, flush=True)


def _load_features(spec: ChildSpec) -> list[Any]:
    from importlib.metadata import EntryPoint

    return [EntryPoint(name, value, group).load() for group, name, value in spec.features]


def _stand_ins(features: list[Any]) -> list[Any]:
    """An empty plugin for each module whose plugin is not among ``features``."""
    from greenroom import BackendModule, BackendPlugin, hookimpl

    def ids(kind: type) -> set[str]:
        return {
            str(getattr(f, "plugin_id", ""))
            for f in features
            if isinstance(f, kind) or (isinstance(f, type) and issubclass(f, kind))
        }

    missing = sorted(ids(BackendModule) - ids(BackendPlugin))
    stand_ins = []
    for plugin_id in missing:

        class StandIn(BackendPlugin):
            """An empty plugin standing in for the plugin of the module being developed."""

            @hookimpl
            def register(self, env: Any) -> None:
                env.register_init(lambda: None)

        StandIn.plugin_id = plugin_id
        stand_ins.append(StandIn)
        print(
            f"greenroom: plugin {plugin_id!r} is not in the workspace nor installed: an empty "
            "plugin stands in for it",
            file=sys.stderr,
            flush=True,
        )
    return stand_ins


def _ready_factory(spec: ChildSpec, backend: Any) -> Any:
    """A root service whose startup hook tells the parent that the backend is up."""
    from greenroom import ServiceFactory, ServiceRef, core_services
    from greenroom._backend.server import listen_address
    from greenroom._dev.client import session_client
    from greenroom._dev.protocol import READY

    def create(lifecycle: Any, config: Any) -> object:
        host, port = listen_address(config)
        client = session_client()

        def notify() -> None:
            if client is not None:
                url = f"http://{host}:{port}"
                client.request(READY, spec.generation, url, tuple(sorted(backend.plugins)))

        lifecycle.add_startup_hook(notify)
        return notify

    return ServiceFactory(
        service=ServiceRef[object]("dev.session_ready", scope="root"),
        factory=create,
        deps={"lifecycle": core_services.root_lifecycle, "config": core_services.root_config},
    )


def main() -> int:
    """Run the backend described by the environment; the process's exit status."""
    from greenroom._dev.protocol import TARGET_ENV

    spec = ChildSpec.from_json(os.environ[TARGET_ENV])
    sys.path[:0] = list(spec.paths)
    _watch_parent()
    if spec.debug is not None:
        _start_debugger(spec.debug)

    from greenroom import GreenroomError, create_backend, load_config

    try:
        config = load_config(list(spec.config))
        features = _load_features(spec)
        backend = create_backend(config)
        if spec.mode == "backend":
            from greenroom._dynamic.feature_loader import dynamic_plugins_feature_loader

            backend.add(dynamic_plugins_feature_loader)
        for feature in [*features, *_stand_ins(features)]:
            backend.add(feature)
        backend.add(_ready_factory(spec, backend))
        backend.run()
    except GreenroomError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        hint = getattr(exc, "hint", "")
        if hint:
            print(f"hint: {hint}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
