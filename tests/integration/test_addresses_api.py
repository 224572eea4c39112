"""Address resolution and address books through a real edge and central store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.nodes import Cluster, cluster, session_token, start_edge

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The shared cluster, its edge told that 东极镇 (an island town of 舟山's 普陀区) is remote."""
    with cluster(Path(tmp_path_factory.mktemp("cluster")), {"EDGE_REMOTE_TOWNS": "330903105"}) as nodes:
        yield nodes


def test_a_full_address_resolves_with_region_and_remote_flag(running: Cluster) -> None:
    answer = httpx.post(
        f"{running.edge.url}/v1/address/resolve", json={"text": "西藏拉萨市城关区北京中路12号"}
    ).json()
    assert answer["adcode"] == "540102"
    assert (answer["province"], answer["city"], answer["county"]) == ("西藏自治区", "拉萨市", "城关区")
    assert answer["region"] == "west"
    assert answer["remote"] is True
    assert answer["confidence"] >= 0.8
    assert "fallbacks" not in answer


@pytest.mark.parametrize(
    ("text", "town", "remote"),
    [
        ("浙江省舟山市普陀区东极镇庙子湖村8号", ("东极镇", "330903105", "庙子湖村"), True),
        ("张伟 13812345678 舟山普陀区沈家门街道海莲路1号", ("沈家门街道", "330903001", None), False),
        ("浙江省舟山市普陀区海莲路1号", (None, None, None), False),
    ],
)
def test_the_town_is_returned_where_written_and_a_remote_town_is_remote(
    running: Cluster, text: str, town: tuple[str | None, str | None, str | None], remote: bool
) -> None:
    answer = httpx.post(f"{running.edge.url}/v1/address/resolve", json={"text": text}).json()
    assert (answer["adcode"], answer["county"]) == ("330903", "普陀区")
    assert (answer["town"], answer["town_code"], answer["village"]) == town
    assert answer["remote"] is remote


def test_an_ambiguous_address_offers_candidates_and_fallbacks(running: Cluster) -> None:
    answer = httpx.post(f"{running.edge.url}/v1/address/resolve", json={"text": "鼓楼区中山路1号"}).json()
    assert answer["adcode"] is None
    assert (answer["town"], answer["town_code"], answer["village"]) == (None, None, None)
    assert len(answer["candidates"]) >= 2
    assert {c["county"] for c in answer["candidates"]} == {"鼓楼区"}
    assert answer["fallbacks"] == ["pick_on_map", "manual_entry"]


@pytest.mark.parametrize(("body", "field"), [({}, "text"), ({"text": ""}, "text"), ({"text": 5}, "text")])
def test_bad_resolve_requests_name_the_field(running: Cluster, body: dict[str, object], field: str) -> None:
    response = httpx.post(f"{running.edge.url}/v1/address/resolve", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_saving_an_address_shows_in_the_book_on_every_edge(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        other_edge = start_edge(nodes.supervisor, nodes.central.url, tmp_path / "other")
        token = session_token(nodes.edge.url, "shopper-book-1")
        auth = {"authorization": f"Bearer {token}"}
        assert httpx.get(f"{nodes.edge.url}/v1/address/book", headers=auth).json()["addresses"] == []
        assert httpx.get(f"{other_edge.url}/v1/address/book", headers=auth).json()["addresses"] == []
        saved = httpx.post(
            f"{nodes.edge.url}/v1/address/book",
            json={"name": "李四", "phone": "13900139000", "text": "浙江省杭州市西湖区文三路99号"},
            headers=auth,
        )
        assert saved.status_code == 201, saved.text
        address = saved.json()
        assert (address["adcode"], address["detail"], address["is_default"]) == ("330106", "文三路99号", True)
        assert address["address_id"] == "a-@shopper-book-1-0", (
            "ids of other users cannot collide with u-NNNN ones"
        )
        assert httpx.get(f"{nodes.edge.url}/v1/address/book", headers=auth).json()["addresses"] == [address]
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            book = httpx.get(f"{other_edge.url}/v1/address/book", headers=auth).json()
            if book["addresses"]:
                break
            time.sleep(0.05)
        assert book["addresses"] == [address], "the change feed reached the other edge"


def test_an_uncertain_address_is_not_saved(running: Cluster) -> None:
    auth = {"authorization": f"Bearer {session_token(running.edge.url, 'u-0003')}"}
    response = httpx.post(
        f"{running.edge.url}/v1/address/book",
        json={"name": "王五", "phone": "13700137000", "text": "鼓楼区中山路1号"},
        headers=auth,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "address_unresolved"
    assert "鼓楼区" in response.json()["error"]["message"]


def test_the_book_needs_a_session(running: Cluster) -> None:
    assert httpx.get(f"{running.edge.url}/v1/address/book").status_code == 401
