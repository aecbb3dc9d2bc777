"""Fixtures: a workspace folder as the working directory, and a runner for the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from packaging_builders import CATALOG_FAMILY, WorkspaceBuilder

from greenroom.cli.main import cli


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WorkspaceBuilder:
    """An empty workspace folder, which is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return WorkspaceBuilder(tmp_path)


@pytest.fixture
def catalog_workspace(workspace: WorkspaceBuilder) -> WorkspaceBuilder:
    """A workspace holding the catalog family, each package with only its role."""
    workspace.write_root(url="https://github.com/backstage/backstage")
    for name, role in CATALOG_FAMILY.items():
        workspace.add(name, role)
    return workspace


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run ``greenroom ARGS...`` in process; the result has exit_code, stdout and stderr."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke
