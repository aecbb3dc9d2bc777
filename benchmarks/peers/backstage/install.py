"""Installing the Backstage peer once into a cache folder outside the repository.

The folder is named after a hash of ``package.json`` (the pinned versions), so
that changing a version installs afresh beside the old tree and an unchanged
one is reused across runs; a marker file written after ``npm install``
succeeded says the tree is complete.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Final

__all__ = ["TEMPLATES", "InstallError", "ensure_installed", "installed_versions"]

Log = Callable[[str], None]

#: The folder of this module: ``package.json``, ``index.js`` and ``plugin.js``.
TEMPLATES: Final = Path(__file__).parent
_PACKAGE_JSON: Final = TEMPLATES / "package.json"
_MARKER: Final = ".greenroom-bench-installed"
#: A hang guard: the first install takes 2 to 3 minutes here (better-sqlite3 is compiled).
_NPM_TIMEOUT: Final = 1800.0
_NPM_ARGV: Final = ("npm", "install", "--no-audit", "--no-fund")


class InstallError(RuntimeError):
    """``npm install`` of the Backstage peer failed; ``summary`` is npm's error code and message."""

    def __init__(self, message: str, *, summary: str, log: Path) -> None:
        super().__init__(message)
        self.summary = summary
        self.log = log


def _template_hash() -> str:
    return hashlib.sha256(_PACKAGE_JSON.read_bytes()).hexdigest()[:12]


#: npm's header lines before its message (``npm error code ECONNREFUSED``, ``... syscall``).
_HEADER_KEYS: Final = ("code", "syscall", "errno", "path", "cwd", "command failed")


def _error_summary(output: str) -> str:
    """npm's error code and its message: ``ENOTFOUND: request to ... failed, reason: ...``.

    npm's very last error lines are generic (a proxy hint, where its debug log
    went), so the message is the first line after the header: the failed fetch,
    ``notarget No matching version ...``, or the install script that failed.
    """
    code, message = "", ""
    for raw in output.splitlines():
        if not raw.startswith(("npm error ", "npm ERR! ")):
            continue
        line = raw.split(" ", 2)[2].strip()
        if line.startswith("code ") and not code:
            code = line.removeprefix("code ")
        elif not line.startswith(_HEADER_KEYS) and not message and line[:1] not in "{}":
            message = line
    if message:
        return f"{code}: {message}" if code else message
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "(npm printed nothing)"


def ensure_installed(cache: Path, log: Log) -> Path:
    """The folder holding the installed backend, installing it there first if needed.

    ``cache`` is the parent folder (the suite's cache root); the backend goes to
    ``cache/backstage-<hash of package.json>``. Raises :class:`InstallError`
    when ``npm install`` fails, with npm's error code and message.
    """
    home = cache / f"backstage-{_template_hash()}"
    home.mkdir(parents=True, exist_ok=True)
    # index.js is no input of the install: refreshed on every run, so that editing it needs no npm.
    shutil.copyfile(TEMPLATES / "index.js", home / "index.js")
    marker = home / _MARKER
    if marker.exists() and (home / "node_modules").is_dir():
        return home
    shutil.copyfile(_PACKAGE_JSON, home / "package.json")
    npm_log = home / "npm-install.log"
    log(f"installing Backstage into {home} ({' '.join(_NPM_ARGV)}; a few minutes, once)")
    try:
        done = subprocess.run(
            list(_NPM_ARGV),
            cwd=home,
            capture_output=True,
            text=True,
            check=False,
            timeout=_NPM_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise InstallError(
            f"npm install in {home} did not finish within {_NPM_TIMEOUT:.0f} s",
            summary=f"timed out after {_NPM_TIMEOUT:.0f} s",
            log=npm_log,
        ) from exc
    output = done.stdout + done.stderr
    npm_log.write_text(output)
    if done.returncode != 0:
        summary = _error_summary(output)
        raise InstallError(
            f"npm install in {home} exited with {done.returncode}: {summary} "
            f"(full output: {npm_log})",
            summary=summary,
            log=npm_log,
        )
    marker.write_text(_template_hash() + "\n")
    log(f"Backstage installed in {home}")
    return home


def installed_versions(home: Path) -> dict[str, str]:
    """The installed version of each package ``package.json`` pins (what the rows measured)."""
    wanted = json.loads(_PACKAGE_JSON.read_text())["dependencies"]
    versions = {}
    for name in sorted(wanted):
        manifest = home / "node_modules" / name / "package.json"
        try:
            versions[name] = json.loads(manifest.read_text())["version"]
        except (OSError, ValueError, KeyError):
            versions[name] = "missing"
    return versions
