"""uvicorn's httptools protocol, with what nginx does for slow and abusive clients and uvicorn does not.

uvicorn has no header read timeout (uvicorn #157, #160; PR #1192 closed unmerged): a client that
trickles its request head keeps its connection for as long as it trickles, and its unfinished head
grows in memory without a bound. Its connection cap counts every connection alike and answers in
plain text. This subclass adds, per worker process:

- a header read timeout, from the connection's first moment (an idle new connection too) and from
  the first byte of every later request, to the end of the head (nginx's ``client_header_timeout``);
- a cap on the bytes of an unfinished head (431);
- a bound on connections per client address, so that one address cannot hold every slot;
- the connection cap itself, and the server's own refusals (400, 408, 431, 503), in the JSON error
  model the rest of the API answers in.

The body's own read timeout is the request policy's (``gateway.http.policy``), in the application,
where it does not depend on the server. Nothing here is written by hand that uvicorn offers.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.errors import error_body

_REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    429: b"Too Many Requests",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


@dataclass(slots=True)
class ConnectionGuard:
    """The limits, and the connections counted per address, shared by every connection of a worker."""

    header_read_seconds: float
    max_header_bytes: int
    max_per_address: int
    max_connections: int
    # Trusted proxies (uvicorn's forwarded_allow_ips): every client behind one shares its address.
    exempt: frozenset[str] = frozenset()
    per_address: Counter[str] = field(default_factory=Counter)
    open: int = 0


def refusal(status: int, code: str, message: str, retry_after: int | None = None) -> bytes:
    """A whole HTTP/1.1 response in the JSON error model that closes its connection."""
    body = orjson.dumps(error_body(code, message))
    head = [
        b"HTTP/1.1 %d %s" % (status, _REASONS[status]),
        b"content-type: application/json",
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    if retry_after is not None:
        head.append(b"retry-after: %d" % retry_after)
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = guard
        self._address: str | None = None
        self._in_head = True  # a new connection is waiting for its first request's head
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        guard = self.guard
        guard.open += 1
        address = self.client[0] if self.client else ""
        self._address = address
        guard.per_address[address] += 1
        if guard.open > guard.max_connections:
            self._refuse(refusal(503, "overloaded", "too many connections to this node", retry_after=1))
        elif guard.per_address[address] > guard.max_per_address and address not in guard.exempt:
            message = "too many connections from this address"
            self._refuse(refusal(429, "too_many_connections", message, retry_after=1))
        else:
            self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        if self._address is not None:
            guard = self.guard
            guard.open -= 1
            guard.per_address[self._address] -= 1
            if guard.per_address[self._address] <= 0:
                del guard.per_address[self._address]
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        if not self._in_head and (self.cycle is None or self.cycle.response_complete):
            # Bytes between requests that began no message (a bare CRLF, say): uvicorn has dropped its
            # keep-alive timer on their arrival, so the head's own clock starts now.
            self._in_head, self._head_bytes = True, 0
        if self._in_head:  # the head is still unfinished after this chunk: all of it counts as head
            self._head_bytes += len(data)
            if self._head_bytes > self.guard.max_header_bytes:
                message = f"the request head exceeds {self.guard.max_header_bytes} bytes"
                self._refuse(refusal(431, "headers_too_large", message))
            elif self._head_timer is None:  # armed only for a head that spans reads
                self._arm_head_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        self._refuse(refusal(400, "bad_request", "the request is not valid HTTP/1.1"))

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.guard.header_read_seconds, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self._head_bytes:
            seconds = self.guard.header_read_seconds
            self._refuse(
                refusal(408, "header_timeout", f"the request head did not arrive within {seconds:g} s")
            )
        else:  # nothing was sent at all: there is no request to answer
            self.transport.close()

    def _refuse(self, response: bytes) -> None:
        self._in_head = False
        self._disarm_head_timer()
        self.transport.write(response)
        self.transport.close()
