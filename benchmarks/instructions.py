"""Instructions a request, counted by valgrind: the A/B measure that a noisy machine cannot move.

On a shared 2-core machine the floor's own repetitions spread 1.5-2x and a ratio moves by +-0.05 from run
to run, more than most single changes are worth. Cachegrind counts the instructions the CPU executes, which
do not depend on the machine's load: the same code counts the same to within a few hundred instructions a
request (10,000 times finer than one run's timing). It is no measure of time (cache misses cost the fake
more per instruction than the SDK, see docs/performance.md), so each verdict is still a benchmark run's;
this tells whether a change removed work, and how much, in minutes.

Each contender runs P1's flow (flow.py) ``--few`` and then ``--many`` times after a warm-up, each count in
its own valgrind process with a fixed hash seed and the garbage collector off (a collection falls at a
different request each run and would add jitter); the difference over the extra flows is the cost of a
request. Needs ``valgrind`` on the PATH.

    python benchmarks/instructions.py                       # floor, fake.client(), global interception
    python benchmarks/instructions.py fake --src ../other/src   # another checkout's code (A/B)
    python benchmarks/instructions.py --per-request         # the fake's backend alone, each request

``--per-request`` says where the fake's own work is: P1's 15 requests, captured once as the backend
receives them, are replayed straight into the backends of fresh fakes (the same seed makes the same ids,
so each request finds what it names), with no SDK and no HTTP layer; the flow cut after each request,
counted as above, gives each request's cost by difference.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KINDS = ("floor", "fake", "global")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_ID = re.compile(r"[a-z]+_[A-Za-z0-9]{16,}")


def run_flows(kind: str, flows: int) -> None:
    """The measured part: ``flows`` flows of ``kind`` after a warm-up (in the valgrind process)."""
    import flow
    from common import quiet_deprecations

    quiet_deprecations()
    make = {
        "floor": flow.new_ids_floor_contender,
        "fake": flow.fake_client_contender,
        "global": flow.global_interception_contender,
    }[kind]
    contender = make()
    flow.warm_up(contender, 30)
    gc.disable()
    with contender.session():
        for _ in range(flows):
            contender.flow()


def capture_requests(path: Path) -> None:
    """P1's flow once through a fake: each request as its backend got it, and by how much the flow moved
    the clock before which of them, pickled to ``path`` for :func:`replay_requests`."""
    import flow

    fake = flow.new_fake()
    requests: list[Any] = []
    fake.backend.listeners.append(lambda request, _: requests.append(request))
    moves: dict[int, float] = {}

    def advance(seconds: float) -> None:
        moves[len(requests)] = moves.get(len(requests), 0.0) + seconds
        fake.advance(seconds)

    flow.check(flow.run_flow(fake.client(), advance), "capture")
    path.write_bytes(pickle.dumps((requests, moves)))


def replay_requests(path: Path, flows: int, upto: int) -> None:
    """The measured part of ``--per-request``: the first ``upto`` captured requests, straight into the
    backend of a fresh fake, ``flows`` times after a warm-up."""
    import flow

    requests, moves = pickle.loads(path.read_bytes())

    def once() -> None:
        fake = flow.new_fake()
        handle = fake.backend.handle
        for index, request in enumerate(requests[:upto]):
            if index in moves:
                fake.advance(moves[index])
            if handle(request).status >= 400:  # not the flow captured (another seed, another fake)
                raise RuntimeError(f"{request.method} {request.path} failed in the replay")

    for _ in range(5):
        once()
    gc.disable()
    for _ in range(flows):
        once()


def instructions_of(output: str) -> int:
    """The total instruction count in cachegrind's summary."""
    found = _REFS.search(output)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output: {output[-500:]}")
    return int(found.group(1).replace(",", ""))


def per_request(few: int, many: int, flows_few: int, flows_many: int, requests_per_flow: int) -> float:
    """Instructions a request, from the counts of two runs that differ only in their number of flows."""
    return (many - few) / ((flows_many - flows_few) * requests_per_flow)


def _environment(src: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    return env


def count(kind: str, flows: int, src: Path | None, *extra: str) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, str(Path(__file__)), "--inner", kind, str(flows), *extra]
    done = subprocess.run(command, env=_environment(src), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} x {flows} under valgrind failed: {done.stderr[-1000:]}")
    return instructions_of(done.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kinds", nargs="*", help=f"some of {', '.join(KINDS)} (default: all)")
    parser.add_argument("--few", type=int, default=10, help="flows in the first count")
    parser.add_argument("--many", type=int, default=30, help="flows in the second count")
    parser.add_argument("--src", type=Path, default=None, help="put this src folder first on the path")
    parser.add_argument("--per-request", action="store_true", help="the fake's backend alone, each request")
    parser.add_argument("--inner", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    if args.inner:
        if args.inner[0] == "requests":  # requests FLOWS UPTO CAPTURED
            replay_requests(Path(args.inner[3]), int(args.inner[1]), int(args.inner[2]))
        elif args.inner[0] == "capture":  # capture PATH
            capture_requests(Path(args.inner[1]))
        else:
            run_flows(args.inner[0], int(args.inner[1]))
        return 0
    unknown = sorted(set(args.kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown contender {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    if shutil.which("valgrind") is None:
        print("valgrind is not on the PATH (apt install valgrind)", file=sys.stderr)
        return 2
    import flow

    if args.per_request:
        return per_request_report(args.few, args.many, args.src)
    for kind in args.kinds or KINDS:
        with ThreadPoolExecutor(max_workers=2) as pool:  # the two counts, one a core
            many_count = pool.submit(count, kind, args.many, args.src)
            few = count(kind, args.few, args.src)
            many = many_count.result()
        cost = per_request(few, many, args.few, args.many, flow.REQUESTS_PER_FLOW)
        print(f"{kind:8s} {cost:12,.0f} instructions a request")
    return 0


def per_request_report(few: int, many: int, src: Path | None) -> int:
    """Print the backend's instructions for each request of P1's flow (see the module's docstring)."""

    with tempfile.TemporaryDirectory() as temp:
        captured = Path(temp) / "requests.pickle"
        # Captured by the code measured (``--src``): another checkout's requests may not unpickle here.
        capture = [sys.executable, str(Path(__file__)), "--inner", "capture", str(captured)]
        subprocess.run(capture, env=_environment(src), check=True)
        requests, _ = pickle.loads(captured.read_bytes())
        cuts = range(len(requests) + 1)
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = {
                (cut, flows): pool.submit(count, "requests", flows, src, str(cut), str(captured))
                for cut in cuts
                for flows in (few, many)
            }
            per_flow = [
                (counts[cut, many].result() - counts[cut, few].result()) / (many - few) for cut in cuts
            ]
    print(f"{'fresh fake':32s} {per_flow[0]:12,.0f} instructions")
    for index, request in enumerate(requests, start=1):
        name = f"{request.method} {flow_step(request.path)}"
        print(f"{name:32s} {per_flow[index] - per_flow[index - 1]:12,.0f} instructions")
    print(f"{'all ' + str(len(requests)) + ' requests':32s} {per_flow[-1] - per_flow[0]:12,.0f} instructions")
    return 0


def flow_step(path: str) -> str:
    """A request's path with its ids left out (``/threads/{}/runs/{}``)."""
    return "/".join("{}" if _ID.fullmatch(part) else part for part in path.split("/"))


if __name__ == "__main__":
    sys.exit(main())
