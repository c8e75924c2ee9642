"""The ``harness_server`` fixture: one ``serve`` process for the whole pytest run, shared by every
xdist worker (the first to need it starts it, the others find it, the last to finish stops it), and
one namespace per test.

The workers agree through two files in a folder they share (the run's pytest base temp folder, or
``--harness-server-dir``): a lock file (``fcntl.flock``) and ``harness-server.json`` (the server's
pid and port, and the pids of the workers using it). ``--harness-server URL`` uses a server already
running instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported when a test asks for the server: the plugin loads in every pytest process
    from ..remote.client import HarnessServer

STATE = "harness-server.json"
#: Real seconds a starting server has to answer before the fixture gives up (a guard, not a claim).
START_LIMIT = 60.0


def add_options(group: Any) -> None:
    group.addoption(
        "--harness-server",
        default=None,
        metavar="URL",
        help="use this running `assistant-harness serve` for the harness_server fixture (default: start one)",
    )
    group.addoption(
        "--harness-server-dir",
        default=None,
        metavar="DIR",
        help="where xdist workers share the harness_server's lock and pid file (default: the run's temp)",
    )


@dataclass
class HarnessNamespace:
    """One test's own world on the shared server: give ``env`` or ``url`` and ``api_key`` to the code
    under test; ``load_scenario``, ``advance``, ``requests`` and ``objects`` act on this world only."""

    server: HarnessServer
    namespace: str
    api_key: str = field(repr=False)
    #: The clients :meth:`client` made; the fixture closes them when the test ends.
    clients: list[Any] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def env(self) -> dict[str, str]:
        return {"OPENAI_BASE_URL": self.url, "OPENAI_API_KEY": self.api_key}

    def client(self, **kwargs: Any) -> Any:
        """An ``openai.OpenAI`` on this world, closed when the test ends (an SDK client is a reference
        cycle: left to the garbage collector, its open socket warns as unclosed)."""
        import openai

        client = openai.OpenAI(base_url=self.url, api_key=self.api_key, **kwargs)
        self.clients.append(client)
        return client

    def close_clients(self) -> None:
        while self.clients:
            self.clients.pop().close()

    def load_scenario(self, scenario: str | Path | dict[str, Any]) -> dict[str, Any]:
        return self.server.load_scenario(self.namespace, scenario)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.server.advance(self.namespace, seconds)

    def requests(self) -> list[dict[str, Any]]:
        return self.server.requests(self.namespace)

    def objects(self) -> dict[str, list[dict[str, Any]]]:
        return self.server.objects(self.namespace)

    def reset(self) -> bool:
        return self.server.reset(self.namespace)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[Path]:
    import fcntl  # POSIX only: imported when a test asks for the shared server

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "harness-server.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder / STATE
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write(path: Path, state: dict[str, Any]) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, path)  # atomic: a reader never sees half a file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(folder: Path) -> dict[str, Any]:
    port = _free_port()
    command = [sys.executable, "-m", "assistant_harness.cli", "serve", "--port", str(port)]
    with (folder / "harness-server.log").open("ab") as log:
        # Its own session: ^C in the terminal reaches pytest, which stops it in order.
        process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    _STARTED[process.pid] = process  # kept: it outlives this call, and whoever is last reaps it
    deadline = time.monotonic() + START_LIMIT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log_path = folder / "harness-server.log"
                raise RuntimeError(
                    f"harness_server: `assistant-harness serve` did not start (see {log_path})"
                ) from None
            time.sleep(0.05)  # waiting for a real process to listen
    return {"pid": process.pid, "port": port, "users": []}


#: The servers this process started (another worker may be the one that stops them).
_STARTED: dict[int, subprocess.Popen[bytes]] = {}


def _stop(pid: int) -> None:
    process = _STARTED.pop(pid, None)
    if process is not None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 15)
        for _ in range(200):
            if not _alive(pid):
                return
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            time.sleep(0.05)  # waiting for a real process to exit
        os.kill(pid, 9)


def shared_folder(config: pytest.Config, basetemp: Path) -> Path:
    given = config.getoption("harness_server_dir", default=None)
    if given:
        return Path(given)
    # xdist workers each have <run>/popen-gwN: the run's folder is the one they share.
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


@contextlib.contextmanager
def shared_server(folder: Path, me: int | None = None) -> Iterator[str]:
    """The run's server URL (``http://127.0.0.1:PORT``): started if no live one is recorded in
    ``folder``, and stopped when the last user leaves. ``me``: this user's pid (a live process)."""
    me = os.getpid() if me is None else me
    with _locked(folder) as path:
        state = _read(path)
        if not (state.get("pid") and _alive(int(state["pid"]))):
            state = _start(folder)
        state["users"] = [u for u in state.get("users", []) if _alive(int(u))] + [me]
        _write(path, state)
    try:
        yield f"http://127.0.0.1:{state['port']}"
    finally:
        with _locked(folder) as path:
            state = _read(path)
            state["users"] = [u for u in state.get("users", []) if u != me and _alive(int(u))]
            if state["users"]:
                _write(path, state)
            else:
                if state.get("pid"):
                    _stop(int(state["pid"]))
                path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def harness_server_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HarnessServer]:
    """The run's shared server (see the module's docstring)."""
    from ..remote.client import HarnessServer

    url = request.config.getoption("harness_server", default=None)
    if url:
        with HarnessServer(url) as server:
            yield server
        return
    folder = shared_folder(request.config, tmp_path_factory.getbasetemp())
    with shared_server(folder) as root, HarnessServer(root) as server:
        yield server


@pytest.fixture
def harness_server(
    request: pytest.FixtureRequest, harness_server_session: HarnessServer
) -> Iterator[HarnessNamespace]:
    """This test's own namespace on the shared server (its key names it); reset when the test ends."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    digest = hashlib.sha256(f"{worker}:{request.node.nodeid}".encode()).hexdigest()[:16]
    name = f"sk-harness-{digest}"
    world = HarnessNamespace(harness_server_session, name, name)
    world.reset()  # a rerun of the same test starts clean
    try:
        yield world
    finally:
        world.close_clients()
        world.reset()
