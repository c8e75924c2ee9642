"""The benchmark suite in one command: P1-P9, a table with targets, and JSON written atomically.

    python benchmarks/run.py                      # full run (a few minutes on 2 cores)
    python benchmarks/run.py --quick              # smoke run: about a minute
    python benchmarks/run.py --only P3,P5         # some rows only
    python benchmarks/run.py --profile P3         # also: cProfile of P3's workload, where the time goes
    python benchmarks/run.py --json out.json      # default: benchmarks/results/latest.json

Rows (see each module's docstring): P1 the 15-request flow through the fake and every other way of
answering it (p1_flow.py, flow.py, contenders.py); P2 the tutorial poller's five-minute deadline
(p2_poller.py); P3 Hypothesis examples/s (p3_hypothesis.py); P4 10 vs 10,000-interaction cassettes
(p4_cassette_size.py); P5 start-up of a fake and of a cassette (p5_startup.py); P6 growth after 1,000
flows (p6_growth.py); P7 pytest-xdist speed-up (p7_xdist.py); P8 the Responses background flow
(p8_background.py); P9 a 1,000-request batch and a 24-hour expiry (p9_batch.py). Every row
reports median, min and max over its repetitions, which are interleaved between the things it
compares; ratios are taken within the same run. The suite runs under whichever venv starts it
(openai 2.x or 3.x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import p1_flow
import p2_poller
import p3_hypothesis
import p4_cassette_size
import p5_startup
import p6_growth
import p7_xdist
import p8_background
import p9_batch
import profiling
from common import (
    Row,
    environment,
    format_environment,
    format_rows,
    load_average,
    quiet_deprecations,
    write_json_atomically,
)

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
ROWS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9")


@dataclass(frozen=True)
class Settings:
    """How much of everything to run: ``FULL`` or ``QUICK``."""

    p1: p1_flow.P1Settings
    p2_repeats: int
    p3_examples: int
    p3_repeats: int
    p4_repeats: int
    p4_requests: int
    p4_vcr_repeats: int
    p5_calls: int
    p5_repeats: int
    p6_aging: int
    p6_flows: int
    p6_repeats: int
    p7_files: int
    p7_per_file: int
    p7_repeats: int
    p7_startup: bool
    p8_flows: int = 10
    p8_repeats: int = 25
    p9_repeats: int = 7


FULL = Settings(
    # Many short interleaved repetitions: a burst of noise on this shared machine then hits one
    # repetition's ratio, not a whole contender's batch.
    p1=p1_flow.P1Settings(flows=10, repeats=25, warmup=5),
    p2_repeats=10,
    p3_examples=100,
    p3_repeats=5,
    p4_repeats=5,
    p4_requests=300,
    p4_vcr_repeats=5,
    p5_calls=200,
    p5_repeats=5,
    p6_aging=1000,
    p6_flows=10,
    p6_repeats=15,
    p7_files=8,
    p7_per_file=50,
    p7_repeats=5,
    p7_startup=True,
)

QUICK = Settings(
    p1=p1_flow.P1Settings(flows=5, repeats=10, warmup=2, unheld_repeats=4),
    p2_repeats=5,
    p3_examples=30,
    p3_repeats=5,
    p4_repeats=5,
    p4_requests=100,
    p4_vcr_repeats=0,
    p5_calls=30,
    p5_repeats=5,
    p6_aging=300,
    p6_flows=5,
    p6_repeats=10,
    p7_files=8,
    p7_per_file=50,
    p7_repeats=1,
    p7_startup=False,
    p8_flows=5,
    p8_repeats=10,
    p9_repeats=3,
)


@dataclass
class Results:
    p1: p1_flow.P1Result | None
    rows: list[Row]
    seconds: dict[str, float]


# -- measuring ------------------------------------------------------------------------------------


def measure_rows(row: str, settings: Settings, directory: Path) -> list[Row]:
    s = settings
    if row == "P2":
        return p2_poller.run(s.p2_repeats)
    if row == "P3":
        return p3_hypothesis.run(s.p3_examples, s.p3_repeats)
    if row == "P4":
        return p4_cassette_size.run(directory, s.p4_repeats, s.p4_requests, s.p4_vcr_repeats)
    if row == "P5":
        return p5_startup.run(directory, s.p5_calls, s.p5_repeats)
    if row == "P6":
        return p6_growth.run(s.p6_aging, s.p6_flows, s.p6_repeats)
    if row == "P7":
        return p7_xdist.run(directory, s.p7_files, s.p7_per_file, s.p7_repeats, s.p7_startup)
    if row == "P8":
        return p8_background.run(s.p8_flows, s.p8_repeats)
    if row == "P9":
        return p9_batch.run(repeats=s.p9_repeats)
    raise ValueError(f"unknown row {row}")


def measure(selected: list[str], settings: Settings, directory: Path) -> Results:
    results = Results(None, [], {})
    for row in selected:
        print(f"running {row}...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        (directory / row).mkdir()
        if row == "P1":
            results.p1 = p1_flow.run(settings.p1, directory / row)
            results.rows += p1_flow.target_rows(results.p1)
        else:
            results.rows += measure_rows(row, settings, directory / row)
        results.seconds[row] = round(time.perf_counter() - started, 2)
    return results


# -- profiling ------------------------------------------------------------------------------------


def workload_for(row: str, settings: Settings, directory: Path) -> Callable[[], object] | None:
    """What ``--profile ROW`` runs under cProfile: one repetition's worth of the row's timed work."""
    s = settings
    if row == "P2":
        seed = p2_poller.load_seed()
        return lambda: p2_poller.one_deadline(seed)
    if row == "P3":
        return p3_hypothesis.profile_target(s.p3_examples)
    if row == "P4":
        big = p4_cassette_size.build(p4_cassette_size.BIG, directory)
        return lambda: p4_cassette_size.replay_session(big, p4_cassette_size.BIG, s.p4_requests)
    if row == "P5":
        return p5_startup.profile_workload(directory, s.p5_calls)
    if row == "P6":
        return lambda: p6_growth.run(s.p6_aging, s.p6_flows, 1)
    return None


def profile_row(row: str, settings: Settings, directory: Path) -> str:
    """A cProfile report of ``row``'s workload, after one unprofiled run of it (imports, first scans)."""
    directory.mkdir(parents=True, exist_ok=True)
    if row == "P7":
        return p7_profile(settings, directory)
    workload = workload_for(row, settings, directory)
    if workload is None:
        return f"== profile: {row} has no profile workload\n"
    workload()
    return profiling.report(profiling.profile_call(workload), f"{row} workload")


def p7_profile(settings: Settings, directory: Path) -> str:
    suite = p7_xdist.generate(directory / "suite", settings.p7_files, settings.p7_per_file)
    reports = []
    for workers in (None, 2):
        command = p7_xdist.pytest_command(suite, workers)
        label = "serial" if workers is None else f"-n {workers}"
        stats = profiling.profile_pytest(command, directory, directory / f"prof_{label.replace(' ', '')}")
        reports += [profiling.report(s, f"P7 {label}, process {name}") for name, s in stats.items()]
    return "\n".join(reports)


# -- output ---------------------------------------------------------------------------------------


def payload(results: Results, env: dict[str, Any], mode: str, settings: Settings) -> dict[str, Any]:
    return {
        "environment": env,
        "mode": mode,
        "settings": asdict(settings),
        "seconds_per_row": results.seconds,
        "p1": results.p1.to_json() if results.p1 else None,
        "rows": [row.to_json() for row in results.rows],
    }


def verdict(rows: list[Row]) -> str:
    checked = [r for r in rows if r.status in ("PASS", "FAIL")]
    failed = [r for r in checked if r.status == "FAIL"]
    lines = [f"{len(checked) - len(failed)} of {len(checked)} targets hold."]
    for row in failed:
        assert row.stats is not None and row.target is not None
        off = row.target.margin(row.stats.median)
        by = f"{(off - 1) * 100:.0f}% off" if off < 1.5 else f"{off:.2f}x off"
        lines.append(
            f"  FAIL {row.id} {row.name.strip()}: {row.stats.median:.3g} {row.unit}, "
            f"target {row.target} ({by})" + (f"; {row.note}" if row.note else "")
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke settings: the whole run in about a minute"
    )
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where to write results (default {DEFAULT_JSON})"
    )
    parser.add_argument("--only", default=",".join(ROWS), help="comma-separated rows to run, e.g. P1,P4")
    parser.add_argument(
        "--profile", default="", help="comma-separated rows to profile with cProfile afterwards"
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any target fails")
    args = parser.parse_args(argv)
    for option in ("only", "profile"):
        names = [n.strip().upper() for n in getattr(args, option).split(",") if n.strip()]
        unknown = [n for n in names if n not in ROWS]
        if unknown:
            parser.error(f"--{option}: unknown row(s) {', '.join(unknown)}; choose from {', '.join(ROWS)}")
        setattr(args, option, names)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_deprecations()
    settings = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"
    env = environment()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="assistant-harness-bench-") as temp:
        results = measure(args.only, settings, Path(temp))
        profiles = [profile_row(row, settings, Path(temp) / f"profile_{row}") for row in args.profile]
    env["load_average_at_end"] = load_average()
    print(format_environment(env))
    print(f"mode {mode}; {time.perf_counter() - started:.0f} s in all; seconds per row {results.seconds}\n")
    if results.p1 is not None:
        print(p1_flow.format_result(results.p1), end="\n\n")
    if results.rows:
        print(format_rows(results.rows), end="\n\n")
        print(verdict(results.rows))
    for text in profiles:
        print("\n" + text)
    write_json_atomically(args.json, payload(results, env, mode, settings))
    print(f"\nwrote {args.json}")
    failed = any(row.status == "FAIL" for row in results.rows)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
