"""Extension points: typed handles through which modules extend their plugin."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, final

from greenroom._api.ids import is_valid_id

__all__ = ["ExtensionPoint"]

T = TypeVar("T")


@final
class ExtensionPoint(Generic[T]):
    """A handle to an object a plugin (or module) offers to the modules of its plugin.

    The id is ``"<pluginId>.<name>"``. Create it once at module level and use
    the same object in ``env.register_extension_point`` and in ``deps``::

        catalog_processing = ExtensionPoint[EntityProviders]("catalog.processing")

    Extension points compare by identity: two handles with the same id are
    different extension points, and the backend reports that as an error.
    """

    __slots__ = ("__orig_class__", "id")

    def __init__(self, id: str) -> None:
        plugin_id, dot, name = id.partition(".") if isinstance(id, str) else ("", "", "")
        if not (dot and is_valid_id(plugin_id) and name):
            raise ValueError(
                f"invalid extension point id {id!r}: it must be '<pluginId>.<name>' with a "
                "kebab-case plugin id, for example 'catalog.processing'"
            )
        self.id = id

    @property
    def plugin_id(self) -> str:
        """The id of the plugin this extension point belongs to, by its naming."""
        return self.id.partition(".")[0]

    def __repr__(self) -> str:
        return f"ExtensionPoint({self.id!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExtensionPoint, (self.id,))
