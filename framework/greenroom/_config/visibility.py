"""The ``visibility`` schema keyword: which config values the frontend sees and which are secret.

As in Backstage, a schema marks a value ``frontend`` (served to browsers),
``backend`` (the default) or ``secret`` (never logged). Validation records
the visibility of each value by its path in the config data (see
``validation.py``); this module merges such records and applies them:
filtering the frontend's part of the config, finding the values to redact,
and cutting a schema down to its frontend-visible part.

Rules (documented in docs/how-to/config-schemas-and-secrets.md):

- ``visibility`` applies to the value it is set on. ``frontend`` on an object
  does not make its children frontend values (Backstage's rule); ``secret``
  on an object or array makes every value inside it secret, since hiding
  less than asked is the one mistake redaction must not make.
- When schemas disagree about a path, the stricter visibility wins:
  ``secret`` over ``backend`` over ``frontend``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Literal, cast

from greenroom._config.layer import Substitution, iter_nodes
from greenroom._config.paths import Path, json_path

__all__ = [
    "DEFAULT_VISIBILITY",
    "REDACTED",
    "VISIBILITIES",
    "Visibility",
    "filter_by_visibility",
    "frontend_schema",
    "iter_subschemas",
    "merge_visibility",
    "redact_secrets",
    "secret_values",
    "visibility_problems",
]

Visibility = Literal["frontend", "backend", "secret"]

#: The values of the ``visibility`` keyword, from the most to the least visible.
VISIBILITIES: Final[tuple[Visibility, ...]] = ("frontend", "backend", "secret")
DEFAULT_VISIBILITY: Final[Visibility] = "backend"
#: What a secret value is replaced by, in logs and in ``greenroom config print``.
REDACTED: Final = "***"

# Keywords whose value is a schema, a list of schemas, or a mapping of names to schemas
# (JSON Schema drafts 7 and 2020-12). Everything else is an annotation or an assertion.
_SCHEMA_KEYWORDS: Final = frozenset(
    {
        "additionalItems",
        "additionalProperties",
        "contains",
        "else",
        "if",
        "items",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_LIST_KEYWORDS: Final = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_MAP_KEYWORDS: Final = frozenset(
    {"$defs", "definitions", "dependentSchemas", "patternProperties", "properties"}
)
_DEFINITIONS: Final = ("$defs", "definitions")


def merge_visibility(
    into: dict[Path, Visibility], path: Path, visibility: Visibility
) -> dict[Path, Visibility]:
    """Record ``visibility`` at ``path`` in ``into``, the stricter one winning; returns ``into``."""
    known = into.get(path)
    if known is None or VISIBILITIES.index(visibility) > VISIBILITIES.index(known):
        into[path] = visibility
    return into


def iter_subschemas(
    schema: Any, location: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Yield ``(location, subschema)`` for ``schema`` and every schema inside it, parents first.

    ``location`` is the path of keywords and names from the root, so that
    ``properties.port`` is never mistaken for a keyword named ``port``.
    """
    if not isinstance(schema, dict):
        return
    yield location, schema
    for step, child in _children(schema):
        yield from iter_subschemas(child, (*location, *step))


def _children(schema: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """The schemas directly inside ``schema``, each with its keyword (and name or index)."""
    for keyword, value in schema.items():
        if keyword in _MAP_KEYWORDS and isinstance(value, dict):
            for name, child in value.items():
                yield (keyword, name), child
        elif keyword in _LIST_KEYWORDS and isinstance(value, list):
            for index, child in enumerate(value):
                yield (keyword, index), child
        elif keyword in _SCHEMA_KEYWORDS:
            yield (keyword,), value


def visibility_problems(schema: Any) -> list[str]:
    """Every ``visibility`` keyword in ``schema`` whose value is not a known visibility."""
    problems = []
    for location, subschema in iter_subschemas(schema):
        value = subschema.get("visibility", DEFAULT_VISIBILITY)
        if value not in VISIBILITIES:
            problems.append(
                f"invalid visibility {value!r} at {_schema_location(location)}: use one of "
                f"{', '.join(VISIBILITIES)}"
            )
    return problems


def _schema_location(location: tuple[str | int, ...]) -> str:
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in location)


# -- applying visibility to config data ------------------------------------------


def _secret_roots(visibility: Mapping[Path, Visibility]) -> list[Path]:
    return [path for path, value in visibility.items() if value == "secret"]


def _under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path[: len(root)] == root for root in roots)


def secret_values(
    data: Any,
    visibility: Mapping[Path, Visibility],
    substitutions: Iterable[Substitution] = (),
) -> frozenset[str]:
    """The text of every value at or under a ``secret`` path, for redaction.

    Strings and numbers count (booleans and null hide nothing). For a value
    filled in by ``${VAR}``, ``$env`` or ``$file`` at a secret path, the
    pieces that came from the environment or the file count on their own
    too, so that a password inserted into a URL is hidden wherever it shows.
    """
    roots = _secret_roots(visibility)
    if not roots:
        return frozenset()
    found: set[str] = set()
    for path, node in iter_nodes(data):
        if isinstance(node, bool) or node is None or isinstance(node, dict | list):
            continue
        if _under(path, roots):
            found.add(str(node))
    rendered_roots = [json_path(root) for root in roots]
    for substitution in substitutions:
        if any(_json_path_under(substitution.path, root) for root in rendered_roots):
            found.add(substitution.value)
            found.update(substitution.inserted)
    found.discard("")
    return frozenset(found)


def _json_path_under(path: str, root: str) -> bool:
    return path == root or (path.startswith(root) and path[len(root)] in ".[")


def redact_secrets(data: Any, visibility: Mapping[Path, Visibility]) -> Any:
    """A copy of ``data`` with every value at or under a ``secret`` path replaced by ``***``."""
    roots = _secret_roots(visibility)

    def walk(value: Any, path: Path) -> Any:
        if path in roots and value is not None:
            return REDACTED if not isinstance(value, dict | list) else _redact_all(value)
        if isinstance(value, dict):
            return {key: walk(item, (*path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*path, index)) for index, item in enumerate(value)]
        return value

    return walk(data, ())


def _redact_all(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _redact_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_all(item) for item in value]
    return None if value is None else REDACTED


def filter_by_visibility(
    data: Any,
    visibility: Mapping[Path, Visibility],
    include: Iterable[Visibility] = ("frontend",),
) -> dict[str, Any]:
    """The part of ``data`` whose visibility is in ``include`` (Backstage's ``filterByVisibility``).

    A value is kept when its own path has an included visibility; scalars in
    an array take the array's visibility when they have none of their own.
    Objects and arrays are kept when something inside them is, or when they
    are included themselves (then possibly empty).
    """
    wanted = frozenset(include)

    def visible(path: Path, inherited: Visibility) -> bool:
        return visibility.get(path, inherited) in wanted

    def walk(value: Any, path: Path, inherited: Visibility) -> tuple[bool, Any]:
        if isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                keep, result = walk(item, (*path, key), DEFAULT_VISIBILITY)
                if keep:
                    kept[key] = result
            return bool(kept) or visible(path, inherited), kept
        if isinstance(value, list):
            own = visibility.get(path, inherited)
            items = []
            for index, item in enumerate(value):
                keep, result = walk(item, (*path, index), own)
                if keep:
                    items.append(result)
            return bool(items) or visible(path, inherited), items
        return visible(path, inherited), value

    keep, result = walk(data, (), DEFAULT_VISIBILITY)
    return cast(dict[str, Any], result) if keep and isinstance(result, dict) else {}


# -- the frontend-visible part of a schema --------------------------------------


def frontend_schema(schema: Any) -> dict[str, Any] | None:
    """The part of ``schema`` that describes ``visibility: frontend`` values, or None.

    Subschemas that hold no frontend value are dropped, ``required`` keeps
    only the properties still described, ``anyOf``/``oneOf`` become an
    ``anyOf`` of the branches that hold frontend values (plus ``true`` when
    a branch was dropped), and conditionals (``if``/``then``/``else``,
    ``not``, ``dependentSchemas``) are dropped. So the result never rejects
    the frontend part of a config that the whole schema accepts. Local
    ``$ref`` pointers (``#/$defs/x``) are followed.
    """
    if not isinstance(schema, dict):
        return None
    pruner = _Pruner(schema)
    return pruner.prune(schema)


# Conditionals and assertions about an object's or array's extent: a schema cut down to
# frontend values cannot tell whether they still hold for the cut-down data.
_DROPPED_ALWAYS: Final = frozenset(
    {"if", "then", "else", "not", "dependentSchemas", "dependentRequired", "contains"}
    | {"propertyNames", "unevaluatedItems", "unevaluatedProperties", "minProperties"}
    | {"maxProperties", "minContains", "maxContains", "minItems", "uniqueItems"}
)
_CONTAINER_ASSERTIONS: Final = frozenset({"enum", "const"})


class _Pruner:
    """Prunes one schema document (its ``$ref`` pointers are local to it)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self._root = root
        self._memo: dict[int, bool] = {}

    def has_frontend(self, node: Any) -> bool:
        """Whether ``node`` or anything it contains or points to marks a frontend value."""
        if not isinstance(node, dict):
            return False
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = False  # a cycle through $ref adds nothing new
        found = node.get("visibility") == "frontend"
        if not found:
            found = any(
                self.has_frontend(child)
                for step, child in _children(node)
                if step[0] not in _DEFINITIONS
            )
        if not found and isinstance(node.get("$ref"), str):
            found = self.has_frontend(self._resolve(node["$ref"]))
        self._memo[key] = found
        return found

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        node: Any = self._root
        for raw in ref[1:].split("/")[1:] if ref != "#" else []:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def prune(self, node: dict[str, Any]) -> dict[str, Any] | None:
        """``node`` without the parts that hold no frontend value, or None if nothing is left."""
        if not self.has_frontend(node):
            return None
        # A node kept only for what is inside it loses the assertions about itself that
        # filtering its children could break (an enum of objects, a minimum item count).
        dropped = _DROPPED_ALWAYS
        if node.get("visibility") != "frontend":
            dropped = dropped | _CONTAINER_ASSERTIONS
        result: dict[str, Any] = {}
        for keyword, value in node.items():
            if keyword in dropped:
                continue
            if keyword in _MAP_KEYWORDS:
                if isinstance(value, dict):
                    children = {name: self._prune_any(child) for name, child in value.items()}
                    kept = {name: child for name, child in children.items() if child}
                    if kept:
                        result[keyword] = kept
            elif keyword in ("anyOf", "oneOf"):
                if isinstance(value, list):
                    branches: list[Any] = [b for b in map(self._prune_any, value) if b]
                    if len(branches) < len(value):
                        branches.append(True)  # a dropped branch may be the one that matches
                    if "anyOf" in result:
                        result.setdefault("allOf", []).append({"anyOf": branches})
                    else:
                        result["anyOf"] = branches
            elif keyword in _LIST_KEYWORDS and isinstance(value, list):
                pruned = [self._prune_any(child) for child in value]
                if keyword == "allOf":
                    result.setdefault("allOf", []).extend(child for child in pruned if child)
                else:  # prefixItems: positions matter, and a dropped item accepts anything
                    result[keyword] = [child if child else True for child in pruned]
            elif keyword in _SCHEMA_KEYWORDS:
                child = self._prune_any(value)
                if child:
                    result[keyword] = child
            elif keyword == "$ref":
                if isinstance(value, str) and self.has_frontend(self._resolve(value)):
                    result[keyword] = value
            else:
                result[keyword] = value
        if isinstance(result.get("required"), list):
            names = set(result.get("properties", {}))
            result["required"] = [name for name in result["required"] if name in names]
        for keyword in ("allOf", "anyOf", "required"):
            if keyword in result and not result[keyword]:
                del result[keyword]
        return result

    def _prune_any(self, node: Any) -> dict[str, Any] | None:
        return self.prune(node) if isinstance(node, dict) else None
