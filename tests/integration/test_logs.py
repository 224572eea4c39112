"""What the nodes write to their logs, after the requests that carry the most personal data and the most
errors: no session token, no phone number, no address or name; and no traceback for a client that
hung up mid-body."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from gateway.launch import fresh_secrets
from gateway.processes import Supervisor
from gateway.signing import SessionSigner
from tests.nodes import TEST_NODE_ENV, order_body, start_central, start_edge

pytestmark = pytest.mark.integration

PHONE, NAME, STREET = "13912345678", "欧阳娜娜", "幸福路88号"


def test_logs_carry_no_tokens_phones_addresses_or_tracebacks(tmp_path: Path) -> None:
    supervisor = Supervisor(env={**fresh_secrets(), **TEST_NODE_ENV}, grace_seconds=5, log_dir=tmp_path)
    try:
        central = start_central(supervisor, tmp_path)
        edge = start_edge(supervisor, central.url, tmp_path).url
        token = SessionSigner(supervisor.env["GATEWAY_SECRET"]).issue("u-0001")[0]
        bearer = {"authorization": f"Bearer {token}"}
        inline = {"name": NAME, "phone": PHONE, "text": f"浙江省杭州市西湖区{STREET}"}
        forged = token[:-4] + "AAAA"
        with httpx.Client(timeout=10) as client:
            client.post(f"{edge}/v1/sessions", json={"user_id": "u-0001"})
            client.post(f"{edge}/v1/orders", json=order_body(address=inline, address_id=None),
                        headers={**bearer, "idempotency-key": "logs-1"})  # fmt: skip
            client.post(f"{edge}/v1/address/book", json=inline, headers=bearer)
            client.post(f"{edge}/v1/address/resolve", json={"text": inline["text"]})
            for bad in (forged, "garbage", "e30.e30."):
                client.get(f"{edge}/v1/address/book", headers={"authorization": f"Bearer {bad}"})
            client.get(f"{edge}/v1/orders/o-nothing", headers={"cookie": f"session={forged}"})
            client.post(
                f"{edge}/v1/orders", content=b"{not json", headers={**bearer, "idempotency-key": "logs-2"}
            )
        host, port = edge.removeprefix("http://").split(":")
        for _ in range(5):  # hang up mid-body
            with socket.create_connection((host, int(port))) as conn:
                conn.sendall(b"POST /v1/address/resolve HTTP/1.1\r\nHost: e\r\nContent-Length: 900\r\n\r\n{")
        time.sleep(1.0)
    finally:
        supervisor.stop()
    logs = "".join(path.read_text(encoding="utf-8", errors="replace") for path in tmp_path.glob("*.log"))
    assert logs, "the nodes wrote their logs there"
    for secret in (token, forged, PHONE, NAME, STREET, supervisor.env["GATEWAY_SECRET"]):
        assert secret not in logs
    assert "Traceback" not in logs
