"""The tutorial, end to end: its files written, its commands run, in order (issue 7).

docs/tutorial/first-plugin.md is read block by block. A block whose first line
is ``# <path>`` is a file, written under a fresh folder; a ``sh`` block holds
commands, run there as a reader would run them:

- ``pip install ...`` is checked, not run: this environment has what it names;
- ``pytest`` runs the tutorial's tests with this interpreter;
- ``greenroom ...`` runs the CLI (``... &`` in the background, on a free port
  through ``APP_CONFIG_backend_listen_port``; ``kill %1`` stops it, which must
  exit 0);
- ``curl ...`` is sent as the README test sends it, and its answer compared
  with the ``# <JSON>`` line after it.

Plugins installed in this environment (the contrib plugins) are hidden from
the CLI, as on a reader's machine; bundling is offline, from the wheelhouse.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_e2e_graceful_shutdown import free_port
from test_e2e_readme_demo import DOCUMENTED_BASE, parse_curl

from hidden_plugins import SUBPROCESS

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "tutorial" / "first-plugin.md"
CLI = SUBPROCESS + "from greenroom.cli import main; sys.argv[0] = 'greenroom'; main()"
BLOCK = re.compile(r"^```(?P<lang>\w+)\n(?P<body>.*?)^```$", re.M | re.S)
FILE_LINE = re.compile(r"# (?P<path>[\w./-]+\.\w+)\n")
READINESS = "/.greenroom/health/v1/readiness"
DEADLINE_SECONDS = 120.0


def steps() -> list[tuple[str, str]]:
    """``("file", path+content)`` and ``("sh", line)`` steps, in the page's order."""
    found: list[tuple[str, str]] = []
    for block in BLOCK.finditer(PAGE.read_text(encoding="utf-8")):
        body = block["body"]
        if block["lang"] == "sh":
            found += [("sh", line) for line in body.splitlines()]
        elif FILE_LINE.match(body):
            found.append(("file", body))
    return found


def offline_env(tmp_path: Path) -> dict[str, str]:
    """The environment for the CLI: the wheelhouse instead of an index for building."""
    wheelhouse = Path(os.environ.get("GREENROOM_WHEELHOUSE") or REPO / ".wheelhouse")
    if not any(wheelhouse.glob("hatchling-*.whl")):
        pytest.fail(f"{wheelhouse} has no hatchling wheel: fill it from tests/wheelhouse.txt")
    return {
        **os.environ,
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": str(wheelhouse),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_NO_PROGRESS": "1",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_CONFIG_FILE": os.devnull,
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
    }


def run(args: list[str], cwd: Path, env: dict[str, str], line: str) -> str:
    """Run ``args``; fail with its output unless it exits 0."""
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_page_has_every_stage() -> None:
    """The tutorial writes, tests, bundles, drops in and starts a plugin."""
    lines = [text for kind, text in steps() if kind == "sh"]
    for command in ("pytest", "greenroom package bundle", "greenroom start", "curl", "kill"):
        assert any(line.startswith(command) for line in lines), f"no {command} step"


def test_the_tutorial_works_as_written(tmp_path: Path) -> None:
    """Every file of the tutorial, every command in order: all succeed as documented."""
    work = tmp_path / "hello-tutorial"
    work.mkdir()
    env = offline_env(tmp_path)
    port = free_port()
    background: subprocess.Popen[bytes] | None = None
    log = tmp_path / "backend.log"
    pending: list[str] = []
    try:
        for kind, text in steps():
            if kind == "file":
                path, _, content = text.partition("\n")
                target = work / path.removeprefix("# ")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
                continue
            line = text.strip()
            if not line or line.startswith("#"):
                if pending and line.startswith("# "):
                    command = pending.pop()
                    method, url, headers, data = parse_curl(command)
                    response = httpx.request(
                        method,
                        f"http://127.0.0.1:{port}" + url.removeprefix(DOCUMENTED_BASE),
                        headers=list(headers),
                        content=data,
                        timeout=10,
                    )
                    assert response.json() == json.loads(line[2:]), f"{command}: {response.text}"
                continue
            words = shlex.split(line)
            if words[0] == "pip":
                # Not run: the environment has Greenroom, its test extra and pytest.
                assert words[:2] == ["pip", "install"], line
                continue
            if words[0] == "pytest":
                output = run([sys.executable, "-m", "pytest", *words[1:]], work, env, line)
                assert re.search(r"\b1 passed\b", output), output
            elif words[0] == "greenroom" and words[-1] == "&":
                background_env = {**env, "APP_CONFIG_backend_listen_port": str(port)}
                with log.open("wb") as out:
                    background = subprocess.Popen(
                        [sys.executable, "-c", CLI, *words[1:-1]],
                        cwd=work,
                        env=background_env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                wait_ready(background, port, log)
            elif words[0] == "greenroom":
                output = run([sys.executable, "-c", CLI, *words[1:]], work, env, line)
                if words[1:3] == ["plugins", "list"]:
                    assert "acme-plugin-hello-backend" in output, output
            elif words[0] == "curl":
                pending.append(line)
            elif words == ["kill", "%1"]:
                assert background is not None, "kill %1 before a background command"
                background.send_signal(signal.SIGTERM)
                code = background.wait(timeout=60)
                assert code == 0, log.read_text(errors="replace")
                background = None
            else:
                pytest.fail(f"the tutorial test does not know the command: {line}")
        assert not pending, f"curl commands without a documented answer: {pending}"
        assert (work / "plugins" / "acme-plugin-hello-backend" / "greenroom-bundle.json").is_file()
    finally:
        if background is not None:
            background.kill()
            background.wait()


def wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Poll readiness until 200, failing if the backend exits or the deadline passes."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"the backend exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{READINESS}", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"not ready in time:\n{log.read_text()}"
        time.sleep(0.05)
