"""``assistant-harness serve`` started as a real process on a free loopback port, for tests."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(*args: str) -> Iterator[str]:
    """``serve`` with ``args``, until the block ends; gives its base URL (``http://127.0.0.1:PORT/v1``)."""
    port = free_port()
    command = [sys.executable, "-m", "assistant_harness.cli.main", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:  # whatever stops the test (even an interrupt while waiting), the server goes with it
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"serve did not start: {process.communicate()}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("serve did not listen within 20 s") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)  # waits, and closes the pipes
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
