"""The edge's HTTP client for the central store (aiohttp; see the README for the measurement).

Every call takes an explicit time limit so that a slow or dead central store costs a request at
most its remaining budget, and a shared circuit breaker makes calls fail at once while the central
store keeps failing. Failures surface as :class:`CentralUnavailable`, never as a hang.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import aiohttp
import msgspec

from gateway.models import (
    Address,
    AddressBook,
    BatchResult,
    BatchResults,
    ChangeFeed,
    Coupon,
    Item,
    NewAddress,
)
from gateway.resilience import CircuitBreaker, OriginUnavailable


class CentralUnavailable(OriginUnavailable):
    """The central store did not answer usefully in time."""


class CentralRejected(Exception):
    """The central store answered, but refused the request (a 4xx); retrying will not help."""


class CentralClient:
    def __init__(
        self,
        base_url: str,
        credential: str,
        breaker: CircuitBreaker | None = None,
        max_connections: int = 64,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"authorization": f"Bearer {credential}"}
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self.breaker = breaker or CircuitBreaker()
        self._item_decoder = msgspec.json.Decoder(Item)
        self._book_decoder = msgspec.json.Decoder(AddressBook)
        self._coupons_decoder = msgspec.json.Decoder(list[Coupon])
        self._batch_decoder = msgspec.json.Decoder(BatchResults)
        self._feed_decoder = msgspec.json.Decoder(ChangeFeed)
        self._address_decoder = msgspec.json.Decoder(Address)

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=self._max_connections, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_item(self, sku: str, time_limit: float) -> Item | None:
        status, body = await self._request("GET", f"/v1/items/{sku}", time_limit)
        if status == 404:
            return None
        return self._item_decoder.decode(self._ok(status, body))

    async def address_book(self, user_id: str, time_limit: float) -> AddressBook | None:
        status, body = await self._request(
            "GET", f"/v1/users/{quote(user_id, safe='')}/address-book", time_limit
        )
        if status == 404:
            return None
        return self._book_decoder.decode(self._ok(status, body))

    async def coupons(self, time_limit: float) -> list[Coupon]:
        status, body = await self._request("GET", "/v1/coupons", time_limit)
        return self._coupons_decoder.decode(self._ok(status, body))

    async def changes(self, after: int | None, wait: int, time_limit: float) -> ChangeFeed:
        query = f"?wait={wait}" + ("" if after is None else f"&after={after}")
        status, body = await self._request("GET", f"/v1/changes{query}", time_limit)
        return self._feed_decoder.decode(self._ok(status, body))

    async def add_address(self, user_id: str, address: NewAddress, time_limit: float) -> Address:
        status, body = await self._request(
            "POST", f"/v1/users/{quote(user_id, safe='')}/addresses", time_limit, msgspec.json.encode(address)
        )
        if 400 <= status < 500:
            raise CentralRejected(f"central answered {status}: {body[:200].decode(errors='replace')}")
        if status != 201:
            raise CentralUnavailable(f"central answered {status} saving an address")
        return self._address_decoder.decode(body)

    async def send_batch(self, body: bytes, signature: str, time_limit: float) -> list[BatchResult]:
        headers = {"x-batch-signature": signature}
        status, answer = await self._request("POST", "/v1/order-batches", time_limit, body, headers)
        if 400 <= status < 500:
            raise CentralRejected(f"central refused the batch ({status}): {answer[:200]!r}")
        return self._batch_decoder.decode(self._ok(status, answer)).results

    async def forward(self, method: str, path: str, body: bytes, time_limit: float) -> tuple[int, bytes]:
        """Pass a request through unchanged; the caller interprets the status."""
        return await self._request(method, path, time_limit, body)

    @staticmethod
    def _ok(status: int, body: bytes) -> bytes:
        if status != 200:
            raise CentralUnavailable(f"central answered {status}")
        return body

    async def _request(
        self,
        method: str,
        path: str,
        time_limit: float,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise CentralUnavailable("client is not started")
        if time_limit <= 0:
            raise CentralUnavailable("no time left for the central store")
        if not self.breaker.allow():
            raise CentralUnavailable("circuit open: the central store keeps failing")
        if body is not None:
            headers = {"content-type": "application/json", **(headers or {})}
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=time_limit),
            ) as response:
                answer = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            self.breaker.record_failure()
            raise CentralUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        except asyncio.CancelledError:
            self.breaker.record_failure()  # a cancelled half-open probe must not hold the circuit
            raise
        if response.status >= 500:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()
        return response.status, answer
