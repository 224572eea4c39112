"""The shared Redis cache tier (aiocache's Redis backend) for a region's workers, on the real Redis."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import msgspec
import pytest
import redis
import redis.asyncio

from gateway.cache import CACHE_FORMAT
from gateway.cache.codec import SignedTypedSerializer
from gateway.cache.items import CachedItem
from gateway.cache.tags import RedisTagIndex
from gateway.edge.services.reference import REFERENCE_KINDS
from gateway.signing import cache_entry_key
from tests.integration.conftest import REDIS_DB
from tests.nodes import cluster, order_body, session_token, start_edge

pytestmark = pytest.mark.integration


def test_workers_of_a_region_share_entries_and_purges(tmp_path: Path, redis_url: str) -> None:
    near_seconds = 0.3
    env = {
        "EDGE_CACHE_BACKEND": "redis",
        "EDGE_CACHE_REDIS_URL": redis_url,
        "EDGE_CACHE_NEAR_SECONDS": str(near_seconds),
    }
    with cluster(tmp_path, extra_env=env) as nodes:
        worker_b = start_edge(nodes.supervisor, nodes.central.url, tmp_path / "b")
        item_a = f"{nodes.edge.url}/v1/catalog/items/sku-00021"
        item_b = f"{worker_b.url}/v1/catalog/items/sku-00021"
        assert httpx.get(item_a).headers["x-cache"] == "miss"
        shared = httpx.get(item_b)
        assert shared.headers["x-cache"] == "hit", "filled by the other worker"
        assert shared.json()["sku"] == "sku-00021"
        keys = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).keys("gateway:local:reference*")
        assert keys

        admin = {"authorization": f"Bearer {nodes.supervisor.env['EDGE_ADMIN_TOKEN']}"}
        purged = httpx.post(f"{nodes.edge.url}/admin/purge", json={"tags": ["catalog"]}, headers=admin).json()
        assert purged["purged"] >= 1
        time.sleep(near_seconds + 0.1)  # the other worker's near copy lasts this long at most
        assert httpx.get(item_b).headers["x-cache"] == "miss", "a purge on one worker empties the tier"


def test_an_entry_written_into_redis_by_anything_but_an_edge_is_never_read(
    tmp_path: Path, redis_url: str
) -> None:
    env = {"EDGE_CACHE_BACKEND": "redis", "EDGE_CACHE_REDIS_URL": redis_url, "EDGE_CACHE_NEAR_SECONDS": "0"}
    with cluster(tmp_path, extra_env=env) as nodes:
        item = f"{nodes.edge.url}/v1/catalog/items/sku-00021"
        title = httpx.get(item).json()["title"]
        store = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        (key,) = store.keys("gateway:local:reference:*sku-00021")
        secret = nodes.supervisor.env["GATEWAY_SECRET"]
        namespace = f"gateway:local:reference:{CACHE_FORMAT}"
        serializer = SignedTypedSerializer(cache_entry_key(secret), namespace, REFERENCE_KINDS)
        envelope = serializer.loads(store.get(key))
        assert envelope is not None
        forged_item = msgspec.structs.replace(envelope.value.item, title="forged")
        forged = msgspec.structs.replace(envelope, value=CachedItem.of(forged_item))
        # What a writer without GATEWAY_SECRET could put there: a well-formed entry under another key.
        store.set(key, SignedTypedSerializer(b"not-the-key" * 3, namespace, REFERENCE_KINDS).dumps(forged))

        answer = httpx.get(item)
        assert (answer.headers["x-cache"], answer.json()["title"]) == ("miss", title)
        refilled = serializer.loads(store.get(key))
        assert refilled is not None, "filled again from the origin, signed"
        assert refilled.value.item.title == title


async def test_the_shared_tag_index_forgets_keys_once_their_entries_expire(redis_url: str) -> None:
    client = redis.asyncio.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    index = RedisTagIndex(client, "test:tag:")
    try:
        await index.add("book:u-1", ["books"], expires_at=10.0, now=0.0)
        await index.add("book:u-2", ["books"], expires_at=100.0, now=50.0)
        assert await client.zcard("test:tag:books") == 1, "u-1's book expired at 10: trimmed"
        await index.add("book:u-3", ["books"], expires_at=70.0, now=50.0)
        assert await index.pop("books", now=80.0) == ["book:u-2"]
        assert await client.exists("test:tag:books") == 0
    finally:
        await client.aclose()


def test_orders_work_through_the_redis_tier(tmp_path: Path, redis_url: str) -> None:
    env = {"EDGE_CACHE_BACKEND": "redis", "EDGE_CACHE_REDIS_URL": redis_url}
    with cluster(tmp_path, extra_env=env) as nodes:
        token = session_token(nodes.edge.url, "u-0001")
        headers = {"authorization": f"Bearer {token}", "idempotency-key": "redis-tier-1"}
        response = httpx.post(f"{nodes.edge.url}/v1/orders", json=order_body(), headers=headers)
        assert response.status_code == 202
        assert response.json()["status"] == "accepted"


def test_an_address_saved_through_one_worker_can_be_ordered_to_at_once_through_another(
    tmp_path: Path, redis_url: str
) -> None:
    env = {"EDGE_CACHE_BACKEND": "redis", "EDGE_CACHE_REDIS_URL": redis_url, "EDGE_CACHE_NEAR_SECONDS": "30"}
    with cluster(tmp_path, extra_env=env) as nodes:
        worker_b = start_edge(nodes.supervisor, nodes.central.url, tmp_path / "b")
        auth = {"authorization": f"Bearer {session_token(nodes.edge.url, 'u-0001')}"}
        first = httpx.post(
            f"{nodes.edge.url}/v1/orders", json=order_body(), headers={**auth, "idempotency-key": "near-1"}
        )
        assert first.status_code == 202, "worker A now holds u-0001's book in its near tier"
        saved = httpx.post(
            f"{worker_b.url}/v1/address/book",
            json={"name": "李四", "phone": "13900139000", "text": "浙江省杭州市西湖区文三路99号"},
            headers=auth,
        )
        assert saved.status_code == 201, saved.text
        order = order_body(address_id=saved.json()["address_id"])
        second = httpx.post(
            f"{nodes.edge.url}/v1/orders", json=order, headers={**auth, "idempotency-key": "near-2"}
        )
        assert second.status_code == 202, second.text
