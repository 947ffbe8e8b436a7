"""uvicorn's HTTP protocol with a header read timeout: a client that has not sent a request's
headers within `header_timeout_s` (from connecting, or from the previous response) gets
408 and is disconnected, so slow clients cannot hold connections forever. uvicorn has no
such setting: its keep-alive timer restarts on every byte received."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: 81\r\n\r\n"
    b'{"error":"RequestTimeout","detail":"the request headers did not arrive in time"}\n'
)


def header_timeout_protocol(header_timeout_s: float) -> type[HttpToolsProtocol]:
    """A protocol class for `uvicorn.run(http=...)`."""

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout_s, self._timed_out)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _timed_out(self) -> None:
            self._header_timer = None
            if self.transport.is_closing():
                return
            if self.cycle is None or self.cycle.response_complete:  # no request being served
                self.transport.write(_TIMED_OUT)
                self.transport.close()

    return HeaderTimeoutProtocol
