"""The ``assistant-harness`` command: demo, show, to-scenario, scan, serve."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from ..errors import HarnessError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant-harness",
        description="Test OpenAI Assistants API code offline: a fake backend, cassettes and scenarios.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the tutorials' assistant flow against the fake and narrate it")
    show = commands.add_parser("show", help="print each recorded run's status timeline")
    show.add_argument("cassettes", nargs="+", type=Path, metavar="PATH", help="cassette files or folders")
    to_scenario = commands.add_parser("to-scenario", help="turn a cassette's runs into a scenario file")
    to_scenario.add_argument(
        "cassette", type=Path, metavar="PATH", help="a cassette file, or a folder of them"
    )
    to_scenario.add_argument(
        "-o", "--output", type=Path, help="write here (default: print); for a folder, a folder of scenarios"
    )
    scan = commands.add_parser("scan", help="fail if a cassette holds anything key-like or identifying")
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files or folders")
    serve = commands.add_parser("serve", help="run the fake as an HTTP server (default 127.0.0.1:8000)")
    serve.add_argument("--scenario", help="a shipped scenario's name or a scenario file")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--speed", type=float, default=1.0, help="virtual seconds per real second (default 1)")
    serve.add_argument("--seed", type=int, default=None, help="seed for ids (default: the scenario's, or 0)")
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

    files = _expand(args.cassettes, "show")
    if files is None:
        return 2
    console = Console(soft_wrap=True)  # long replies and tool arguments stay on one line
    for path in files:
        render(console, path, observe(Cassette.load(path).interactions))
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
    return text, f"{len(scenario.runs)} run(s), {len(scenario.faults)} fault(s)", refusal


def _scan(args: argparse.Namespace) -> int:
    from ..cassettes.format import Cassette
    from ..cassettes.redaction import scan, scan_text

    files = _expand(args.paths, "scan")
    if files is None:
        return 2
    dirty = 0
    for path in files:
        findings = scan(Cassette.load(path).interactions)
        # Also the raw text, for anything the loader drops: reported once each, if not found above.
        known = {finding.excerpt for finding in findings}
        raw = {
            f.excerpt: f for f in scan_text(path.read_text(encoding="utf-8", errors="replace"), "raw text")
        }
        findings += [finding for excerpt, finding in raw.items() if excerpt not in known]
        for finding in findings:
            print(f"{path}: {finding}")
        dirty += bool(findings)
    print(f"scanned {len(files)} cassette(s): {dirty} with findings", file=sys.stderr)
    return 1 if dirty else 0


def _cassettes_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".json", ".yaml", ".yml") and p.is_file()]


def _serve(args: argparse.Namespace) -> int:
    from ..engine.clock import RealClock
    from ..fake import FakeAssistants
    from ..http.asgi import ServeApp, run_server

    fake = FakeAssistants(
        args.scenario, clock=RealClock(speed=args.speed), virtual_time=False, seed=args.seed
    )
    taken = _cannot_listen(args.host, args.port)
    if taken:  # said first and only: no "Serving ..." line for a server that never starts
        print(f"assistant-harness serve: cannot listen on {args.host}:{args.port}: {taken}", file=sys.stderr)
        return 2
    print(
        f"Serving the fake Assistants API at http://{args.host}:{args.port}/v1"
        f"{' (scenario ' + fake.scenario.name + ')' if fake.scenario else ''}; Ctrl-C stops it.",
        flush=True,
    )
    run_server(ServeApp(fake.backend), args.host, args.port)
    return 0


def _cannot_listen(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (taken, or no such address), or None if it can."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return str(error)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            return error.strerror or str(error)
    return None


COMMANDS = {"demo": _demo, "show": _show, "to-scenario": _to_scenario, "scan": _scan, "serve": _serve}


if __name__ == "__main__":
    sys.exit(main())
