"""The todo plugin in a real backend: its routes, its config, and its slugged ids."""

from __future__ import annotations

import pytest
from greenroom_plugin_todo_backend import TodoPlugin, TodoStore

from greenroom.testing import start_test_backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """Greenroom backends run on asyncio."""
    return "asyncio"


async def test_items_can_be_added_listed_and_deleted() -> None:
    """POST adds an item with a slug id, GET lists it, DELETE removes it."""
    async with start_test_backend(features=[TodoPlugin]) as client:
        assert (await client.get("/api/todo/items")).json() == {"items": []}
        created = await client.post("/api/todo/items", json={"title": "Café au lait"})
        assert created.status_code == 201
        assert created.json() == {"id": "cafe-au-lait", "title": "Café au lait"}
        listed = await client.get("/api/todo/items")
        assert listed.json() == {"items": [{"id": "cafe-au-lait", "title": "Café au lait"}]}
        assert (await client.delete("/api/todo/items/cafe-au-lait")).status_code == 204
        assert (await client.get("/api/todo/items")).json() == {"items": []}


async def test_unknown_items_and_bad_bodies_are_refused() -> None:
    """Deleting a missing item is a 404; a body without a title is a 400."""
    async with start_test_backend(features=[TodoPlugin]) as client:
        missing = await client.delete("/api/todo/items/nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["name"] == "NotFoundError"
        assert (await client.post("/api/todo/items", json={"title": " "})).status_code == 400
        assert (await client.post("/api/todo/items", content=b"not json")).status_code == 400


async def test_max_items_comes_from_config() -> None:
    """todo.maxItems caps the list: one more item is a 409 naming the key."""
    async with start_test_backend(
        features=[TodoPlugin], config={"todo": {"maxItems": 1}}
    ) as client:
        assert (await client.post("/api/todo/items", json={"title": "one"})).status_code == 201
        full = await client.post("/api/todo/items", json={"title": "two"})
        assert full.status_code == 409
        assert "todo.maxItems" in full.json()["error"]["message"]


async def test_health_answers_without_config() -> None:
    """The plugin starts with no config at all and reports healthy."""
    async with start_test_backend(features=[TodoPlugin], config={}) as client:
        assert (await client.get("/api/todo/health")).json() == {"status": "ok"}


def test_same_titles_get_distinct_ids() -> None:
    """A title added twice gets the slug, then the slug with -2."""
    store = TodoStore()
    assert [store.add("Buy milk").id, store.add("Buy milk!").id] == ["buy-milk", "buy-milk-2"]
