"""``assistant-harness show``: each recorded run's and response's status timeline, tool calls, errors
and reply."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from ..apis.assistants.statuses import STYLE
from ..cassettes.observe import Observation, ObservedRun
from ..cassettes.observe_batches import ObservedBatch
from ..cassettes.observe_jobs import ObservedJob
from ..cassettes.observe_responses import ObservedResponse

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


def render(
    console: Console,
    path: Path,
    observation: Observation,
    responses: Sequence[ObservedResponse] = (),
    batches: Sequence[ObservedBatch] = (),
    jobs: Sequence[ObservedJob] = (),
) -> None:
    console.print(Text(str(path), style="bold"))
    if not observation.runs and not responses and not batches and not jobs:
        console.print("  no runs, responses, batches or fine-tuning jobs recorded")
    for run in observation.runs:
        _run(console, run)
    for response in responses:
        _response(console, response)
    for batch in batches:
        _batch(console, batch)
    for job in jobs:
        _job(console, job)
    for error in observation.errors:
        console.print(
            f"  HTTP {error.status} on {error.method} {error.path} (request #{error.index}"
            f"{', ' + error.endpoint if error.endpoint else ''}): {error.message}",
            style="red",
            highlight=False,
        )


def _run(console: Console, run: ObservedRun) -> None:
    how = "streamed" if run.streamed else f"polled {run.polls} time{'s' if run.polls != 1 else ''}"
    console.print(
        Text.assemble(
            ("Run ", "bold"),
            (run.id, "bold cyan"),
            f"  thread {run.thread_id}  assistant {run.assistant_id}  model {run.model}  ({how})",
        )
    )
    padded: list[list[dict[str, Any]]] = [*run.tool_outputs, *([[]] * len(run.tool_calls))]
    rounds = iter(zip(run.tool_calls, padded[: len(run.tool_calls)], strict=True))
    for at, status in run.transitions:
        detail = ""
        if status == "requires_action":
            calls, outputs = next(rounds, ([], []))
            detail = "; ".join(f"{c['name']}({c['arguments']})" for c in calls)
            if outputs:
                detail += "  -> outputs " + json.dumps([o.get("output") for o in outputs], ensure_ascii=False)
        elif status == "failed" and run.last_error:
            detail = f"{run.last_error.get('code')}: {run.last_error.get('message')}"
        elif status == "incomplete" and run.incomplete_reason:
            detail = run.incomplete_reason
        console.print(
            Text.assemble(
                (f"  {'+' + format(at, 'g') + 's':>7}  ", "dim"),
                (f"{status:<16}", STYLE.get(status, "")),
                detail,
            )
        )
    if run.reply is not None:
        console.print(Text.assemble("  reply: ", (run.reply, "italic")))


def _response(console: Console, response: ObservedResponse) -> None:
    how = [f"polled {response.polls} time{'s' if response.polls != 1 else ''}"] if response.polls else []
    for starting_after in response.streams:
        how.append("streamed" if starting_after is None else f"stream resumed after #{starting_after}")
    how += [f"stream dropped after {count} events" for count in response.dropped]
    header: list[str | tuple[str, str]] = [("Response ", "bold"), (response.id, "bold cyan")]
    header.append(f"  model {response.model}")
    if response.background:
        header.append("  background")
    if response.previous_response_id:
        header.append(f"  after {response.previous_response_id}")
    console.print(Text.assemble(*header, f"  ({', '.join(how) or 'created'})"))
    if response.answered:
        sent = [item.get("output") for item in response.answered]
        console.print(Text.assemble("  sent tool outputs ", json.dumps(sent, ensure_ascii=False)))
    for at, status in response.transitions:
        detail = ""
        if status == "completed" and response.tool_calls:
            detail = "; ".join(f"{c['name']}({c['arguments']})" for c in response.tool_calls)
            outputs = [
                response.tool_outputs[c["call_id"]]
                for c in response.tool_calls
                if c["call_id"] in response.tool_outputs
            ]
            if outputs:
                detail += "  -> outputs " + json.dumps(outputs, ensure_ascii=False)
        elif status == "failed" and response.error:
            detail = f"{response.error.get('code')}: {response.error.get('message')}"
        elif status == "incomplete" and response.incomplete_reason:
            detail = response.incomplete_reason
        console.print(
            Text.assemble(
                (f"  {'+' + format(at, 'g') + 's':>7}  ", "dim"),
                (f"{status:<16}", STYLE.get(status, "")),
                detail,
            )
        )
    if response.output_types:
        console.print(f"  output: {', '.join(response.output_types)}", highlight=False)
    if response.reply is not None:
        console.print(Text.assemble("  reply: ", (response.reply, "italic")))


def _batch(console: Console, batch: ObservedBatch) -> None:
    how = f"polled {batch.polls} time{'s' if batch.polls != 1 else ''}"
    console.print(
        Text.assemble(
            ("Batch ", "bold"), (batch.id, "bold cyan"), f"  {batch.endpoint}  model {batch.model}  ({how})"
        )
    )
    for at, status in batch.transitions:
        detail = ""
        if status == "failed" and batch.errors:
            detail = "; ".join(
                f"line {e.get('line')}: {e.get('code')}: {e.get('message')}" for e in batch.errors
            )
        console.print(
            Text.assemble(
                (f"  {'+' + format(at, 'g') + 's':>7}  ", "dim"),
                (f"{status:<16}", STYLE.get(status, "")),
                detail,
            )
        )
    if batch.counts:
        counts = batch.counts
        console.print(
            f"  requests: {counts.get('total', 0)} total, {counts.get('completed', 0)} completed, "
            f"{counts.get('failed', 0)} failed",
            highlight=False,
        )
    failed = {
        cid: outcome for cid, outcome in batch.requests.items() if outcome[0] is None or outcome[0] >= 400
    }
    for custom_id, (status_code, code) in failed.items():
        console.print(
            f"  {custom_id}: {status_code if status_code is not None else 'not run'} {code or ''}".rstrip(),
            style="red",
            highlight=False,
        )


def _job(console: Console, job: ObservedJob) -> None:
    how = f"polled {job.polls} time{'s' if job.polls != 1 else ''}"
    console.print(
        Text.assemble(("Fine-tuning job ", "bold"), (job.id, "bold cyan"), f"  model {job.model}  ({how})")
    )
    for at, status in job.transitions:
        detail = ""
        if status == "failed" and job.error:
            detail = f"{job.error.get('code')}: {job.error.get('message')}"
        elif status == "succeeded" and job.fine_tuned_model:
            detail = job.fine_tuned_model
        elif status == "running" and job.steps:
            detail = f"{job.steps} training steps seen"
        console.print(
            Text.assemble(
                (f"  {'+' + format(at, 'g') + 's':>7}  ", "dim"),
                (f"{status:<16}", STYLE.get(status, "")),
                detail,
            )
        )
