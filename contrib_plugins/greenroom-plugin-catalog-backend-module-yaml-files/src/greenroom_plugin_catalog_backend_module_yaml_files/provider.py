"""``YamlFilesEntityProvider``: the configured files' entities, read again on an interval.

``connect`` reads the files once (so the entities are there when the backend
reports ready) and starts a task that reads them every ``refreshSeconds``;
``stop`` cancels it. Each file keeps its last good read while it has
problems, and problems are logged when they appear or change, not at every
read, so a bad file says so once instead of filling the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Final

from greenroom_plugin_catalog_backend import EntityProviderConnection, FullMutation
from greenroom_plugin_catalog_common import Entity

from greenroom import LoggerService
from greenroom_plugin_catalog_backend_module_yaml_files.reader import (
    FileRead,
    read_entities_file,
)
from greenroom_plugin_catalog_backend_module_yaml_files.settings import YamlFilesSettings

__all__ = ["PROVIDER_NAME", "YamlFilesEntityProvider"]

PROVIDER_NAME: Final = "yaml-files"


def _read_all(paths: tuple[Path, ...]) -> list[FileRead]:
    return [read_entities_file(path) for path in paths]


class YamlFilesEntityProvider:
    """An entity provider reading the files of :class:`YamlFilesSettings`."""

    provider_name = PROVIDER_NAME

    def __init__(self, settings: YamlFilesSettings, logger: LoggerService | logging.Logger) -> None:
        self.settings = settings
        self._logger = logger
        self._connection: EntityProviderConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._good: dict[Path, tuple[Entity, ...]] = {}
        self._problems: dict[Path, tuple[str, ...]] = {}
        self._applied: tuple[Entity, ...] | None = None

    @property
    def problems(self) -> dict[Path, tuple[str, ...]]:
        """The files with problems at the last read, and what the problems are."""
        return dict(self._problems)

    async def connect(self, connection: EntityProviderConnection) -> None:
        """Read the files now, then every ``refresh_seconds`` in a task of its own."""
        self._connection = connection
        await self.refresh()
        if self.settings.paths:
            self._task = asyncio.create_task(self._run(), name=f"catalog {PROVIDER_NAME} refresh")

    async def stop(self) -> None:
        """Cancel the refresh task and wait for it to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.settings.refresh_seconds)  # the interval, not a wait for state
            try:
                await self.refresh()
            except Exception:
                self._logger.exception("reading the catalog's YAML files failed; trying again")

    async def refresh(self) -> None:
        """Read every file once and give the catalog what changed."""
        if self._connection is None:
            raise RuntimeError(f"the {PROVIDER_NAME} provider is not connected to a catalog")
        reads = await asyncio.to_thread(_read_all, self.settings.paths)
        for read in reads:
            self._record(read)
        entities = self._entities()
        if entities != self._applied:
            await self._connection.apply_mutation(FullMutation(entities))
            self._applied = entities

    def _record(self, read: FileRead) -> None:
        path = read.path
        if read.ok:
            self._good[path] = read.entities
            if self._problems.pop(path, None) is not None:
                self._logger.info("%s reads again: %d entities", path, len(read.entities))
            return
        if self._problems.get(path) != read.problems:
            kept = len(self._good.get(path, ()))
            self._logger.error(
                "%s is left as it was (%d entities kept): %s",
                path,
                kept,
                "\n".join(read.problems),
            )
        self._problems[path] = read.problems

    def _entities(self) -> tuple[Entity, ...]:
        seen: dict[str, Path] = {}
        entities: list[Entity] = []
        for path in self.settings.paths:
            for entity in self._good.get(path, ()):
                first = seen.setdefault(entity.ref, path)
                if first != path:
                    self._logger.warning(
                        "%s in %s is left out: %s has it first", entity.ref, path, first
                    )
                    continue
                entities.append(entity)
        return tuple(entities)
