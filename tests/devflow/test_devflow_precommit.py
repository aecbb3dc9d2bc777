"""The pre-commit hooks Greenroom ships, and this repository's use of them."""

from __future__ import annotations

from typing import Any

import yaml
from devflow_support import REPO


def load(name: str) -> Any:
    """A YAML file at the repository root."""
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def test_the_hooks_run_repo_fix_and_its_check() -> None:
    """Two hooks: repo fix, and repo fix --check; each reads the whole workspace once."""
    hooks = {hook["id"]: hook for hook in load(".pre-commit-hooks.yaml")}
    assert set(hooks) == {"greenroom-repo-fix", "greenroom-repo-fix-check"}
    assert hooks["greenroom-repo-fix"]["entry"] == "greenroom repo fix"
    assert hooks["greenroom-repo-fix-check"]["entry"] == "greenroom repo fix --check"
    for hook in hooks.values():
        # pre-commit installs this repository (greenroom) into the hook's environment.
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["name"]
        assert hook["description"]


def test_this_repository_uses_the_hook_it_ships() -> None:
    """.pre-commit-config.yaml runs greenroom-repo-fix from .venv, on the same files."""
    shipped = {hook["id"]: hook for hook in load(".pre-commit-hooks.yaml")}["greenroom-repo-fix"]
    local = [
        hook
        for repo in load(".pre-commit-config.yaml")["repos"]
        if repo["repo"] == "local"
        for hook in repo["hooks"]
        if hook["id"] == "greenroom-repo-fix"
    ]
    assert len(local) == 1
    (hook,) = local
    assert hook["entry"] == f".venv/bin/{shipped['entry']}"
    assert hook["args"] == ["--publish"]
    assert hook["files"] == shipped["files"]
    assert hook["pass_filenames"] is False
