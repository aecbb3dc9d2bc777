"""docs/reference/hooks.md documents every hook specification, with its real signature.

The examples of the page are run by tests/testing/test_testing_docs.py.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from greenroom._api.hookspecs import PROJECT_NAME, FeatureHookSpecs

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "hooks.md"
SECTION = re.compile(
    r"^## `(?P<name>\w+)\((?P<args>[^)]*)\)`\n\n```python\n(?P<sig>def .*)\n```$", re.M
)


def hookspecs() -> dict[str, inspect.Signature]:
    """Every hook specification of features, by name."""
    return {
        name: inspect.signature(function)
        for name, function in inspect.getmembers(FeatureHookSpecs, inspect.isfunction)
        if hasattr(function, f"{PROJECT_NAME}_spec")
    }


def documented() -> dict[str, re.Match[str]]:
    """The hook sections of the page, by hook name."""
    return {m["name"]: m for m in SECTION.finditer(PAGE.read_text(encoding="utf-8"))}


def test_every_hook_has_a_section_and_no_section_is_stale() -> None:
    """One section per hook specification, in both directions."""
    assert sorted(documented()) == sorted(hookspecs())


@pytest.mark.parametrize("name", sorted(hookspecs()))
def test_the_documented_signature_is_the_real_one(name: str) -> None:
    """The heading's arguments and the signature block match the specification."""
    signature, section = hookspecs()[name], documented()[name]
    arguments = [p for p in signature.parameters if p != "self"]
    assert section["args"] == ", ".join(arguments)
    assert section["sig"] == f"def {name}{signature}".replace("'", "")
