"""The hello frontend plugin: a module federation remote the asset server lists and serves."""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from greenroom.dynamic import dynamic_plugins_feature_loader
from greenroom.testing import BackendStarter

DIST = files("greenroom_plugin_hello") / "dist"
REMOTES = "/.greenroom/dynamic-features/remotes"


def test_entry_point_names_this_package() -> None:
    """The greenroom.frontend_plugin entry point names the package that holds dist/."""
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["greenroom.frontend_plugin"] == {
        "hello": "greenroom_plugin_hello"
    }


def test_dist_holds_a_module_federation_remote() -> None:
    """dist/ has the manifest, and the global container its remote entry defines."""
    manifest = json.loads((DIST / "mf-manifest.json").read_text(encoding="utf-8"))
    entry = manifest["metaData"]["remoteEntry"]["name"]
    script = (DIST / entry).read_text(encoding="utf-8")
    assert "self.greenroom_plugin_hello = {" in script
    assert manifest["metaData"]["globalName"] == "greenroom_plugin_hello"
    assert [module["name"] for module in manifest["exposes"]] == ["Plugin"]
    # The container's get() knows every exposed path; what it renders is checked in a
    # browser by the repository's tests/e2e/test_e2e_frontend_browser.py.
    for module in manifest["exposes"]:
        assert f'"{module["path"]}": {{' in script


@pytest.mark.anyio
async def test_the_asset_server_lists_and_serves_it(start_test_backend: BackendStarter) -> None:
    """Installed, the plugin is a listed remote whose manifest and entry are served."""
    client = await start_test_backend(features=[dynamic_plugins_feature_loader])
    listing = (await client.get(REMOTES)).json()
    (remote,) = [r for r in listing if r["packageName"] == "greenroom-plugin-hello"]
    assert remote["remoteInfo"]["type"] == "manifest"
    assert remote["remoteInfo"]["name"] == "greenroom_plugin_hello"
    assert remote["exposedModules"] == ["Plugin"]

    manifest = await client.get(httpx.URL(remote["remoteInfo"]["entry"]).path)
    assert manifest.status_code == 200
    assert manifest.json()["exposes"][0]["path"] == "./Plugin"
    script = await client.get(f"{REMOTES}/greenroom-plugin-hello/remoteEntry.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.text == (DIST / "remoteEntry.js").read_text(encoding="utf-8")
