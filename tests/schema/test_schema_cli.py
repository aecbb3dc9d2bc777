"""``greenroom config check|schema|print`` in a real subprocess (issue 6)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from schema_builders import BACKEND, SCHEMA_GROUP, write_folder

from cli_support import run_greenroom

pytestmark = pytest.mark.e2e

SECRET = "s3cr3t-from-env-41"

PLUGIN = """
from greenroom import BackendPlugin, hookimpl

class NotesPlugin(BackendPlugin):
    plugin_id = "notes"

    @hookimpl
    def register(self, env):
        env.register_init(lambda: None)

    @hookimpl
    def config_schema(self):
        return {"properties": {"notes": {"properties": {
            "title": {"type": "string", "visibility": "frontend"}}}}}
"""
SCHEMA = {
    "properties": {
        "notes": {
            "type": "object",
            "required": ["store"],
            "properties": {
                "store": {
                    "type": "object",
                    "properties": {
                        "url": {"type": "string", "visibility": "secret"},
                        "pool": {"type": "integer"},
                    },
                },
                "mirror": {"type": "string"},
            },
        }
    }
}


def greenroom(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``greenroom ARGS`` in ``cwd`` with the secret in the environment."""
    return run_greenroom(*args, cwd=cwd, env={"NOTES_PASSWORD": SECRET})


def write_config(cwd: Path, notes: dict[str, object]) -> None:
    """app-config.yaml with the plugin's root directory and ``notes``."""
    config = {
        "backend": {"baseUrl": "http://portal.example"},
        "dynamicPlugins": {"rootDirectory": "plugins", "cacheDirectory": "cache"},
        "notes": notes,
    }
    (cwd / "app-config.yaml").write_text(yaml.safe_dump(config))


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """A working directory whose root directory holds the notes plugin with its schemas."""
    write_folder(
        tmp_path / "plugins" / "acme-notes",
        "acme-notes",
        {"acme_notes/__init__.py": PLUGIN, "acme_notes/schema.json": json.dumps(SCHEMA)},
        {BACKEND: {"notes": "acme_notes:NotesPlugin"}, SCHEMA_GROUP: {"schema.json": "acme_notes"}},
    )
    return tmp_path


GOOD = {
    "title": "Notes",
    "store": {"url": "postgres://notes:${NOTES_PASSWORD}@db/notes", "pool": "4"},
    "mirror": "copy of ${NOTES_PASSWORD}",
}


def test_check_passes_a_valid_config(cwd: Path) -> None:
    """Exit 0 and a one-line summary."""
    write_config(cwd, GOOD)
    result = greenroom("config", "check", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("config ok: ")


def test_check_fails_listing_every_problem(cwd: Path) -> None:
    """Exit 1; every problem with its message, package, file and key path, secrets masked."""
    write_config(cwd, {"title": 5, "store": {"url": 4711, "pool": "lots"}})
    result = greenroom("config", "check", cwd=cwd)
    assert result.returncode == 1
    where = "(schema of acme-notes) @ app-config.yaml:$.notes"
    assert result.stderr.splitlines()[:4] == [
        "error: invalid configuration:",
        f"  'lots' is not of type 'integer' {where}.store.pool",
        f"  *** is not of type 'string' {where}.store.url",  # the value is secret
        f"  5 is not of type 'string' {where}.title",
    ]


def test_print_masks_secrets_unless_asked(cwd: Path) -> None:
    """Secret values and the env pieces inside other values print as ***."""
    write_config(cwd, GOOD)
    shown = yaml.safe_load(greenroom("config", "print", cwd=cwd).stdout)
    assert shown["notes"]["store"] == {"url": "***", "pool": "4"}
    assert shown["notes"]["mirror"] == "copy of ***"
    raw = greenroom("config", "print", "--with-secrets", "--format", "json", cwd=cwd)
    assert json.loads(raw.stdout)["notes"]["store"]["url"] == f"postgres://notes:{SECRET}@db/notes"


def test_print_frontend_prints_only_frontend_values(cwd: Path) -> None:
    """--frontend: what GET /.greenroom/dynamic-features/config serves."""
    write_config(cwd, GOOD)
    result = greenroom("config", "print", "--frontend", "--format", "json", cwd=cwd)
    assert json.loads(result.stdout) == {
        "backend": {"baseUrl": "http://portal.example"},
        "notes": {"title": "Notes"},
    }


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_schema_prints_the_merged_schema(cwd: Path, fmt: str) -> None:
    """One document, allOf the framework's, the entry point's and the hook's schemas."""
    write_config(cwd, GOOD)
    result = greenroom("config", "schema", "--format", fmt, cwd=cwd)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout) if fmt == "json" else yaml.safe_load(result.stdout)
    ids = [part["$id"] for part in document["allOf"]]
    # Installed packages (the contrib plugins) come between the framework and the root's.
    assert ids[0] == "urn:greenroom:config-schema:greenroom"
    assert ids[-2:] == [
        "urn:greenroom:config-schema:acme-notes",
        "urn:greenroom:config-schema:acme-notes:2",
    ]
