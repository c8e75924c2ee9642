"""``assistant-harness serve``: the fake as a shared HTTP service, one world per namespace (API key
or ``X-Harness-Namespace``), with the control API under ``/__harness/``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

#: Each namespace's default cap on kept responses (repeated from remote.worlds, which imports the
#: whole fake: the parser must stay cheap to build).
SERVE_MAX_OBJECTS = 10_000
#: Where the control token may come from instead of the command line (which ``ps`` shows).
TOKEN_VARIABLE = "ASSISTANT_HARNESS_CONTROL_TOKEN"


def add_serve(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the fake as an HTTP server (default 127.0.0.1:8000)")
    serve.add_argument(
        "--scenario", help="a shipped scenario's name or a scenario file (every namespace's start)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--clock",
        choices=("virtual", "real"),
        default=None,
        help="virtual (default): each poll of a run, response or batch moves its namespace's clock by the "
        "poll interval, and pollers are told to wait milliseconds; real: time runs at --speed",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=None,
        help="virtual seconds per real second (implies --clock real; default 1)",
    )
    serve.add_argument("--seed", type=int, default=None, help="seed for ids (default: the scenario's, or 0)")
    serve.add_argument(
        "--retention",
        type=float,
        default=None,
        metavar="SECONDS",
        help="forget each response this many virtual seconds after it was created (default: keep)",
    )
    serve.add_argument(
        "--max-objects",
        type=int,
        default=SERVE_MAX_OBJECTS,
        metavar="N",
        help=f"keep at most N responses per namespace, forgetting the oldest (default {SERVE_MAX_OBJECTS:,}; "
        "0: no cap)",
    )
    serve.add_argument(
        "--also-serve",
        action="append",
        default=[],
        metavar="PREFIX",
        help="a path prefix to answer besides /v1, as a gateway's base URL has it (e.g. /openai/v1); "
        "repeatable. Azure OpenAI's /openai/... paths are always answered",
    )
    serve.add_argument(
        "--idle-ttl",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="free a namespace unused for this many real seconds (default 600)",
    )
    serve.add_argument(
        "--control-token",
        default=None,
        metavar="TOKEN",
        help=f"every control request must carry it (or set {TOKEN_VARIABLE}); needed off loopback",
    )
    serve.add_argument(
        "--cassette",
        default=None,
        metavar="PATH",
        help="be a recording/replaying proxy: every /v1 request goes to --upstream through this cassette "
        "(written when the server stops)",
    )
    serve.add_argument(
        "--record-mode",
        choices=("once", "new_episodes", "none", "all"),
        default=None,
        help="with --cassette (default once): once, new_episodes, none (replay only, network blocked), all",
    )
    serve.add_argument(
        "--upstream", default=None, metavar="URL", help="with --cassette: where to record from (.../v1)"
    )
    serve.add_argument(
        "--detect-hangs",
        action="store_true",
        help="answer 422 (code hang_detected) to a client polling a run that can no longer change "
        "(default: off)",
    )


def serve(args: argparse.Namespace) -> int:
    from ..http.asgi import ServeApp, run_server
    from ..remote.control import Control, is_loopback
    from ..remote.worlds import Namespaces, WorldSpec
    from ..scenario.model import load

    def refuse(message: str) -> int:
        print(f"assistant-harness serve: {message}", file=sys.stderr)
        return 2

    token = args.control_token or os.environ.get(TOKEN_VARIABLE) or None
    if token is None and not _loopback_host(args.host, is_loopback):
        return refuse(
            f"--host {args.host} listens beyond this machine, and the control API (which loads scenarios "
            f"and reads every request) would be open to it: give --control-token T (or set {TOKEN_VARIABLE})"
        )
    if args.cassette is not None:
        return _proxy(args, token, refuse)
    if args.record_mode or args.upstream:
        return refuse("--record-mode and --upstream go with --cassette PATH")
    clock = args.clock or ("real" if args.speed is not None else "virtual")
    if clock == "virtual" and args.speed is not None:
        return refuse("--speed applies to --clock real only (a virtual clock moves with the polls)")
    if args.idle_ttl <= 0:
        return refuse(f"--idle-ttl {args.idle_ttl}: give a number of seconds above 0")
    spec = WorldSpec(
        load(args.scenario) if args.scenario else None,
        clock=clock,
        speed=args.speed if args.speed is not None else 1.0,
        seed=args.seed,
        detect_hangs=args.detect_hangs,
        retention=args.retention,
        max_objects=args.max_objects or None,
    )
    namespaces = Namespaces(spec, idle_ttl=args.idle_ttl)
    spec.build()  # a scenario that cannot make a fake fails here, before listening
    taken = _cannot_listen(args.host, args.port)
    if taken:  # said first and only: no "Serving ..." line for a server that never starts
        return refuse(f"cannot listen on {args.host}:{args.port}: {taken}")
    print(
        f"Serving the fake OpenAI API at http://{args.host}:{args.port}/v1 "
        f"({clock} clock{', scenario ' + spec.scenario.name if spec.scenario else ''}; one world per API key "
        f"or X-Harness-Namespace; control API at /__harness/); Ctrl-C stops it.",
        flush=True,
    )
    app = ServeApp(namespaces, also_serve=args.also_serve, control=Control(namespaces, token))
    run_server(app, args.host, args.port)
    return 0


def _proxy(args: argparse.Namespace, token: str | None, refuse: Callable[[str], int]) -> int:
    from ..errors import HarnessError
    from ..http.asgi import ServeApp, run_server
    from ..remote.control import Control
    from ..remote.proxy import CassetteProxy

    if args.scenario or args.clock or args.speed is not None:
        return refuse(
            "--cassette makes a proxy: --scenario, --clock and --speed are for the fake, not for it"
        )
    mode = args.record_mode or "once"
    if args.upstream is None and mode != "none" and not (mode == "once" and os.path.exists(args.cassette)):
        return refuse(f"--record-mode {mode} records: give --upstream URL (the API to record, ending in /v1)")
    proxy = CassetteProxy(args.cassette, mode, args.upstream)
    taken = _cannot_listen(args.host, args.port)
    if taken:
        return refuse(f"cannot listen on {args.host}:{args.port}: {taken}")
    try:
        proxy.start()
    except HarnessError as error:
        return refuse(str(error))
    print(
        f"Proxying http://{args.host}:{args.port}/v1 to {proxy.upstream} through {args.cassette} "
        f"(record mode {mode}); Ctrl-C stops it and writes the cassette.",
        flush=True,
    )
    # The control API answers health only: the proxy has no namespaces of its own.
    closed: list[int] = []
    app = ServeApp(
        proxy,
        control=Control(None, token),
        on_shutdown=lambda: closed.append(_close(proxy)),
    )
    try:
        run_server(app, args.host, args.port)
    finally:
        if not closed:  # stopped without a graceful shutdown
            closed.append(_close(proxy))
    return closed[0]


def _close(proxy: Any) -> int:
    from ..errors import HarnessError

    try:
        proxy.stop()
    except HarnessError as error:  # a cassette that would hold a secret is not written: say so
        print(f"assistant-harness serve: {error}", file=sys.stderr)
        return 2
    return 0


def _loopback_host(host: str, is_loopback: Any) -> bool:
    return host == "localhost" or bool(is_loopback(host))


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
