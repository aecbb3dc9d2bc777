"""Schema tests register secrets with the process-wide redactor: each test's go after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from greenroom._config.redaction import default_redactor


@pytest.fixture(autouse=True)
def fresh_secrets() -> Iterator[None]:
    """Whatever a test hides in logs stays hidden only during that test."""
    redactor = default_redactor()
    before = redactor.secrets
    yield
    redactor.clear()
    redactor.add(before)
