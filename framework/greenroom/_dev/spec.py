"""What a backend process of ``greenroom package start`` runs, handed over as JSON.

Kept apart from :mod:`greenroom._dev.target` so that the backend process
imports only this, not the workspace and packaging code that builds it.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs

__all__ = ["ChildSpec", "DebugSpec"]


@attrs.frozen
class DebugSpec:
    """Where debugpy listens in the backend, and whether the backend waits for a debugger."""

    host: str
    port: int
    wait: bool


@attrs.frozen
class ChildSpec:
    """Everything a backend process needs to know, handed over as JSON."""

    mode: Literal["backend", "plugin"]
    label: str
    cwd: str
    #: Put in front of ``sys.path``, in order.
    paths: tuple[str, ...]
    #: Entry points to load: ``(group, name, value)``.
    features: tuple[tuple[str, str, str], ...]
    #: Config files, in order; none means an empty config.
    config: tuple[str, ...]
    debug: DebugSpec | None = None
    generation: int = 0

    def to_json(self) -> str:
        """The JSON form, for the environment of the backend process."""
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ChildSpec:
        """Parse :meth:`to_json`'s output."""
        data: dict[str, Any] = json.loads(text)
        debug = DebugSpec(**data["debug"]) if data.get("debug") else None
        return cls(
            mode=data["mode"],
            label=data["label"],
            cwd=data["cwd"],
            paths=tuple(data["paths"]),
            features=tuple((g, n, v) for g, n, v in data["features"]),
            config=tuple(data["config"]),
            debug=debug,
            generation=int(data.get("generation", 0)),
        )
