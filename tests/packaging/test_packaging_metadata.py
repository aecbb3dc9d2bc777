"""``[tool.greenroom]``: the model, and every problem reported at once with its key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging_builders import member_toml

from greenroom import GreenroomError, PackageMetadataError
from greenroom._packaging.metadata import GreenroomMetadata, parse_metadata
from greenroom._packaging.project import read_package
from greenroom._packaging.roles import ROLES

FILE = "plugins/x/pyproject.toml"


def problems_of(table: object) -> list[str]:
    """The problems parse_metadata reports for ``table``."""
    with pytest.raises(PackageMetadataError) as info:
        parse_metadata(table, FILE)
    return list(info.value.problems)


def test_a_full_table_is_structured() -> None:
    """Every key, kebab-case in TOML, lands on the attrs model."""
    metadata = parse_metadata(
        {
            "role": "backend-plugin-module",
            "plugin-id": "catalog",
            "plugin-package": "acme-plugin-catalog-backend",
            "moved": "other-plugin-catalog-backend-module-x",
            "inline": False,
        },
        FILE,
    )
    assert metadata == GreenroomMetadata(
        role="backend-plugin-module",
        plugin_id="catalog",
        plugin_package="acme-plugin-catalog-backend",
        moved="other-plugin-catalog-backend-module-x",
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_accepted(role: str) -> None:
    """The ten roles of the seed, by the same names."""
    assert parse_metadata({"role": role}, FILE).role == role


def test_plugin_id_false_is_the_explicit_opt_out() -> None:
    """plugin-id = false: a library whose name looks like a plugin's but is not part of one."""
    metadata = parse_metadata({"role": "node-library", "plugin-id": False}, FILE)
    assert metadata.plugin_id is False
    assert metadata.declared_plugin_id is None


def test_every_problem_is_reported_at_once_with_file_and_key() -> None:
    """Wrong kinds, unknown keys and bad values: one error, one line each."""
    problems = problems_of(
        {
            "role": "plugin",
            "plugin-id": "Catalog",
            "plugin-packages": ["a", 3],
            "inline": "yes",
            "pluginId": "x",
        }
    )
    assert problems == [
        "unknown key, the keys are role, plugin-id, plugin-packages, plugin-package, moved, "
        f"inline, config-schema @ {FILE}:$.tool.greenroom.pluginId",
        "unknown role 'plugin', expected one of: frontend, backend, cli, web-library, "
        "node-library, common-library, frontend-plugin, frontend-plugin-module, "
        f"backend-plugin, backend-plugin-module @ {FILE}:$.tool.greenroom.role",
        "plugin id 'Catalog' is not kebab-case (lower-case words of letters and digits, each "
        f"starting with a letter, joined by '-') @ {FILE}:$.tool.greenroom.plugin-id",
        f"expected a string, got an integer @ {FILE}:$.tool.greenroom.plugin-packages[1]",
        f"expected a boolean, got a string @ {FILE}:$.tool.greenroom.inline",
    ]


def test_a_missing_role_says_which_roles_there_are() -> None:
    """Every package declares a role; the message lists them."""
    (problem,) = problems_of({})
    assert problem.startswith("role is missing; fix: set it to one of: frontend, backend")
    assert problem.endswith(f"@ {FILE}:$.tool.greenroom.role")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            {"role": "backend", "plugin-id": "x"},
            f"a backend package is not part of a plugin; fix: remove plugin-id @ {FILE}:"
            "$.tool.greenroom.plugin-id",
        ),
        (
            {"role": "backend-plugin", "plugin-id": False},
            "a backend-plugin is always part of a plugin, so it cannot opt out",
        ),
        (
            {"role": "backend-plugin-module", "plugin-packages": ["a"]},
            "names the plugin it extends in plugin-package, not plugin-packages",
        ),
        (
            {"role": "frontend-plugin", "plugin-package": "a"},
            "only modules have a plugin-package",
        ),
        (
            {"role": "node-library", "moved": "not a name"},
            f"'not a name' is not a valid distribution name @ {FILE}:$.tool.greenroom.moved",
        ),
        ({"role": "cli", "plugin-id": True}, "expected a kebab-case plugin id, or false"),
        ("backend-plugin", f"expected a table, got a string @ {FILE}:$.tool.greenroom"),
    ],
)
def test_values_wrong_for_the_role(table: object, problem: str) -> None:
    """Fields that the role does not have, or values that are not what they name."""
    assert any(problem in line for line in problems_of(table))


def test_the_error_is_a_greenroom_value_error() -> None:
    """PackageMetadataError derives from GreenroomError and ValueError, problems as attribute."""
    error = PackageMetadataError(["a @ f:$.x", "b @ f:$.y"], hint="do this")
    assert isinstance(error, GreenroomError)
    assert isinstance(error, ValueError)
    assert str(error) == "2 problems:\n  - a @ f:$.x\n  - b @ f:$.y"
    assert error.hint == "do this"


_toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(
        st.sampled_from(["role", "plugin-id", "plugin-packages", "plugin-package", "moved"])
        | st.text(),
        st.sampled_from([*ROLES, False, "catalog"]) | _toml_values,
        max_size=6,
    )
)
def test_any_table_gives_metadata_or_located_problems(table: dict[str, object]) -> None:
    """Whatever a table holds: a model, or problems that each name the file and key path."""
    try:
        parse_metadata(table, FILE)
    except PackageMetadataError as exc:
        problems = exc.problems
    else:
        problems = ()
    assert all(f"@ {FILE}:$.tool.greenroom" in problem for problem in problems)


def test_inline_needs_a_private_package(tmp_path: Path) -> None:
    """inline = true without a Private :: classifier is a problem; with one it is fine."""
    text = member_toml("acme-internal-utils", "node-library", greenroom={"inline": True})
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    package = read_package(tmp_path, "pyproject.toml")
    assert package.problems == (
        "inline = true needs a private package (one that is never published): add the "
        "classifier 'Private :: Do Not Upload' to [project] classifiers "
        "@ pyproject.toml:$.tool.greenroom.inline",
    )
    private = member_toml(
        "acme-internal-utils",
        "node-library",
        greenroom={"inline": True},
        project_extra='classifiers = ["Private :: Do Not Upload"]',
    )
    (tmp_path / "pyproject.toml").write_text(private, encoding="utf-8")
    package = read_package(tmp_path, "pyproject.toml")
    assert package.problems == ()
    assert package.private


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[project\n", "pyproject.toml is not valid TOML"),
        ('[tool.greenroom]\nrole = "cli"\n', "no [project] table"),
        ('[project]\nversion = "1"\n[tool.greenroom]\nrole = "cli"\n', "[project] name is missing"),
        ('[project]\nname = "a"\n', "no [tool.greenroom] table; fix: add one with the"),
        (
            '[project]\nname = "a"\n[project.entry-points]\nx = 1\n'
            '[tool.greenroom]\nrole = "cli"\n',
            """expected a table @ pyproject.toml:$.project.entry-points["x"]""",
        ),
    ],
)
def test_unreadable_projects_are_reported_not_raised(
    tmp_path: Path, text: str, problem: str
) -> None:
    """read_package keeps every problem on the package, so that listings go on."""
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    package = read_package(tmp_path, "pyproject.toml")
    assert any(problem in line for line in package.problems), package.problems
