"""The change follower in-process, against a central store in the same event loop: an item's new
version replaces the edge's copy, a saved address drops the shopper's cached book."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiocache import SimpleMemoryCache

from gateway.cache.layer import EdgeCache, Policy
from gateway.cache.tags import MemoryTagIndex
from gateway.clients.central import CentralClient
from gateway.edge.services.change_feed import ChangeFollower
from gateway.edge.services.reference import Reference
from gateway.resilience import CircuitBreaker
from gateway.signing import edge_credential
from tests.central_app import OPS_TOKEN, SECRET, CentralInProcess, central_in_process

SKU = "sku-00042"


@pytest.fixture
async def central(tmp_path: Path) -> AsyncIterator[CentralInProcess]:
    async with central_in_process(tmp_path) as running:
        yield running


@pytest.fixture
async def reference(central: CentralInProcess) -> AsyncIterator[Reference]:
    client = CentralClient(central.url, edge_credential(SECRET), CircuitBreaker(100, 0.05))
    await client.start()
    cache = EdgeCache(SimpleMemoryCache(timeout=None), MemoryTagIndex(), name="follower-test", near_seconds=0)
    policy = Policy(fresh_seconds=300)
    yield Reference(client, cache, policy, policy)
    await client.close()


async def test_an_item_changed_centrally_is_refreshed_at_the_edge(
    central: CentralInProcess, reference: Reference
) -> None:
    dropped: list[str] = []
    follower = ChangeFollower(reference._central, reference, on_item=dropped.append)
    await follower.step()  # a new follower starts from the feed's head
    before, _ = await reference.item_entry(SKU, 1.0)
    assert before is not None
    async with httpx.AsyncClient() as client:
        answer = await client.patch(
            f"{central.url}/v1/items/{SKU}",
            json={"price_cents": 1234},
            headers={"authorization": f"Bearer {OPS_TOKEN}"},
        )
        assert answer.status_code == 200
    await follower.step()
    after, found = await reference.item_entry(SKU, 1.0)
    assert after is not None
    assert (after.item.price_cents, after.item.version, found) == (1234, before.item.version + 1, "hit")
    assert dropped == [SKU], "pages showing the old price are dropped"
    assert follower.applied == 1


async def test_a_saved_address_drops_the_shoppers_cached_book(
    central: CentralInProcess, reference: Reference
) -> None:
    follower = ChangeFollower(reference._central, reference)
    await follower.step()
    book = await reference.address_book("u-0001", 1.0)
    new = {
        "name": "王芳", "phone": "13800138000", "province": "北京市", "city": "北京市", "county": "海淀区",
        "adcode": "110108", "detail": "中关村大街27号",
    }  # fmt: skip
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{central.url}/v1/users/u-0001/addresses",
            json=new,
            headers={"authorization": f"Bearer {edge_credential(SECRET)}"},
        )
        assert answer.status_code == 201
    await follower.step()
    refreshed = await reference.address_book("u-0001", 1.0)
    assert len(refreshed.addresses) == len(book.addresses) + 1
