"""Small raw-ASGI JSON responses used on the framework's own hot paths."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Send

__all__ = ["error_body", "send_json", "send_json_value"]


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Send ``body`` as a complete JSON response."""
    await send_json_value(send, status, body, headers)


async def send_json_value(
    send: Send, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    """Send any JSON value as a complete response."""
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def error_body(status: int, name: str, message: str) -> dict[str, Any]:
    """Backstage's error body shape: ``{"error": {"name", "message"}, "response": ...}``."""
    return {"error": {"name": name, "message": message}, "response": {"statusCode": status}}
