"""`serve` as a shared service under load: many processes, each with its own key, and the cost per request.

    python benchmarks/serve_load.py                       # 8 processes x 50 flows, 20 clients, latency
    python benchmarks/serve_load.py --processes 2 --flows 3 --clients 2 --requests 20   # a smoke run

Prints one JSON object: whether any flow failed or saw another key's objects (``errors``, ``mixed``), the
server's memory (RSS) fresh, after the flows and after every namespace was reset, requests per second with
``--clients`` concurrent client processes, and the added latency of a request over the socket against the
in-process fake. Numbers depend on the machine and its load (the load average is printed with them).

"Fresh" (``rss_fresh_kib``, the base of ``rss_after_reset_vs_fresh``) is the server after one flow in a
namespace that was then reset: the first flow pays once for what any server pays by its first requests
(lazy imports, schemas, compiled models), which no reset can give back. ``rss_unwarmed_kib`` is the raw
figure, read before any request, and ``rss_after_reset_vs_unwarmed`` is measured against it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai

from assistant_harness import FakeOpenAI
from assistant_harness.remote import HarnessServer

HEADERS = {"OpenAI-Beta": "assistants=v2"}
warnings.filterwarnings("ignore", "deprecated", DeprecationWarning)  # every Assistants call says so


@contextlib.contextmanager
def server() -> Iterator[tuple[str, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant_harness.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("serve did not start") from None
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1", process.pid
    finally:
        process.terminate()
        process.wait(10)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def flows(args: tuple[str, int, int]) -> dict[str, int]:
    """One process: ``count`` flows with its own key; counts errors and foreign objects seen."""
    url, worker, count = args
    client = openai.OpenAI(api_key=f"sk-load-{worker}", base_url=url, max_retries=0)
    errors = mixed = 0
    for n in range(count):
        try:
            assistant = client.beta.assistants.create(model="gpt-4o", name=f"{worker}-{n}")
            run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
            response = client.responses.create(model="gpt-4o", input="hi", background=True)
            while response.status in ("queued", "in_progress"):
                response = client.responses.retrieve(response.id)
            names = [a.name or "" for a in client.beta.assistants.list(limit=100).data]
            mixed += sum(1 for name in names if not name.startswith(f"{worker}-"))
            errors += run.status != "completed" or response.status != "completed"
        except openai.OpenAIError:
            errors += 1
    client.close()
    return {"errors": errors, "mixed": mixed}


def hammer(args: tuple[str, int, int]) -> float:
    """One client process: ``count`` retrieves of one assistant; seconds taken."""
    url, worker, count = args
    with httpx.Client(headers={**HEADERS, "Authorization": f"Bearer sk-rps-{worker}"}) as http:
        made = http.post(f"{url}/assistants", json={"model": "gpt-4o"}).json()["id"]
        start = time.perf_counter()
        for _ in range(count):
            http.get(f"{url}/assistants/{made}").raise_for_status()
        return time.perf_counter() - start


def latency(url: str | None, count: int) -> float:
    """Median seconds of one assistants.retrieve through the SDK, over ``url`` or in-process."""
    fake = FakeOpenAI()
    client = openai.OpenAI(api_key="sk-latency", base_url=url) if url else fake.client()
    made = client.beta.assistants.create(model="gpt-4o")
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        client.beta.assistants.retrieve(made.id)
        samples.append(time.perf_counter() - start)
    client.close()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--flows", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per client process")
    args = parser.parse_args()
    out: dict[str, Any] = {"load_average_before": os.getloadavg()}
    with server() as (url, pid), HarnessServer(url) as control:
        out["rss_unwarmed_kib"] = rss_kib(pid)
        flows((url, -1, 1))  # warm: the first flow fills one-time caches (imports, schemas, compiled models)
        control.reset("sk-load--1")
        out["rss_fresh_kib"] = rss_kib(pid)
        out["live_objects_fresh"] = control.health()["live_objects"]
        start = time.perf_counter()
        with multiprocessing.Pool(args.processes) as pool:
            results = pool.map(flows, [(url, w, args.flows) for w in range(args.processes)])
        out["flows"] = f"{args.processes} processes x {args.flows} flows"
        out["flows_seconds"] = round(time.perf_counter() - start, 2)
        out["errors"] = sum(r["errors"] for r in results)
        out["mixed"] = sum(r["mixed"] for r in results)
        out["rss_after_flows_kib"] = rss_kib(pid)
        for worker in range(args.processes):
            control.reset(f"sk-load-{worker}")
        out["rss_after_reset_kib"] = rss_kib(pid)
        out["live_objects_after_reset"] = control.health()["live_objects"]
        out["live_objects_after_reset_vs_fresh"] = round(
            out["live_objects_after_reset"] / out["live_objects_fresh"], 3
        )
        out["rss_after_reset_vs_fresh"] = round(out["rss_after_reset_kib"] / out["rss_fresh_kib"], 3)
        out["rss_after_reset_vs_unwarmed"] = round(out["rss_after_reset_kib"] / out["rss_unwarmed_kib"], 3)
        start = time.perf_counter()
        with multiprocessing.Pool(args.clients) as pool:
            pool.map(hammer, [(url, w, args.requests) for w in range(args.clients)])
        wall = time.perf_counter() - start
        out["clients"] = args.clients
        out["requests_per_second"] = round(args.clients * args.requests / wall)
        out["latency_serve_ms"] = round(latency(url, 300) * 1000, 3)
    out["latency_in_process_ms"] = round(latency(None, 300) * 1000, 3)
    out["added_latency_ms"] = round(out["latency_serve_ms"] - out["latency_in_process_ms"], 3)
    out["load_average_after"] = os.getloadavg()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
