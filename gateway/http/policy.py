"""One request policy for every way into a node: the middleware stack and the plain ASGI lanes alike.

What every request goes through, in this order:

1. its route is named from a fixed table (an unknown path is ``other``: a path never becomes a label,
   so metrics and ``/stats`` stay as small as the table whatever clients send);
2. its client address is held to the route's rate budget (429), before anything else is read;
3. its body is read whole, within ``max_body_bytes`` (413) and within ``body_read_seconds`` (408):
   a client that trickles its body holds a connection, never a slot of the in-flight limit;
4. it is admitted under the in-flight limit (503 ``overloaded``), once its body is in;
5. it gets a deadline from its route's budget, and its phases are reported in ``Server-Timing``;
6. its latency is recorded against the route's budget, unless the client left before its body was in
   (a request that never arrived is neither answered nor counted).

An oversized body is drained up to ``drain_bytes`` before the 413 is sent, as nginx's lingering close
does, so a client that writes its whole body before reading still reads the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope

from gateway.domain.budgets import Deadline
from gateway.errors import ApiError
from gateway.http.headers import FORM
from gateway.http.rate_limits import RateLimits
from gateway.ops.budgets import RouteStats
from gateway.ops.load import LoadGauge

FORM_MEDIA_TYPE = FORM.encode()
OTHER_ROUTE = "other"


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "body_too_large",
            f"request body exceeds {limit} bytes",
            field="body",
            headers={"connection": "close"},
        )


class BodyTimeout(ApiError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            "body_timeout",
            f"the request body did not arrive within {seconds:g} s",
            field="body",
            headers={"connection": "close"},
        )


class Overloaded(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "overloaded", "too many requests in flight", headers={"retry-after": "1"})


class ClientGone(Exception):
    """The client hung up before its request was in: there is no one to answer, nothing to count."""


@dataclass(frozen=True, slots=True)
class RequestLimits:
    max_body_bytes: int
    max_inflight: int
    body_read_seconds: float = 15.0
    # At most this much of an oversized body is read and dropped so that its 413 can be read.
    drain_bytes: int = 8 << 20


class RouteNames:
    """Route names for metrics: exact paths, then path prefixes, then ``other``.

    ``post_names`` name POSTs to a path apart from its other methods (an order's acknowledgement);
    ``form_names`` name those among them that carry a form (the order page's plain form, answered with
    the redirect to pay, and so measured against the payment redirect's budget).
    """

    def __init__(
        self,
        exact: Mapping[str, str],
        prefixes: Sequence[tuple[str, str]] = (),
        *,
        post_names: Mapping[str, str] | None = None,
        form_names: Mapping[str, str] | None = None,
    ) -> None:
        self._exact = dict(exact)
        self._prefixes = tuple(prefixes)
        self._post = dict(post_names or {})
        self._form = dict(form_names or {})

    def name(self, method: str, path: str, content_type: bytes = b"") -> str:
        if method == "POST" and path in self._post:
            if path in self._form and content_type.startswith(FORM_MEDIA_TYPE):
                return self._form[path]
            return self._post[path]
        exact = self._exact.get(path)
        if exact is not None:
            return exact
        for prefix, name in self._prefixes:
            if path.startswith(prefix):
                return name
        return OTHER_ROUTE


def content_length(headers: Mapping[bytes, bytes]) -> int | None:
    """The declared body size; the server's parser has already refused a malformed one."""
    declared = headers.get(b"content-length")
    return int(declared) if declared is not None and declared.isascii() and declared.isdigit() else None


class RequestPolicy:
    def __init__(
        self,
        routes: RouteNames,
        stats: RouteStats,
        limits: RequestLimits,
        gauge: LoadGauge | None = None,
        *,
        rate_limits: RateLimits | None = None,
        address_budgets: Mapping[str, str] | None = None,
    ) -> None:
        self.routes = routes
        self.stats = stats
        self.limits = limits
        self.gauge = gauge or LoadGauge()
        self.rate_limits = rate_limits
        self.address_budgets = dict(address_budgets or {})

    async def check_address(self, route: str, scope: Scope) -> None:
        """The client address's rate budget for this route, before anything is read (429)."""
        budget = self.address_budgets.get(route)
        if budget is not None and self.rate_limits is not None:
            client = scope.get("client")
            await self.rate_limits.check(budget, client[0] if client else "unknown")

    def route_of(self, method: str, path: str, headers: Mapping[bytes, bytes]) -> str:
        return self.routes.name(method, path, headers.get(b"content-type", b""))

    def deadline(self, route: str) -> Deadline:
        return Deadline.after(self.stats.budget_for(route))

    def record(self, route: str, seconds: float) -> None:
        self.stats.record(route, seconds)

    def admit(self) -> None:
        """Take one of the in-flight slots (503 ``overloaded`` when none is free); ``release`` gives it
        back. Two calls and a ``try``, not a context manager: this runs for every order."""
        gauge = self.gauge
        if gauge.inflight >= self.limits.max_inflight:
            raise Overloaded
        gauge.inflight += 1

    def release(self) -> None:
        self.gauge.inflight -= 1

    async def read_body(self, headers: Mapping[bytes, bytes], receive: Receive) -> bytes:
        """The whole body within the size and time limits: 413, 408, or :class:`ClientGone`."""
        limit = self.limits.max_body_bytes
        declared = content_length(headers)
        if declared is not None and declared > limit:
            await self._drain(receive, declared)
            raise BodyTooLarge(limit)
        if declared is None and b"transfer-encoding" not in headers:
            body = await self._read(receive, limit)  # no body: one empty message, there already
        else:
            try:
                async with asyncio.timeout(self.limits.body_read_seconds):
                    body = await self._read(receive, limit)
            except TimeoutError:
                raise BodyTimeout(self.limits.body_read_seconds) from None
        if body is None:  # over the limit while streaming: drained on its own clock, not the body's
            await self._drain(receive, None)
            raise BodyTooLarge(limit)
        return body

    async def _read(self, receive: Receive, limit: int) -> bytes | None:
        """The body, or None once it passes ``limit``."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _drain(self, receive: Receive, declared: int | None) -> None:
        """Read and drop a bounded amount of an oversized body, briefly, so its 413 reaches the client."""
        if declared is not None and declared > self.limits.drain_bytes:
            return  # more than we would ever read: answer now and let the connection close
        dropped = 0
        try:
            async with asyncio.timeout(min(self.limits.body_read_seconds, 5.0)):
                while dropped <= self.limits.drain_bytes:
                    message = await receive()
                    dropped += len(message.get("body", b""))
                    if message["type"] == "http.disconnect" or not message.get("more_body", False):
                        return
        except TimeoutError:
            return


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the application the body already read, then listens for a disconnect."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_again
