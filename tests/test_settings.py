"""FakeSettings: one frozen value for everything a fake is told; keyword arguments still work."""

from __future__ import annotations

import dataclasses
import json

import pytest

from assistant_harness import ConfigurationError, FakeAssistants, FakeSettings, Fault, HangLimits, Timeline


def test_settings_and_keyword_arguments_make_the_same_fake() -> None:
    timeline = Timeline.of(("queued", 1), ("in_progress", 1), "completed")
    by_settings = FakeAssistants(settings=FakeSettings(seed=7, timeline=timeline, poll_after_ms=250))
    by_keywords = FakeAssistants(seed=7, timeline=timeline, poll_after_ms=250)
    assert by_settings.settings == by_keywords.settings
    assert by_keywords.backend.poll_after_ms == 250
    for fake in (by_settings, by_keywords):
        with fake:
            client = fake.client()
            run = client.beta.threads.create_and_run_poll(
                assistant_id=client.beta.assistants.create(model="m").id
            )
            assert run.status == "completed" and fake.clock.elapsed() == 2
    assert by_settings.store.runs.keys() == by_keywords.store.runs.keys()  # same seed, same ids


def test_keyword_arguments_go_on_top_of_settings() -> None:
    shared = FakeSettings(seed=1, hang_limits=HangLimits(polls=5))
    fake = FakeAssistants(settings=shared, hang_limits=None)
    assert fake.settings == dataclasses.replace(shared, hang_limits=None)
    assert shared.hang_limits == HangLimits(polls=5)  # frozen: the shared value is untouched


def test_settings_are_frozen_and_hold_tuples() -> None:
    settings = FakeSettings(faults=[Fault(endpoint="threads.create", status=500)], also_serve=["http://x/v1"])
    assert isinstance(settings.faults, tuple) and settings.also_serve == ("http://x/v1",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sead": 3}, "unknown setting 'sead'; did you mean 'seed'?"),
        ({"hang_limit": None}, "did you mean 'hang_limits'?"),
        ({"timeline": "oops"}, "timeline='oops': expected a Timeline"),
        ({"faults": "threads.create"}, "faults='threads.create': expected a list of Fault"),
        ({"timeline": Timeline.of("completed"), "timelines": lambda r: Timeline.of("completed")}, "not both"),
        ({"webhook": print}, "did you mean 'webhooks'?"),
        ({"webhooks": 8080}, "webhooks=8080: give a callable"),
        ({"webhook_secret": 12345}, "webhook_secret: expected a string"),
        # Checked when given, not later inside the code under test (a binascii.Error from time.sleep).
        ({"webhook_secret": "whsec_AAAAA"}, "webhook_secret: the part after whsec_ is not valid base64"),
        ({"webhook_secret": ""}, "webhook_secret: empty"),
        ({"webhook_secret": "whsec_"}, "webhook_secret: empty"),
        ({"response_retention": -5}, "response_retention=-5: give a number of virtual seconds above 0"),
        ({"response_retention": "x"}, "response_retention='x': give a number"),
        ({"response_retention": float("nan")}, "response_retention=nan: give a number"),
        ({"response_retention": True}, "response_retention=True: give a number"),
        ({"webhook_timeout": 0}, "webhook_timeout=0: give a number of seconds above 0"),
        ({"webhook_timeout": float("inf")}, "webhook_timeout=inf: give a number of seconds above 0"),
    ],
)
def test_bad_settings_are_refused_with_a_hint(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("?", r"\?").replace("(", r"\(")):
        FakeAssistants(**options)  # type: ignore[arg-type]


def test_webhook_settings_reach_the_fake() -> None:
    """``webhooks`` and ``webhook_secret`` given as settings: the endpoint gets a background
    response's event, signed with that secret (the SDK's ``unwrap`` checks it)."""
    secret = "whsec_" + "c2VjcmV0LWZvci10aGUtc2V0dGluZ3MtdGVzdC0xMjM0"
    bodies: list[tuple[bytes, dict[str, str]]] = []
    settings = FakeSettings(webhooks=lambda d: bodies.append((d.body, d.headers)), webhook_secret=secret)
    with FakeAssistants(settings=settings) as fake:
        client = fake.client(webhook_secret=secret)
        response = client.responses.create(model="gpt-4o", input="hi", background=True)
        fake.advance(10)
        # Verified inside the fake: the SDK compares the signed timestamp with (virtual) time.time().
        events = [client.webhooks.unwrap(body, headers) for body, headers in bodies]
    assert [e.type for e in events] == ["response.completed"]
    assert [json.loads(body)["data"]["id"] for body, _ in bodies] == [response.id]


def test_a_bad_webhook_secret_is_never_shown() -> None:
    # Nearly right secrets are still secrets: the message says what is wrong, never the value.
    for secret in ("whsec_AAAAAsecretpart", "whsec_" + "c2VjcmV0" + "!" * 3 + "x"):
        with pytest.raises(ConfigurationError) as refused:
            FakeSettings(webhook_secret=secret)
        assert secret[6:] not in str(refused.value)


def test_the_webhook_secret_is_in_no_repr() -> None:
    secret = "whsec_" + "c2VjcmV0LWZvci10aGUtcmVwci10ZXN0LTEyMzQ1Njc4"
    settings = FakeSettings(webhook_secret=secret)
    assert secret[6:] not in repr(settings) and secret[6:] not in str(settings)
    assert dataclasses.replace(settings, seed=2).webhook_secret == secret  # still there to use
