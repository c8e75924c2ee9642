"""The backend's own answers: the Date header it adds from the virtual clock."""

from __future__ import annotations

import email.utils

import pytest

from assistant_harness import FakeAssistants, VirtualClock
from assistant_harness.backend import http_date


@pytest.mark.parametrize("timestamp", [0.0, 0.999, 1.0, 1_763_860_000.5, 1_763_860_001.0, -1.5, -0.25])
def test_http_date_is_the_whole_second_the_timestamp_falls_in(timestamp: float) -> None:
    whole = float(int(timestamp // 1))
    assert http_date(timestamp) == email.utils.formatdate(whole, usegmt=True)


def test_the_date_header_follows_the_virtual_clock_across_second_boundaries() -> None:
    with FakeAssistants(clock=VirtualClock(epoch=1_763_860_000.75)) as fake:
        response = fake.client().beta.assistants.with_raw_response.create(model="gpt-4o")
        assert response.headers["date"] == "Sun, 23 Nov 2025 01:06:40 GMT"
        fake.advance(0.25)
        response = fake.client().beta.assistants.with_raw_response.create(model="gpt-4o")
        assert response.headers["date"] == "Sun, 23 Nov 2025 01:06:41 GMT"
