"""The edge and central store as real uvicorn processes, exercised over HTTP."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.nodes import Cluster

pytestmark = pytest.mark.integration


def _error(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/json"
    error: dict[str, str] = response.json()["error"]
    assert error["code"]
    assert error["message"]
    return error


def test_session_is_issued_and_verifiable(running: Cluster) -> None:
    response = httpx.post(f"{running.edge.url}/v1/sessions", json={"user_id": "u-0001"})
    assert response.status_code == 200
    grant = response.json()
    assert grant["user_id"] == "u-0001"
    assert grant["token"].count(".") == 2
    assert grant["expires_at"] > 0


def test_new_user_gets_a_session_and_created_status(running: Cluster) -> None:
    response = httpx.post(f"{running.edge.url}/v1/sessions", json={"user_id": "shopper-new-1"})
    assert response.status_code == 201
    again = httpx.post(f"{running.edge.url}/v1/sessions", json={"user_id": "shopper-new-1"})
    assert again.status_code == 200


def test_item_miss_then_hit(running: Cluster) -> None:
    url = f"{running.edge.url}/v1/catalog/items/sku-00007"
    first = httpx.get(url)
    second = httpx.get(url)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit"
    assert first.json() == second.json()
    item = second.json()
    assert item["sku"] == "sku-00007"
    assert isinstance(item["price_cents"], int)
    assert item["specs"]
    assert item["stock"] == sum(item["spec_stock"].values())
    assert "server-timing" in second.headers


def test_etag_revalidation(running: Cluster) -> None:
    url = f"{running.edge.url}/v1/catalog/items/sku-00008"
    etag = httpx.get(url).headers["etag"]
    revalidated = httpx.get(url, headers={"if-none-match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    changed = httpx.get(url, headers={"if-none-match": '"sku-00008-v0"'})
    assert changed.status_code == 200


def test_unknown_sku_is_json_404(running: Cluster) -> None:
    response = httpx.get(f"{running.edge.url}/v1/catalog/items/sku-99999")
    assert response.status_code == 404
    assert _error(response)["field"] == "sku"


def test_unknown_route_and_wrong_method_are_json(running: Cluster) -> None:
    missing = httpx.get(f"{running.edge.url}/v1/nothing-here")
    assert missing.status_code == 404
    assert _error(missing)["code"] == "not_found"
    wrong = httpx.delete(f"{running.edge.url}/v1/sessions")
    assert wrong.status_code == 405
    assert _error(wrong)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "malformed_json", "body"),
        (b"", 400, "empty_body", "body"),
        (b'{"user_id": 42}', 422, "invalid_field", "user_id"),
        (b'{"user_id": "has spaces"}', 422, "invalid_field", "user_id"),
        (b"{}", 422, "invalid_field", "user_id"),
        (b"[1, 2]", 422, "invalid_field", "body"),
    ],
)
def test_bad_session_bodies_name_the_field(
    running: Cluster, body: bytes, status: int, code: str, field: str
) -> None:
    response = httpx.post(
        f"{running.edge.url}/v1/sessions", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    error = _error(response)
    assert (error["code"], error["field"]) == (code, field)


def test_oversized_body_is_json_413(running: Cluster) -> None:
    response = httpx.post(f"{running.edge.url}/v1/sessions", content=b"x" * (65 * 1024))
    assert response.status_code == 413
    assert _error(response)["code"] == "body_too_large"


def test_oversized_chunked_body_is_json_413(running: Cluster) -> None:
    def chunks():  # no Content-Length: the limit must trip while streaming
        for _ in range(20):
            yield b"x" * 8192

    response = httpx.post(f"{running.edge.url}/v1/sessions", content=chunks())
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert _error(response)["code"] == "body_too_large"


def test_address_book_needs_the_edge_credential(running: Cluster) -> None:
    response = httpx.get(f"{running.central.url}/v1/users/u-0001/address-book")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


def test_garbage_on_the_socket_does_not_take_the_edge_down(running: Cluster) -> None:
    host, port = running.edge.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=2) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        raw.recv(1024)
    assert httpx.get(f"{running.edge.url}/healthz").status_code == 200
