"""Serving a frontend plugin's assets over real HTTP: types, caching, encodings, methods."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from frontend_server import (
    REMOTES,
    ServedBackend,
    mf_manifest,
    start_backend,
    write_frontend_plugin,
)

BASE = f"{REMOTES}/acme-assets"
#: Long enough to be worth compressing on the fly.
SCRIPT = "export const greeting = 'hello';\n" * 40
BROTLI = b"\x8b\x03\x80fake brotli bytes\x03"  # never decoded: only which file is sent matters
GZIPPED = gzip.compress(SCRIPT.encode(), mtime=0)

FILES: dict[str, str | bytes] = {
    "mf-manifest.json": mf_manifest("acme_assets", ["Page"]),
    "remoteEntry.js": SCRIPT,
    "remoteEntry.js.br": BROTLI,
    "remoteEntry.js.gz": GZIPPED,
    "only-gz.js": SCRIPT,
    "only-gz.js.gz": GZIPPED,
    "module.mjs": SCRIPT,
    "chunk.3f2a1b9c.js": SCRIPT,
    "main-0a1b2c3d4e.css": "body { color: teal; }\n" * 40,
    "chunk.3f2a1b9c.js.map": '{"version": 3, "sources": []}',
    "data.json": '{"a": 1}',
    "app.wasm": b"\x00asm\x01\x00\x00\x00",
    "font.woff2": b"wOF2fake",
    "font.woff": b"wOFFfake",
    "font.ttf": b"\x00\x01\x00\x00fake",
    "logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "logo.png": b"\x89PNG\r\n\x1a\nfake",
    "photo.jpg": b"\xff\xd8\xfffake",
    "icon.ico": b"\x00\x00\x01\x00",
    "anim.gif": b"GIF89a",
    "pic.webp": b"RIFFfakeWEBP",
    "blob.bin": b"\x00\x01\x02",
    "nested/deeper/page.js": "export default 1;\n",
    ".config-schema.json": "{}",
    "big.js": "x" * (3 * 256 * 1024 + 17),
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBackend]:
    """One backend serving one frontend plugin with every kind of asset."""
    work = tmp_path_factory.mktemp("assets")
    root = work / "plugins"
    write_frontend_plugin(root, "acme-assets", FILES)
    served = start_backend(work, root)
    yield served
    served.stop()


@pytest.mark.parametrize(
    ("asset", "content_type"),
    [
        ("remoteEntry.js", "text/javascript; charset=utf-8"),
        ("module.mjs", "text/javascript; charset=utf-8"),
        ("main-0a1b2c3d4e.css", "text/css; charset=utf-8"),
        ("mf-manifest.json", "application/json"),
        ("data.json", "application/json"),
        ("chunk.3f2a1b9c.js.map", "application/json"),
        ("app.wasm", "application/wasm"),
        ("font.woff2", "font/woff2"),
        ("font.woff", "font/woff"),
        ("font.ttf", "font/ttf"),
        ("logo.svg", "image/svg+xml"),
        ("logo.png", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("icon.ico", "image/x-icon"),
        ("anim.gif", "image/gif"),
        ("pic.webp", "image/webp"),
        ("blob.bin", "application/octet-stream"),
    ],
)
def test_content_type_by_suffix_with_nosniff(
    backend: ServedBackend, asset: str, content_type: str
) -> None:
    """Each asset has the content type of its suffix, and nosniff stops browsers guessing."""
    response = backend.client.get(f"{BASE}/{asset}", headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (
        FILES[asset] if isinstance(FILES[asset], bytes) else str(FILES[asset]).encode()
    )


@pytest.mark.parametrize(
    ("asset", "cache_control"),
    [
        ("chunk.3f2a1b9c.js", "public, max-age=31536000, immutable"),
        ("main-0a1b2c3d4e.css", "public, max-age=31536000, immutable"),
        ("chunk.3f2a1b9c.js.map", "public, max-age=31536000, immutable"),
        ("remoteEntry.js", "no-cache"),
        ("mf-manifest.json", "no-cache"),
        ("nested/deeper/page.js", "no-cache"),
    ],
)
def test_hashed_names_are_immutable_others_revalidate(
    backend: ServedBackend, asset: str, cache_control: str
) -> None:
    """Content-hashed names are cached for a year; the rest revalidate with their ETag."""
    response = backend.client.get(f"{BASE}/{asset}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == cache_control
    assert response.headers["etag"].startswith('"')  # strong: no W/ prefix


@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
def test_if_none_match_answers_304_without_a_body(backend: ServedBackend, encoding: str) -> None:
    """The ETag sent back in If-None-Match gives 304 with the same validators and no body."""
    headers = {"accept-encoding": encoding}
    first = backend.client.get(f"{BASE}/remoteEntry.js", headers=headers)
    etag = first.headers["etag"]
    again = backend.client.get(
        f"{BASE}/remoteEntry.js", headers={**headers, "if-none-match": f'"other", {etag}'}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "no-cache"
    weak = backend.client.get(
        f"{BASE}/remoteEntry.js", headers={**headers, "if-none-match": "W/" + etag}
    )
    assert weak.status_code == 304  # If-None-Match compares weakly (RFC 9110 13.1.2)
    stale = backend.client.get(
        f"{BASE}/remoteEntry.js", headers={**headers, "if-none-match": '"x"'}
    )
    assert stale.status_code == 200


def test_each_representation_has_its_own_etag(backend: ServedBackend) -> None:
    """Identity, gzip and brotli bodies differ, so their strong ETags differ too."""
    etags = {
        encoding: backend.client.get(
            f"{BASE}/remoteEntry.js", headers={"accept-encoding": encoding}
        ).headers["etag"]
        for encoding in ("identity", "gzip", "br")
    }
    assert len(set(etags.values())) == 3


def test_etag_changes_when_the_file_changes(
    serve: Callable[..., ServedBackend], plugins_root: Path
) -> None:
    """Rewriting an asset gives a new ETag, so the old one no longer answers 304."""
    dist = write_frontend_plugin(plugins_root, "acme-assets", {"remoteEntry.js": "one"})
    backend = serve()
    etag = backend.client.get(f"{BASE}/remoteEntry.js").headers["etag"]
    (dist / "remoteEntry.js").write_text("two, longer")
    stat = (dist / "remoteEntry.js").stat()
    os.utime(dist / "remoteEntry.js", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    response = backend.client.get(f"{BASE}/remoteEntry.js", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response.text == "two, longer"
    assert response.headers["etag"] != etag


def test_text_is_gzipped_on_the_fly(backend: ServedBackend) -> None:
    """Compressible assets without a sibling are gzipped for clients that accept gzip."""
    response = backend.client.get(f"{BASE}/module.mjs", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.text == SCRIPT  # httpx decodes it
    assert int(response.headers["content-length"]) < len(SCRIPT)


@pytest.mark.parametrize("asset", ["font.woff2", "logo.png", "data.json"])
def test_compressed_types_and_tiny_files_are_sent_as_they_are(
    backend: ServedBackend, asset: str
) -> None:
    """Already compressed types, and files too small to gain, are not gzipped."""
    response = backend.client.get(f"{BASE}/{asset}", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    ("accept", "encoding", "body"),
    [
        ("br", "br", BROTLI),
        ("gzip, deflate, br", "br", BROTLI),
        ("gzip;q=1, br;q=0.5", "gzip", GZIPPED),
        ("gzip", "gzip", GZIPPED),
        ("*", "br", BROTLI),
        ("br;q=0, gzip", "gzip", GZIPPED),
        ("identity", None, SCRIPT.encode()),
    ],
)
def test_precompressed_siblings_follow_accept_encoding(
    backend: ServedBackend, accept: str, encoding: str | None, body: bytes
) -> None:
    """``.br`` and ``.gz`` siblings are sent as they are, by the client's preference."""
    with backend.client.stream(
        "GET", f"{BASE}/remoteEntry.js", headers={"accept-encoding": accept}
    ) as response:
        raw = response.read() if encoding is None else b"".join(response.iter_raw())
    assert response.headers.get("content-encoding") == encoding
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert raw == body


def test_gz_sibling_is_used_when_no_br(backend: ServedBackend) -> None:
    """A client accepting br and gzip gets the ``.gz`` sibling when there is no ``.br``."""
    with backend.client.stream(
        "GET", f"{BASE}/only-gz.js", headers={"accept-encoding": "br, gzip"}
    ) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert raw == GZIPPED


def test_large_files_stream_whole(backend: ServedBackend) -> None:
    """A file of several read chunks arrives complete, with the right length."""
    response = backend.client.get(f"{BASE}/big.js", headers={"accept-encoding": "identity"})
    assert response.content == str(FILES["big.js"]).encode()
    assert response.headers["content-length"] == str(len(FILES["big.js"]))


def test_head_sends_headers_only(backend: ServedBackend) -> None:
    """HEAD answers with GET's headers and no body."""
    get = backend.client.get(f"{BASE}/remoteEntry.js", headers={"accept-encoding": "identity"})
    head = backend.client.head(f"{BASE}/remoteEntry.js", headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "cache-control"):
        assert head.headers[name] == get.headers[name]


def test_other_methods_are_not_allowed(backend: ServedBackend) -> None:
    """Assets are read-only: POST gets 405 with Allow."""
    response = backend.client.post(f"{BASE}/remoteEntry.js", content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "asset",
    [
        "missing.js",
        ".config-schema.json",
        "nested",
        "nested/",
        "",
    ],
)
def test_missing_hidden_and_folder_paths_are_404(backend: ServedBackend, asset: str) -> None:
    """Missing files, dot files and folders are 404, as JSON with nosniff."""
    response = backend.client.get(f"{BASE}/{asset}")
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["error"]["name"] == "NotFoundError"


def test_unknown_remote_is_404(backend: ServedBackend) -> None:
    """A name that is no remote is 404."""
    assert backend.client.get(f"{REMOTES}/nobody/remoteEntry.js").status_code == 404
