"""Frontend remotes: what each frontend plugin serves, and the service that lists them.

Every loaded frontend plugin (role ``frontend-plugin`` or
``frontend-plugin-module``, installed or dropped in) has a folder of built web
assets, ``<package>/dist``, in module-federation style: ``mf-manifest.json``
and/or ``remoteEntry.js`` plus chunks. Each becomes a :class:`FrontendRemote`
listed at ``GET /.greenroom/dynamic-features/remotes`` and served below it
(the seed's "Frontend Asset Server" and ``DynamicPluginsFrontendRemotesService``).

A :class:`FrontendRemoteResolver` changes how a plugin's remote is read: the
manifest file name, the entry type, extra remote info, the exposed modules.
Resolvers come from the feature loader's ``frontend_remote_resolver`` option
and from a provider set on the service by a plugin's init; the provider wins
field by field. Remotes are resolved once, when the backend has started (or
at the first call of :meth:`FrontendRemotes.remotes`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

import attrs

from greenroom._api.service_ref import ServiceRef
from greenroom._dynamic.manager import DynamicPlugin

__all__ = [
    "MANIFEST_FILE_NAME",
    "REMOTES_PATH",
    "REMOTE_ENTRY_FILE_NAME",
    "DynamicPluginsFrontendRemotesService",
    "FrontendRemote",
    "FrontendRemoteResolver",
    "FrontendRemoteResolverProvider",
    "Manifest",
    "RemoteEntryType",
    "ResolverOption",
    "dynamic_plugins_frontend_service_ref",
]

#: Where the remotes are listed; each is served at ``<REMOTES_PATH>/<name>/<asset>``.
REMOTES_PATH: Final = "/.greenroom/dynamic-features/remotes"
#: The module federation manifest (``@module-federation/sdk``'s ``ManifestFileName``).
MANIFEST_FILE_NAME: Final = "mf-manifest.json"
#: The JavaScript remote entry when no manifest names another.
REMOTE_ENTRY_FILE_NAME: Final = "remoteEntry.js"

RemoteEntryType = Literal["manifest", "javascript"]
#: A parsed manifest, or ``None`` when the plugin has none.
Manifest = Mapping[str, Any] | None


@attrs.frozen(kw_only=True)
class FrontendRemoteResolver:
    """Changes how one plugin's remote is read; a field left ``None`` keeps the default.

    - ``manifest_file_name``: the manifest inside ``dist/`` (default ``mf-manifest.json``);
    - ``remote_entry_type``: ``manifest`` (the entry is the manifest) or
      ``javascript`` (the entry is the manifest's ``metaData.remoteEntry``, else
      ``remoteEntry.js``); default ``manifest`` when there is a manifest;
    - ``additional_remote_info``: more ``remoteInfo`` fields (not ``name``,
      ``entry`` or ``type``), e.g. a ``shareScope`` for a JavaScript entry;
    - ``override_exposed_modules``: the exposed modules, given those of the
      manifest (``exposes[].name``) and the manifest.
    """

    manifest_file_name: str | None = None
    remote_entry_type: Callable[[Manifest], RemoteEntryType] | None = None
    additional_remote_info: Callable[[Manifest], Mapping[str, Any]] | None = None
    override_exposed_modules: Callable[[list[str], Manifest], Sequence[str]] | None = None

    def over(self, other: FrontendRemoteResolver) -> FrontendRemoteResolver:
        """This resolver's fields, falling back to ``other``'s where ``None``."""
        mine, theirs = attrs.asdict(self, recurse=False), attrs.asdict(other, recurse=False)
        return FrontendRemoteResolver(
            **{k: v if v is not None else theirs[k] for k, v in mine.items()}
        )


#: Gives the resolver for one plugin, or ``None`` to keep the defaults (the seed's
#: ``FrontendRemoteResolverProvider.for``).
FrontendRemoteResolverProvider = Callable[[DynamicPlugin], FrontendRemoteResolver | None]
#: What the loader's ``frontend_remote_resolver`` option accepts.
ResolverOption = FrontendRemoteResolver | FrontendRemoteResolverProvider | None


@attrs.frozen
class FrontendRemote:
    """One served frontend plugin: its listing entry and where its assets are."""

    package_name: str
    version: str
    #: The URL segment: the canonical distribution name.
    name: str
    assets_dir: Path
    #: The module federation container name (``remoteInfo.name``).
    remote_name: str
    #: The absolute URL of the entry (the manifest or the JavaScript file).
    entry: str
    entry_type: RemoteEntryType
    exposed_modules: tuple[str, ...] = ()
    additional_info: Mapping[str, Any] = attrs.field(factory=dict)
    plugin: DynamicPlugin | None = attrs.field(default=None, eq=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        """The listing's shape (Backstage's ``Remote``)."""
        return {
            "packageName": self.package_name,
            "version": self.version,
            "remoteInfo": {
                **self.additional_info,
                "name": self.remote_name,
                "entry": self.entry,
                "type": self.entry_type,
            },
            "exposedModules": list(self.exposed_modules),
        }


@runtime_checkable
class DynamicPluginsFrontendRemotesService(Protocol):
    """The frontend remotes of the backend's dynamic plugins."""

    def set_resolver_provider(self, provider: FrontendRemoteResolverProvider) -> None:
        """Customize every remote; once per backend, from a plugin's init."""
        ...

    def remotes(self) -> Sequence[FrontendRemote]:
        """The served remotes, in discovery order."""
        ...


#: The frontend remotes service (root scope); provided by the dynamic plugins loader.
dynamic_plugins_frontend_service_ref: Final = ServiceRef[DynamicPluginsFrontendRemotesService](
    "greenroom.dynamic_plugins.frontend_remotes", scope="root"
)
