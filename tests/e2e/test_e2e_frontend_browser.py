"""End to end in a real browser: a host page loads dynamic frontend plugins (issues 6 and 7).

A backend in a subprocess (``greenroom start``'s loader plus a host page,
``apps/frontend_host.py``) serves two module federation remotes:

- ``greenroom-plugin-hello``, the first-party frontend plugin, installed in the
  environment as a user installs it. Its ``./Plugin`` module renders a greeting
  into the element the host gives it, with the number of catalog entities when
  the catalog plugin (installed too, reading a YAML file here) answers.
- A wheel built here by hand and dropped into the root directory. It covers
  what the hello plugin does not: a remote read from a root-directory wheel, a
  hashed chunk the entry loads that exists only as a gzip sibling (the browser
  must decode what the server precompressed), and a hashed stylesheet that,
  under ``nosniff``, only applies when served as ``text/css``.

Headless Chromium opens the page; the DOM must show what each plugin's code
rendered. The DOM and a screenshot are saved under ``artifacts/``.

Without Chromium the browser tests are skipped, unless
``GREENROOM_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case they fail:
CI cannot pass by skipping them.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
APP_SCRIPT = Path(__file__).parent / "apps" / "frontend_host.py"
ARTIFACTS = Path(os.environ.get("GREENROOM_ARTIFACTS_DIR", REPO / "artifacts"))
READINESS = "/.greenroom/health/v1/readiness"
REMOTES = "/.greenroom/dynamic-features/remotes"
PAGE = "/api/host/index.html"
DEADLINE_SECONDS = 60.0
#: Virtual time the page gets; it does not advance while requests are pending.
PAGE_BUDGET_MS = 15000

HELLO = "greenroom-plugin-hello"
HELLO_GREETING = "Hello from the hello plugin"
CATALOG = ("greenroom-plugin-catalog-backend", "greenroom-plugin-catalog-backend-module-yaml-files")
ENTITIES = [
    {
        "apiVersion": "greenroom.dev/v1alpha1",
        "kind": "System",
        "metadata": {"name": "browser-test"},
        "spec": {"owner": "team-greenroom"},
    },
    {
        "apiVersion": "greenroom.dev/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "host-page"},
        "spec": {"type": "website", "lifecycle": "experimental", "owner": "team-greenroom"},
    },
]

# The hand-built remote, dropped in as a wheel.
DIST = "greenroom-dropin-frontend"
PACKAGE = "greenroom_dropin_frontend"
VERSION = "1.2.3"
CONTAINER = "greenroom_dropin"
DROPIN_TEXT = "Rendered by a chunk of a dropped-in wheel"

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
  self.greenroom_dropin = {
    init: function () { return Promise.resolve(); },
    get: function (module) {
      if (module !== "./Greeting") {
        return Promise.reject(new Error("no module " + module));
      }
      return load("chunk.3f2a1b9c.js").then(function () {
        var exported = self.__greenroom_dropin_modules["./Greeting"];
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
  var modules = (self.__greenroom_dropin_modules = self.__greenroom_dropin_modules || {});
  modules["./Greeting"] = {
    render: function (target) {
      return new Promise(function (resolve) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = base + "style.0a1b2c3d.css";
        var greeting = document.createElement("p");
        greeting.className = "greenroom-dropin";
        greeting.textContent = "Rendered by a chunk of a dropped-in wheel";
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

STYLE = ".greenroom-dropin { color: rgb(0, 128, 128); font-size: 2rem; font-weight: bold; }\n"

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


@pytest.fixture(scope="module")
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


@contextlib.contextmanager
def run_backend(workdir: Path, config: Mapping[str, Any]) -> Iterator[str]:
    """``apps/frontend_host.py`` in a subprocess with ``config``; yields its base URL once ready."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    full_config = {
        **config,
        "backend": {"baseUrl": base_url, "listen": {"host": "127.0.0.1", "port": port}},
        "dynamicPlugins": {
            **config.get("dynamicPlugins", {}),
            "cacheDirectory": str(workdir / "cache"),
        },
    }
    config_file = workdir / "app-config.yaml"
    config_file.write_text(yaml.safe_dump(full_config), encoding="utf-8")
    log = workdir / "backend.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(APP_SCRIPT), str(config_file)],
            cwd=workdir,
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


@pytest.fixture(scope="module")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The backend with the installed plugins, two catalog entities and the wheel dropped in."""
    workdir = tmp_path_factory.mktemp("backend")
    root = workdir / "plugins"
    root.mkdir()
    build_wheel(root)
    entities = workdir / "entities.yaml"
    entities.write_text(yaml.safe_dump_all(ENTITIES), encoding="utf-8")
    config = {
        "dynamicPlugins": {"rootDirectory": str(root)},
        "catalog": {"yamlFiles": {"paths": [str(entities)]}},
    }
    with run_backend(workdir, config) as base_url:
        yield base_url


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


def dump_dom(chromium: str, base_url: str, workdir: Path, artifact: str) -> str:
    """The host page's DOM once its scripts have run, also saved as ``artifacts/<artifact>``."""
    result = run_chromium(chromium, workdir / "profile-dom", "--dump-dom", base_url + PAGE)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / artifact).write_text(result.stdout, encoding="utf-8")
    details = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}"
    assert result.returncode == 0, details
    assert 'data-state="done"' in result.stdout, details
    return result.stdout


@pytest.fixture(scope="module")
def page_dom(chromium: str, backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The DOM of the host page of ``backend_url``."""
    return dump_dom(
        chromium, backend_url, tmp_path_factory.mktemp("chromium"), "e2e-frontend-browser.html"
    )


SECTION = re.compile(r'<section data-remote="([^"]+)" data-module="([^"]+)">(.*?)</section>', re.S)


def rendered(dom: str) -> dict[tuple[str, str], str]:
    """What each (package, exposed module) rendered into the section the host gave it."""
    return {(remote, module): html for remote, module, html in SECTION.findall(dom)}


def text_of(html: str) -> str:
    """The text of an HTML fragment without markup."""
    return re.sub(r"<[^>]*>", "", html)


def test_the_listing_has_the_installed_hello_plugin_and_the_dropped_in_wheel(
    backend_url: str,
) -> None:
    """Both remotes are listed, the hello plugin from the environment, the wheel from the root."""
    remotes = {r["packageName"]: r for r in httpx.get(f"{backend_url}{REMOTES}").json()}
    assert remotes[HELLO] == {
        "packageName": HELLO,
        "version": version(HELLO),
        "remoteInfo": {
            "name": "greenroom_plugin_hello",
            "entry": f"{backend_url}{REMOTES}/{HELLO}/mf-manifest.json",
            "type": "manifest",
        },
        "exposedModules": ["Plugin"],
    }
    assert remotes[DIST] == {
        "packageName": DIST,
        "version": VERSION,
        "remoteInfo": {
            "name": CONTAINER,
            "entry": f"{backend_url}{REMOTES}/{DIST}/mf-manifest.json",
            "type": "manifest",
        },
        "exposedModules": ["Greeting"],
    }
    page = httpx.get(backend_url + PAGE).text
    assert HELLO_GREETING not in page  # only the plugins' code renders the text
    assert DROPIN_TEXT not in page


def test_the_page_shows_what_the_hello_plugin_renders(page_dom: str) -> None:
    """The hello plugin's module renders its greeting and the catalog's entity count."""
    html = rendered(page_dom)[(HELLO, "Plugin")]
    assert 'class="greenroom-hello"' in html, page_dom
    assert text_of(html) == f"{HELLO_GREETING} ({len(ENTITIES)} catalog entities)", page_dom


def test_the_page_shows_the_dropped_in_wheel_with_its_gzipped_chunk_and_stylesheet(
    page_dom: str,
) -> None:
    """The wheel's entry loads its gzip-only chunk, which renders text styled by its CSS."""
    html = rendered(page_dom)[(DIST, "Greeting")]
    assert text_of(html) == DROPIN_TEXT, page_dom
    # The stylesheet applied: served as text/css, which nosniff makes a requirement.
    assert 'data-stylesheet="loaded"' in html, page_dom
    assert 'data-color="rgb(0, 128, 128)"' in html, page_dom


def test_a_screenshot_of_the_page_is_saved(chromium: str, backend_url: str, tmp_path: Path) -> None:
    """Chromium saves a PNG of the rendered page as artifacts/e2e-frontend-browser.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "e2e-frontend-browser.png"
    shot.unlink(missing_ok=True)
    result = run_chromium(
        chromium,
        tmp_path / "profile-shot",
        f"--screenshot={shot}",
        "--window-size=1000,600",
        "--hide-scrollbars",
        backend_url + PAGE,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_without_the_catalog_the_hello_plugin_shows_its_greeting_alone(
    chromium: str, tmp_path: Path
) -> None:
    """With the catalog disabled (``/api/catalog`` is 404) the hello plugin shows no count."""
    with run_backend(tmp_path, {"dynamicPlugins": {"disabled": list(CATALOG)}}) as base_url:
        dom = dump_dom(chromium, base_url, tmp_path, "e2e-frontend-browser-no-catalog.html")
    assert text_of(rendered(dom)[(HELLO, "Plugin")]) == HELLO_GREETING, dom
