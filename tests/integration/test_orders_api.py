"""POST /v1/orders and GET /v1/orders/{id} against real edge and central processes."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.nodes import Cluster, central_orders, cluster, order_body, session_token, start_edge

pytestmark = pytest.mark.integration


def _post(edge_url: str, token: str, body: object, key: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    if key is not None:
        headers["idempotency-key"] = key
    return httpx.post(f"{edge_url}/v1/orders", json=body, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def token(running: Cluster) -> str:
    return session_token(running.edge.url, "u-0001")


def test_an_order_is_acknowledged_with_payment_redirect_and_totals(running: Cluster, token: str) -> None:
    response = _post(running.edge.url, token, order_body(coupons=["c-10off99"]), key=str(uuid.uuid4()))
    assert response.status_code == 202
    ack = response.json()
    assert ack["status"] == "accepted"
    assert ack["flags"] == []
    assert ack["queued"] is True
    assert ack["order_id"] in ack["payment"]["redirect_url"]
    assert f"amount={ack['totals']['total_cents']}" in ack["payment"]["redirect_url"]
    assert ack["totals"]["discount_cents"] == 1000
    assert {"lookup", "assess", "commit", "total"} <= {
        entry.split(";")[0] for entry in response.headers["server-timing"].split(", ")
    }


TEXT_ADDRESS = {"name": "张三", "phone": "12345", "text": "北京市东城区东华门大街1号"}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"qty": 0}, "invalid_field", "qty"),
        ({"qty": 10_000}, "invalid_field", "qty"),
        ({"qty": "2"}, "invalid_field", "qty"),
        ({"sku": "sku-99999"}, "unknown_sku", "sku"),
        ({"sku": "not-a-sku"}, "invalid_field", "sku"),
        ({"spec": "purple-XXXL"}, "spec_not_offered", "spec"),
        ({"payment_method": "bitcoin"}, "unknown_payment_method", "payment_method"),
        ({"address_id": "a-9999-0"}, "unknown_address", "address_id"),
        ({"address_id": None}, "address_required", "address"),
        ({"address": TEXT_ADDRESS}, "invalid_field", "address.phone"),
        (
            {"address_id": None, "address": {"name": "张三", "phone": "13800138000"}},
            "invalid_field",
            "address",
        ),
        ({"coupons": ["c-10off99", "no-such-coupon"]}, "unknown_coupon", "coupons.1"),
        ({"note": "长" * 201}, "invalid_field", "note"),
        ({"surprise": 1}, "invalid_field", "surprise"),
    ],
)
def test_invalid_orders_are_422_naming_the_field(
    running: Cluster, token: str, changes: dict[str, object], code: str, field: str
) -> None:
    response = _post(running.edge.url, token, order_body(**changes), key=str(uuid.uuid4()))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field


def test_malformed_json_is_400(running: Cluster, token: str) -> None:
    response = httpx.post(
        f"{running.edge.url}/v1/orders",
        content=b'{"sku": ',
        headers={"authorization": f"Bearer {token}", "idempotency-key": "malformed"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"


@pytest.mark.parametrize(
    ("key", "code"), [(None, "idempotency_key_required"), ("k" * 256, "invalid_idempotency_key")]
)
def test_idempotency_key_is_required_and_bounded(
    running: Cluster, token: str, key: str | None, code: str
) -> None:
    response = _post(running.edge.url, token, order_body(), key=key)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": code, "message": response.json()["error"]["message"], "field": "Idempotency-Key",
    }  # fmt: skip


def test_a_255_character_key_is_fine(running: Cluster, token: str) -> None:
    assert _post(running.edge.url, token, order_body(), key="k" * 255).status_code == 202


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"])
def test_orders_need_a_valid_session(running: Cluster, authorization: str | None) -> None:
    headers = {"idempotency-key": str(uuid.uuid4())}
    if authorization:
        headers["authorization"] = authorization
    response = httpx.post(f"{running.edge.url}/v1/orders", json=order_body(), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "authorization"


def test_same_key_same_body_replays_the_first_answer(running: Cluster, token: str) -> None:
    key = str(uuid.uuid4())
    first = _post(running.edge.url, token, order_body(), key=key)
    again = _post(running.edge.url, token, order_body(), key=key)
    assert first.status_code == again.status_code == 202
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_same_key_other_body_is_409(running: Cluster, token: str) -> None:
    key = str(uuid.uuid4())
    assert _post(running.edge.url, token, order_body(), key=key).status_code == 202
    reused = _post(running.edge.url, token, order_body(qty=2), key=key)
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_whitespace_and_key_order_do_not_make_another_body(running: Cluster, token: str) -> None:
    key = str(uuid.uuid4())
    headers = {"authorization": f"Bearer {token}", "idempotency-key": key, "content-type": "application/json"}
    first = httpx.post(
        f"{running.edge.url}/v1/orders",
        content=b'{"sku":"sku-00042","spec":"black-M","qty":1,"payment_method":"alipay","address_id":"a-0001-0"}',
        headers=headers,
    )
    second = httpx.post(
        f"{running.edge.url}/v1/orders",
        content=b'{ "address_id": "a-0001-0", "qty": 1, "payment_method": "alipay",\n'
        b' "spec": "black-M", "sku": "sku-00042" }',
        headers=headers,
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["order_id"] == second.json()["order_id"]


def test_concurrent_duplicates_make_exactly_one_order(running: Cluster, token: str) -> None:
    key = str(uuid.uuid4())

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=10) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"{running.edge.url}/v1/orders",
                        json=order_body(),
                        headers={"authorization": f"Bearer {token}", "idempotency-key": key},
                    )
                    for _ in range(25)
                )
            )

    responses = asyncio.run(burst())
    assert {r.status_code for r in responses} == {202}
    assert len({r.json()["order_id"] for r in responses}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 1


def test_a_users_order_status_is_theirs_alone(running: Cluster, token: str) -> None:
    ack = _post(running.edge.url, token, order_body(), key=str(uuid.uuid4())).json()
    url = f"{running.edge.url}/v1/orders/{ack['order_id']}"
    mine = httpx.get(url, headers={"authorization": f"Bearer {token}"})
    assert mine.status_code == 200
    assert mine.json()["order_id"] == ack["order_id"]
    assert mine.json()["status"] in {"queued", "stored"}
    assert mine.json()["ack"] == ack

    other = session_token(running.edge.url, "u-0002")
    theirs = httpx.get(url, headers={"authorization": f"Bearer {other}"})
    assert theirs.status_code == 404
    assert ack["order_id"] not in theirs.text.replace(f"no order {ack['order_id']}", "")
    assert theirs.json()["error"]["code"] == "unknown_order"
    missing = httpx.get(f"{running.edge.url}/v1/orders/o-nope", headers={"authorization": f"Bearer {other}"})
    assert missing.json()["error"]["code"] == theirs.json()["error"]["code"]
    assert httpx.get(url).status_code == 401


def test_order_reaches_the_central_store_and_its_status_says_so(running: Cluster, token: str) -> None:
    ack = _post(running.edge.url, token, order_body(), key=str(uuid.uuid4())).json()
    ops = running.supervisor.env["CENTRAL_OPS_TOKEN"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = httpx.get(
            f"{running.edge.url}/v1/orders/{ack['order_id']}", headers={"authorization": f"Bearer {token}"}
        ).json()
        if status["status"] == "stored":
            break
        time.sleep(0.1)
    assert status["status"] == "stored"
    assert status["queued"] is False
    stored = [o for o in central_orders(running.central.url, ops) if o["order_id"] == ack["order_id"]]
    assert len(stored) == 1
    assert stored[0]["user_id"] == "u-0001"
    assert stored[0]["edge"] == "edge-test"


def test_flagged_orders_wait_in_the_review_queue_with_their_packet(running: Cluster, token: str) -> None:
    body = order_body(qty=50, coupons=["c-30off299", "c-100off999"], gift=True, note="请周末送达")
    ack = _post(running.edge.url, token, body, key=str(uuid.uuid4())).json()
    assert ack["status"] == "needs_review"
    codes = {flag["code"] for flag in ack["flags"]}
    assert {"unusual_quantity", "stacked_coupons", "gift_details_needed"} <= codes
    ops = {"authorization": f"Bearer {running.supervisor.env['CENTRAL_OPS_TOKEN']}"}
    deadline = time.monotonic() + 10
    packet = None
    while packet is None and time.monotonic() < deadline:
        reviews = httpx.get(
            f"{running.central.url}/v1/review-queue", params={"limit": 500}, headers=ops
        ).json()
        packet = next((r["packet"] for r in reviews["reviews"] if r["order_id"] == ack["order_id"]), None)
        time.sleep(0.1)
    assert packet is not None
    assert packet["summary"]["qty"] == 50
    assert packet["summary"]["title"]
    assert packet["address"]["adcode"]
    assert packet["pricing"]["total_cents"] == ack["totals"]["total_cents"]
    assert packet["pricing"]["coupons"][0]["discount_cents"] == 3000
    assert packet["pricing"]["rejected_coupons"][0]["reason"] == "not_stackable"
    assert {flag["code"] for flag in packet["flags"]} == codes
    assert all(flag["field"] for flag in packet["flags"])
    assert packet["note"] == "请周末送达"
    assert httpx.get(f"{running.central.url}/v1/review-queue").status_code == 401


def test_replay_after_an_edge_restart_gives_the_first_answer(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        token = session_token(nodes.edge.url, "u-0001")
        key = str(uuid.uuid4())
        first = _post(nodes.edge.url, token, order_body(), key=key)
        assert first.status_code == 202
        port = int(nodes.edge.url.rsplit(":", 1)[1])
        nodes.edge.process.terminate()
        nodes.edge.process.wait(timeout=20)
        nodes.supervisor.nodes.remove(nodes.edge)
        restarted = start_edge(nodes.supervisor, nodes.central.url, tmp_path, port=port)
        again = _post(restarted.url, token, order_body(), key=key)
        assert again.status_code == 202
        assert again.content == first.content
        assert _post(restarted.url, token, order_body(qty=3), key=key).status_code == 409


@pytest.mark.parametrize(
    ("env", "reason"),
    [({"EDGE_OUTBOX_MAX_DEPTH": "3"}, "depth"), ({"EDGE_OUTBOX_MAX_BYTES": "131072"}, "disk")],
)
def test_a_full_outbox_answers_503_and_acknowledges_nothing(
    tmp_path: Path, env: dict[str, str], reason: str
) -> None:
    with cluster(tmp_path, extra_env=env) as nodes:
        token = session_token(nodes.edge.url, "u-0001")
        assert httpx.get(f"{nodes.edge.url}/v1/catalog/items/sku-00042").status_code == 200
        nodes.central.process.kill()  # nothing drains from here on
        nodes.central.process.wait()
        acked: list[str] = []
        refused = None
        for n in range(400):
            response = _post(nodes.edge.url, token, order_body(note="x" * 200), key=f"fill-{n}")
            if response.status_code != 202:
                refused = response
                break
            acked.append(response.json()["order_id"])
        assert refused is not None, "the outbox never filled"
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "outbox_unavailable"
        assert reason in refused.json()["error"]["message"]
        assert int(refused.headers["retry-after"]) > 0
        assert acked
        for order_id in acked:  # everything acknowledged is still there
            status = httpx.get(
                f"{nodes.edge.url}/v1/orders/{order_id}", headers={"authorization": f"Bearer {token}"}
            )
            assert status.json()["status"] in {"queued", "needs_review"}
        refused_key = f"fill-{len(acked)}"
        assert _post(nodes.edge.url, token, order_body(note="x" * 200), key=refused_key).status_code == 503
