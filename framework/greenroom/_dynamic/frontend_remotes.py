"""``FrontendRemotes``: the default frontend remotes service, and its factory.

It reads each frontend plugin's ``dist/`` once, when the backend has started
(a root startup hook, after every plugin's init, as in Backstage, so that a
plugin can set the resolver provider first): the manifest, the entry, the
exposed modules. A plugin whose remote cannot be served is marked failed,
with the reason, and logged; the others are served.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.config import ConfigService
from greenroom._api.services.lifecycle import RootLifecycleService
from greenroom._api.services.refs import core_services
from greenroom._api.services.root_http_router import RootHttpRouterService
from greenroom._backend.state import BackendState, backend_state_ref
from greenroom._dynamic.frontend import (
    MANIFEST_FILE_NAME,
    REMOTE_ENTRY_FILE_NAME,
    REMOTES_PATH,
    DynamicPluginsFrontendRemotesService,
    FrontendRemote,
    FrontendRemoteResolver,
    FrontendRemoteResolverProvider,
    Manifest,
    RemoteEntryType,
    ResolverOption,
    dynamic_plugins_frontend_service_ref,
)
from greenroom._dynamic.frontend_assets import contained, refusal
from greenroom._dynamic.manager import DynamicPlugin, DynamicPluginManager
from greenroom._dynamic.names import canonicalize_name
from greenroom._errors import GreenroomError

__all__ = ["FrontendRemotes", "frontend_remotes_factory"]

_log = logging.getLogger("greenroom.dynamic")


class _Invalid(Exception):
    """A plugin whose remote cannot be served; the message says why and how to fix it."""


class FrontendRemotes:
    """The default :class:`DynamicPluginsFrontendRemotesService`."""

    def __init__(
        self,
        manager: DynamicPluginManager,
        base_url: str,
        resolver: ResolverOption = None,
    ) -> None:
        self._manager = manager
        self._base_url = base_url.rstrip("/")
        self._option = resolver
        self._provider: FrontendRemoteResolverProvider | None = None
        self._remotes: dict[str, FrontendRemote] | None = None
        self._resolved = asyncio.Event()

    def set_resolver_provider(self, provider: FrontendRemoteResolverProvider) -> None:
        """Customize every remote; raises if set twice or after the remotes were resolved."""
        if self._provider is not None:
            raise GreenroomError(
                "a frontend remote resolver provider is already set; set it once per backend"
            )
        if self._remotes is not None:
            raise GreenroomError(
                "the frontend remotes are already resolved: set the resolver provider from a "
                "plugin's init, before the backend has started"
            )
        self._provider = provider

    def remotes(self) -> Sequence[FrontendRemote]:
        """The served remotes, in discovery order; resolved at the first call."""
        return tuple(self._resolve().values())

    def remote(self, name: str) -> FrontendRemote | None:
        """The remote served at ``<REMOTES_PATH>/<name>/``, if any."""
        return self._resolve().get(name)

    @property
    def resolved(self) -> bool:
        """Whether the remotes are resolved (they are once the backend has started)."""
        return self._resolved.is_set()

    async def wait_resolved(self) -> None:
        """Return once the remotes are resolved."""
        await self._resolved.wait()

    def resolve(self) -> None:
        """Resolve the remotes now (the root startup hook); later calls do nothing."""
        self._resolve()

    def _resolve(self) -> dict[str, FrontendRemote]:
        if self._remotes is not None:
            return self._remotes
        remotes: dict[str, FrontendRemote] = {}
        for plugin in self._manager.frontend_plugins():
            try:
                remote = self._remote_of(plugin)
                first = remotes.get(remote.name)
                if first is not None:
                    raise _Invalid(
                        f"distribution {plugin.name!r} has more than one frontend entry point "
                        f"({_ep_name(first.plugin)!r} is served, {_ep_name(plugin)!r} is not): "
                        "a distribution serves one remote, so keep one or split the distribution"
                    )
            except Exception as exc:
                reason = str(exc) if isinstance(exc, _Invalid) else f"{type(exc).__name__}: {exc}"
                plugin.fail(f"frontend remote not served: {reason}")
                _log.error("frontend plugin %s (%s): %s", plugin.name, plugin.source, reason)
                continue
            remotes[remote.name] = remote
            _log.info("serving frontend plugin %s from %s", plugin.name, remote.assets_dir)
        self._remotes = remotes
        self._resolved.set()
        return remotes

    def _resolver_for(self, plugin: DynamicPlugin) -> FrontendRemoteResolver:
        resolver = FrontendRemoteResolver()
        for source in (self._option, self._provider):
            found = source(plugin) if callable(source) else source
            if found is not None:
                resolver = found.over(resolver)
        return resolver

    def _remote_of(self, plugin: DynamicPlugin) -> FrontendRemote:
        assets = plugin.assets_dir
        if assets is None or not assets.is_dir():
            raise _Invalid(f"its assets folder ({assets}) is missing: build the assets into dist/")
        resolver = self._resolver_for(plugin)
        manifest_name = resolver.manifest_file_name or MANIFEST_FILE_NAME
        manifest_path = _asset(assets, manifest_name, "manifest file name")
        manifest = _read_manifest(manifest_path) if manifest_path.is_file() else None
        entry_type, entry_asset = _entry(resolver, assets, manifest_name, manifest)
        exposed = [str(e["name"]) for e in (manifest or {}).get("exposes", [])]
        if resolver.override_exposed_modules is not None:
            exposed = list(resolver.override_exposed_modules(exposed, manifest))
            if not all(isinstance(m, str) for m in exposed):
                raise _Invalid("override_exposed_modules must return a list of strings")
        extra: dict[str, Any] = {}
        if resolver.additional_remote_info is not None:
            extra = dict(resolver.additional_remote_info(manifest) or {})
        if reserved := sorted(set(extra) & {"name", "entry", "type"}):
            raise _Invalid(f"additional_remote_info may not set {', '.join(reserved)}")
        name = canonicalize_name(plugin.name)
        return FrontendRemote(
            package_name=plugin.name,
            version=plugin.version,
            name=name,
            assets_dir=assets,
            remote_name=str(manifest["name"]) if manifest else re.sub(r"\W", "_", name),
            entry=f"{self._base_url}{REMOTES_PATH}/{name}/{quote(entry_asset)}",
            entry_type=entry_type,
            exposed_modules=tuple(exposed),
            additional_info=extra,
            plugin=plugin,
        )


def _entry(
    resolver: FrontendRemoteResolver, assets: Path, manifest_name: str, manifest: Manifest
) -> tuple[RemoteEntryType, str]:
    """The entry type and the entry's path in ``assets``."""
    if resolver.remote_entry_type is not None:
        entry_type = resolver.remote_entry_type(manifest)
    else:
        entry_type = "manifest" if manifest is not None else "javascript"
    if entry_type == "manifest":
        if manifest is None:
            raise _Invalid(
                f"the entry type is 'manifest' but there is no {manifest_name} in {assets}"
            )
        return entry_type, manifest_name
    if entry_type == "javascript":
        entry_asset = _remote_entry_of(manifest)
        if not _asset(assets, entry_asset, "remote entry").is_file():
            raise _Invalid(
                f"its remote entry {entry_asset} is missing from {assets}: build it, or "
                f"ship a {manifest_name} whose metaData.remoteEntry names the entry"
            )
        return entry_type, entry_asset
    raise _Invalid(f"remote_entry_type returned {entry_type!r}; use 'manifest' or 'javascript'")


def _ep_name(plugin: DynamicPlugin | None) -> str:
    return plugin.entry_point.name if plugin and plugin.entry_point else "?"


def _asset(assets: Path, relative: str, what: str) -> Path:
    """``assets/relative``, refused unless it is a plain relative path inside ``assets``."""
    segments = relative.split("/")
    why = refusal(segments)
    found = contained(assets, segments) if why is None else None
    if found is None:
        raise _Invalid(f"{what} {relative!r} must be a relative path inside {assets}")
    return found


def _remote_entry_of(manifest: Manifest) -> str:
    entry = (manifest or {}).get("metaData", {}).get("remoteEntry")
    if not entry:
        return REMOTE_ENTRY_FILE_NAME
    return "/".join(p for p in (entry.get("path", "").strip("/"), entry["name"]) if p)


def _read_manifest(path: Path) -> Mapping[str, Any]:
    """The manifest, checked for what is read from it; every problem reported at once."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Invalid(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise _Invalid(f"{path}: must be a JSON object @ $")
    problems = []
    if not isinstance(manifest.get("name"), str) or not manifest["name"]:
        problems.append("the container name must be a non-empty string @ $.name")
    exposes = manifest.get("exposes", [])
    if not isinstance(exposes, list):
        problems.append("must be a list @ $.exposes")
    else:
        problems += [
            f"must be an object with a string name @ $.exposes[{i}]"
            for i, item in enumerate(exposes)
            if not isinstance(item, dict) or not isinstance(item.get("name"), str)
        ]
    meta = manifest.get("metaData", {})
    entry = meta.get("remoteEntry") if isinstance(meta, dict) else None
    if not isinstance(meta, dict):
        problems.append("must be an object @ $.metaData")
    elif entry is not None and (
        not isinstance(entry, dict)
        or not isinstance(entry.get("name"), str)
        or not isinstance(entry.get("path", ""), str)
    ):
        problems.append("must be an object with a string name (and path) @ $.metaData.remoteEntry")
    if problems:
        raise _Invalid(f"{path} is not a module federation manifest: " + "; ".join(problems))
    return manifest


def frontend_remotes_factory(
    manager: DynamicPluginManager,
    resolver: ResolverOption = None,
) -> ServiceFactory[DynamicPluginsFrontendRemotesService]:
    """The service's factory: it mounts the asset server and resolves the remotes at start.

    As in Backstage the remotes are resolved by a root startup hook, after
    every plugin's init, so that a plugin can set the resolver provider first.
    """

    def build(
        config: ConfigService,
        root_router: RootHttpRouterService,
        root_lifecycle: RootLifecycleService,
        state: BackendState,
    ) -> FrontendRemotes:
        from greenroom._dynamic.frontend_http import FrontendRemotesApp
        from greenroom._services.cors import CorsPolicy
        from greenroom._services.discovery import base_url_from

        remotes = FrontendRemotes(manager, base_url_from(config), resolver)
        app = FrontendRemotesApp(
            remotes, CorsPolicy.from_config(config), lambda: state.request_hold_seconds
        )
        root_router.use(REMOTES_PATH, app)
        root_lifecycle.add_startup_hook(remotes.resolve)
        return remotes

    return ServiceFactory(
        service=dynamic_plugins_frontend_service_ref,
        factory=build,
        deps={
            "config": core_services.root_config,
            "root_router": core_services.root_http_router,
            "root_lifecycle": core_services.root_lifecycle,
            "state": backend_state_ref,
        },
    )
