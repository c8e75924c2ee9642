"""Block the network: refuse every socket connection that is not to an allowed host.

Replay (and the pytest option ``--block-network``) put this under every client, not only httpx:
urllib, requests, raw sockets and asyncio all end in ``socket.socket.connect`` (or ``connect_ex``),
which is patched while a block is active. Host names are remembered as they are resolved, so the
error names the host the code asked for, not only its address. Unix sockets are never blocked.
Recording suspends the block (a recording has to reach its upstream).

A guard (:func:`guard_hosts`) refuses a few named hosts when code looks them up, recording or not,
with its own message: the pytest plugin guards api.openai.com when the key is the fake one it set.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import NetworkBlocked

_lock = threading.Lock()
_blocks: list[frozenset[str]] = []
_suspended = 0
_names: dict[str, str] = {}  # address -> the host name it was resolved from
_original: dict[str, Any] = {}
#: Guarded hosts, each with what to say outside a recording and while one is recording.
_guards: list[tuple[frozenset[str], str, str]] = []

LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})


def _allowed_now() -> frozenset[str] | None:
    """What may be reached now, or ``None`` when nothing is blocked."""
    if not _blocks or _suspended:
        return None
    allowed: frozenset[str] = _blocks[0]
    for more in _blocks[1:]:
        allowed = allowed & more  # nested blocks: only what every one of them allows
    return allowed


def _is_allowed(host: str, allowed: frozenset[str]) -> bool:
    name = _names.get(host, host)
    if host in allowed or name in allowed:
        return True
    if "localhost" in allowed:
        with contextlib.suppress(ValueError):
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
    return False


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return
    allowed = _allowed_now()
    if allowed is None:
        return
    host, port = str(address[0]), address[1]
    if _is_allowed(host, allowed):
        return
    name = _names.get(host, host)
    shown = name if name == host else f"{name} ({host})"
    sock.close()  # the caller's error handling expects an OSError; this socket is of no use now
    raise NetworkBlocked(
        f"network access is blocked: refused a connection to {shown} port {port}. "
        f"Replay from a cassette, or allow the host (--allowed-hosts={name}, or "
        f"use_cassette(..., allowed_hosts=[{name!r}]))."
    )


def _connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _original["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return int(_original["connect_ex"](self, address))


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    for hosts, outside, recording in _guards:
        if name in hosts:  # refused before any lookup: the message, not a DNS error, reaches the test
            raise NetworkBlocked(recording if _suspended else outside)
    found = _original["getaddrinfo"](host, *args, **kwargs)
    if isinstance(host, (str, bytes)):
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
        for *_, address in found:
            if address:
                _names[str(address[0])] = name  # the latest name asked for this address
    return found


def _install() -> None:
    if _original:
        return
    _original.update(
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        getaddrinfo=socket.getaddrinfo,
    )
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _getaddrinfo


def _uninstall() -> None:
    if not _original:
        return
    socket.socket.connect = _original["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _original["connect_ex"]  # type: ignore[method-assign]
    socket.getaddrinfo = _original["getaddrinfo"]
    _original.clear()
    _names.clear()


def _uninstall_if_idle() -> None:
    if not _blocks and not _suspended and not _guards:
        _uninstall()


@contextlib.contextmanager
def guard_hosts(hosts: Iterable[str], outside: str, recording: str) -> Iterator[None]:
    """Refuse to look up ``hosts`` (a name lookup raises :class:`NetworkBlocked`): saying ``outside``,
    or ``recording`` while a recording lets the network through."""
    guard = (frozenset(hosts), outside, recording)
    with _lock:
        _install()
        _guards.append(guard)
    try:
        yield
    finally:
        with _lock:
            _guards.remove(guard)
            _uninstall_if_idle()


@contextlib.contextmanager
def block_network(allowed_hosts: Iterable[str] = ()) -> Iterator[None]:
    """Refuse socket connections to any host but ``allowed_hosts`` (names or addresses;
    ``localhost`` also allows every loopback address) until the block ends."""
    allowed = frozenset(h.strip() for h in allowed_hosts if h and h.strip())
    if "localhost" in allowed or allowed & LOCAL:
        allowed |= LOCAL
    with _lock:
        _install()
        _blocks.append(allowed)
    try:
        yield
    finally:
        with _lock:
            _blocks.remove(allowed)
            _uninstall_if_idle()


@contextlib.contextmanager
def network_allowed() -> Iterator[None]:
    """Let connections through while recording, whatever blocks are active."""
    global _suspended
    with _lock:
        _suspended += 1
    try:
        yield
    finally:
        with _lock:
            _suspended -= 1
            _uninstall_if_idle()
