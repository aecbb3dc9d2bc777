"""The naming scheme and plugin id inference, from the seed's examples and over any name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenroom import PackageMetadataError
from greenroom._api.ids import is_valid_id
from greenroom._packaging.naming import (
    NAMING_RULES,
    infer_plugin_id,
    naming_problem,
    package_name,
)
from greenroom._packaging.roles import MODULE_ROLES, PLUGIN_ROLES, ROLES, Role

# The seed's examples (001 "name", 003 "Package Roles"), npm names in Python form:
# "@backstage/plugin-catalog" is "backstage-plugin-catalog".
SEED_EXAMPLES: list[tuple[Role, str, str | None]] = [
    ("frontend-plugin", "backstage-plugin-catalog", "catalog"),
    ("backend-plugin", "backstage-plugin-catalog-backend", "catalog"),
    ("common-library", "backstage-plugin-catalog-common", "catalog"),
    ("node-library", "backstage-plugin-catalog-node", "catalog"),
    ("web-library", "backstage-plugin-catalog-react", "catalog"),
    ("backend-plugin-module", "backstage-plugin-catalog-backend-module-github", "catalog"),
    (
        "backend-plugin-module",
        "example-backstage-plugin-catalog-backend-module-poetry-provider",
        "catalog",
    ),
    ("frontend-plugin", "example-backstage-plugin-poetry", "poetry"),
    ("backend-plugin", "example-backstage-plugin-poetry-backend", "poetry"),
    ("frontend-plugin", "backstage-plugin-scaffolder", "scaffolder"),
    ("backend-plugin", "backstage-plugin-auth-backend", "auth"),
    ("frontend-plugin-module", "backstage-plugin-analytics-module-ga", "analytics"),
    ("backend-plugin-module", "backstage-plugin-search-backend-module-pg", "search"),
    ("node-library", "backstage-plugin-techdocs-node", "techdocs"),
    ("common-library", "backstage-plugin-permission-common", "permission"),
    # The rules' other endings: -test-utils for web, -backend-... for node libraries.
    ("web-library", "backstage-plugin-catalog-test-utils", "catalog"),
    ("node-library", "backstage-plugin-events-backend-test-utils", "events"),
    # Plugin ids of more than one word, and names spelled in other PEP 503 forms.
    ("frontend-plugin", "backstage-plugin-catalog-graph", "catalog-graph"),
    ("backend-plugin", "Backstage_Plugin.Catalog_Backend", "catalog"),
    # Libraries that are not part of a plugin, and roles that never are.
    ("node-library", "example-backstage-foo-client", None),
    ("web-library", "example-backstage-components", None),
    ("backend", "example-backend", None),
    ("frontend", "example-app", None),
    ("cli", "backstage-cli", None),
]


@pytest.mark.parametrize(("role", "name", "plugin_id"), SEED_EXAMPLES)
def test_inference_rule(role: Role, name: str, plugin_id: str | None) -> None:
    """Each role's rule reads the seed's plugin id out of the name."""
    assert infer_plugin_id(role, name) == plugin_id


@pytest.mark.parametrize(
    ("role", "name", "message"),
    [
        ("backend-plugin", "backstage-plugin-catalog", "'<prefix>-plugin-<pluginId>-backend'"),
        ("backend-plugin-module", "acme-plugin-catalog-backend", "-backend-module-<name>"),
        ("frontend-plugin", "acme-todo", "'<prefix>-plugin-<pluginId>'"),
        ("frontend-plugin-module", "backstage-plugin-analytics", "-module-<name>"),
        ("backend-plugin", "acme-superplugin-x-backend", "<prefix>-plugin-<pluginId>-backend"),
        ("backend-plugin", "acme-plugin-2fa-backend", "'2fa', which is not kebab-case"),
        ("backend-plugin", "-not a name-", "not a valid distribution name"),
    ],
)
def test_a_plugin_name_that_matches_no_rule_says_what_to_set(
    role: Role, name: str, message: str
) -> None:
    """A plugin or module whose name gives no plugin id raises, naming the scheme and the fix."""
    with pytest.raises(PackageMetadataError, match=r"cannot infer|kebab-case|not a valid") as info:
        infer_plugin_id(role, name)
    assert message in str(info.value)
    if "valid distribution name" not in message:
        assert "set plugin-id" in info.value.hint


@given(role=st.sampled_from(ROLES), name=st.text() | st.from_regex(r"[a-z0-9.-]{1,30}"))
def test_inference_never_raises_anything_else(role: Role, name: str) -> None:
    """Over any text: a valid plugin id, None for libraries and apps, or the clear error."""
    try:
        plugin_id = infer_plugin_id(role, name)
    except PackageMetadataError as exc:
        message = str(exc)
        plugin_id = None
    else:
        message = ""
    if message:
        # What is wrong, and (for a name that is a name) how to fix it.
        assert "not a valid distribution name" in message or (
            f"of {role} {name!r}" in message and "set plugin-id" in info_hint(role, name)
        )
    elif role in PLUGIN_ROLES | MODULE_ROLES:
        assert plugin_id is not None
    assert plugin_id is None or is_valid_id(plugin_id)


def info_hint(role: Role, name: str) -> str:
    """The hint of the error infer_plugin_id raises."""
    with pytest.raises(PackageMetadataError) as info:
        infer_plugin_id(role, name)
    return info.value.hint


@given(
    role=st.sampled_from(ROLES),
    name=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}[A-Za-z0-9]", fullmatch=True)
    | st.sampled_from([name for _, name, _ in SEED_EXAMPLES]),
    plugin_id=st.none()
    | st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z][a-z0-9]{0,5}){0,2}", fullmatch=True),
)
def test_naming_check_never_raises(role: Role, name: str, plugin_id: str | None) -> None:
    """The naming check answers with a message or None for any valid name and id."""
    problem = naming_problem(role, name, plugin_id)
    assert problem is None or "fix:" in problem


# Words that other parts of a name may not contain for the name to read back: the scheme's
# own markers. Everything else round-trips.
_RESERVED = {"plugin", "module", "backend", "node", "common", "react", "test", "utils"}
_word = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True).filter(lambda w: w not in _RESERVED)
_id = st.lists(_word, min_size=1, max_size=3).map("-".join)


@given(
    role=st.sampled_from(sorted(NAMING_RULES)),
    prefix=_id,
    plugin_id=_id,
    module_id=_id,
)
def test_a_name_built_by_the_scheme_reads_back_its_plugin_id(
    role: Role, prefix: str, plugin_id: str, module_id: str
) -> None:
    """package_name() and infer_plugin_id() agree, and the name breaks no rule."""
    name = package_name(prefix, role, plugin_id, module_id)
    assert infer_plugin_id(role, name) == plugin_id
    assert naming_problem(role, name, plugin_id) is None


@pytest.mark.parametrize(
    ("role", "name", "plugin_id", "problem"),
    [
        ("backend-plugin", "acme-plugin-catalog-backend", "todo", "rename the package to"),
        ("frontend-plugin", "acme-plugin-todo-backend", None, "named like another role's"),
        ("node-library", "acme-utils", "todo", "names no plugin, but plugin-id is 'todo'"),
        ("backend-plugin", "acme-todo-service", None, "cannot infer the plugin id"),
    ],
)
def test_names_that_break_the_scheme(
    role: Role, name: str, plugin_id: str | None, problem: str
) -> None:
    """A name that disagrees with the role or the declared plugin id is reported with its fix."""
    message = naming_problem(role, name, plugin_id)
    assert message is not None
    assert problem in message
    assert "fix:" in message


def test_names_that_follow_the_scheme_pass() -> None:
    """The seed's names break no rule, with their plugin id declared or not."""
    for role, name, plugin_id in SEED_EXAMPLES:
        assert naming_problem(role, name, None) is None
        assert naming_problem(role, name, plugin_id) is None
