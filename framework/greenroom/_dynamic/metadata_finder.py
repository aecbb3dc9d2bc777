"""What ``importlib.metadata`` finds from a plugin's own code: the plugin's ``*.dist-info``.

The one meta-path finder answers ``find_distributions`` by looking at who asks
(the first frame outside the standard library): plugin code gets its own
distributions first, the host gets nothing from here and so sees only its own
environment. Since ``importlib.metadata`` chains every finder's answers and
takes the first match, ``version("libx")`` in plugin A gives A's private
``libx``, in the host the host's.

Limits (documented for users):

- the caller is the first frame outside the standard library, so a lookup
  made *for* a plugin by a shared library (a host package calling
  ``version()`` on the plugin's behalf) sees the host's environment;
- ``distributions()`` and ``entry_points()`` called from plugin code list the
  plugin's private distributions first and then the host's, so a plugin that
  scans entry-point groups sees both (the private copy wins on a name clash);
- a private copy of a *shared* package is hidden, because the plugin runs the
  host's copy and its metadata should say so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from importlib.metadata import Distribution, DistributionFinder, PathDistribution
from pathlib import Path

from greenroom._dynamic.shared import top_level_names

__all__ = ["PluginDistributions", "normalize"]

_log = logging.getLogger("greenroom.dynamic")


def normalize(name: str) -> str:
    """PEP 503 normalisation, as ``importlib.metadata`` matches names."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginDistributions:
    """The distributions installed in one plugin folder, minus copies of shared packages.

    ``private`` are the import names the plugin really owns; a distribution
    providing only other names (a shared package's copy) is left out.
    """

    def __init__(self, content_dir: Path, private: frozenset[str]) -> None:
        # Read on first use: parsing METADATA costs ~0.3 ms per plugin, and most
        # plugins never ask importlib.metadata anything (issue 8, start-up).
        self._content_dir = content_dir
        self._private = private
        self._read: tuple[dict[str, Path], dict[str, tuple[str, str]]] | None = None

    def _distributions(self) -> tuple[dict[str, Path], dict[str, tuple[str, str]]]:
        if self._read is not None:
            return self._read
        by_name: dict[str, Path] = {}
        owners: dict[str, tuple[str, str]] = {}
        for info in sorted(self._content_dir.glob("*.dist-info")):
            dist = PathDistribution(info)
            name = dist.metadata["Name"]
            if not name:
                _log.debug("%s has no Name in its METADATA; ignored", info)
                continue
            provided = top_level_names(dist)
            for top in provided:
                owners.setdefault(top, (name, dist.version))
            if provided and not provided & self._private:
                continue
            by_name.setdefault(normalize(name), info)
        self._read = (by_name, owners)  # one assignment: a racing reader sees all or nothing
        return self._read

    @property
    def owners(self) -> dict[str, tuple[str, str]]:
        """Top-level import name -> (distribution name, version), for messages."""
        return self._distributions()[1]

    @property
    def names(self) -> tuple[str, ...]:
        """Normalised names of the distributions plugin code sees as its own."""
        return tuple(self._distributions()[0])

    def find(self, context: DistributionFinder.Context) -> Iterable[Distribution]:
        """The plugin's distributions matching ``context``.

        A search with an explicit ``path`` is about those folders, not about the
        running plugin, so it gets nothing from here.
        """
        if "path" in vars(context):
            return ()
        if context.name is None:
            return [PathDistribution(info) for info in self._distributions()[0].values()]
        info = self._distributions()[0].get(normalize(context.name))
        return () if info is None else (PathDistribution(info),)
