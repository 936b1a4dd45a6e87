"""A socket guard for child processes: refuse and record any traffic beyond loopback.

The offline tests copy this file as ``sitecustomize.py`` into a directory placed first on a
child's PYTHONPATH, so Python imports it at start-up, before any library; it installs itself
when NEWSFLOW_NETGUARD_LOG names the file to record attempts in. It wraps Python's socket
layer (connect, connect_ex, sendto and name lookups), which Twisted, urllib, requests and
asyncio all go through; C libraries with their own sockets (libpq) are not seen, so the
guarded children store into SQLite.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from collections.abc import Callable
from typing import Any

LOG_VARIABLE = "NEWSFLOW_NETGUARD_LOG"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_INET = (socket.AF_INET, socket.AF_INET6)


def is_local(host: object) -> bool:
    """Whether ``host`` (a name or an address) stays on this machine."""
    if host is None or host in ("", b""):
        return True  # passive lookups, as for binding a listening socket
    name = host.decode() if isinstance(host, bytes) else str(host)
    name = name.split("%")[0].lower()  # an IPv6 scope is not part of the address
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def install(log_path: str) -> None:
    """Wrap the socket layer so that anything beyond loopback is recorded and refused."""

    def record(what: str, target: object) -> None:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what} {target!r}\n")

    def remote(sock: socket.socket, address: object) -> bool:
        return sock.family in _INET and isinstance(address, tuple) and not is_local(address[0])

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto = socket.socket.sendto

    def connect(self: Any, address: Any) -> None:
        if remote(self, address):
            record("connect", address)
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"network guard: {address!r}")
        real_connect(self, address)

    def connect_ex(self: Any, address: Any) -> int:
        if remote(self, address):
            record("connect", address)
            return errno.ECONNREFUSED
        return real_connect_ex(self, address)

    def sendto(self: Any, data: Any, *rest: Any) -> int:
        if rest and remote(self, rest[-1]):
            record("sendto", rest[-1])
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"network guard: {rest[-1]!r}")
        return real_sendto(self, data, *rest)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign]
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        setattr(socket, name, _guarded_lookup(getattr(socket, name), name, record))


def _guarded_lookup(
    real: Callable[..., Any], name: str, record: Callable[[str, object], None]
) -> Callable[..., Any]:
    """A name lookup that answers for loopback names only (a DNS query is traffic too)."""

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local(host):
            record(name, host)
            raise socket.gaierror(socket.EAI_NONAME, f"network guard: lookup of {host!r}")
        return real(host, *args, **kwargs)

    return lookup


if os.environ.get(LOG_VARIABLE):
    install(os.environ[LOG_VARIABLE])
