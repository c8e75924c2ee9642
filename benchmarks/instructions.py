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
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("floor", "fake", "global")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


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


def instructions_of(output: str) -> int:
    """The total instruction count in cachegrind's summary."""
    found = _REFS.search(output)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output: {output[-500:]}")
    return int(found.group(1).replace(",", ""))


def per_request(few: int, many: int, flows_few: int, flows_many: int, requests_per_flow: int) -> float:
    """Instructions a request, from the counts of two runs that differ only in their number of flows."""
    return (many - few) / ((flows_many - flows_few) * requests_per_flow)


def count(kind: str, flows: int, src: Path | None) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, str(Path(__file__)), "--inner", kind, str(flows)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} x {flows} under valgrind failed: {done.stderr[-1000:]}")
    return instructions_of(done.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kinds", nargs="*", help=f"some of {', '.join(KINDS)} (default: all)")
    parser.add_argument("--few", type=int, default=10, help="flows in the first count")
    parser.add_argument("--many", type=int, default=30, help="flows in the second count")
    parser.add_argument("--src", type=Path, default=None, help="put this src folder first on the path")
    parser.add_argument("--inner", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    if args.inner:
        run_flows(args.inner[0], int(args.inner[1]))
        return 0
    unknown = sorted(set(args.kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown contender {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    if shutil.which("valgrind") is None:
        print("valgrind is not on the PATH (apt install valgrind)", file=sys.stderr)
        return 2
    import flow

    for kind in args.kinds or KINDS:
        with ThreadPoolExecutor(max_workers=2) as pool:  # the two counts, one a core
            many_count = pool.submit(count, kind, args.many, args.src)
            few = count(kind, args.few, args.src)
            many = many_count.result()
        cost = per_request(few, many, args.few, args.many, flow.REQUESTS_PER_FLOW)
        print(f"{kind:8s} {cost:12,.0f} instructions a request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
