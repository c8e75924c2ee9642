"""How big a scenario may be: checked before any entry is (each entry costs time to check), so a
file too big to be a test's script is one clear error, not a minute of loading."""

from __future__ import annotations

from typing import Any

from ..errors import ScenarioError

#: The size a scenario may have: far beyond any test's (the shipped ones are under 2 KB, with a
#: handful of entries), well below what takes seconds to load (200,000 entries took 90 s).
MAX_SCENARIO_BYTES = 1024 * 1024
#: Entries of one list (``runs:``, ``responses:``, ``faults:``, ...).
MAX_ENTRIES = 1_000
#: Steps of one run or response.
MAX_STEPS = 1_000
_LISTS: tuple[str, ...] = ("runs", "responses", "faults", "assistants", "threads", "file_processing")
_LISTS += ("batches", "chat", "fine_tuning_jobs")


def check_bytes(text: str, source: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{source}: the scenario is {size:,} bytes, more than the {MAX_SCENARIO_BYTES:,} allowed; "
            "a scenario scripts a test, not a data set: split it, or script runs with timelines= in Python"
        )


def check_sizes(data: dict[str, Any], source: str) -> None:
    """Refuse lists too long to be a test's script before checking any entry (each costs time)."""
    for key in _LISTS:
        entries = data.get(key)
        if isinstance(entries, list) and len(entries) > MAX_ENTRIES:
            raise ScenarioError(
                f"{source}: {key}: {len(entries):,} entries, more than the {MAX_ENTRIES:,} allowed; "
                f"the last entry repeats for every later one, so a long list is rarely needed"
            )
    for key in ("runs", "responses", "batches", "fine_tuning_jobs"):
        entries = data.get(key)
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            steps = entry.get("steps") if isinstance(entry, dict) else None
            if isinstance(steps, list) and len(steps) > MAX_STEPS:
                raise ScenarioError(
                    f"{source}: {key}[{index}].steps: {len(steps):,} steps, "
                    f"more than the {MAX_STEPS:,} allowed"
                )
