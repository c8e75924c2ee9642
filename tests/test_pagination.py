"""Cursor pagination: a model-based property test, and the SDK's auto-pagination on top of it."""

from __future__ import annotations

import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant_harness import FakeAssistants
from assistant_harness.apis.common.pagination import page

ITEMS = [{"id": f"obj_{i:03d}"} for i in range(250)]


@given(
    count=st.integers(0, 250),
    limit=st.integers(1, 100),
    order=st.sampled_from(["asc", "desc"]),
)
def test_walking_after_cursors_visits_everything_once_in_order(count: int, limit: int, order: str) -> None:
    items = ITEMS[:count]
    expected = [i["id"] for i in (items if order == "asc" else reversed(items))]
    seen: list[str] = []
    query = {"limit": str(limit), "order": order}
    pages = 0
    while True:
        result = page(items, query)
        pages += 1
        seen += [i["id"] for i in result["data"]]
        assert len(result["data"]) <= limit
        if not result["has_more"]:
            break
        assert len(result["data"]) == limit
        query = {**query, "after": result["last_id"]}
    assert seen == expected
    assert pages == max(1, -(-count // limit))  # no extra empty page at the end (except when empty)


@given(count=st.integers(1, 120), limit=st.integers(1, 30), cursor=st.integers(0, 119))
def test_before_returns_the_items_just_before_the_cursor(count: int, limit: int, cursor: int) -> None:
    items = ITEMS[:count]
    cursor = min(cursor, count - 1)
    result = page(items, {"limit": str(limit), "order": "asc", "before": items[cursor]["id"]})
    assert [i["id"] for i in result["data"]] == [i["id"] for i in items[max(0, cursor - limit) : cursor]]
    assert result["has_more"] == (cursor > limit)


def test_empty_page_has_null_cursors_and_no_more() -> None:
    assert page([], {}) == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }


def test_unknown_after_cursor_gives_an_empty_page() -> None:
    assert page(ITEMS[:3], {"after": "obj_gone"})["data"] == []


def test_defaults_are_twenty_newest_first() -> None:
    result = page(ITEMS[:25], {})
    assert result["first_id"] == "obj_024" and len(result["data"]) == 20 and result["has_more"]


@pytest.mark.parametrize("count", [0, 1, 20, 21, 45])
def test_sdk_auto_pagination_makes_no_extra_request(count: int) -> None:
    with FakeAssistants() as fake:
        client = fake.client()
        thread = client.beta.threads.create(
            messages=[{"role": "user", "content": str(i)} for i in range(count)]
        )
        before = len(fake.backend.requests)
        texts = [
            m.content[0].text.value
            for m in client.beta.threads.messages.list(thread.id, order="asc", limit=20)
        ]  # type: ignore[union-attr]
        assert texts == [str(i) for i in range(count)]
        assert len(fake.backend.requests) - before == max(1, -(-count // 20))


def test_list_by_run_id(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "x"}]}
    )
    replies = client.beta.threads.messages.list(run.thread_id, run_id=run.id)
    assert [m.role for m in replies.data] == ["assistant"]
