"""Writes signed in by the session cookie must come from the edge's own pages or a trusted origin."""

from __future__ import annotations

import orjson
import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.edge.csrf import CookieOriginCheck, trusted_origins
from gateway.settings import SettingsError
from tests.asgi import http_scope

HOST = "edge.example:8801"
TRUSTED = frozenset({"https://shop.example"})


async def _call(method: str, path: str, **headers: str) -> tuple[int, dict[str, object] | None, bool]:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return await _call_with(method, path, raw)


async def _call_with(
    method: str, path: str, headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, object] | None, bool]:
    """Status, the error (if refused) and whether the application was reached."""
    reached = False

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal reached
        reached = True
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    raw = [(b"host", HOST.encode()), *headers]
    await CookieOriginCheck(app, TRUSTED)(http_scope(method, path, raw), receive, send)
    body = b"".join(m.get("body", b"") for m in sent[1:])
    error = orjson.loads(body)["error"] if sent[0]["status"] == 403 else None
    return sent[0]["status"], error, reached


@pytest.mark.parametrize(
    "source",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},  # a sandboxed frame or a data: page
        {"referer": "https://evil.example/checkout"},
        {"origin": f"https://{HOST}.evil.example"},
        {"origin": ""},  # present but empty: a claim about the source all the same
        {"origin": "", "referer": f"http://{HOST}/v1/order-page"},
        {"origin": f"https://{HOST}"},  # the edge's host over another scheme: another origin
        {"origin": "http://[x"},  # not a URL at all
    ],
)
async def test_a_cookie_write_from_another_site_is_refused_before_the_application(
    source: dict[str, str],
) -> None:
    status, error, reached = await _call("POST", "/v1/orders", cookie="session=token", **source)
    assert (status, reached) == (403, False)
    assert error is not None
    assert (error["code"], error["field"]) == ("cross_site_request", "origin")


@pytest.mark.parametrize(
    "headers",
    [
        {"cookie": "session=token", "origin": f"http://{HOST}"},  # the edge's own order page
        {"cookie": "session=token", "referer": f"http://{HOST}/v1/order-page?sku=s"},
        {"cookie": "session=token", "origin": "https://shop.example"},  # EDGE_TRUSTED_ORIGINS
        {"cookie": "session=token", "origin": "https://shop.example:443"},
        {"cookie": "session=token", "origin": "http://EDGE.example:8801"},
        {"cookie": "session=token"},  # no Origin, no Referer: not a browser page
        {"cookie": "session=token", "origin": "https://evil.example", "authorization": "Bearer t"},
        {"cookie": "theme=dark", "origin": "https://evil.example"},  # no session cookie
        {"origin": "https://evil.example"},
    ],
)
async def test_writes_that_are_not_cross_site_cookie_writes_go_on(headers: dict[str, str]) -> None:
    assert await _call("POST", "/v1/address/book", **headers) == (204, None, True)


async def test_a_session_in_a_second_cookie_header_counts_too() -> None:
    # Starlette merges repeated Cookie headers: the check must see a session the application will.
    status, _, reached = await _call_with(
        "POST", "/v1/orders", [(b"cookie", b"theme=dark"), (b"cookie", b"session=token"),
                               (b"origin", b"https://evil.example")],
    )  # fmt: skip
    assert (status, reached) == (403, False)


async def test_reads_and_beacon_signals_go_on_from_any_origin() -> None:
    for method, path in (("GET", "/v1/order-page"), ("HEAD", "/v1/orders/o-1"), ("POST", "/v1/signals")):
        reached = await _call(method, path, cookie="session=token", origin="https://evil.example")
        assert reached == (204, None, True), (method, path)


def test_trusted_origins_must_be_origins() -> None:
    assert trusted_origins(" https://Shop.example/ ,http://127.0.0.1:3000,https://pay.example:443") == {
        "https://shop.example",
        "http://127.0.0.1:3000",
        "https://pay.example",  # as a browser writes it in Origin
    }
    assert trusted_origins("") == frozenset()
    for bad in ("shop.example", "https://shop.example/checkout", "ftp://shop.example"):
        with pytest.raises(SettingsError, match="EDGE_TRUSTED_ORIGINS"):
            trusted_origins(bad)
