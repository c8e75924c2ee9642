# ruff: noqa: E501  (one malformed file per line reads best)
"""Writes the malformed-file corpus (cassettes/ and scenarios/) and expected.json: for each file, a
regular expression for the place its error must name. Run it after changing the list below:
``python tests/corpus/make_corpus.py``. Every file here is broken on purpose."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

GOOD_INTERACTION: dict[str, Any] = {
    "request": {
        "method": "POST",
        "url": "https://api.openai.com/v1/threads",
        "headers": {"content-type": "application/json"},
        "body": {"kind": "json", "value": {"metadata": {}}},
    },
    "response": {
        "status": 200,
        "headers": {"content-type": "application/json"},
        "body": {"kind": "json", "value": {"id": "thread_1", "object": "thread"}},
    },
}


def native(mutate: Any = None, count: int = 1) -> str:
    data: dict[str, Any] = {
        "format": "assistant-harness-cassette",
        "version": 1,
        "interactions": [copy.deepcopy(GOOD_INTERACTION) for _ in range(count)],
    }
    if mutate:
        mutate(data)
    return json.dumps(data, indent=2)


def setter(path: str, value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split("/")]
        target = data
        for key in keys[:-1]:
            target = target[key]
        if value is DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return mutate


DELETE = object()
I0 = "interactions/0"

CASSETTES: dict[str, tuple[str | bytes, str]] = {
    "empty.json": ("", r":1:1: "),
    "whitespace.json": ("   \n\n  ", r":1:1: "),
    "binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", r":1:1: not UTF-8"),
    "latin1_in_line_3.json": (b'{\n  "format": "x",\n  "name": "caf\xe9"\n}', r":3:15: not UTF-8"),
    "not_json.json": ("hello", r":1:1: not valid JSON"),
    "truncated.json": (
        '{"format": "assistant-harness-cassette", "version": 1, "interactions": [',
        r":1:\d+: ",
    ),
    "trailing_comma.json": ('{\n  "format": "assistant-harness-cassette",\n}', r":3:1: not valid JSON"),
    "top_level_list.json": ("[]", r": format: "),
    "no_format.json": (native(setter("format", DELETE)), r": format: "),
    "version_99.json": (native(setter("version", 99)), r": version: cassette version 99"),
    "version_text.json": (native(setter("version", "1")), r": version: "),
    "interactions_mapping.json": (native(setter("interactions", {})), r": interactions: must be a list"),
    "interaction_is_list.json": (native(setter(I0, [])), r": interactions\[0\]: must be a mapping"),
    "request_missing.json": (native(setter(f"{I0}/request", DELETE)), r": interactions\[0\]\.request: "),
    "response_text.json": (native(setter(f"{I0}/response", "ok")), r": interactions\[0\]\.response: "),
    "method_number.json": (
        native(setter(f"{I0}/request/method", 1)),
        r": interactions\[0\]\.request\.method: ",
    ),
    "method_empty.json": (
        native(setter(f"{I0}/request/method", "")),
        r": interactions\[0\]\.request\.method: ",
    ),
    "url_missing.json": (native(setter(f"{I0}/request/url", DELETE)), r": interactions\[0\]\.request\.url: "),
    "headers_list.json": (
        native(setter(f"{I0}/request/headers", [])),
        r": interactions\[0\]\.request\.headers: ",
    ),
    "header_number.json": (
        native(setter(f"{I0}/response/headers/x-count", 3)),
        r": interactions\[0\]\.response\.headers\.x-count: ",
    ),
    "status_text.json": (
        native(setter(f"{I0}/response/status", "200")),
        r": interactions\[0\]\.response\.status: ",
    ),
    "status_999.json": (
        native(setter(f"{I0}/response/status", 999)),
        r": interactions\[0\]\.response\.status: ",
    ),
    "status_true.json": (
        native(setter(f"{I0}/response/status", True)),
        r": interactions\[0\]\.response\.status: ",
    ),
    "status_missing.json": (
        native(setter(f"{I0}/response/status", DELETE)),
        r": interactions\[0\]\.response\.status: ",
    ),
    "body_kind_unknown.json": (
        native(setter(f"{I0}/response/body/kind", "xml")),
        r": interactions\[0\]\.response\.body\.kind: ",
    ),
    "body_not_mapping.json": (
        native(setter(f"{I0}/request/body", "x")),
        r": interactions\[0\]\.request\.body: ",
    ),
    "sse_not_list.json": (
        native(setter(f"{I0}/response/body", {"kind": "sse", "value": "data: x"})),
        r": interactions\[0\]\.response\.body\.value: ",
    ),
    "sse_event_text.json": (
        native(setter(f"{I0}/response/body", {"kind": "sse", "value": ["data: x"]})),
        r": interactions\[0\]\.response\.body\.value\[0\]: ",
    ),
    "base64_invalid.json": (
        native(setter(f"{I0}/response/body", {"kind": "base64", "value": "not base64!"})),
        r": interactions\[0\]\.response\.body\.value: ",
    ),
    "text_number.json": (
        native(setter(f"{I0}/response/body", {"kind": "text", "value": 5})),
        r": interactions\[0\]\.response\.body\.value: ",
    ),
    "offset_negative.json": (
        native(setter(f"{I0}/response/offset", -1)),
        r": interactions\[0\]\.response\.offset: ",
    ),
    "offset_text.json": (
        native(setter(f"{I0}/response/offset", "1s")),
        r": interactions\[0\]\.response\.offset: ",
    ),
    "second_interaction_bad.json": (
        native(setter("interactions/1/request/method", None), count=2),
        r": interactions\[1\]\.request\.method: ",
    ),
    "nan_status.json": (
        '{"format": "assistant-harness-cassette", "version": 1, "interactions": '
        '[{"request": {"method": "GET", "url": "https://x/"}, "response": {"status": NaN}}]}',
        r": interactions\[0\]\.response\.status: ",
    ),
    # vcrpy YAML
    "empty.yaml": ("", r":1:1: "),
    "comments_only.yaml": ("# nothing here\n", r":1:1: "),
    "binary.yaml": (b"\x00\x01\xff\xfe garbage", r":1:3: not UTF-8"),
    "syntax_unclosed.yaml": ("interactions: [\n  {request: 1\n", r":3:1: not valid YAML"),
    "syntax_tab.yaml": ("interactions:\n\t- request: {}\n", r":2:1: not valid YAML"),
    "python_tag.yaml": ("interactions: !!python/object/apply:os.system ['true']\n", r":1:15: not valid YAML"),
    "recursive_alias.yaml": ("interactions: &a\n  - *a\n", r":1:15: an alias refers to itself"),
    "deep_nesting.yaml": ("interactions: " + "[" * 150 + "]" * 150 + "\n", r":1:\d+: nested more than"),
    "scalar.yaml": ("just some text\n", r": interactions: not a vcrpy cassette"),
    "top_level_list.yaml": ("- 1\n- 2\n", r": interactions: not a vcrpy cassette"),
    "version_99.yaml": ("interactions: []\nversion: 99\n", r": version: vcrpy cassette version 99"),
    "version_text.yaml": ("interactions: []\nversion: one\n", r": version: "),
    "interactions_mapping.yaml": ("interactions: {a: 1}\nversion: 1\n", r": interactions: must be a list"),
    "interaction_text.yaml": (
        "interactions: [hello]\nversion: 1\n",
        r": interactions\[0\]: must be a mapping",
    ),
    "request_missing.yaml": (
        "interactions:\n- response: {status: {code: 200}}\nversion: 1\n",
        r": interactions\[0\]\.request: ",
    ),
    "method_missing.yaml": (
        "interactions:\n- request: {uri: 'https://x/'}\n  response: {}\nversion: 1\n",
        r": interactions\[0\]\.request\.method: ",
    ),
    "uri_number.yaml": (
        "interactions:\n- request: {method: GET, uri: 5}\n  response: {}\nversion: 1\n",
        r": interactions\[0\]\.request\.uri: ",
    ),
    "status_text.yaml": (
        "interactions:\n- request: {method: GET, uri: 'https://x/'}\n  response: {status: {code: ok}}\nversion: 1\n",
        r": interactions\[0\]\.response\.status\.code: ",
    ),
    "status_big.yaml": (
        "interactions:\n- request: {method: GET, uri: 'https://x/'}\n  response: {status: 20000}\nversion: 1\n",
        r": interactions\[0\]\.response\.status: ",
    ),
    "headers_list.yaml": (
        "interactions:\n- request: {method: GET, uri: 'https://x/', headers: [a]}\n  response: {}\nversion: 1\n",
        r": interactions\[0\]\.request\.headers: ",
    ),
    "header_mapping.yaml": (
        "interactions:\n- request: {method: GET, uri: 'https://x/'}\n"
        "  response: {headers: {Content-Type: [{a: 1}]}}\nversion: 1\n",
        r": interactions\[0\]\.response\.headers\.Content-Type: ",
    ),
    "body_number.yaml": (
        "interactions:\n- request: {method: GET, uri: 'https://x/'}\n  response: {body: {string: [1]}}\nversion: 1\n",
        r": interactions\[0\]\.response\.body\.string: ",
    ),
}


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


CASSETTES["alias_bomb.yaml"] = (alias_bomb(), r":7:4: expands to more than")

SCENARIO_HEAD = "description: broken on purpose\n"
QUEUED = "runs:\n  - steps:\n      - {status: queued, duration: 1}\n      - {status: in_progress, duration: 1}\n      - status: completed\n"


def run_step(step: str) -> str:
    return f"runs:\n  - steps:\n      - {step}\n"


def fault(body: str) -> str:
    return f"faults:\n  - {{endpoint: runs.retrieve, {body}}}\n"


SCENARIOS: dict[str, tuple[str | bytes, str]] = {
    "empty.yaml": ("", r":1:1: the file is empty"),
    "comments_only.yaml": ("# only a comment\n", r":1:1: the file is empty"),
    "binary.yaml": (b"\x7fELF\x02\x01\x01\x00\x00\xff\xfe", r":1:\d+: not UTF-8"),
    "latin1_line_2.yaml": (b"description: ok\nreply: caf\xe9\n", r":2:\d+: not UTF-8"),
    "top_list.yaml": ("- runs\n- faults\n", r":1:1: expected a mapping"),
    "top_scalar.yaml": ("hello\n", r":1:1: expected a mapping"),
    "syntax_unclosed.yaml": ("runs: [\n", r":2:1: not valid YAML"),
    "syntax_bad_indent.yaml": (
        "runs:\n  - steps:\n    - status: queued\n   duration: 1\n",
        r":4:\d+: not valid YAML",
    ),
    "syntax_tab.yaml": ("runs:\n\t- steps: []\n", r":2:1: not valid YAML"),
    "alias_bomb.yaml": (alias_bomb(), r":7:4: expands to more than"),
    "recursive_alias.yaml": ("runs: &r\n  - *r\n", r":1:7: an alias refers to itself"),
    "deep_nesting.yaml": ("runs: " + "[" * 150 + "]" * 150 + "\n", r":1:\d+: nested more than"),
    "python_tag.yaml": ("seed: !!python/name:os.system\n", r":1:7: not valid YAML"),
    "duration_inf.yaml": (
        run_step("{status: queued, duration: .inf}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "duration_nan.yaml": (
        run_step("{status: queued, duration: .nan}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "duration_10e400.yaml": (
        run_step("{status: queued, duration: 1" + "0" * 400 + "}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "duration_1e308.yaml": (
        run_step("{status: queued, duration: 1.0e+308}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "duration_negative.yaml": (
        run_step("{status: queued, duration: -3}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "duration_text.yaml": (
        run_step("{status: queued, duration: 5s}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "duration_bool.yaml": (
        run_step("{status: queued, duration: true}"),
        r": runs\[0\]\.steps\[0\]\.duration: ",
    ),
    "poll_after_negative.yaml": ("poll_after_ms: -1000\n" + QUEUED, r": poll_after_ms: "),
    "poll_after_text.yaml": ("poll_after_ms: fast\n" + QUEUED, r": poll_after_ms: "),
    "poll_after_float.yaml": ("poll_after_ms: 1.5\n" + QUEUED, r": poll_after_ms: "),
    "poll_after_huge.yaml": ("poll_after_ms: 1" + "0" * 40 + "\n" + QUEUED, r": poll_after_ms: "),
    "seed_text.yaml": ("seed: abc\n" + QUEUED, r": seed: "),
    "seed_float.yaml": ("seed: 1.5\n" + QUEUED, r": seed: "),
    "latency_negative.yaml": (fault("latency: -10"), r": faults\[0\]\.latency: "),
    "latency_1e308.yaml": (fault("latency: 1.0e+308"), r": faults\[0\]\.latency: "),
    "latency_nan.yaml": (fault("latency: .nan"), r": faults\[0\]\.latency: "),
    "retry_after_negative.yaml": (fault("status: 429, retry_after: -5"), r": faults\[0\]\.retry_after: "),
    "retry_after_ms_negative.yaml": (
        fault("status: 429, retry_after_ms: -1"),
        r": faults\[0\]\.retry_after_ms: ",
    ),
    "times_negative.yaml": (fault("status: 500, times: -1"), r": faults\[0\]\.times: "),
    "times_zero.yaml": (fault("status: 500, times: 0"), r": faults\[0\]\.times: "),
    "times_text.yaml": (fault("status: 500, times: twice"), r": faults\[0\]\.times: "),
    "status_text.yaml": (fault('status: "429"'), r": faults\[0\]\.status: "),
    "status_200.yaml": (fault("status: 200"), r": faults\[0\]\.status: "),
    "status_float.yaml": (fault("status: 429.5"), r": faults\[0\]\.status: "),
    "nth_zero.yaml": (fault("status: 500, nth: 0"), r": faults\[0\]\.nth: "),
    "probability_two.yaml": (fault("status: 500, probability: 2"), r": faults\[0\]\.probability: "),
    "probability_text.yaml": (fault("status: 500, probability: often"), r": faults\[0\]\.probability: "),
    "endpoint_unknown.yaml": (
        "faults:\n  - {endpoint: runs.retreive, status: 500}\n",
        r": faults\[0\]\.endpoint: ",
    ),
    "endpoint_number.yaml": ("faults:\n  - {endpoint: 5, status: 500}\n", r": faults\[0\]\.endpoint: "),
    "fault_unknown_key.yaml": (fault("status: 500, colour: red"), r": faults\[0\]\.colour: unknown key"),
    "fault_no_action.yaml": ("faults:\n  - {endpoint: runs.retrieve}\n", r": faults\[0\]: "),
    "fault_error_unknown.yaml": (fault("error: explode"), r": faults\[0\]\.error: "),
    "fault_should_retry_text.yaml": (
        fault("status: 500, should_retry: maybe"),
        r": faults\[0\]\.should_retry: ",
    ),
    "fault_message_number.yaml": (fault("status: 500, message: 5"), r": faults\[0\]\.message: "),
    "fault_after_events_negative.yaml": (
        fault("stream: drop, after_events: -1"),
        r": faults\[0\]\.after_events: ",
    ),
    "fault_not_mapping.yaml": ("faults:\n  - oops\n", r": faults\[0\]: "),
    "faults_mapping.yaml": ("faults: {status: 500}\n", r": faults: expected a list"),
    "reply_stray_brace.yaml": (
        "runs:\n  - steps:\n      - status: completed\n        reply: '{\"a\": 1'\n",
        r": runs\[0\]\.steps\[0\]\.reply: ",
    ),
    "reply_unknown_placeholder.yaml": (
        "runs:\n  - steps:\n      - {status: completed, reply: 'Hi {name}'}\n",
        r": runs\[0\]\.steps\[0\]\.reply: unknown placeholder",
    ),
    "reply_number.yaml": (run_step("{status: completed, reply: 42}"), r": runs\[0\]\.steps\[0\]\.reply: "),
    "status_unknown.yaml": (
        run_step("{status: finished}"),
        r": runs\[0\]\.steps\[0\]\.status: unknown status",
    ),
    "status_list.yaml": (run_step("{status: [queued]}"), r": runs\[0\]\.steps\[0\]\.status: "),
    "step_text.yaml": (run_step("queued"), r": runs\[0\]\.steps\[0\]: "),
    "step_unknown_key.yaml": (
        run_step("{status: queued, duration: 1, colour: red}"),
        r": runs\[0\]\.steps\[0\]\.colour: unknown key",
    ),
    "steps_mapping.yaml": ("runs:\n  - steps: {status: queued}\n", r": runs\[0\]\.steps: expected a list"),
    "runs_mapping.yaml": ("runs: {steps: []}\n", r": runs: expected a list"),
    "run_without_steps.yaml": ("runs:\n  - assistant: Tutor\n", r": runs\[0\]: a run needs steps"),
    "run_assistant_number.yaml": (
        "runs:\n  - assistant: 5\n    steps: [{status: completed}]\n",
        r": runs\[0\]\.assistant: ",
    ),
    "cancel_delay_negative.yaml": (
        "runs:\n  - cancel_delay: -1\n    steps: [{status: completed}]\n",
        r": runs\[0\]\.cancel_delay: ",
    ),
    "requires_action_no_calls.yaml": (run_step("{status: requires_action}"), r": runs\[0\]\.steps\[0\]: "),
    "tool_call_no_name.yaml": (
        run_step("{status: requires_action, tool_calls: [{arguments: {}}]}"),
        r": runs\[0\]\.steps\[0\]\.tool_calls\[0\]: ",
    ),
    "tool_call_arguments_number.yaml": (
        run_step("{status: requires_action, tool_calls: [{name: f, arguments: 5}]}"),
        r": runs\[0\]\.steps\[0\]\.tool_calls\[0\]\.arguments: ",
    ),
    "tool_call_id_number.yaml": (
        run_step("{status: requires_action, tool_calls: [{name: f, id: 5}]}"),
        r": runs\[0\]\.steps\[0\]\.tool_calls\[0\]\.id: ",
    ),
    "error_code_unknown.yaml": (
        run_step("{status: failed, error: {code: oops}}"),
        r": runs\[0\]\.steps\[0\]\.error\.code: ",
    ),
    "error_message_number.yaml": (
        run_step("{status: failed, error: {code: server_error, message: 5}}"),
        r": runs\[0\]\.steps\[0\]\.error\.message: ",
    ),
    "reason_unknown.yaml": (
        run_step("{status: incomplete, reason: tired}"),
        r": runs\[0\]\.steps\[0\]\.reason: ",
    ),
    "unknown_top_key.yaml": ("colour: red\n" + QUEUED, r": colour: unknown key"),
    "outcome_bogus.yaml": ("outcome: finished\n" + QUEUED, r": outcome: "),
    "outcome_list.yaml": ("outcome: [completed]\n" + QUEUED, r": outcome: "),
    "assistant_not_mapping.yaml": ("assistants:\n  - Tutor\n", r": assistants\[0\]: "),
    "assistant_model_number.yaml": ("assistants:\n  - {model: 5}\n", r": assistants\[0\]: "),
    "threads_mapping.yaml": ("threads: {a: 1}\n", r": threads: expected a list"),
}


def write(folder: str, files: dict[str, tuple[str | bytes, str]]) -> dict[str, str]:
    target = HERE / folder
    target.mkdir(exist_ok=True)
    expected = {}
    for name, (content, place) in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (target / name).write_bytes(data)
        expected[f"{folder}/{name}"] = place
    return expected


if __name__ == "__main__":
    expected = {**write("cassettes", CASSETTES), **write("scenarios", SCENARIOS)}
    (HERE / "expected.json").write_text(
        json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(expected)} malformed files")
