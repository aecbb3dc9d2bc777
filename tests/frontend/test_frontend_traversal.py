"""Path traversal over real HTTP: every spelling is 404 and logged, nothing outside leaks."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from frontend_server import REMOTES, ServedBackend, start_backend, write_frontend_plugin

SECRET = "top-secret-value-7f3a"
BASE = f"{REMOTES}/acme-safe"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBackend]:
    """A plugin beside a secret file, with symlinks leaving and staying in its folder."""
    work = tmp_path_factory.mktemp("traversal")
    root = work / "plugins"
    dist = write_frontend_plugin(
        root,
        "acme-safe",
        {"remoteEntry.js": "// entry\n", "inner/real.js": "// real\n", "a..b.js": "// dots\n"},
    )
    (work / "secret.txt").write_text(SECRET)
    (dist.parent / "secret.txt").write_text(SECRET)  # in the package, outside dist/
    (dist / "escape.js").symlink_to(work / "secret.txt")
    (dist / "escape-dir").symlink_to(work, target_is_directory=True)
    (dist / "alias.js").symlink_to(dist / "inner" / "real.js")
    served = start_backend(work, root)
    yield served
    served.stop()


@pytest.mark.parametrize(
    ("target", "rule"),
    [
        ("/../secret.txt", "'..' segment"),
        ("/../../../secret.txt", "'..' segment"),
        ("/inner/../../secret.txt", "'..' segment"),
        ("/%2e%2e/secret.txt", "'..' segment"),
        ("/%2E%2E/%2e%2e/secret.txt", "'..' segment"),
        ("/.%2e/secret.txt", "'..' segment"),
        ("/..%2fsecret.txt", "'..' segment"),
        ("/..%2Fsecret.txt", "'..' segment"),
        ("/..\\secret.txt", "backslash"),
        ("/..%5csecret.txt", "backslash"),
        ("/inner%5c..%5c..%5csecret.txt", "backslash"),
        ("//etc/passwd", "empty or '.' segment"),
        ("/%2fetc%2fpasswd", "empty or '.' segment"),
        ("/./remoteEntry.js", "empty or '.' segment"),
        ("/C:/Windows/win.ini", "drive letter"),
        ("/remoteEntry.js%00.png", "NUL character"),
    ],
)
def test_traversal_is_refused_and_logged(
    backend: ServedBackend, caplog: pytest.LogCaptureFixture, target: str, rule: str
) -> None:
    """Each spelling of leaving the folder gets 404 and a warning naming the rule broken."""
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        status, body = backend.raw_get(BASE + target)
    assert status == 404
    assert SECRET.encode() not in body
    refused = [r for r in caplog.records if r.name == "greenroom.dynamic"]
    assert len(refused) == 1
    assert "refused frontend asset path" in refused[0].getMessage()
    assert rule in refused[0].getMessage()


@pytest.mark.parametrize("target", ["/../acme-safe/remoteEntry.js", "/%2e%2e/x", "/../../x"])
def test_traversal_above_the_remote_name_is_refused(
    backend: ServedBackend, caplog: pytest.LogCaptureFixture, target: str
) -> None:
    """A ``..`` in place of the remote name is refused like one below it."""
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        status, _ = backend.raw_get(REMOTES + target)
    assert status == 404
    assert "'..' segment" in caplog.text


@pytest.mark.parametrize("asset", ["escape.js", "escape-dir/secret.txt"])
def test_symlinks_leaving_the_folder_are_refused_and_logged(
    backend: ServedBackend, caplog: pytest.LogCaptureFixture, asset: str
) -> None:
    """A symlink to a file or folder outside ``dist/`` is 404 and logged, never followed."""
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        response = backend.client.get(f"{BASE}/{asset}")
    assert response.status_code == 404
    assert SECRET not in response.text
    assert "through a symlink" in caplog.text


def test_symlinks_inside_the_folder_are_served(backend: ServedBackend) -> None:
    """A symlink that stays inside ``dist/`` is an ordinary asset."""
    response = backend.client.get(f"{BASE}/alias.js")
    assert response.status_code == 200
    assert response.text == "// real\n"


def test_plain_missing_files_are_not_logged(
    backend: ServedBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """A missing file is an ordinary 404: only refused paths are logged."""
    with caplog.at_level(logging.WARNING, logger="greenroom.dynamic"):
        assert backend.client.get(f"{BASE}/missing.js").status_code == 404
    assert caplog.records == []


def test_dots_inside_a_name_are_not_traversal(backend: ServedBackend) -> None:
    """``..`` inside a file name (``a..b.js``) is part of the name, not a parent reference."""
    response = backend.client.get(f"{BASE}/a..b.js")
    assert response.status_code == 200
    assert response.text == "// dots\n"
