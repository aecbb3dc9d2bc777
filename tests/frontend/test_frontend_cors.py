"""CORS on the listing and the assets, from ``backend.cors``, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from frontend_server import REMOTES, ServedBackend, write_frontend_plugin

from greenroom import Config, ConfigError
from greenroom._services.cors import CorsPolicy

Serve = Callable[..., ServedBackend]
ENTRY = f"{REMOTES}/acme-cors/remoteEntry.js"
APP = "http://app.example.com:3000"


@pytest.fixture
def cors(serve: Serve, plugins_root: Path) -> Callable[[dict[str, Any] | None], ServedBackend]:
    """A backend with one plugin and the given ``backend.cors``."""
    write_frontend_plugin(plugins_root, "acme-cors", {"remoteEntry.js": "// entry\n"})

    def start(section: dict[str, Any] | None) -> ServedBackend:
        return serve(config={"backend": {"cors": section}} if section is not None else None)

    return start


@pytest.mark.parametrize("path", [REMOTES, ENTRY])
def test_without_cors_config_no_header_is_sent(cors: Any, path: str) -> None:
    """No ``backend.cors``: same-origin only, so no Access-Control header at all."""
    response = cors(None).client.get(path, headers={"origin": APP})
    assert response.status_code == 200
    assert not [h for h in response.headers if h.startswith("access-control-")]


@pytest.mark.parametrize("path", [REMOTES, ENTRY])
def test_listed_origins_are_allowed_others_not(cors: Any, path: str) -> None:
    """An origin in the list (or matching a glob) is echoed; another gets nothing."""
    backend = cors({"origin": ["https://other.example", "http://*.example.com:3000"]})
    allowed = backend.client.get(path, headers={"origin": APP})
    assert allowed.headers["access-control-allow-origin"] == APP
    assert "Origin" in allowed.headers["vary"]
    refused = backend.client.get(path, headers={"origin": "http://evil.test"})
    assert refused.status_code == 200  # CORS is enforced by the browser, not the server
    assert "access-control-allow-origin" not in refused.headers
    assert "Origin" in refused.headers["vary"]


def test_glob_does_not_cross_the_scheme_separator(cors: Any) -> None:
    """``http://*.example.com`` does not match ``http://evil.test/.example.com``-like origins."""
    backend = cors({"origin": "http://*.example.com"})
    response = backend.client.get(ENTRY, headers={"origin": "http://evil.test/x.example.com"})
    assert "access-control-allow-origin" not in response.headers


def test_star_allows_every_origin_without_credentials(cors: Any) -> None:
    """``origin: '*'`` answers ``*`` to everybody."""
    response = cors({"origin": "*"}).client.get(ENTRY, headers={"origin": APP})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_credentials_echo_the_origin_even_for_star(cors: Any) -> None:
    """With credentials, browsers refuse ``*``: the origin is echoed instead."""
    backend = cors({"origin": "*", "credentials": True, "exposedHeaders": ["ETag"]})
    response = backend.client.get(ENTRY, headers={"origin": APP})
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-expose-headers"] == "ETag"


def test_preflight_lists_methods_headers_and_max_age(cors: Any) -> None:
    """OPTIONS with Access-Control-Request-Method gets 204 with what is allowed."""
    backend = cors({"origin": APP, "methods": ["get", "head"], "maxAge": 600})
    response = backend.client.options(
        ENTRY,
        headers={
            "origin": APP,
            "access-control-request-method": "GET",
            "access-control-request-headers": "x-requested-with",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-allow-methods"] == "GET, HEAD"
    assert response.headers["access-control-allow-headers"] == "x-requested-with"
    assert response.headers["access-control-max-age"] == "600"


def test_preflight_from_a_refused_origin_allows_nothing(cors: Any) -> None:
    """A preflight from an origin not listed gets no Access-Control-Allow-* header."""
    backend = cors({"origin": APP})
    response = backend.client.options(
        ENTRY, headers={"origin": "http://evil.test", "access-control-request-method": "GET"}
    )
    assert response.status_code == 204
    assert not [h for h in response.headers if h.startswith("access-control-allow")]


def test_invalid_cors_config_lists_every_problem() -> None:
    """Each wrong key of ``backend.cors`` is reported at once, with its path."""
    config = Config.from_data(
        {"backend": {"cors": {"origin": 3, "credentials": "yes", "maxAge": -1, "methods": [1]}}}
    )
    with pytest.raises(ConfigError) as caught:
        CorsPolicy.from_config(config)
    assert [issue.path for issue in caught.value.issues] == [
        "$.backend.cors.origin",
        "$.backend.cors.methods",
        "$.backend.cors.credentials",
        "$.backend.cors.maxAge",
    ]
