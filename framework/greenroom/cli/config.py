"""``greenroom config check|schema|print``: the app config and its merged schema.

Backstage's ``config:check``, ``config:schema`` and ``config:print``. The
schema is what ``greenroom start`` checks the config against: the
framework's, every installed package's, and every plugin's in
``dynamicPlugins.rootDirectory`` (plugins are loaded, as at start, so that
their ``config_schema()`` hooks can answer). Logs and warnings go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

import click

from greenroom.cli.options import config_option

if TYPE_CHECKING:
    from greenroom._config import Config
    from greenroom._dynamic.schemas import DynamicPluginsSchemas

__all__ = ["config"]

_FORMATS = click.Choice(["yaml", "json"])


@click.group("config")
def config() -> None:
    """Check, print and describe the app config against the merged config schema."""


@config.command("check")
@config_option
def check(config_paths: tuple[str, ...]) -> None:
    """Validate the config against the merged schema; exit 1 listing every problem.

    Each problem names the key path, what is wrong, the package whose schema
    demands it and the file the value came from. Schemas that cannot be used
    are listed as warnings and do not fail the check.
    """
    loaded, schemas = _load(config_paths)
    validation = schemas.validate()
    _warn_problems(schemas)
    if not validation.ok:
        raise validation.error(
            hint="Fix the values above; the schemas are in `greenroom config schema`."
        )
    files = ", ".join(str(file) for file in loaded.files) or "no config file"
    click.echo(f"config ok: {files} checked against {len(schemas.schema.packages)} schema(s)")


@config.command("schema")
@config_option
@click.option("--format", "fmt", type=_FORMATS, default="json", show_default=True)
def schema(config_paths: tuple[str, ...], fmt: str) -> None:
    """Print the merged config schema: one JSON schema, allOf every package's."""
    _, schemas = _load(config_paths)
    _warn_problems(schemas)
    _echo(schemas.schema.merged(), fmt)


@config.command("print")
@config_option
@click.option("--frontend", is_flag=True, help="Print only the values marked visibility: frontend.")
@click.option("--with-secrets", is_flag=True, help="Print secret values instead of ***.")
@click.option("--format", "fmt", type=_FORMATS, default="yaml", show_default=True)
def print_config(
    config_paths: tuple[str, ...], frontend: bool, with_secrets: bool, fmt: str
) -> None:
    """Print the merged config; values at visibility: secret paths are shown as ***.

    Also hidden: the pieces of other values that came from a secret (a
    password inserted into a URL). Invalid values are listed on stderr.
    """
    from greenroom._config.redaction import Redactor, redact_value
    from greenroom._config.visibility import filter_by_visibility, redact_secrets

    loaded, schemas = _load(config_paths)
    validation = schemas.validate()
    _warn_problems(schemas)
    for issue in validation.issues:
        click.echo(f"warning: {issue}", err=True)
    data: Any = loaded.as_dict()
    if frontend:
        data = filter_by_visibility(data, validation.visibility)
    if not with_secrets:
        data = redact_value(
            redact_secrets(data, validation.visibility), Redactor(validation.secrets)
        )
    _echo(data, fmt)


def _load(config_paths: tuple[str, ...]) -> tuple[Config, DynamicPluginsSchemas]:
    from greenroom._config import load_config
    from greenroom._dynamic.schemas import load_schemas
    from greenroom._services.root_logger import configure_logging

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    configure_logging("warning", "text")
    loaded = load_config(list(config_paths) or None)
    return loaded, load_schemas(loaded)


def _warn_problems(schemas: DynamicPluginsSchemas) -> None:
    for problem in schemas.problems:
        click.echo(f"warning: {problem}; its part of the config is not checked", err=True)


def _echo(value: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(value, indent=2, ensure_ascii=False))
        return
    import yaml

    click.echo(yaml.safe_dump(value, sort_keys=False, allow_unicode=True), nl=False)
