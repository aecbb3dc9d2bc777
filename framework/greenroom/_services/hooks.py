"""Running lifecycle hooks: sync or async, every hook runs even when one fails."""

from __future__ import annotations

import inspect
from typing import Any

from greenroom._api.services.lifecycle import LifecycleHook

__all__ = ["HookList"]


class HookList:
    """An ordered list of lifecycle hooks with a readable label for messages."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._hooks: list[LifecycleHook] = []

    def add(self, hook: LifecycleHook) -> None:
        """Append ``hook``; it must be callable without arguments."""
        if not callable(hook):
            raise TypeError(f"{self.label}: {hook!r} is not callable; pass a function")
        self._hooks.append(hook)

    def __len__(self) -> int:
        return len(self._hooks)

    async def run(self, *, reverse: bool = False) -> dict[str, BaseException]:
        """Run every hook in order (or in reverse); return the failures by hook name."""
        failures: dict[str, BaseException] = {}
        for hook in reversed(self._hooks) if reverse else list(self._hooks):
            try:
                result: Any = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                failures[f"{self.label} {_name(hook)}"] = exc
        return failures


def _name(hook: LifecycleHook) -> str:
    return getattr(hook, "__qualname__", None) or repr(hook)
