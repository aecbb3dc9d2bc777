"""End to end: ``greenroom start`` in a subprocess, a dropped-in plugin that logs its secrets
every way it can, and the captured log grepped for them (issue 6).

The plugin's config schema (a file named by its ``greenroom.config_schema`` entry
point) marks ``vault.*`` secret; the values arrive through ``${VAR}``, ``$file``
and a ``${VAR}`` inside a URL. The plugin logs them in messages, in an exception
message with a chained traceback, through a plain ``logging.getLogger`` logger,
and in a request that fails so that uvicorn logs the traceback.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from schema_builders import BACKEND, SCHEMA_GROUP, write_folder

pytestmark = pytest.mark.e2e

CLI = "import sys; from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"
DEADLINE_SECONDS = 60.0
TOKEN = "vault-token-9f3b1c"
FILE_KEY = "file-key-77d2e0"
URL_PASSWORD = "url-pass-5a6c4e"
SECRETS = (TOKEN, FILE_KEY, URL_PASSWORD)

PLUGIN = """
import logging

from starlette.routing import Route

from greenroom import BackendPlugin, core_services, hookimpl

plain = logging.getLogger("acme_vault")


class VaultPlugin(BackendPlugin):
    plugin_id = "vault"

    @hookimpl
    def register(self, env):
        env.register_init(
            self.init,
            deps={
                "config": core_services.root_config,
                "logger": core_services.logger,
                "router": core_services.http_router,
            },
        )

    def init(self, config, logger, router):
        token = config.get_string("vault.token")
        key = config.get_string("vault.keyFile")
        url = config.get_string("vault.url")
        logger.info("vault token is %s", token)
        logger.info(f"vault key file holds {key!r} and the url is {url}")
        plain.warning("plain logger sees %s", token)
        try:
            try:
                raise KeyError(key)
            except KeyError as inner:
                raise RuntimeError(f"vault refused token {token}") from inner
        except RuntimeError:
            logger.exception("vault login failed")

        async def leak(request):
            raise ValueError(f"request failed with {token} at {url}")

        router.use([Route("/leak", leak)])
"""

SCHEMA = {
    "type": "object",
    "properties": {
        "vault": {
            "type": "object",
            "required": ["token"],
            "properties": {
                "token": {"type": "string", "visibility": "secret"},
                "keyFile": {"type": "string", "visibility": "secret"},
                "url": {"type": "string", "visibility": "secret"},
            },
        }
    },
}


def free_port() -> int:
    """A port that was free a moment ago: the kernel's pick for port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The plugin folder in the root directory, the key file and the secrets' config."""
    write_folder(
        tmp_path / "plugins" / "acme-vault",
        "acme-vault",
        {"acme_vault/__init__.py": PLUGIN, "acme_vault/config.schema.json": json.dumps(SCHEMA)},
        {
            BACKEND: {"vault": "acme_vault:VaultPlugin"},
            SCHEMA_GROUP: {"config.schema.json": "acme_vault"},
        },
    )
    (tmp_path / "vault.key").write_text(FILE_KEY + "\n")
    return tmp_path


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_real_run_logs_no_secret(workdir: Path, log_format: str) -> None:
    """The whole stderr of a start, a failing request and a stop holds *** but no secret."""
    port = free_port()
    config = {
        "backend": {
            "listen": {"host": "127.0.0.1", "port": port},
            "logging": {"format": log_format},
            "lifecycle": {"shutdownTimeout": 10},
        },
        "dynamicPlugins": {"rootDirectory": "plugins", "cacheDirectory": "cache"},
        "vault": {
            "token": "${VAULT_TOKEN}",
            "keyFile": {"$file": "vault.key"},
            "url": "https://svc:${VAULT_URL_PASSWORD}@vault.example",
        },
    }
    (workdir / "app-config.yaml").write_text(yaml.safe_dump(config))
    env = {
        **os.environ,
        "VAULT_TOKEN": TOKEN,
        "VAULT_URL_PASSWORD": URL_PASSWORD,
        "XDG_CACHE_HOME": str(workdir / "xdg"),
    }
    env.pop("GREENROOM_CACHE_DIR", None)
    stderr_file = workdir / "stderr.log"
    with stderr_file.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "start"],
            cwd=workdir,
            env=env,
            stdout=err,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            try:
                if httpx.get(base + "/.greenroom/health/v1/readiness").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"backend not ready:\n{stderr_file.read_text(errors='replace')}")
            time.sleep(0.05)
        assert httpx.get(base + "/api/vault/leak").status_code == 500
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=DEADLINE_SECONDS) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = stderr_file.read_text(encoding="utf-8", errors="replace")
    for secret in SECRETS:
        assert secret not in log, f"{secret!r} leaked into the log:\n{log}"
    # The records are all there, masked: the test would pass vacuously otherwise.
    assert "vault token is ***" in log
    assert "vault key file holds '***' and the url is ***" in log
    assert "plain logger sees ***" in log
    assert "vault refused token ***" in log
    assert "KeyError: '***'" in log
    assert "request failed with *** at ***" in log
    assert log.count("Traceback (most recent call last)") >= 2
