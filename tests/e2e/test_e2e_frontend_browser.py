"""End to end in a real browser: a host page loads a dynamic frontend plugin (issue 6).

A frontend plugin is built here as a wheel (a module federation remote by
hand: ``mf-manifest.json``, a global ``remoteEntry.js``, a hashed chunk with a
gzip sibling, a hashed stylesheet) and dropped into the dynamic plugins root
directory. A backend in a subprocess serves it and a host page; headless
Chromium opens the page, which loads the plugin from the asset server. The DOM
must show what the plugin's code rendered, styled by its stylesheet (which,
under ``nosniff``, only applies with the right content type). The screenshot
and the DOM are saved under ``artifacts/``.

Without Chromium the test is skipped, unless ``GREENROOM_REQUIRE_BROWSER=1``
(set by ``.ci/run``), in which case it fails: CI cannot pass by skipping it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
APP_SCRIPT = Path(__file__).parent / "apps" / "frontend_host.py"
ARTIFACTS = Path(os.environ.get("GREENROOM_ARTIFACTS_DIR", REPO / "artifacts"))
READINESS = "/.greenroom/health/v1/readiness"
REMOTES = "/.greenroom/dynamic-features/remotes"
DEADLINE_SECONDS = 60.0
#: Virtual time the page gets; it does not advance while requests are pending.
PAGE_BUDGET_MS = 15000

DIST = "greenroom-hello-frontend"
PACKAGE = "greenroom_hello_frontend"
VERSION = "1.2.3"
CONTAINER = "greenroom_hello"

REMOTE_ENTRY = """\
(function () {
  var base = new URL(".", document.currentScript.src).href;
  function load(file) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = base + file;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("cannot load " + file)); };
      document.head.appendChild(script);
    });
  }
  self.greenroom_hello = {
    init: function () { return Promise.resolve(); },
    get: function (module) {
      if (module !== "./Greeting") {
        return Promise.reject(new Error("no module " + module));
      }
      return load("chunk.3f2a1b9c.js").then(function () {
        var exported = self.__greenroom_hello_modules["./Greeting"];
        return function () { return exported; };
      });
    },
  };
})();
"""

CHUNK = (
    """\
(function () {
  var base = new URL(".", document.currentScript.src).href;
  var modules = (self.__greenroom_hello_modules = self.__greenroom_hello_modules || {});
  modules["./Greeting"] = {
    render: function (target) {
      return new Promise(function (resolve) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = base + "style.0a1b2c3d.css";
        var greeting = document.createElement("p");
        greeting.id = "greeting";
        greeting.className = "greenroom-hello";
        greeting.textContent = ["Hello", "from", "the", "dynamic", "frontend", "plugin"].join(" ");
        target.appendChild(greeting);
        function done(state) {
          greeting.dataset.stylesheet = state;
          greeting.dataset.color = getComputedStyle(greeting).color;
          resolve();
        }
        link.onload = function () { done("loaded"); };
        link.onerror = function () { done("failed"); };
        document.head.appendChild(link);
      });
    },
  };
})();
"""
    + "// padding so that the chunk is worth compressing\n" * 20
)

STYLE = ".greenroom-hello { color: rgb(0, 128, 128); font-size: 2rem; font-weight: bold; }\n"

MANIFEST = {
    "id": CONTAINER,
    "name": CONTAINER,
    "metaData": {
        "name": CONTAINER,
        "type": "app",
        "buildInfo": {"buildVersion": VERSION, "buildName": DIST},
        "remoteEntry": {"name": "remoteEntry.js", "path": "", "type": "global"},
        "globalName": CONTAINER,
        "publicPath": "auto",
    },
    "shared": [],
    "remotes": [],
    "exposes": [
        {
            "id": f"{CONTAINER}:Greeting",
            "name": "Greeting",
            "path": "./Greeting",
            "assets": {"js": {"sync": ["chunk.3f2a1b9c.js"], "async": []}, "css": {}},
        }
    ],
}


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(target_dir: Path) -> Path:
    """The frontend plugin as a wheel with a ``greenroom.frontend_plugin`` entry point."""
    info = f"{PACKAGE}-{VERSION}.dist-info"
    assets = {
        "remoteEntry.js": REMOTE_ENTRY.encode(),
        "mf-manifest.json": json.dumps(MANIFEST).encode(),
        "chunk.3f2a1b9c.js": CHUNK.encode(),
        # Only the gzip sibling: the browser must decode what the server precompressed.
        "chunk.3f2a1b9c.js.gz": gzip.compress(CHUNK.encode(), mtime=0),
        "style.0a1b2c3d.css": STYLE.encode(),
    }
    files = {f"{PACKAGE}/dist/{name}": data for name, data in assets.items()}
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {DIST}\nVersion: {VERSION}\n".encode()
    )
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: greenroom-tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    files[f"{info}/entry_points.txt"] = f"[greenroom.frontend_plugin]\nhello = {PACKAGE}\n".encode()
    record = [f"{name},{_record_hash(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    wheel = target_dir / f"{PACKAGE}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


@pytest.fixture
def chromium() -> str:
    """The Chromium binary; skipped without one unless a browser is required."""
    found = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )
    if found is None:
        reason = (
            "no Chromium found (chromium, chromium-browser or google-chrome on PATH); "
            "install Debian's chromium package to run the browser test"
        )
        if os.environ.get("GREENROOM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GREENROOM_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return found


def free_port() -> int:
    """A port that was free a moment ago: the kernel's pick for port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def backend_url(tmp_path: Path) -> Iterator[str]:
    """A backend in a subprocess serving the host page and the plugin wheel."""
    root = tmp_path / "plugins"
    root.mkdir()
    build_wheel(root)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    config = {
        "backend": {"baseUrl": base_url, "listen": {"host": "127.0.0.1", "port": port}},
        "dynamicPlugins": {"rootDirectory": str(root), "cacheDirectory": str(tmp_path / "cache")},
    }
    config_file = tmp_path / "app-config.yaml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    log = tmp_path / "backend.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(APP_SCRIPT), str(config_file)],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not _ready(base_url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"backend not ready (exit {proc.poll()}):\n{log.read_text()}")
            time.sleep(0.05)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _ready(base_url: str) -> bool:
    try:
        return httpx.get(base_url + READINESS, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a throwaway profile and no background traffic."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",  # the tests may run as root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={PAGE_BUDGET_MS}",
        *args,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=DEADLINE_SECONDS * 2, check=False
    )


def test_host_page_renders_a_dynamic_frontend_plugin(
    chromium: str, backend_url: str, tmp_path: Path
) -> None:
    """The page loads the plugin's remoteEntry.js from the asset server and shows its output."""
    remotes = httpx.get(f"{backend_url}{REMOTES}").json()
    assert remotes == [
        {
            "packageName": DIST,
            "version": VERSION,
            "remoteInfo": {
                "name": CONTAINER,
                "entry": f"{backend_url}{REMOTES}/{DIST}/mf-manifest.json",
                "type": "manifest",
            },
            "exposedModules": ["Greeting"],
        }
    ]
    page = f"{backend_url}/api/host/index.html"
    assert "Hello from the" not in httpx.get(page).text  # only the plugin renders it

    dom = run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "e2e-frontend-browser.html").write_text(dom.stdout, encoding="utf-8")
    shot = ARTIFACTS / "e2e-frontend-browser.png"
    shot.unlink(missing_ok=True)
    screenshot = run_chromium(
        chromium,
        tmp_path / "profile-shot",
        f"--screenshot={shot}",
        "--window-size=1000,600",
        "--hide-scrollbars",
        page,
    )

    details = f"stdout:\n{dom.stdout}\nstderr:\n{dom.stderr[-3000:]}"
    assert dom.returncode == 0, details
    assert 'data-state="done"' in dom.stdout, details
    assert "rendered 1 remote(s)" in dom.stdout, details
    assert f'data-remote="{DIST}"' in dom.stdout
    assert "Hello from the dynamic frontend plugin" in dom.stdout, details
    # The stylesheet applied: served as text/css, which nosniff makes a requirement.
    assert 'data-stylesheet="loaded"' in dom.stdout, details
    assert 'data-color="rgb(0, 128, 128)"' in dom.stdout, details
    assert screenshot.returncode == 0, screenshot.stderr[-3000:]
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
