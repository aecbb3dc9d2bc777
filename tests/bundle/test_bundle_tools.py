"""The tool runner: several tools at once, their output logged whole and in order."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from greenroom._errors import BundleError
from greenroom._packaging.tools import Command, ToolLog, ToolRunner


@pytest.fixture
def log(tmp_path: Path) -> Iterator[ToolLog]:
    """A tool log in ``tmp_path/tools.log``, closed after the test."""
    tool_log = ToolLog(tmp_path / "tools.log")
    yield tool_log
    tool_log.close(remove=False)


def _python(code: str, what: str) -> Command:
    return Command((sys.executable, "-c", code), what, "acme-plugin-x", "build")


def _say(word: str, *, exit_code: int = 0) -> Command:
    code = f"import sys; print({word!r} * 3); sys.exit({exit_code})"
    return _python(code, f"saying {word}")


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_outputs_are_logged_whole_in_the_order_of_the_commands(
    tmp_path: Path, log: ToolLog, jobs: int
) -> None:
    """However many run at once, the log reads as if they had run one after another."""
    ToolRunner(log).run_all([_say("a"), _say("b"), _say("c")], jobs=jobs)
    log.close(remove=False)
    lines = (tmp_path / "tools.log").read_text().splitlines()
    assert [line for line in lines if not line.startswith("$ ")] == ["aaa", "bbb", "ccc"]
    assert sum(line.startswith("$ ") for line in lines) == 3


def test_a_failure_names_its_command_and_its_output_is_logged_last(
    tmp_path: Path, log: ToolLog
) -> None:
    """The first failing command (in order) is raised; its output ends the log (the tail shown)."""
    commands = [_say("a"), _say("b", exit_code=3), _say("c")]
    with pytest.raises(BundleError, match="saying b failed") as caught:
        ToolRunner(log).run_all(commands, jobs=2)
    assert caught.value.step == "build"
    log.close(remove=False)
    lines = (tmp_path / "tools.log").read_text().splitlines()
    assert lines[-1] == "bbb"
    assert "aaa" in lines


def test_nothing_new_starts_after_a_failure(tmp_path: Path, log: ToolLog) -> None:
    """With one job, the commands after the failing one never run."""
    marker = tmp_path / "ran"
    late = _python(f"open({str(marker)!r}, 'w').close()", "touching the marker")
    with pytest.raises(BundleError, match="saying b failed"):
        ToolRunner(log).run_all([_say("a"), _say("b", exit_code=1), late], jobs=1)
    assert not marker.exists()


def test_a_tool_that_cannot_start_is_a_bundle_error(tmp_path: Path, log: ToolLog) -> None:
    """A missing executable is reported as the command that could not run."""
    missing = Command((str(tmp_path / "no-such-tool"),), "running the tool", None, "install")
    with pytest.raises(BundleError, match="cannot run"):
        ToolRunner(log).run_all([_say("a"), missing], jobs=2)
