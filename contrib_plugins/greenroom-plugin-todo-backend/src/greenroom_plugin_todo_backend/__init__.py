"""A small in-memory todo list served under ``/api/todo``."""

from greenroom_plugin_todo_backend.plugin import TodoPlugin
from greenroom_plugin_todo_backend.store import TodoItem, TodoListFullError, TodoStore

__all__ = ["TodoItem", "TodoListFullError", "TodoPlugin", "TodoStore"]
