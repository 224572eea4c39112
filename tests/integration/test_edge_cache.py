"""The edge's caches against a real central store: invalidation, stale serving, purge, metrics."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.nodes import Cluster, admin, cluster, start_edge

pytestmark = pytest.mark.integration


def _ops(nodes: Cluster) -> dict[str, str]:
    return {"authorization": f"Bearer {nodes.supervisor.env['CENTRAL_OPS_TOKEN']}"}


def _admin(nodes: Cluster) -> dict[str, str]:
    return {"authorization": f"Bearer {nodes.supervisor.env['EDGE_ADMIN_TOKEN']}"}


def test_a_price_change_reaches_every_edge_within_two_seconds(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        second = start_edge(nodes.supervisor, nodes.central.url, tmp_path / "second")
        edges = [nodes.edge.url, second.url]
        before = [httpx.get(f"{edge}/v1/catalog/items/sku-00011").json() for edge in edges]
        assert before[0] == before[1]
        new_price = before[0]["price_cents"] + 1_000
        changed = httpx.patch(
            f"{nodes.central.url}/v1/items/sku-00011", json={"price_cents": new_price}, headers=_ops(nodes)
        )
        assert changed.status_code == 200
        assert changed.json()["version"] == before[0]["version"] + 1
        started = time.monotonic()
        pending = set(edges)
        while pending and time.monotonic() - started < 2.0:
            for edge in list(pending):
                item = httpx.get(f"{edge}/v1/catalog/items/sku-00011").json()
                if item["price_cents"] == new_price:
                    pending.discard(edge)
            time.sleep(0.05)
        assert not pending, f"{pending} still served the old price after 2 s"
        etag = httpx.get(f"{edges[0]}/v1/catalog/items/sku-00011").headers["etag"]
        assert etag.endswith(f'-v{before[0]["version"] + 1}"')


def test_item_changes_are_validated_and_need_the_ops_token(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        url = f"{nodes.central.url}/v1/items/sku-00011"
        assert httpx.patch(url, json={"price_cents": 1}).status_code == 401
        bad = httpx.patch(url, json={"price_cents": -5}, headers=_ops(nodes))
        assert (bad.status_code, bad.json()["error"]["field"]) == (422, "price_cents")
        unknown_spec = httpx.patch(url, json={"spec_stock": {"no-such-spec": 1}}, headers=_ops(nodes))
        assert (unknown_spec.status_code, unknown_spec.json()["error"]["field"]) == (422, "spec_stock")
        missing = httpx.patch(
            f"{nodes.central.url}/v1/items/sku-99999", json={"price_cents": 1}, headers=_ops(nodes)
        )
        assert missing.status_code == 404


def test_stale_items_are_served_while_the_central_store_is_down(tmp_path: Path) -> None:
    env = {"EDGE_ITEM_CACHE_TTL_SECONDS": "0.5", "EDGE_CACHE_STALE_SECONDS": "0.5"}
    with cluster(tmp_path, extra_env=env) as nodes:
        url = f"{nodes.edge.url}/v1/catalog/items/sku-00005"
        fresh = httpx.get(url)
        assert fresh.headers["x-cache"] == "miss"
        nodes.central.process.kill()
        nodes.central.process.wait()
        time.sleep(1.2)  # past fresh and stale: only stale-if-error can answer now
        served = httpx.get(url)
        assert served.status_code == 200
        assert served.headers["x-cache"] == "stale_if_error"
        assert served.json() == fresh.json()
        assert httpx.get(f"{nodes.edge.url}/v1/catalog/items/sku-00006").status_code == 503


def test_admin_purge_by_key_and_tag(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        item = f"{nodes.edge.url}/v1/catalog/items/sku-00012"
        purge = f"{nodes.edge.url}/admin/purge"
        httpx.get(item)
        assert httpx.get(item).headers["x-cache"] == "hit"
        assert httpx.post(purge, json={"keys": ["item:sku-00012"]}).status_code == 401
        assert (
            httpx.post(
                purge, json={"keys": ["item:sku-00012"]}, headers={"authorization": "Bearer x"}
            ).status_code
            == 401
        )
        done = httpx.post(purge, json={"keys": ["item:sku-00012"]}, headers=_admin(nodes))
        assert done.json()["purged"] == 1
        assert httpx.get(item).headers["x-cache"] == "miss"
        assert httpx.post(purge, json={"tags": ["catalog"]}, headers=_admin(nodes)).json()["purged"] >= 1
        assert httpx.get(item).headers["x-cache"] == "miss"
        empty = httpx.post(purge, json={}, headers=_admin(nodes))
        assert (empty.status_code, empty.json()["error"]["field"]) == (422, "keys")


def test_cache_metrics_are_exported(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        httpx.get(f"{nodes.edge.url}/v1/catalog/items/sku-00001")
        httpx.get(f"{nodes.edge.url}/v1/catalog/items/sku-00001")
        text = httpx.get(f"{nodes.edge.url}/metrics", headers=admin(nodes)).text
        assert 'gateway_cache_events_total{cache="reference",event="hit"} 1.0' in text
        assert 'gateway_cache_events_total{cache="reference",event="miss"} 1.0' in text
        assert 'gateway_cache_entries{cache="reference"} 1.0' in text
