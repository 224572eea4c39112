"""Signals, prerendered order pages and the order page form, through a real edge and central store."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.nodes import Cluster, cluster, session_token

pytestmark = pytest.mark.integration
SKU = "sku-00042"


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _signal(edge: str, token: str, *events: dict[str, object], **headers: str) -> httpx.Response:
    return httpx.post(
        f"{edge}/v1/signals", json={"events": list(events)}, headers={**_auth(token), **headers}
    )


def _spec(edge: str) -> str:
    spec: str = httpx.get(f"{edge}/v1/catalog/items/{SKU}").json()["specs"][1]
    return spec


def _wait_for_hit(edge: str, token: str, spec: str, qty: int = 1) -> httpx.Response:
    deadline = time.monotonic() + 5
    while True:
        page = httpx.get(
            f"{edge}/v1/order-page", params={"sku": SKU, "spec": spec, "qty": qty}, headers=_auth(token)
        )
        if page.headers.get("x-prerender") == "hit" or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


def _show_interest(edge: str, token: str, spec: str) -> None:
    now = time.time()
    response = _signal(
        edge,
        token,
        {"t": now, "type": "view", "sku": SKU},
        {"t": now + 1, "type": "spec", "sku": SKU, "spec": spec},
    )
    assert response.status_code == 202
    assert response.json() == {"accepted": 2, "skipped": 0}


def test_signals_are_accepted_as_json_and_as_text_plain_for_sendbeacon(running: Cluster) -> None:
    token = session_token(running.edge.url, "u-0010")
    body = (
        b'{"events": [{"t": 1732300000.1, "type": "view", "sku": "sku-00042"}, {"t": 1, "type": "nope"}, 7]}'
    )
    for content_type in ("application/json", "text/plain;charset=UTF-8"):
        response = httpx.post(
            f"{running.edge.url}/v1/signals",
            content=body,
            headers={**_auth(token), "content-type": content_type},
        )
        assert response.status_code == 202
        assert response.json() == {"accepted": 1, "skipped": 2}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        (b"{nope", "application/json", 400, "body"),
        (b'{"events": {}}', "application/json", 422, "events"),
        (b"[]", "application/json", 422, "body"),  # not the object: the body is at fault
        (b'{"events": []}', "application/xml", 415, "body"),
    ],
)
def test_bad_signal_bodies_are_4xx(
    running: Cluster, body: bytes, content_type: str, status: int, field: str
) -> None:
    token = session_token(running.edge.url, "u-0010")
    response = httpx.post(
        f"{running.edge.url}/v1/signals", content=body, headers={**_auth(token), "content-type": content_type}
    )
    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_signals_need_a_session(running: Cluster) -> None:
    assert httpx.post(f"{running.edge.url}/v1/signals", json={"events": []}).status_code == 401


def test_an_anticipated_page_is_a_hit_and_never_served_to_someone_else(running: Cluster) -> None:
    edge = running.edge.url
    spec = _spec(edge)
    mine, theirs = session_token(edge, "u-0011"), session_token(edge, "u-0012")
    _show_interest(edge, mine, spec)
    page = _wait_for_hit(edge, mine, spec)
    assert page.headers["x-prerender"] == "hit"
    assert page.headers["x-prerender-variant"] == "exact"
    assert page.headers["content-type"].startswith("text/html")
    assert SKU in page.text
    assert 'name="idempotency_key"' in page.text
    other = httpx.get(f"{edge}/v1/order-page", params={"sku": SKU, "spec": spec}, headers=_auth(theirs))
    assert other.status_code == 200
    assert other.headers["x-prerender"] == "miss", "another shopper's page is never served"


def test_another_quantity_keeps_the_prerender(running: Cluster) -> None:
    edge = running.edge.url
    spec = _spec(edge)
    token = session_token(edge, "u-0013")
    _show_interest(edge, token, spec)
    assert _wait_for_hit(edge, token, spec).headers["x-prerender"] == "hit"
    three = httpx.get(
        f"{edge}/v1/order-page",
        params={"sku": SKU, "spec": spec, "qty": 3},
        headers={**_auth(token), "accept": "application/json"},
    )
    assert three.headers["x-prerender"] == "hit"
    assert three.headers["x-prerender-variant"] == "derived"
    model = three.json()
    assert model["qty"] == 3
    assert model["subtotal_cents"] == 3 * model["unit_price_cents"]


def test_pages_are_sent_compressed_as_accepted(running: Cluster) -> None:
    edge = running.edge.url
    token = session_token(edge, "u-0014")
    for coding in ("br", "gzip"):
        page = httpx.get(
            f"{edge}/v1/order-page", params={"sku": SKU}, headers={**_auth(token), "accept-encoding": coding}
        )
        assert page.headers["content-encoding"] == coding
        assert page.headers["etag"].endswith(f'-{coding}"')
        assert "</html>" in page.text


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"sku": "nope"}, 422, "sku"),
        ({"sku": SKU, "qty": "0"}, 422, "qty"),
        ({"sku": SKU, "qty": "many"}, 422, "qty"),
        ({"sku": SKU, "spec": "no-such-spec"}, 422, "spec"),
        ({"sku": "sku-99999"}, 404, "sku"),
    ],
)
def test_bad_order_page_requests(running: Cluster, params: dict[str, str], status: int, field: str) -> None:
    token = session_token(running.edge.url, "u-0015")
    response = httpx.get(f"{running.edge.url}/v1/order-page", params=params, headers=_auth(token))
    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_a_price_change_drops_the_prerendered_page(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        edge = nodes.edge.url
        spec = _spec(edge)
        token = session_token(edge, "u-0016")
        _show_interest(edge, token, spec)
        before = _wait_for_hit(edge, token, spec)
        assert before.headers["x-prerender"] == "hit"
        price = httpx.get(f"{edge}/v1/catalog/items/{SKU}").json()["price_cents"] + 500
        ops = {"authorization": f"Bearer {nodes.supervisor.env['CENTRAL_OPS_TOKEN']}"}
        assert httpx.patch(
            f"{nodes.central.url}/v1/items/{SKU}", json={"price_cents": price}, headers=ops
        ).is_success
        deadline = time.monotonic() + 3
        while True:
            after = httpx.get(
                f"{edge}/v1/order-page",
                params={"sku": SKU, "spec": spec},
                headers={**_auth(token), "accept": "application/json"},
            )
            if after.headers["x-prerender"] == "miss" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert after.headers["x-prerender"] == "miss"
        assert after.json()["unit_price_cents"] == price


def test_the_plain_form_places_the_order_and_redirects_to_payment(running: Cluster) -> None:
    edge = running.edge.url
    token = session_token(edge, "u-0001")
    spec = _spec(edge)
    form = {
        "idempotency_key": "form-key-1",
        "sku": SKU,
        "spec": spec,
        "qty": "2",
        "address_id": "a-0001-0",
        "payment_method": "alipay",
        "coupons": "c-10off99",
        "note": "",
    }
    headers = {"cookie": f"session={token}", "content-type": "application/x-www-form-urlencoded"}
    first = httpx.post(f"{edge}/v1/orders", content=urlencode(form), headers=headers)
    assert first.status_code == 303
    assert first.headers["location"].startswith("https://pay.example.com/alipay?order=o-")
    again = httpx.post(f"{edge}/v1/orders", content=urlencode(form), headers=headers)
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    broken = httpx.post(
        f"{edge}/v1/orders",
        content=urlencode({**form, "qty": "zero", "idempotency_key": "k2"}),
        headers=headers,
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["field"] == "qty"


def test_a_form_posted_from_another_site_places_no_order(running: Cluster) -> None:
    edge = running.edge.url
    token = session_token(edge, "u-0003")
    form = {"idempotency_key": "csrf-1", "sku": SKU, "spec": _spec(edge), "qty": "1",
            "address_id": "a-0003-0", "payment_method": "alipay"}  # fmt: skip
    headers = {"cookie": f"session={token}", "content-type": "application/x-www-form-urlencoded"}
    forged = httpx.post(
        f"{edge}/v1/orders", content=urlencode(form), headers={**headers, "origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "cross_site_request"
    assert "total;dur=" in forged.headers["server-timing"], "refused inside the timed stack"
    own_page = {**headers, "origin": edge}
    placed = httpx.post(f"{edge}/v1/orders", content=urlencode(form), headers=own_page)
    assert placed.status_code == 303
    assert "idempotent-replayed" not in placed.headers, "the forged post stored nothing under its key"


def test_ordering_from_a_page_retires_it_so_the_next_visit_gets_a_fresh_key(running: Cluster) -> None:
    edge = running.edge.url
    spec = _spec(edge)
    token = session_token(edge, "u-0002")
    _show_interest(edge, token, spec)
    page = _wait_for_hit(edge, token, spec)
    assert page.headers["x-prerender"] == "hit"
    model = httpx.get(
        f"{edge}/v1/order-page",
        params={"sku": SKU, "spec": spec},
        headers={**_auth(token), "accept": "application/json"},
    ).json()
    order = {"sku": SKU, "spec": spec, "qty": 1, "payment_method": "alipay", "address_id": "a-0002-0"}
    placed = httpx.post(
        f"{edge}/v1/orders", json=order, headers={**_auth(token), "idempotency-key": model["idempotency_key"]}
    )
    assert placed.status_code == 202
    after = httpx.get(
        f"{edge}/v1/order-page",
        params={"sku": SKU, "spec": spec},
        headers={**_auth(token), "accept": "application/json"},
    )
    assert after.headers["x-prerender"] == "miss"
    assert after.json()["idempotency_key"] != model["idempotency_key"]


def test_a_form_without_its_key_names_the_form_field(running: Cluster) -> None:
    token = session_token(running.edge.url, "u-0001")
    headers = {"cookie": f"session={token}", "content-type": "application/x-www-form-urlencoded"}
    form = f"sku={SKU}&spec=x&qty=1&payment_method=alipay&address_id=a-0001-0"
    response = httpx.post(f"{running.edge.url}/v1/orders", content=form, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "idempotency_key"
