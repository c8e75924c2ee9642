"""P10: RSS of ``assistant-harness serve`` after N background streams (run by hand, not by run.py).

    python benchmarks/p10_serve_memory.py 20000                      # the default settings
    python benchmarks/p10_serve_memory.py 20000 --retention 60       # any serve options after N
    python benchmarks/p10_serve_memory.py 20000 --max-objects 0      # no cap on the responses kept

Starts the server with ``--speed 100000`` (a 3-virtual-second response streams in 30 real
microseconds), streams 100 background responses to warm it up, reads its RSS, streams N more with the
real SDK (each to its ``response.completed``), reads the RSS again and prints both with the load
average. Memory, not time, is the result: the numbers hold on a shared machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import openai

QUESTION = "Tell me a story about a unicorn"


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS (Linux only)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stream(client: openai.OpenAI) -> None:
    events = list(client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=True))
    assert events[-1].type == "response.completed", events[-1].type


def main(n: int, options: list[str]) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "assistant_harness.cli",
        "serve",
        "--port",
        str(port),
        "--speed",
        "100000",
    ]
    server = subprocess.Popen([*command, *options], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        client = openai.OpenAI(api_key="sk-test", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
        for _ in range(200):  # until it listens
            try:
                stream(client)
                break
            except openai.APIConnectionError:
                time.sleep(0.1)
        for _ in range(99):
            stream(client)
        fresh = rss_kib(server.pid)
        for _ in range(n):
            stream(client)
        after = rss_kib(server.pid)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"serve {' '.join(options) or '(defaults)'}: {n:,} streams; RSS {fresh / 1024:.1f} MiB fresh, "
            f"{after / 1024:.1f} MiB after (+{(after - fresh) / 1024:.1f} MiB); load average {load}"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:])
