"""The hook specifications every backend feature implements (pluggy).

Plugin authors do not use :data:`hookspec`; they subclass
:class:`~greenroom.BackendPlugin` or :class:`~greenroom.BackendModule` and mark
their implementations with :data:`hookimpl`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import pluggy

if TYPE_CHECKING:
    from greenroom._api.registration import RegistrationEnv

__all__ = ["PROJECT_NAME", "FeatureHookSpecs", "hookimpl", "hookspec"]

#: The pluggy project name of Greenroom's hooks.
PROJECT_NAME: Final = "greenroom"

#: Marks a hook specification (framework use).
hookspec: Final = pluggy.HookspecMarker(PROJECT_NAME)

#: Marks a hook implementation on a plugin or module: ``@hookimpl def register(self, env)``.
hookimpl: Final = pluggy.HookimplMarker(PROJECT_NAME)


class FeatureHookSpecs:
    """The hooks of a backend feature, shared by plugins and modules."""

    @hookspec
    def register(self, env: RegistrationEnv) -> None:
        """Declare what the feature needs and offers; called once per feature.

        Call ``env.register_extension_point(ext_point, impl)`` for each
        extension point the feature offers (before ``register_init``), then
        ``env.register_init(init, deps={...})`` exactly once. ``deps`` maps
        the keyword arguments of ``init`` to service refs and, for modules,
        to extension points of their plugin. Do no work here: ``register``
        runs for every feature even when a command only lists plugins.

        Example::

            @hookimpl
            def register(self, env):
                env.register_init(self.init, deps={"logger": core_services.logger})
        """

    @hookspec
    def config_schema(self) -> dict[str, Any] | None:
        """The JSON schema of the feature's part of the app config, or None (the default).

        Draft 2020-12 unless the schema's ``$schema`` names another draft. It
        is applied to the whole config, together with the framework's and
        every other package's schema, and may mark values with the
        ``visibility`` keyword (``frontend``, ``backend``, ``secret``). A
        package can ship the same as a file instead (``config-schema`` in
        ``[tool.greenroom]``); see docs/how-to/config-schemas-and-secrets.md.

        Example::

            @hookimpl
            def config_schema(self):
                return {
                    "type": "object",
                    "properties": {"catalog": {"type": "object", "properties": {
                        "token": {"type": "string", "visibility": "secret"}}}},
                }
        """
