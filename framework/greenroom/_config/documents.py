"""Parsing config documents (YAML and JSON files) into plain Python values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.error import Mark
from yaml.nodes import MappingNode

try:  # the libyaml-backed parser is several times faster; PyYAML may be built without it
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["parse_document", "read_text"]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _ConfigLoader(_BaseLoader):
    """PyYAML's safe loader, made to read config the way Backstage's YAML 1.2 parser does.

    YAML 1.1 turns ``no``/``on``/``yes`` into booleans and ``2024-01-01`` into a
    date; Backstage (YAML 1.2 core schema) keeps them strings, so a country
    code ``no`` or a release date must stay a string here too. Duplicate keys
    are an error rather than "last one wins", as in Backstage.
    """

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # unhashable key: the base constructor reports it
                continue
            if duplicate:
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


# A copy of the base resolvers, so that the base loader used elsewhere is left alone.
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in {_BOOL_TAG, _TIMESTAMP_TAG}]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_ConfigLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_text(file: Path, display: str, *, path: str = "$", referrer: str | None = None) -> str:
    """Read ``file`` as UTF-8, translating failures into a ConfigError.

    ``path`` and ``referrer`` locate what asked for the file (a ``$file`` or
    ``$include`` directive); for a config file itself they are ``$`` and None.
    """
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        description = f"file not found: {display}"
        fix = "Check the path; relative paths are resolved from the directory of the config file."
        raise ConfigError(ConfigIssue(description, path, referrer), hint=fix) from exc
    except UnicodeDecodeError as exc:
        description = f"cannot read {display}: not valid UTF-8 ({exc.reason})"
        raise ConfigError(
            ConfigIssue(description, path, referrer), hint="Save it as UTF-8."
        ) from exc
    except OSError as exc:
        description = f"cannot read {display}: {exc.strerror or exc}"
        fix = "Check that the path names a readable file."
        raise ConfigError(ConfigIssue(description, path, referrer), hint=fix) from exc


def parse_document(text: str, display: str, *, as_json: bool = False) -> Any:
    """Parse ``text`` (from the file shown as ``display``) as YAML, or as JSON if ``as_json``."""
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            issue = ConfigIssue(
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", "$", display
            )
            raise ConfigError(issue, hint=f"Fix the JSON syntax in {display}.") from exc
    try:
        return yaml.load(text, Loader=_ConfigLoader)  # a safe loader: plain data only
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(_yaml_issue(exc, display), hint=f"Fix the YAML in {display}.") from exc
    except yaml.YAMLError as exc:
        issue = ConfigIssue(f"invalid YAML: {exc}", "$", display)
        raise ConfigError(issue, hint=f"Fix the YAML in {display}.") from exc


def _yaml_issue(exc: yaml.MarkedYAMLError, display: str) -> ConfigIssue:
    description = f"invalid YAML{_at(exc.problem_mark)}: {exc.problem or 'syntax error'}"
    if exc.context:  # e.g. where an unterminated quote or bracket started
        description += f" ({exc.context}{_at(exc.context_mark)})"
    return ConfigIssue(description, "$", display)


def _at(mark: Mark | None) -> str:
    return "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
