"""The README's demo, end to end: ``./dev demo`` in a subprocess, then its curl lines (issue 7).

The checks are read from the README itself (the "Try the demo" section: each
``curl`` line of a ``sh`` block, and the ``# <JSON>`` line after it, which is
the documented answer), so the README cannot drift from what the demo does.
The demo starts as a user starts it, with ``./dev demo`` (which sets up its
environment and bundle if needed, so the first run may take a minute), on a
free port through the ``APP_CONFIG_backend_listen_port`` override; each
documented request is sent to it in order (the todo list is read after the
item is added) and its JSON answer compared with the documented one.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from test_e2e_graceful_shutdown import free_port

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
SECTION = "## Try the demo"
DOCUMENTED_BASE = "http://127.0.0.1:7007"
READINESS = "/.greenroom/health/v1/readiness"
#: Includes setting up the demo's environment and bundle on a first run.
SETUP_DEADLINE_SECONDS = 600.0
POLL_SECONDS = 0.1
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.M | re.S)


@attrs.frozen
class Check:
    """One documented curl command and the JSON it is documented to answer."""

    command: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    data: str | None
    expected: Any


def parse_curl(command: str) -> tuple[str, str, tuple[tuple[str, str], ...], str | None]:
    """``(method, url, headers, data)`` of a curl command with the options the README uses."""
    args = shlex.split(command)
    assert args[0] == "curl", command
    method, url, headers, data = "GET", None, [], None
    words = iter(args[1:])
    for word in words:
        if word == "-s":
            continue
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            headers.append((name.strip(), value.strip()))
        elif word == "-d":
            data = next(words)
            method = "POST" if method == "GET" else method
        elif word.startswith("-"):
            raise AssertionError(f"the README test does not know curl's {word}: {command}")
        else:
            assert url is None, f"two URLs in {command}"
            url = word
    assert url is not None, f"no URL in {command}"
    assert url.startswith(DOCUMENTED_BASE), f"not a URL of the demo: {command}"
    return method, url, tuple(headers), data


def documented_checks() -> list[Check]:
    """Every curl line of the README's demo section, with its documented answer."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    checks: list[Check] = []
    for block in SH_BLOCK.findall(text[start : end if end != -1 else None]):
        lines = block.splitlines()
        for index, line in enumerate(lines):
            if not line.startswith("curl "):
                continue
            answer = lines[index + 1] if index + 1 < len(lines) else ""
            assert answer.startswith("# "), f"no documented answer after: {line}"
            method, url, headers, data = parse_curl(line)
            checks.append(Check(line, method, url, headers, data, json.loads(answer[2:])))
    return checks


def test_the_readme_shows_each_part_of_the_demo() -> None:
    """The section has a curl check for readiness, the catalog, the todo list and the remotes."""
    urls = [check.url for check in documented_checks()]
    for part in (READINESS, "/api/catalog/entities", "/api/todo/items", "/remotes"):
        assert any(part in url for url in urls), f"the README shows no curl for {part}"


class Demo:
    """``./dev demo`` running in its own session; output in ``log``."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "APP_CONFIG_backend_listen_port": str(self.port)}
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(REPO / "dev"), "demo"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # setup's pip and the server stop together
            )

    def output(self) -> str:
        """The last lines the demo wrote, for failure messages."""
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-60:])

    def wait_ready(self) -> None:
        """Poll readiness until 200, failing if the demo exits or the deadline passes."""
        deadline = time.monotonic() + SETUP_DEADLINE_SECONDS
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"./dev demo exited {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.base_url + READINESS, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the demo was not ready after {SETUP_DEADLINE_SECONDS:.0f} s:\n"
                    + self.output()
                )
            time.sleep(POLL_SECONDS)

    def stop(self) -> int | None:
        """SIGTERM (a graceful stop), then the whole session if it lingers; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                return None
        return self.proc.returncode


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo started as the README says, stopped after the module's tests."""
    running = Demo(tmp_path_factory.mktemp("demo") / "demo.log")
    try:
        running.wait_ready()
        yield running
    finally:
        code = running.stop()
    assert code == 0, f"the demo did not stop gracefully ({code}):\n{running.output()}"


def test_every_documented_curl_answers_as_documented(demo: Demo) -> None:
    """Each curl line of the README, sent to the demo in order, answers the documented JSON."""
    checks = documented_checks()
    assert checks
    for check in checks:
        url = demo.base_url + check.url.removeprefix(DOCUMENTED_BASE)
        response = httpx.request(
            check.method, url, headers=list(check.headers), content=check.data, timeout=10
        )
        assert response.is_success, f"{check.command}: {response.status_code} {response.text}"
        assert response.json() == check.expected, (
            f"{check.command} answered {response.text}, the README says {check.expected}\n"
            + demo.output()
        )
