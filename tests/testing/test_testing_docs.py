"""The testing docs' examples run green: each `# <file>.py` block is written out and tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DOCS = Path(__file__).resolve().parents[2] / "docs"
# A fenced Python block whose first line names the file it is: "# test_hello.py".
FILE_BLOCK = re.compile(r"^```python\n# (?P<name>\w+\.py)\n(?P<code>.*?)^```$", re.M | re.S)
TEST_FUNCTION = re.compile(r"^(?:async )?def test_", re.M)


def example_files(page: Path) -> dict[str, str]:
    """The files a docs page shows, by name."""
    return {m["name"]: m["code"] for m in FILE_BLOCK.finditer(page.read_text(encoding="utf-8"))}


# The tutorial is run end to end, commands included, by tests/e2e/test_e2e_tutorial.py.
@pytest.mark.parametrize("page", ["how-to/test-a-plugin.md", "reference/hooks.md"])
def test_the_examples_of_a_page_pass(pytester: pytest.Pytester, page: str) -> None:
    """Every test the page shows passes against the plugin code it shows."""
    files = example_files(DOCS / page)
    tests = sum(
        len(TEST_FUNCTION.findall(code)) for name, code in files.items() if name.startswith("test_")
    )
    assert tests, f"{page} shows no test"
    for name, code in files.items():
        (pytester.path / name).write_text(code, encoding="utf-8")
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=tests)
