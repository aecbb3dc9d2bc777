"""``TodoStore``: the todo items, in memory, each with an id made from its title."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from slugify import slugify

__all__ = ["DEFAULT_MAX_ITEMS", "TodoItem", "TodoListFullError", "TodoStore"]

#: How many items a list holds when ``todo.maxItems`` is not set.
DEFAULT_MAX_ITEMS = 100


@attrs.frozen
class TodoItem:
    """One item: its id (the slug of its title, made unique) and its title."""

    id: str
    title: str

    def as_json(self) -> dict[str, str]:
        """The item as the API shows it."""
        return {"id": self.id, "title": self.title}


class TodoListFullError(Exception):
    """The list already holds ``todo.maxItems`` items."""

    def __init__(self, max_items: int) -> None:
        super().__init__(
            f"the todo list is full ({max_items} items); delete one, or raise todo.maxItems"
        )
        self.max_items = max_items


class TodoStore:
    """The items in the order they were added; nothing is written to disk."""

    def __init__(self, max_items: int = DEFAULT_MAX_ITEMS) -> None:
        self.max_items = max_items
        self._items: dict[str, TodoItem] = {}

    def items(self) -> list[TodoItem]:
        """Every item, oldest first."""
        return list(self._items.values())

    def add(self, title: str) -> TodoItem:
        """Add an item; its id is the title's slug (``Café au lait`` -> ``cafe-au-lait``)."""
        if len(self._items) >= self.max_items:
            raise TodoListFullError(self.max_items)
        base = slugify(title) or "item"
        item_id, count = base, 1
        while item_id in self._items:
            count += 1
            item_id = f"{base}-{count}"
        item = TodoItem(item_id, title)
        self._items[item_id] = item
        return item

    def restore(self, items: Iterable[tuple[str, str]]) -> None:
        """Put back items kept from an earlier run, ids and order as they were."""
        for item_id, title in items:
            if len(self._items) < self.max_items:
                self._items[item_id] = TodoItem(item_id, title)

    def remove(self, item_id: str) -> bool:
        """Remove the item ``item_id``; whether there was one."""
        return self._items.pop(item_id, None) is not None
