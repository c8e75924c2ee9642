"""The ``assistant-harness`` command: demo, scenarios, show, to-scenario, scan, redact, serve."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import HarnessError
from .serve import add_serve, serve


def _parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="assistant-harness",
        description="Test code built on OpenAI's asynchronous APIs (Responses background mode, "
        "Conversations, webhooks, the Assistants API) offline: a fake backend on a virtual clock, "
        "cassettes and scenarios.",
    )
    parser.add_argument("--version", action="version", version=f"assistant-harness {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the tutorials' assistant flow against the fake and narrate it")
    commands.add_parser("scenarios", help="list the shipped scenarios with their descriptions")
    show = commands.add_parser("show", help="print each recorded run's and response's status timeline")
    show.add_argument("cassettes", nargs="+", type=Path, metavar="PATH", help="cassette files or folders")
    to_scenario = commands.add_parser(
        "to-scenario", help="turn a cassette's runs and responses into a scenario file"
    )
    to_scenario.add_argument(
        "cassette", type=Path, metavar="PATH", help="a cassette file, or a folder of them"
    )
    to_scenario.add_argument(
        "-o", "--output", type=Path, help="write here (default: print); for a folder, a folder of scenarios"
    )
    scan = commands.add_parser("scan", help="fail if a cassette holds anything key-like or identifying")
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files or folders")
    _add_redact(commands)
    add_serve(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args))
    except HarnessError as error:
        print(f"assistant-harness {args.command}: {error}", file=sys.stderr)
        return 2


def _scenarios(args: argparse.Namespace) -> int:
    from ..scenario.model import load, shipped

    names = shipped()
    width = max(len(name) for name in names)
    for name in names:
        print(f"{name:<{width}}  {load(name).description}")
    print(
        f"{len(names)} shipped scenarios: FakeOpenAI(NAME), or @pytest.mark.assistant_scenario(NAME)",
        file=sys.stderr,
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="assistant_harness.cli.demo")
        return run_demo()


def _show(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..cassettes.format import Cassette
    from ..cassettes.observe import observe
    from ..cassettes.observe_batches import observe_batches
    from ..cassettes.observe_jobs import observe_jobs
    from ..cassettes.observe_responses import observe_responses
    from .show import render

    files = _expand(args.cassettes, "show")
    if files is None:
        return 2
    console = Console(soft_wrap=True)  # long replies and tool arguments stay on one line
    for path in files:
        interactions = Cassette.load(path).interactions
        render(
            console,
            path,
            observe(interactions),
            observe_responses(interactions),
            observe_batches(interactions),
            observe_jobs(interactions),
        )
    return 0


def _expand(paths: Sequence[Path], command: str) -> list[Path] | None:
    """Files as given, folders as the cassettes in them (sorted); None (said why) if nothing is there."""
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        print(
            f"assistant-harness {command}: {', '.join(missing)}: no such cassette or folder", file=sys.stderr
        )
        return None
    files = [p for path in paths for p in ([path] if path.is_file() else sorted(_cassettes_in(path)))]
    if not files:
        print(f"assistant-harness {command}: no cassette files found", file=sys.stderr)
        return None
    return files


def _to_scenario(args: argparse.Namespace) -> int:
    from ..cassettes.format import atomic_write

    files = _expand([args.cassette], "to-scenario")
    if files is None:
        return 2
    made = [_scenario_text(path) for path in files]
    for path, (_, _, refusal) in zip(files, made, strict=True):
        if refusal:  # replies and tool arguments come from the recording: they may hold a key
            print(
                f"assistant-harness to-scenario: refusing, the scenario from {path} would hold {refusal}; "
                "redact the cassette first",
                file=sys.stderr,
            )
            return 2
    if args.output:
        folder = args.cassette.is_dir()
        for path, (text, summary, _) in zip(files, made, strict=True):
            target = args.output / f"{path.stem}.yaml" if folder else args.output
            atomic_write(target, text)
            print(f"wrote {target} ({summary})")
    else:
        print("---\n".join(text for text, _, _ in made), end="")  # one YAML document per cassette
    return 0


def _scenario_text(path: Path) -> tuple[str, str, str | None]:
    """The scenario file made from the cassette at ``path``, its summary, and what key-like thing
    it would hold (None: nothing)."""
    from ..cassettes.format import Cassette
    from ..cassettes.observe import to_scenario
    from ..cassettes.redaction import scan_text

    scenario = to_scenario(Cassette.load(path).interactions, name=path.stem)
    text = (
        f"# Made by `assistant-harness to-scenario {path}`: edit it to vary the run.\n" + scenario.to_yaml()
    )
    findings = scan_text(text, "scenario")
    refusal = f"{findings[0].what} ({findings[0].excerpt})" if findings else None
    responses = f"{len(scenario.responses)} response(s), " if scenario.responses else ""
    return text, f"{len(scenario.runs)} run(s), {responses}{len(scenario.faults)} fault(s)", refusal


def _scan(args: argparse.Namespace) -> int:
    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        print(f"assistant-harness scan: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    files = [p for path in args.paths for p in ([path] if path.is_file() else sorted(_cassettes_in(path)))]
    if not files:
        print("assistant-harness scan: no cassette files found", file=sys.stderr)
        return 2
    dirty = 0
    for path in files:
        findings = _findings(path)
        if findings:
            print(_grouped(path, findings))
        dirty += bool(findings)
    print(f"scanned {len(files)} cassette(s): {dirty} with findings", file=sys.stderr)
    if dirty:
        print(
            "Fix: `assistant-harness redact PATH...` replaces them in place; for new recordings, add the "
            "names to redact= hooks (use_cassette(..., redact=[...]) or the plugin's redaction settings).",
            file=sys.stderr,
        )
    return 1 if dirty else 0


def _findings(path: Path) -> list[Any]:
    """What the one detector finds in a cassette: in its interactions, and in its raw text for
    anything the loader leaves out (reported once, if not found above)."""
    from ..cassettes.format import Cassette
    from ..cassettes.redaction import scan, scan_text

    findings = scan(Cassette.load(path).interactions)
    text = path.read_bytes().decode("utf-8", errors="replace")
    for value in sorted({f.value for f in findings if f.value}, key=len, reverse=True):
        text = text.replace(value, "")
    return findings + scan_text(text, "raw text")


def _grouped(path: Path, findings: list[Any]) -> str:
    """Findings grouped by kind, each with how many and where (one line per kind, not per header)."""
    import re
    from collections import Counter

    kinds: dict[str, Counter[str]] = {}
    for finding in findings:
        where = re.sub(r"^interactions\[\d+\]\.", "", finding.location)
        where = re.sub(r"\[\d+\]", "[*]", where)
        kinds.setdefault(finding.what, Counter())[where] += 1
    lines = [f"{path}: {len(findings)} finding(s)"]
    for what, places in kinds.items():
        shown = ", ".join(
            f"{place} x{count}" if count > 1 else place for place, count in places.most_common(4)
        )
        more = f", and {len(places) - 4} more place(s)" if len(places) > 4 else ""
        lines.append(f"  {what} x{sum(places.values())}: {shown}{more}")
    return "\n".join(lines)


def _add_redact(commands: Any) -> None:
    redact = commands.add_parser(
        "redact", help="replace every secret in existing cassettes, in place (atomically)"
    )
    redact.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files or folders")


def _redact(args: argparse.Namespace) -> int:
    """Scrub recordings in place: the same detector as the write refusal and ``scan``."""
    from ..cassettes.format import Cassette
    from ..cassettes.redaction import redact_all, scan

    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        print(f"assistant-harness redact: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    files = [p for path in args.paths for p in ([path] if path.is_file() else sorted(_cassettes_in(path)))]
    left = 0
    for path in files:
        cassette = Cassette.load(path)
        found = scan(cassette.interactions)
        if not found:
            print(f"{path}: nothing to redact")
            continue
        cassette.interactions = redact_all(cassette.interactions)
        cassette.save(path)
        remaining = _findings(path)
        left += bool(remaining)
        print(f"{path}: redacted {len(found)} secret(s)" + (f"; {len(remaining)} left" if remaining else ""))
    print(f"redacted {len(files)} cassette(s)", file=sys.stderr)
    return 1 if left else 0


def _cassettes_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".json", ".yaml", ".yml") and p.is_file()]


COMMANDS = {
    "demo": _demo,
    "scenarios": _scenarios,
    "show": _show,
    "to-scenario": _to_scenario,
    "scan": _scan,
    "serve": serve,
    "redact": _redact,
}


if __name__ == "__main__":
    sys.exit(main())
