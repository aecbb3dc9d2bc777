"""Loading config: which files, in which order, and the environment overrides last."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs

from greenroom._config.env_overrides import read_env_overrides
from greenroom._config.layer import Layer
from greenroom._config.merge import merge_layers
from greenroom._config.paths import type_name
from greenroom._config.reader import Config
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["DEFAULT_CONFIG_FILES", "load_config"]

#: Read from the working directory, in this order, when no paths are given.
DEFAULT_CONFIG_FILES: Final = ("app-config.yaml", "app-config.local.yaml")


def load_config(
    paths: Sequence[str | Path] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Load, substitute and merge the app config, as Backstage's config loader does.

    Without ``paths``, ``app-config.yaml`` then ``app-config.local.yaml`` are
    read from ``cwd`` when they exist (none is fine: the config is empty).
    Given ``paths`` (the repeatable ``--config`` option) replace them and must
    exist. Later files win; mappings merge deeply and arrays are replaced.
    ``APP_CONFIG_*`` variables from ``env`` (default ``os.environ``) are
    applied last. Every problem found is reported in one :class:`ConfigError`.
    """
    # Imported here so that `import greenroom` does not pay for importing PyYAML.
    from greenroom._config.documents import parse_document, read_text
    from greenroom._config.substitution import Resolver

    environ: Mapping[str, str] = os.environ if env is None else env
    base = Path(os.path.abspath(Path.cwd() if cwd is None else cwd))

    def display(file: Path) -> str:
        return str(file.relative_to(base)) if file.is_relative_to(base) else str(file)

    issues: list[ConfigIssue] = []
    hints: list[str] = []
    layers: list[Layer] = []
    files = _config_files(paths, base, issues, hints)
    for file in files:
        try:
            data = parse_document(read_text(file, display(file)), display(file))
        except ConfigError as exc:
            _absorb(exc, issues, hints)
            continue
        if data is None:  # an empty file, or one holding only comments
            data = {}
        if not isinstance(data, dict):
            description = f"the top level of a config file must be a mapping, got {type_name(data)}"
            issues.append(ConfigIssue(description, "$", display(file)))
            _add_hint(
                hints, "Write the config as keys and values, e.g. 'backend:' on the first line."
            )
            continue
        resolver = Resolver(environ, display)
        layers.append(resolver.resolve(data, file))
        issues.extend(resolver.issues)
        for hint in resolver.hints:
            _add_hint(hints, hint)
    try:
        layers.append(read_env_overrides(environ))
    except ConfigError as exc:
        _absorb(exc, issues, hints)
    if issues:
        raise ConfigError(issues, hint="\n".join(hints))
    return Config(attrs.evolve(merge_layers(layers), files=tuple(files)))


def _config_files(
    paths: Sequence[str | Path] | None, base: Path, issues: list[ConfigIssue], hints: list[str]
) -> list[Path]:
    if paths is None:
        candidates = [base / name for name in DEFAULT_CONFIG_FILES]
        return [file for file in candidates if file.is_file()]
    files = []
    for given in paths:
        file = Path(os.path.normpath(base / given))
        if file.is_file():
            files.append(file)
            continue
        problem = "is not a file" if file.exists() else "does not exist"
        issues.append(ConfigIssue(f"config file {problem}", "$", str(given)))
        _add_hint(
            hints,
            f"Check the --config paths (relative ones are resolved from {base}), or pass none "
            f"to load {' and '.join(DEFAULT_CONFIG_FILES)} from there.",
        )
    return files


def _absorb(error: ConfigError, issues: list[ConfigIssue], hints: list[str]) -> None:
    issues.extend(error.issues)
    if error.hint:
        _add_hint(hints, error.hint)


def _add_hint(hints: list[str], hint: str) -> None:
    if hint not in hints:
        hints.append(hint)
