"""Reading one YAML file of entities: every document an entity, every problem named.

Blocking (file I/O and parsing); the provider runs it in a worker thread.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import yaml
from greenroom_plugin_catalog_common import Entity, EntityValidationError, entity_from_dict

__all__ = ["FileRead", "read_entities_file"]


@attrs.frozen
class FileRead:
    """What one read of a file gave: its entities, or the problems that make it unusable."""

    path: Path
    entities: tuple[Entity, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the file could be read whole."""
        return not self.problems


def read_entities_file(path: Path) -> FileRead:
    """The entities in ``path``, a YAML stream with one entity per document.

    Empty documents are skipped. A file that cannot be read or parsed, or
    with any invalid entity, has ``problems`` (one line each, naming the file,
    the document and the key) and no entities: a file is taken whole or not
    at all, so that a half-saved edit never removes entities from the catalog.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileRead(path, problems=(f"cannot read {path}: {exc}",))
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        return FileRead(path, problems=(f"{path} is not valid YAML: {exc}",))
    entities: list[Entity] = []
    problems: list[str] = []
    for number, document in enumerate(documents, start=1):
        source = f"{path} (document {number})" if len(documents) > 1 else str(path)
        try:
            entities.append(entity_from_dict(document, source=source))
        except EntityValidationError as exc:
            problems.append(str(exc))
    if problems:
        return FileRead(path, problems=tuple(problems))
    return FileRead(path, entities=tuple(entities))
