"""``.config-schema.json``: the config schemas of a bundle's plugin and the packages it embeds.

Each distribution in the bundle folder may name a schema file with a
``greenroom.config_schema`` entry point (``config-schema`` in
``[tool.greenroom]``); the files are read from the folder without importing
anything, checked, and written in the one serialized format the loader reads
(``ConfigSchema.serialize()``, documented in ``greenroom._config.schema`` and
docs/how-to/config-schemas-and-secrets.md). A schema that cannot be read or
is invalid fails the bundle: the runtime would skip it and leave the
plugin's config unchecked.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Sequence
from pathlib import Path

from greenroom._config.schema import (
    SCHEMA_ENTRY_POINT_GROUP,
    ConfigSchema,
    SchemaProblem,
    SchemaSource,
    schema_from_entry_point,
)
from greenroom._dynamic.models import CONFIG_SCHEMA_NAME
from greenroom._errors import BundleError

__all__ = ["collect_schemas", "write_schemas"]


def collect_schemas(folder: Path, dist_infos: Sequence[Path], *, report: str) -> ConfigSchema:
    """The schemas the ``greenroom.config_schema`` entry points of ``dist_infos`` name."""
    sources: list[SchemaSource] = []
    problems: list[SchemaProblem] = []

    def locate(package: str, path: str) -> Path:
        return folder.joinpath(*package.split("."), *path.split("/"))

    for dist_info in dist_infos:
        distribution = importlib.metadata.PathDistribution(dist_info)
        name = str(distribution.metadata["Name"] or dist_info.name)
        entries = distribution.entry_points.select(group=SCHEMA_ENTRY_POINT_GROUP)
        for entry in sorted(entries, key=lambda ep: ep.name):
            result = schema_from_entry_point(name, entry.name, entry.value, locate=locate)
            if isinstance(result, SchemaProblem):
                problems.append(result)
            else:
                sources.append(result)
    if problems:
        raise BundleError(
            [str(problem) for problem in problems],
            package=report,
            step="schemas",
            hint="fix the schema file (or its greenroom.config_schema entry point), bundle again",
        )
    return ConfigSchema(tuple(sources))


def write_schemas(folder: Path, schema: ConfigSchema) -> Path:
    """Write ``.config-schema.json`` at the bundle root: stable JSON, sorted keys."""
    path = folder / CONFIG_SCHEMA_NAME
    text = json.dumps(schema.serialize(), sort_keys=True, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
