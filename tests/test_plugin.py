"""The pytest plugin, tested by running real pytest sessions on generated test files (pytester)."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

USER_MODULE = """
import time
import openai

client = openai.OpenAI(api_key="sk-test")  # made at import, as the tutorials do

def wait_for_reply(question):
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run(assistant_id=assistant.id, thread={"messages": [
        {"role": "user", "content": question}]})
    while run.status in ("queued", "in_progress"):
        time.sleep(2)
        run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    return run.status, client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(my_assistant=USER_MODULE)
    # Warnings are errors, as in a strict project: only the SDK's Assistants deprecations are let through.
    pytester.makeini(
        "[pytest]\naddopts = -p no:cacheprovider\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n"
    )
    return pytester


def test_one_marker_runs_existing_code_against_the_fake(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
import pytest
from my_assistant import wait_for_reply

@pytest.mark.assistant_scenario("happy_path")
def test_reply():
    assert wait_for_reply("hi") == ("completed", "Hello! How can I help you today?")
"""
    )
    project.runpytest().assert_outcomes(passed=1)


def test_fixtures_and_their_docstrings(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
import pytest

def test_sync(openai_client, fake_assistants):
    run = openai_client.beta.threads.create_and_run_poll(
        assistant_id=openai_client.beta.assistants.create(model="m").id)
    assert run.status == "completed" and fake_assistants.clock.elapsed() >= 3

async def test_async(async_openai_client):
    assistant = await async_openai_client.beta.assistants.create(model="m")
    assert assistant.id.startswith("asst_")
"""
    )
    project.runpytest("-o", "asyncio_mode=auto").assert_outcomes(passed=2)
    listing = project.runpytest("--fixtures").stdout.str()
    assert "fake_assistants -- " in listing and "A started FakeAssistants" in listing
    assert "openai.OpenAI client answered by the fake (Assistants, Responses, Conversations" in listing
    assert "webhook_receiver -- " in listing and "fake_openai -- " in listing
    assert "assistant_harness_config -- " in listing


def test_scenario_files_from_the_scenario_dir(project: pytest.Pytester) -> None:
    project.mkdir("my_scenarios").joinpath("slow.yaml").write_text(
        "runs:\n  - steps: [{status: queued, duration: 10}, {status: in_progress, duration: 50},"
        " {status: completed, reply: slow}]\n",
        encoding="utf-8",
    )
    project.makepyfile(
        test_it="""
import pytest
from my_assistant import wait_for_reply

@pytest.mark.assistant_scenario("slow.yaml")
def test_slow(fake_assistants):
    assert wait_for_reply("x") == ("completed", "slow")
    assert fake_assistants.clock.elapsed() == 60
"""
    )
    project.runpytest("--scenario-dir", "my_scenarios").assert_outcomes(passed=1)


def test_cassettes_record_once_then_replay_per_test_file(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_rec="""
import pytest
from my_assistant import wait_for_reply

@pytest.mark.assistant_scenario("tool_call")
@pytest.mark.assistant_cassette
def test_recorded():
    assert wait_for_reply("x")[0] == "requires_action"
"""
    )
    project.runpytest("--record-mode", "once").assert_outcomes(passed=1)
    path = project.path / "cassettes" / "test_rec" / "test_recorded.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    assert recorded["interactions"][0]["request"]["url"] == "https://api.openai.com/v1/assistants"
    # Replay without the fake: the cassette alone answers.
    project.makepyfile(
        test_rec="""
import pytest
from my_assistant import wait_for_reply

@pytest.mark.assistant_cassette
def test_recorded():
    assert wait_for_reply("x")[0] == "requires_action"
"""
    )
    project.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("given", "options", "written"),
    [
        ("cassettes/flow.json", (), "cassettes/flow.json"),  # names the folder: not cassettes/cassettes/
        ("flow.json", (), "cassettes/flow.json"),
        ("recordings/flow.json", ("--cassette-dir", "recordings"), "recordings/flow.json"),
        ("more/flow.json", (), "cassettes/more/flow.json"),
    ],
)
def test_a_marker_path_that_names_the_cassette_folder_is_not_doubled(
    project: pytest.Pytester, given: str, options: tuple[str, ...], written: str
) -> None:
    project.makepyfile(
        test_rec=f"""
import pytest
from my_assistant import wait_for_reply

@pytest.mark.assistant_scenario("happy_path")
@pytest.mark.assistant_cassette({given!r})
def test_recorded():
    wait_for_reply("x")
"""
    )
    project.runpytest("--record-mode", "once", *options).assert_outcomes(passed=1)
    assert [p.relative_to(project.path).as_posix() for p in project.path.rglob("*.json")] == [written]


def test_precedence_config_then_marker_then_command_line(project: pytest.Pytester) -> None:
    project.makeconftest("""
import pytest

@pytest.fixture
def assistant_harness_config():
    return {"record_mode": "new_episodes", "seed": 3, "hang_limits": None}
""")
    project.makepyfile(
        test_it="""
import pytest
from assistant_harness import HangLimits
from assistant_harness.apis.common.ids import IdGenerator

@pytest.mark.assistant_cassette(record_mode="all")
@pytest.mark.assistant_scenario(seed=9, hang_limits=HangLimits(polls=3))
def test_the_marker_overrides_the_project_default(assistant_cassette, fake_assistants, request):
    expected = request.config.getoption("--record-mode") or "all"
    assert assistant_cassette.record_mode.value == expected
    assert fake_assistants.backend.ids.new("run") == IdGenerator(9).new("run")
    assert fake_assistants.settings.hang_limits == HangLimits(polls=3)

@pytest.mark.assistant_cassette
def test_the_project_default_applies_without_a_marker_value(assistant_cassette, fake_assistants, request):
    expected = request.config.getoption("--record-mode") or "new_episodes"
    assert assistant_cassette.record_mode.value == expected
    assert fake_assistants.backend.ids.new("run") == IdGenerator(3).new("run")
    assert fake_assistants.settings.hang_limits is None
"""
    )
    project.runpytest().assert_outcomes(passed=2)
    project.runpytest("--record-mode", "all").assert_outcomes(passed=2)


def test_unknown_settings_are_refused_with_a_suggestion(project: pytest.Pytester) -> None:
    project.makeconftest("""
import pytest

@pytest.fixture
def assistant_harness_config(request):
    return {"sede": 1} if "config" in request.node.name else {}
""")
    project.makepyfile(
        test_it="""
import pytest

@pytest.mark.assistant_scenario(sead=3)
def test_marker():
    pass

@pytest.mark.assistant_cassette(record_mod="all")
def test_cassette_marker():
    pass

def test_config(fake_assistants):
    pass
"""
    )
    result = project.runpytest()
    result.assert_outcomes(errors=3)
    # One pattern at a time: the three tests may run in any order (pytest-randomly shuffles them).
    for line in (
        "*@pytest.mark.assistant_scenario: unknown setting 'sead'; did you mean 'seed'?*",
        "*@pytest.mark.assistant_cassette: unknown setting 'record_mod'; did you mean 'record_mode'?*",
        "*assistant_harness_config: unknown setting 'sede'; did you mean 'seed'?*",
    ):
        result.stdout.fnmatch_lines([line])


SLOW = (
    "runs:\n  - steps: [{status: queued, duration: 10}, {status: in_progress, duration: 1},"
    " {status: completed}]\n"
)


@pytest.mark.parametrize("where", ["scenario_dir", "test_folder", "rootdir_scenarios"])
def test_scenario_names_with_or_without_suffix(project: pytest.Pytester, where: str) -> None:
    folder = {"scenario_dir": "my_scenarios", "test_folder": "tests", "rootdir_scenarios": "scenarios"}[where]
    project.mkdir(folder).joinpath("seed004_tool.yaml").write_text(SLOW, encoding="utf-8")
    test_dir = project.path / "tests"
    test_dir.mkdir(exist_ok=True)
    (test_dir / "test_it.py").write_text(
        """
import pytest

@pytest.mark.assistant_scenario("seed004_tool")
def test_bare(fake_assistants):
    assert fake_assistants.scenario.runs[0].timeline.steps[0].duration == 10

@pytest.mark.assistant_scenario("seed004_tool.yaml")
def test_suffixed(fake_assistants):
    assert fake_assistants.scenario.runs[0].timeline.steps[0].duration == 10

@pytest.mark.assistant_scenario("tool_call")
def test_shipped(fake_assistants):
    assert fake_assistants.scenario.name == "tool_call"
""",
        encoding="utf-8",
    )
    args = ["--scenario-dir", "my_scenarios"] if where == "scenario_dir" else []
    project.runpytest(*args).assert_outcomes(passed=3)


def test_a_missing_scenario_says_where_it_looked(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
import pytest

@pytest.mark.assistant_scenario("tool_cal")
def test_missing(fake_assistants):
    pass
"""
    )
    result = project.runpytest("--scenario-dir", "nowhere")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*no scenario 'tool_cal': looked for tool_cal.yaml or tool_cal.yml in nowhere, *, *scenarios and "
            "the shipped library (did you mean tool_call*"
        ]
    )


def test_a_module_level_client_needs_no_key(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    project.makepyfile(
        test_it="""
import os
import openai
import pytest

client = openai.OpenAI()  # at import, with no key in the environment

@pytest.mark.assistant_scenario("happy_path")
def test_it():
    assert os.environ["OPENAI_API_KEY"] == "sk-test"
    assistant = client.beta.assistants.create(model="m")
    assert client.beta.threads.create_and_run_poll(assistant_id=assistant.id).status == "completed"
"""
    )
    project.runpytest().assert_outcomes(passed=1)
    assert "OPENAI_API_KEY" not in os.environ  # given back as it was


def test_a_key_that_is_set_is_never_touched(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-" + "proj-" + "r" * 40
    monkeypatch.setenv("OPENAI_API_KEY", key)
    project.makepyfile(
        test_it=f"import os\n\ndef test_it():\n    assert os.environ['OPENAI_API_KEY'] == {key!r}\n"
    )
    project.runpytest().assert_outcomes(passed=1)
    assert os.environ["OPENAI_API_KEY"] == key


FORGOT_THE_FAKE = """
import asyncio
import openai

def test_sync():
    openai.OpenAI().models.list()

def test_async():
    async def main():
        await openai.AsyncOpenAI().models.list()

    asyncio.run(main())
"""


def test_a_test_that_forgot_the_fake_is_told_which_marker_to_use(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    project.makepyfile(test_it=FORGOT_THE_FAKE)
    result = project.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*NetworkBlocked: a request to api.openai.com outside any fake or cassette*assistant_scenario*"] * 2
    )
    assert "Connection error." not in result.stdout.str()  # neither retried nor wrapped by the SDK


def test_with_a_real_key_the_plugin_leaves_the_network_alone(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant_harness.cassettes import network

    monkeypatch.setenv("OPENAI_API_KEY", "sk-" + "proj-" + "r" * 40)
    project.makepyfile(
        test_it=f"""
from assistant_harness.cassettes import network

def test_no_guard_of_its_own():
    assert len(network._guards) == {len(network._guards)}  # this session's only
"""
    )
    project.runpytest().assert_outcomes(passed=1)


def test_recording_without_a_real_key_says_it_needs_one(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    project.makepyfile(
        test_it="""
import pytest
from my_assistant import wait_for_reply

@pytest.mark.assistant_cassette
def test_records():
    wait_for_reply("x")
"""
    )
    result = project.runpytest("--record-mode", "once")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*NetworkBlocked: recording api.openai.com needs a real OPENAI_API_KEY*assistant_scenario*"]
    )
    assert not list(project.path.rglob("*.json"))  # nothing written


def test_mistakes_in_the_users_files_fail_in_one_line(project: pytest.Pytester) -> None:
    project.makefile(".yaml", bad="runs:\n  - stepz: []\n")
    project.makepyfile(
        test_it="""
import pytest
from assistant_harness import FakeOpenAI

@pytest.mark.assistant_scenario("bad.yaml")
def test_marker():
    pass

def test_in_the_body():
    with FakeOpenAI("bad.yaml"):
        pass

@pytest.mark.assistant_scenario(sead=3)
def test_setting():
    pass
"""
    )
    result = project.runpytest("-p", "no:randomly", "--scenario-dir=.")
    result.assert_outcomes(passed=0, failed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_marker*",
            "ScenarioError: *bad.yaml: runs[[]0[]].stepz: unknown key (did you mean 'steps'?)*",
            "*ERROR at setup of test_setting*",
            "ConfigurationError: @pytest.mark.assistant_scenario: unknown setting 'sead'; did you mean*",
            "*test_in_the_body*",
            "test_it.py:9: ScenarioError: bad.yaml: runs[[]0[]].stepz: unknown key*",
        ]
    )
    assert "assistant_harness" not in result.stdout.str().replace("assistant-harness", "")  # no frame of ours
    full = project.runpytest("-p", "no:randomly", "--scenario-dir=.", "--full-trace").stdout.str()
    assert "assistant_harness/scenario/" in full  # every frame, when asked


def test_a_bad_scenario_loaded_at_import_is_one_line_too(project: pytest.Pytester) -> None:
    project.makefile(".yaml", bad="runs:\n  - steps: [[queued, 1]]\n")
    project.makepyfile(
        test_it="from assistant_harness import Scenario\n\n"
        "SCENARIO = Scenario.from_yaml(open('bad.yaml').read(), 'bad.yaml')\n"
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["test_it.py:3: ScenarioError: bad.yaml: runs[[]0[]].steps[[]0[]]: a step is a mapping*"]
    )
    assert "assistant_harness/" not in result.stdout.str()


def test_a_cassette_that_an_inner_fake_would_leave_empty_is_refused(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
import pytest
from assistant_harness import FakeAssistants
from my_assistant import wait_for_reply

@pytest.mark.assistant_cassette
def test_records_nothing():
    with FakeAssistants("happy_path"):
        assert wait_for_reply("x")[0] == "completed"
"""
    )
    result = project.runpytest("--record-mode", "once")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*nothing recorded: a FakeAssistants started inside the test answered*"])
    assert not (project.path / "cassettes" / "test_it" / "test_records_nothing.json").exists()


@pytest.mark.slow  # two xdist workers' sessions: run by `pytest -m slow` and CI
def test_safe_under_xdist(project: pytest.Pytester) -> None:
    tests = "\n".join(
        f'''
@pytest.mark.assistant_scenario("{name}")
@pytest.mark.assistant_cassette(record_mode="once")
def test_{index}(fake_assistants):
    status, _ = wait_for_reply("q{index}")
    assert status == "{status}" and len(fake_assistants.store.runs) <= 1  # nothing leaks between tests
'''
        for index, (name, status) in enumerate(
            [("happy_path", "completed"), ("failed_server_error", "failed")] * 4
        )
    )
    project.makepyfile(test_par="import pytest\nfrom my_assistant import wait_for_reply\n" + tests)
    project.runpytest("-n", "2").assert_outcomes(passed=8)
    written = sorted(p.name for p in (project.path / "cassettes" / "test_par").iterdir())
    assert written == [f"test_{i}.json" for i in range(8)]
    project.runpytest("-n", "2").assert_outcomes(passed=8)  # and replayed, still in parallel


def test_the_deprecation_warnings_of_assistants_calls_are_filtered_but_no_others(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        test_it="""
import warnings
import pytest

def test_assistants_call(openai_client):
    openai_client.beta.assistants.create(model="m")

def test_other_deprecations_still_fail():
    warnings.warn("old thing", DeprecationWarning)
"""
    )
    project.runpytest().assert_outcomes(passed=1, failed=1)


def test_responses_conversations_and_webhook_fixtures(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
import time

import pytest
from assistant_harness import FakeOpenAI, WebhookFault

SECRET = "whsec_" + "cGx1Z2luLXRlc3Qtc2VjcmV0LW9mLTMyLWJ5dGVzLTEy"


def test_names(fake_openai, fake_assistants, openai_client):
    assert fake_openai is fake_assistants and isinstance(fake_openai, FakeOpenAI)
    assert openai_client.webhook_secret == fake_openai.webhooks.secret


def test_receiver_in_a_conversation(openai_client, webhook_receiver, fake_openai):
    conversation = openai_client.conversations.create()
    response = openai_client.responses.create(
        model="gpt-4o", input="hi", conversation=conversation.id, background=True)
    time.sleep(10)
    assert [(e.type, e.data.id) for e in webhook_receiver.events] == [("response.completed", response.id)]
    assert len(list(openai_client.conversations.items.list(conversation.id))) == 2


@pytest.mark.assistant_scenario("background_failed", webhook_secret=SECRET)
def test_marker_options(openai_client, webhook_receiver, fake_openai):
    assert webhook_receiver.secret == SECRET == openai_client.webhook_secret
    fake_openai.webhooks.faults.append(WebhookFault(signature="stale", times=1))
    openai_client.responses.create(model="gpt-4o", input="hi", background=True)
    time.sleep(60)
    assert [e.type for e in webhook_receiver.events] == ["response.failed"]
    assert "too old" in webhook_receiver.rejected[0].reason


@pytest.mark.asyncio
async def test_async(async_openai_client, webhook_receiver):
    import asyncio

    response = await async_openai_client.responses.create(model="gpt-4o", input="hi", background=True)
    await asyncio.sleep(5)
    assert webhook_receiver.events[0].data.id == response.id
    assert async_openai_client.webhook_secret == webhook_receiver.secret
"""
    )
    project.runpytest().assert_outcomes(passed=4)
