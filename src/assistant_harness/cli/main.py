"""The ``assistant-harness`` command: demo, show, to-scenario, scan, redact, serve."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import HarnessError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant-harness",
        description="Test OpenAI Assistants API code offline: a fake backend, cassettes and scenarios.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the tutorials' assistant flow against the fake and narrate it")
    show = commands.add_parser("show", help="print each recorded run's status timeline")
    show.add_argument("cassettes", nargs="+", type=Path, metavar="CASSETTE")
    to_scenario = commands.add_parser("to-scenario", help="turn a cassette's runs into a scenario file")
    to_scenario.add_argument("cassette", type=Path, metavar="CASSETTE")
    to_scenario.add_argument("-o", "--output", type=Path, help="write here (default: print)")
    scan = commands.add_parser("scan", help="fail if a cassette holds anything key-like or identifying")
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files or folders")
    _add_redact(commands)
    serve = commands.add_parser("serve", help="run the fake as an HTTP server (default 127.0.0.1:8000)")
    serve.add_argument("--scenario", help="a shipped scenario's name or a scenario file")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--speed", type=float, default=1.0, help="virtual seconds per real second (default 1)")
    serve.add_argument("--seed", type=int, default=None, help="seed for ids (default: the scenario's, or 0)")
    serve.add_argument(
        "--detect-hangs",
        action="store_true",
        help="answer 422 (code hang_detected) to a client polling a run that can no longer change "
        "(default: off)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args))
    except HarnessError as error:
        print(f"assistant-harness {args.command}: {error}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="assistant_harness.cli.demo")
        return run_demo()


def _show(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..cassettes.format import Cassette
    from ..cassettes.observe import observe
    from .show import render

    console = Console(soft_wrap=True)  # long replies and tool arguments stay on one line
    for path in args.cassettes:
        render(console, path, observe(Cassette.load(path).interactions))
    return 0


def _to_scenario(args: argparse.Namespace) -> int:
    from ..cassettes.format import Cassette, atomic_write
    from ..cassettes.observe import to_scenario
    from ..cassettes.redaction import scan_text

    scenario = to_scenario(Cassette.load(args.cassette).interactions, name=args.cassette.stem)
    text = (
        f"# Made by `assistant-harness to-scenario {args.cassette}`: edit it to vary the run.\n"
        + scenario.to_yaml()
    )
    findings = scan_text(text, "scenario")
    if findings:  # replies and tool arguments come from the recording: they may hold a key
        print(
            f"assistant-harness to-scenario: refusing, the scenario would hold {findings[0].what} "
            f"({findings[0].excerpt}); redact the cassette first",
            file=sys.stderr,
        )
        return 2
    if args.output:
        atomic_write(args.output, text)
        print(f"wrote {args.output} ({len(scenario.runs)} run(s), {len(scenario.faults)} fault(s))")
    else:
        print(text, end="")
    return 0


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


def _serve(args: argparse.Namespace) -> int:
    from ..engine.clock import RealClock
    from ..engine.hangs import HangLimits
    from ..fake import FakeAssistants
    from ..http.asgi import ServeApp, run_server

    fake = FakeAssistants(
        args.scenario,
        clock=RealClock(speed=args.speed),
        virtual_time=False,
        seed=args.seed,
        # Off by default: an ordinary client polling a finished run must not get an error.
        hang_limits=HangLimits() if args.detect_hangs else None,
    )
    print(
        f"Serving the fake Assistants API at http://{args.host}:{args.port}/v1"
        f"{' (scenario ' + fake.scenario.name + ')' if fake.scenario else ''}; Ctrl-C stops it.",
        flush=True,
    )
    run_server(ServeApp(fake.backend), args.host, args.port)
    return 0


COMMANDS = {
    "demo": _demo,
    "show": _show,
    "to-scenario": _to_scenario,
    "scan": _scan,
    "serve": _serve,
    "redact": _redact,
}


if __name__ == "__main__":
    sys.exit(main())
