"""CORS from ``backend.cors``, in Backstage's shape, for the framework's own raw ASGI endpoints.

| key | meaning |
|---|---|
| ``backend.cors.origin`` | an origin or a list of them; ``*`` in one matches within a host |
|                         | (``https://*.example.com``), ``*`` alone matches every origin |
| ``backend.cors.methods`` | methods a preflight allows (default: Backstage's list) |
| ``backend.cors.credentials`` | send ``Access-Control-Allow-Credentials: true`` |
| ``backend.cors.allowedHeaders`` | request headers a preflight allows (default: those asked for) |
| ``backend.cors.exposedHeaders`` | response headers scripts may read |
| ``backend.cors.maxAge`` | seconds a browser may cache a preflight |

Without ``backend.cors`` no CORS header is sent: only same-origin pages may read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import attrs

from greenroom._api.services.config import ConfigService
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["DEFAULT_METHODS", "CorsPolicy"]

#: What Backstage (and the ``cors`` package it uses) allows when ``methods`` is not set.
DEFAULT_METHODS: Final = ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE")


def _origin_pattern(origin: str) -> re.Pattern[str]:
    # A ``*`` stays within one host label run: it never crosses the scheme's ``//``.
    return re.compile("".join("[^/]*" if c == "*" else re.escape(c) for c in origin))


@attrs.frozen
class CorsPolicy:
    """Which origins may read responses, and what preflights allow."""

    origins: tuple[str, ...] = ()
    methods: tuple[str, ...] = DEFAULT_METHODS
    credentials: bool = False
    allowed_headers: tuple[str, ...] | None = None
    exposed_headers: tuple[str, ...] = ()
    max_age: int | None = None
    _patterns: tuple[re.Pattern[str], ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_patterns", tuple(map(_origin_pattern, self.origins)))

    @property
    def enabled(self) -> bool:
        """Whether any origin is allowed at all."""
        return bool(self.origins)

    @classmethod
    def from_config(cls, config: ConfigService) -> CorsPolicy:
        """Read ``backend.cors``; every problem in it is reported at once."""
        section = config.get_optional_config("backend.cors")
        if section is None:
            return cls()
        issues: list[ConfigIssue] = []

        def issue(key: str, description: str) -> None:
            make = getattr(section, "issue", None)
            issues.append(
                make(key, description)
                if make
                else ConfigIssue(description, f"$.backend.cors.{key}")
            )

        def strings(key: str) -> tuple[str, ...] | None:
            raw = section.get_optional(key)
            if raw is None:
                return None
            values = [raw] if isinstance(raw, str) else raw
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                issue(key, "must be a string or a list of strings")
                return None
            return tuple(values)

        origins = strings("origin") or ()
        methods = strings("methods")
        allowed = strings("allowedHeaders")
        exposed = strings("exposedHeaders") or ()
        credentials: Any = section.get_optional("credentials")
        if credentials is not None and not isinstance(credentials, bool):
            issue("credentials", "must be true or false")
        max_age: Any = section.get_optional("maxAge")
        if max_age is not None and (
            isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0
        ):
            issue("maxAge", "must be a whole number of seconds, 0 or more")
        if issues:
            raise ConfigError(issues)
        return cls(
            origins,
            tuple(m.upper() for m in methods) if methods is not None else DEFAULT_METHODS,
            credentials is True,
            allowed,
            exposed,
            max_age,
        )

    def allows(self, origin: str) -> bool:
        """Whether ``origin`` may read responses."""
        return "*" in self.origins or any(p.fullmatch(origin) for p in self._patterns)

    def headers(self, origin: str | None) -> dict[str, str]:
        """The CORS headers of an ordinary response to a request from ``origin``."""
        if not self.enabled:
            return {}
        # ``*`` answers every origin the same way, so caches need not key on Origin;
        # otherwise the answer depends on it (and with credentials ``*`` is not allowed).
        if self.origins == ("*",) and not self.credentials:
            found = {"access-control-allow-origin": "*"}
            if self.exposed_headers:
                found["access-control-expose-headers"] = ", ".join(self.exposed_headers)
            return found
        found = {"vary": "Origin"}
        if origin is None or not self.allows(origin):
            return found
        found["access-control-allow-origin"] = origin
        if self.credentials:
            found["access-control-allow-credentials"] = "true"
        if self.exposed_headers:
            found["access-control-expose-headers"] = ", ".join(self.exposed_headers)
        return found

    def preflight_headers(self, origin: str | None, request_headers: str | None) -> dict[str, str]:
        """The headers of the answer to a preflight (``OPTIONS`` with ``Origin``)."""
        found = self.headers(origin)
        if "access-control-allow-origin" not in found:
            return found
        found.pop("access-control-expose-headers", None)
        found["access-control-allow-methods"] = ", ".join(self.methods)
        allowed: Sequence[str] | None = self.allowed_headers
        if allowed is None and request_headers:
            allowed = [request_headers]
            found["vary"] = ", ".join(
                v for v in (found.get("vary"), "Access-Control-Request-Headers") if v
            )
        if allowed:
            found["access-control-allow-headers"] = ", ".join(allowed)
        if self.max_age is not None:
            found["access-control-max-age"] = str(self.max_age)
        return found
