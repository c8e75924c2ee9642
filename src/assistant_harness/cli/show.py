"""``assistant-harness show``: each recorded run's status timeline, tool calls, errors and reply."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from ..apis.assistants.statuses import STYLE
from ..cassettes.observe import Observation, ObservedRun

if TYPE_CHECKING:
    from pathlib import Path


def render(console: Console, path: Path, observation: Observation) -> None:
    console.print(Text(str(path), style="bold"))
    if not observation.runs:
        console.print("  no runs recorded")
    for run in observation.runs:
        _run(console, run)
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
