"""The server's listening socket, bound before anything slow so a busy port fails at once."""

from __future__ import annotations

import errno
import socket

from provgraph.catalog.model.errors import CatalogError


class PortUnavailableError(CatalogError):
    """The address cannot be bound (in use, or not an address of this machine)."""


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortUnavailableError(f"cannot resolve --host {host!r}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        in_use = exc.errno == errno.EADDRINUSE
        reason = "is in use by another process" if in_use else f"cannot be bound ({exc})"
        raise PortUnavailableError(
            f"port {port} on {host} {reason}; choose another with --port"
        ) from exc
    listener.set_inheritable(True)
    return listener
