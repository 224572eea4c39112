"""The edge's HTTP client for the central store (aiohttp; see the README for the measurement).

Every call takes an explicit timeout so that a slow or dead central store costs a request at most
its remaining budget; failures surface as :class:`CentralUnavailable`, never as a hang.
"""

from __future__ import annotations

import aiohttp
import msgspec

from gateway.models import Item


class CentralUnavailable(Exception):
    """The central store did not answer usefully in time."""


class CentralClient:
    def __init__(self, base_url: str, credential: str, max_connections: int = 64) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"authorization": f"Bearer {credential}"}
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._item_decoder = msgspec.json.Decoder(Item)

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
        if status != 200:
            raise CentralUnavailable(f"central answered {status} for item {sku}")
        return self._item_decoder.decode(body)

    async def forward(self, method: str, path: str, body: bytes, time_limit: float) -> tuple[int, bytes]:
        """Pass a request through unchanged; the caller interprets the status."""
        return await self._request(method, path, time_limit, body)

    async def _request(
        self, method: str, path: str, time_limit: float, body: bytes | None = None
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise CentralUnavailable("client is not started")
        headers = {"content-type": "application/json"} if body is not None else None
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=time_limit),
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise CentralUnavailable(f"{method} {path}: {exc!r}") from None
