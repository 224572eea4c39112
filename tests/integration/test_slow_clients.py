"""Slow and abusive clients against a real edge: trickled heads and bodies, oversized heads and bodies,
junk paths. Shoppers' requests keep being answered within their budgets meanwhile.

Floods come from other loopback addresses (127.0.0.2 and up) than the shoppers (127.0.0.1), as they
would from other hosts, so the bound on connections per address is seen doing its part too.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.nodes import Cluster, admin, cluster

pytestmark = pytest.mark.integration
HEADER_SECONDS = 5


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 4096:
        pytest.skip(f"needs 4096 open files for 1,100 connections on each side; the limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    # Five seconds instead of ten: the same guard, a shorter wait for CI.
    env = {"EDGE_SERVER_HEADER_READ_TIMEOUT_SECONDS": str(HEADER_SECONDS)}
    with cluster(Path(tmp_path_factory.mktemp("slow")), extra_env=env) as nodes:
        yield nodes


def _host_port(nodes: Cluster) -> tuple[str, int]:
    host, port = nodes.edge.url.removeprefix("http://").split(":")
    return host, int(port)


async def _connect(nodes: Cluster, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = _host_port(nodes)
    return await asyncio.open_connection(host, port, local_addr=(source, 0))


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bytes | None:
    """What the server sent before closing, or None if it kept the connection open that long."""
    try:
        async with asyncio.timeout(within):
            return await reader.read()
    except TimeoutError:
        return None
    except ConnectionResetError:
        return b""


async def _shopper_latencies(nodes: Cluster, seconds: float) -> list[tuple[int, float]]:
    """A shopper asks for an item every 100 ms over fresh connections: (status, seconds) each."""
    answers = []
    async with httpx.AsyncClient(timeout=5) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            response = await client.get(f"{nodes.edge.url}/v1/catalog/items/sku-00042")
            answers.append((response.status_code, time.monotonic() - started))
            await asyncio.sleep(0.1)
    return answers


async def _trickle_head(nodes: Cluster, source: str, seconds: float) -> bytes | None:
    """A request head sent a byte a second, never finished; what the server answered on closing."""
    try:
        reader, writer = await _connect(nodes, source)
    except OSError:
        return b""  # refused outright: closed by the server too
    head = b"GET /v1/catalog/items/sku-00042 HTTP/1.1\r\nHost: edge\r\nX-Slow: "
    deadline = time.monotonic() + seconds
    try:
        for byte in (head[i : i + 1] for i in range(len(head))):
            writer.write(byte)
            await writer.drain()
            answer = await _closed_by_server(reader, 1.0)
            if answer is not None:
                return answer
            if time.monotonic() > deadline:
                return None
        return await _closed_by_server(reader, max(0.0, deadline - time.monotonic()))
    except ConnectionError:
        return b""
    finally:
        writer.close()


def test_trickled_heads_are_closed_while_shoppers_are_answered_within_a_second(edge: Cluster) -> None:
    async def scenario() -> tuple[list[bytes | None], list[tuple[int, float]]]:
        slow = [asyncio.create_task(_trickle_head(edge, f"127.0.0.{2 + n % 2}", 30.0)) for n in range(300)]
        await asyncio.sleep(1.0)  # all of them open and trickling
        shoppers = await _shopper_latencies(edge, 12.0)
        return await asyncio.gather(*slow), shoppers

    closings, shoppers = asyncio.run(scenario())
    closed = [answer for answer in closings if answer is not None]
    assert len(closed) >= 0.9 * len(closings), f"{len(closed)} of {len(closings)} closed by the server"
    timed_out = [answer for answer in closed if b" 408 " in answer.split(b"\r\n", 1)[0]]
    assert timed_out, "some heads got their 408 JSON before the close"
    assert b'"code":"header_timeout"' in timed_out[0]
    assert all(status == 200 for status, _ in shoppers)
    assert max(seconds for _, seconds in shoppers) < 1.0


def test_a_keep_alive_connection_sending_only_line_breaks_is_closed_on_the_header_clock(
    edge: Cluster,
) -> None:
    host, port = _host_port(edge)
    with socket.create_connection(
        (host, port), timeout=HEADER_SECONDS * 3, source_address=("127.0.0.4", 0)
    ) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: e\r\n\r\n")
        assert b" 200 " in conn.recv(65536).split(b"\r\n", 1)[0]
        started = time.monotonic()
        conn.sendall(b"\r\n")  # no request begins: only the head's clock is left to close it
        answer = conn.recv(65536)
        assert HEADER_SECONDS - 1 < time.monotonic() - started < HEADER_SECONDS * 2
    assert b" 408 " in answer.split(b"\r\n", 1)[0]


def test_slow_bodies_hold_no_inflight_slot_and_get_their_408(edge: Cluster) -> None:
    async def slow_body(source: str) -> bytes | None:
        try:
            reader, writer = await _connect(edge, source)
        except OSError:
            return b""
        writer.write(
            b"POST /v1/address/resolve HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n{"
        )
        await writer.drain()
        try:
            return await _closed_by_server(reader, 30.0)
        finally:
            writer.close()

    async def scenario() -> tuple[list[bytes | None], list[tuple[int, float]]]:
        # Spread over five addresses, so that every one of the 1,100 is let in and held open.
        slow = [asyncio.create_task(slow_body(f"127.0.0.{2 + n % 5}")) for n in range(1100)]
        await asyncio.sleep(2.0)
        shoppers = await _shopper_latencies(edge, 5.0)
        return await asyncio.gather(*slow), shoppers

    closings, shoppers = asyncio.run(scenario())
    assert all(status == 200 for status, _ in shoppers), {status for status, _ in shoppers}
    answered = [answer for answer in closings if answer]
    assert len(answered) >= 1000, f"{len(answered)} of 1100 answered"
    assert all(b'"code":"body_timeout"' in answer for answer in answered)


def test_a_body_over_the_limit_sent_whole_still_gets_its_413(edge: Cluster) -> None:
    host, port = _host_port(edge)
    body = b"x" * (4 << 20)
    head = (
        b"POST /v1/address/resolve HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(head + body)  # the whole body first, as a naive client does
        answer = b""
        with contextlib.suppress(TimeoutError):
            while chunk := conn.recv(65536):
                answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line
    assert orjson.loads(rest.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "body_too_large"


def test_an_oversized_head_is_refused_with_431(edge: Cluster) -> None:
    host, port = _host_port(edge)
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: edge\r\nX-Big: " + b"a" * (256 * 1024))
        answer = conn.recv(65536)
    assert b" 431 " in answer.split(b"\r\n", 1)[0]
    assert b'"code":"headers_too_large"' in answer


def test_the_servers_own_refusals_are_json(edge: Cluster) -> None:
    host, port = _host_port(edge)
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")
        answer = conn.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b" 400 " in head.split(b"\r\n", 1)[0]
    assert b"content-type: application/json" in head.lower()
    assert orjson.loads(body)["error"]["code"] == "bad_request"


def test_junk_paths_share_one_label_and_stats_stay_fast(edge: Cluster) -> None:
    async def junk() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for start in range(0, 500, 50):
                await asyncio.gather(
                    *(client.get(f"{edge.edge.url}/v1/junk-{n}/x") for n in range(start, start + 50))
                )

    asyncio.run(junk())
    started = time.monotonic()
    stats = httpx.get(f"{edge.edge.url}/stats", headers=admin(edge), timeout=5)
    assert time.monotonic() - started < 0.1
    routes = stats.json()["routes"]
    assert not [route for route in routes if route.startswith("junk")]
    assert routes["other"]["count"] >= 500
    metrics = httpx.get(f"{edge.edge.url}/metrics", headers=admin(edge)).text
    assert "junk" not in metrics
    started = time.monotonic()
    assert httpx.get(f"{edge.edge.url}/healthz").status_code == 200
    assert time.monotonic() - started < 0.1
