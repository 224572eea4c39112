"""The findings of the black-box probe of 2026-12, one test each, against a real central store and edge.

Written against HTTP and the command line only (and ``tests.nodes.cluster``), so that the same file
runs against the release the probe found them in: there, each of these tests fails.
What held then is tested where it lives (sessions, signatures, authorization between shoppers).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import orjson
import pytest

from gateway.signing import BatchSigner, SessionSigner, derive_key
from tests.nodes import Cluster, cluster, order_body

pytestmark = pytest.mark.integration

INFLIGHT = 64


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    production = {
        "GATEWAY_DEMO_LOGIN": "0",  # sessions are signed by the test, as an identity service would
        "EDGE_RATE_ORDERS_PER_SHOPPER": "20/minute;200/day",
        "EDGE_SERVER_MAX_INFLIGHT_REQUESTS": str(INFLIGHT),
        "EDGE_SERVER_HEADER_READ_TIMEOUT_SECONDS": "2",
        "EDGE_SERVER_BODY_READ_TIMEOUT_SECONDS": "4",
    }
    with cluster(Path(tmp_path_factory.mktemp("findings")), extra_env=production) as running:
        yield running


def _bearer(nodes: Cluster, user: str = "u-0001") -> dict[str, str]:
    return {"authorization": f"Bearer {SessionSigner(nodes.secret).issue(user)[0]}"}


def _admin(nodes: Cluster) -> dict[str, str]:
    return {"authorization": f"Bearer {nodes.supervisor.env['EDGE_ADMIN_TOKEN']}"}


def _address(nodes: Cluster) -> tuple[str, int]:
    host, port = nodes.edge.url.removeprefix("http://").split(":")
    return host, int(port)


def test_1_unknown_paths_never_become_metric_labels(nodes: Cluster) -> None:
    async def junk() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for start in range(0, 500, 50):
                paths = (f"/v1/probe-{n}" for n in range(start, start + 50))
                await asyncio.gather(*(client.get(nodes.edge.url + path) for path in paths))

    asyncio.run(junk())
    metrics = httpx.get(f"{nodes.edge.url}/metrics", headers=_admin(nodes)).text
    assert "probe-" not in metrics
    started = time.monotonic()
    assert httpx.get(f"{nodes.edge.url}/stats", headers=_admin(nodes)).status_code == 200
    assert time.monotonic() - started < 0.1


def test_2_slow_bodies_do_not_take_the_inflight_slots(nodes: Cluster) -> None:
    host, port = _address(nodes)
    slow = []
    try:
        for n in range(INFLIGHT + 20):
            conn = socket.create_connection((host, port), source_address=(f"127.0.0.{2 + n % 4}", 0))
            conn.sendall(b"POST /v1/address/resolve HTTP/1.1\r\nHost: e\r\nContent-Length: 5000\r\n\r\n{")
            slow.append(conn)
        time.sleep(0.5)
        answer = httpx.get(f"{nodes.edge.url}/v1/catalog/items/sku-00042")
        assert answer.status_code == 200, answer.text
    finally:
        for conn in slow:
            conn.close()


def test_3_the_open_login_is_closed_outside_demo_mode(nodes: Cluster) -> None:
    for url in (nodes.edge.url, nodes.central.url):
        answer = httpx.post(f"{url}/v1/sessions", json={"user_id": "u-0003"})
        assert answer.status_code == 404, url


def test_4_an_unfinished_head_is_closed_and_a_huge_one_refused(nodes: Cluster) -> None:
    host, port = _address(nodes)
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: e\r\nX-Slow: a")
        started = time.monotonic()
        assert conn.recv(65536).split(b"\r\n", 1)[0].endswith(b"408 Request Timeout")
        assert time.monotonic() - started < 5
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: e\r\nX-Big: " + b"a" * (1 << 20))
        assert b" 431 " in conn.recv(65536).split(b"\r\n", 1)[0]


def test_5_one_shopper_cannot_fill_the_outbox(nodes: Cluster) -> None:
    headers = _bearer(nodes, "u-0005")
    statuses = []
    with httpx.Client(timeout=10) as client:
        for n in range(40):
            answer = client.post(
                f"{nodes.edge.url}/v1/orders",
                json=order_body(address_id="a-0005-0"),  # u-0005's own first address
                headers={**headers, "idempotency-key": f"f5-{n}"},
            )
            statuses.append(answer.status_code)
            assert answer.status_code in (202, 429), answer.text
            if answer.status_code == 429:
                assert answer.json()["error"]["code"] == "rate_limited"
                assert int(answer.headers["retry-after"]) >= 1
    assert statuses.count(202) == 20
    assert statuses.count(429) == 20


@pytest.mark.parametrize("qty", ["²", "①", "٣"])
def test_6_unicode_digits_in_qty_are_a_422(nodes: Cluster, qty: str) -> None:
    answer = httpx.get(
        f"{nodes.edge.url}/v1/order-page", params={"sku": "sku-00042", "qty": qty}, headers=_bearer(nodes)
    )
    assert (answer.status_code, answer.json()["error"]["field"]) == (422, "qty")


def test_7_central_refuses_odd_signatures_and_sequence_numbers_cleanly(nodes: Cluster) -> None:
    body = orjson.dumps({"edge": "edge-x", "orders": []})
    answer = httpx.post(
        f"{nodes.central.url}/v1/order-batches", content=body, headers={"x-batch-signature": "签名".encode()}
    )
    assert answer.status_code == 401
    batch = orjson.dumps(
        {
            "edge": "edge-x",
            "orders": [
                {"order_id": "o-x", "edge_seq": 2**63, "packet": {"user_id": "u", "status": "accepted"}}
            ],
        }
    )
    signed = {"x-batch-signature": BatchSigner(nodes.secret).sign(batch)}
    answer = httpx.post(f"{nodes.central.url}/v1/order-batches", content=batch, headers=signed)
    assert (answer.status_code, answer.json()["error"]["field"]) == (422, "orders.0.edge_seq")


def test_8_a_client_hanging_up_mid_body_is_not_counted(nodes: Cluster) -> None:
    def count() -> int:
        routes = httpx.get(f"{nodes.edge.url}/stats", headers=_admin(nodes)).json()["routes"]
        return int(routes.get("address", {}).get("count", 0))

    before = count()
    host, port = _address(nodes)
    for _ in range(20):
        with socket.create_connection((host, port)) as conn:
            conn.sendall(b"POST /v1/address/resolve HTTP/1.1\r\nHost: e\r\nContent-Length: 500\r\n\r\n{")
    time.sleep(0.5)
    assert count() == before


@pytest.mark.parametrize("subject", ["u-0003/address-book?x=", "", "../u-0003", "u-0003%2Faddress-book"])
def test_9_a_session_subject_must_be_a_user_id(nodes: Cluster, subject: str) -> None:
    key = derive_key(nodes.secret, b"gateway/session-token/v1")
    token = jwt.encode({"sub": subject, "exp": int(time.time()) + 600}, key, "HS256")
    answer = httpx.get(f"{nodes.edge.url}/v1/address/book", headers={"authorization": f"Bearer {token}"})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gift": {"greeting": "生日快乐", "deliver_at": "tomorrow"}}, "gift.deliver_at"),
        ({"note": "请放门口\u0000"}, "note"),
        ({"note": "\u001b[2J\u001b[31mPAID\u001b[0m"}, "note"),
    ],
)
def test_10_free_text_is_validated(nodes: Cluster, change: dict[str, object], field: str) -> None:
    headers = {**_bearer(nodes, "u-0010"), "idempotency-key": f"f10-{field}-{len(str(change))}"}
    answer = httpx.post(f"{nodes.edge.url}/v1/orders", json=order_body(**change), headers=headers)
    assert (answer.status_code, answer.json()["error"]["field"]) == (422, field)


def test_11_the_order_page_cannot_be_framed_or_sniffed(nodes: Cluster) -> None:
    answer = httpx.get(f"{nodes.edge.url}/v1/order-page", params={"sku": "sku-00042"}, headers=_bearer(nodes))
    assert answer.status_code == 200
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("origin", ["", "https://{host}"])
def test_12_an_empty_origin_or_another_scheme_is_cross_site(nodes: Cluster, origin: str) -> None:
    host = nodes.edge.url.removeprefix("http://")
    token = SessionSigner(nodes.secret).issue("u-0001")[0]
    headers = {"cookie": f"session={token}", "origin": origin.format(host=host), "idempotency-key": "f12"}
    answer = httpx.post(f"{nodes.edge.url}/v1/orders", json=order_body(), headers=headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "cross_site_request")


def test_13_errors_quote_no_internals_and_answers_show_no_full_phone(nodes: Cluster) -> None:
    odd = httpx.get(f"{nodes.edge.url}/v1/address/book", headers={"authorization": b"Bearer \xb7\xb7.e30.x"})
    assert odd.status_code == 401
    assert "codec" not in odd.text
    assert "utf-8" not in odd.text
    book = httpx.get(f"{nodes.edge.url}/v1/address/book", headers=_bearer(nodes))
    assert book.status_code == 200
    page = httpx.get(
        f"{nodes.edge.url}/v1/order-page",
        params={"sku": "sku-00042"},
        headers={**_bearer(nodes), "accept": "application/json"},
    )
    phones = [a["phone"] for a in book.json()["addresses"]] + [page.json()["address"]["phone"]]
    assert phones
    assert all("****" in phone for phone in phones)


@pytest.mark.parametrize("path", ["/metrics", "/stats"])
def test_13_the_nodes_numbers_need_the_admin_token(nodes: Cluster, path: str) -> None:
    assert httpx.get(nodes.edge.url + path).status_code == 401
    assert httpx.get(nodes.edge.url + path, headers=_admin(nodes)).status_code == 200


def test_13_readiness_tells_anyone_only_whether_the_node_is_ready(nodes: Cluster) -> None:
    assert httpx.get(f"{nodes.edge.url}/readyz").json() == {"ready": True}
    assert "outbox" in httpx.get(f"{nodes.edge.url}/readyz", headers=_admin(nodes)).json()


def test_the_batch_signature_is_what_central_checks(nodes: Cluster) -> None:
    """The signature the tests above forge is the real one: a correctly signed empty batch passes."""
    body = orjson.dumps({"edge": "edge-x", "orders": []})
    key = derive_key(nodes.secret, b"gateway/order-batch/v1")
    signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    answer = httpx.post(
        f"{nodes.central.url}/v1/order-batches", content=body, headers={"x-batch-signature": signature}
    )
    assert answer.status_code == 200
