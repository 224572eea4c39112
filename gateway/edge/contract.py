"""The edge's HTTP contract as operations: what ``GET /openapi.json`` publishes and tests hold it to."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from gateway.domain.order_page import FORM_FIELDS
from gateway.edge.answers import (
    AddressResolution,
    Health,
    OrderAck,
    OrderStatus,
    Purged,
    Readiness,
    SignalsAccepted,
)
from gateway.edge.routes.addresses import ResolveRequest, SaveAddressRequest
from gateway.edge.routes.admin import PurgeRequest
from gateway.edge.routes.signals import SignalsRequest
from gateway.edge.services.idempotency import KEY_PATTERN
from gateway.http.headers import FORM
from gateway.http.openapi import BUSY, INVALID, Answer, Operation, Parameter, body_errors, document, error
from gateway.models import Address, AddressBook, Item, OrderRequest, SessionGrant, SessionRequest, Sku

_OBJECT: dict[str, Any] = {"type": "object"}
# Examples name the demo data (items sku-00000..., users u-0000... with addresses a-0001-0, ...), so a
# client trying the contract against a demo edge has requests that succeed.
_ORDER = {
    "sku": "sku-00042",
    "spec": "black-M",
    "qty": 1,
    "payment_method": "alipay",
    "address_id": "a-0001-0",
}
_EVENTS = {"events": [{"t": 1732300000.125, "type": "view", "sku": "sku-00042"}]}
_SKU = msgspec.json.schema(Sku)
_RATE = error(
    "Over a rate budget (per shopper or per address); retry after `Retry-After` seconds", "retry-after"
)
# The order page's plain form: the order's fields flattened, the key as a field (a form has no headers).
_ORDER_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "idempotency_key": {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$"},
        "sku": _SKU,
        "qty": {"type": "string", "pattern": "^[0-9]{1,3}$"},
        "coupons": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
        **{
            name: {"type": "string"}
            for name in FORM_FIELDS
            if name not in ("idempotency_key", "sku", "qty", "coupons")
        },
    },
    "required": ["idempotency_key", "sku", "spec", "qty", "payment_method"],
}
_NO_SESSION = error("No session, or one that is expired, forged or for another storefront")
_NOT_ADMIN = error("No admin token, or the wrong one")
_ADMIN_OFF = error("The node has no admin token configured")
_CROSS_SITE = error("A write signed in by cookie came from another site's page")


OPERATIONS = (
    Operation(
        "POST",
        "/v1/sessions",
        "A session for a demo shopper (only where GATEWAY_DEMO_LOGIN=1)",
        "public",
        request=Annotated[SessionRequest, Meta(examples=[{"user_id": "u-0001"}])],
        answers={
            200: Answer("A session for a shopper seen before", SessionGrant),
            201: Answer("A session, and the shopper created with an empty address book", SessionGrant),
            404: error("Demo login is off: sessions come from the storefront's identity service"),
            429: _RATE,
            **body_errors(),
        },
    ),
    Operation(
        "GET",
        "/v1/catalog/items/{sku}",
        "An item, read through the edge's cache",
        "public",
        parameters=(Parameter("sku", "path", _SKU),),
        answers={
            200: Answer("The item", Item, headers=("etag", "x-cache")),
            304: Answer("The client's copy (If-None-Match) is current", headers=("etag",)),
            404: error("No such item"),
            503: BUSY,
        },
    ),
    Operation(
        "POST",
        "/v1/address/resolve",
        "Free address text resolved to its county, or candidates",
        "public",
        request=Annotated[ResolveRequest, Meta(examples=[{"text": "江苏省南京市鼓楼区中山路100号"}])],
        answers={200: Answer("The resolution", AddressResolution), 429: _RATE, **body_errors()},
    ),
    Operation(
        "GET",
        "/v1/address/book",
        "The shopper's saved addresses (phones masked)",
        "session",
        cookie_session=True,
        answers={200: Answer("The address book", AddressBook), 401: _NO_SESSION, 503: BUSY},
    ),
    Operation(
        "POST",
        "/v1/address/book",
        "Save an address (resolved to its county first)",
        "session",
        cookie_session=True,
        request=SaveAddressRequest,
        answers={
            201: Answer("The saved address (phone masked)", Address),
            401: _NO_SESSION,
            403: _CROSS_SITE,
            **body_errors(),
        },
    ),
    Operation(
        "POST",
        "/v1/signals",
        "Browsing events; the edge prepares the order pages it expects",
        "session",
        cookie_session=True,
        request=Annotated[SignalsRequest, Meta(examples=[_EVENTS])],
        request_media=("application/json", "text/plain"),
        answers={
            202: Answer("How many events were taken and skipped", SignalsAccepted),
            401: _NO_SESSION,
            415: error("Neither JSON nor text/plain"),
            429: _RATE,
            **body_errors(),
        },
    ),
    Operation(
        "GET",
        "/v1/order-page",
        "The order page, prerendered when the edge guessed right",
        "session",
        cookie_session=True,
        parameters=(
            Parameter("sku", "query", _SKU, required=True),
            Parameter("spec", "query", {"type": "string", "minLength": 1, "maxLength": 64}),
            Parameter("qty", "query", {"type": "integer", "minimum": 1, "maximum": 200}),
        ),
        answers={
            200: Answer(
                "The page (HTML, or its model as JSON with Accept: application/json)",
                {"type": "string"},
                media_type="text/html",
                headers=("x-prerender", "etag"),
                also={"application/json": _OBJECT},
            ),
            304: Answer("The client's copy is current", headers=("etag",)),
            401: _NO_SESSION,
            404: error("No such item"),
            422: INVALID,
            503: BUSY,
        },
    ),
    Operation(
        "POST",
        "/v1/orders",
        "Place an order: acknowledged once it is durable at the edge",
        "session",
        cookie_session=True,
        request=Annotated[OrderRequest, Meta(examples=[_ORDER])],
        request_also={FORM: _ORDER_FORM},
        parameters=(
            Parameter(
                "Idempotency-Key",
                "header",
                {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$"},
                required=True,
                description="The same key and body give the same answer; another body, 409",
            ),
        ),
        answers={
            202: Answer("Acknowledged: stored at the edge, on its way to the central store", OrderAck),
            303: Answer(
                "The form's answer, once stored: on to pay (or to the order's status)", headers=("location",)
            ),
            401: _NO_SESSION,
            403: _CROSS_SITE,
            409: error("This key was used with another order"),
            429: _RATE,
            **body_errors(),
        },
    ),
    Operation(
        "GET",
        "/v1/orders/{order_id}",
        "An order's status, for the shopper who placed it",
        "session",
        cookie_session=True,
        parameters=(Parameter("order_id", "path", {"type": "string", "maxLength": 64}),),
        answers={
            200: Answer("The order's status", OrderStatus),
            401: _NO_SESSION,
            404: error("No such order (another shopper's is none of this one's)"),
        },
    ),
    Operation("GET", "/healthz", "Liveness", "public", answers={200: Answer("Alive", Health)}),
    Operation(
        "GET",
        "/readyz",
        "Readiness (details with the admin token)",
        "public",
        answers={200: Answer("Takes orders", Readiness), 503: Answer("Cannot take orders", Readiness)},
    ),
    Operation(
        "GET",
        "/metrics",
        "Prometheus metrics",
        "admin",
        answers={
            200: Answer("Metrics", {"type": "string"}, media_type="text/plain"),
            401: _NOT_ADMIN,
            403: _ADMIN_OFF,
        },
    ),
    Operation(
        "GET",
        "/stats",
        "Per-route latency against budgets, outbox, caches, prerender",
        "admin",
        answers={200: Answer("The node's numbers", _OBJECT), 401: _NOT_ADMIN, 403: _ADMIN_OFF},
    ),
    Operation(
        "GET",
        "/dashboard",
        "The live dashboard (its data needs the admin token)",
        "public",
        answers={200: Answer("The page", {"type": "string"}, media_type="text/html")},
    ),
    Operation(
        "POST",
        "/admin/purge",
        "Purge cache entries by key or tag",
        "admin",
        request=PurgeRequest,
        answers={200: Answer("What was purged", Purged), 401: _NOT_ADMIN, 403: _ADMIN_OFF, **body_errors()},
    ),
    Operation(
        "GET",
        "/openapi.json",
        "This document",
        "public",
        answers={200: Answer("OpenAPI 3.1", _OBJECT)},
    ),
)


def edge_openapi(version: str) -> dict[str, Any]:
    return document(
        "Edge order gateway: edge node",
        version,
        "A regional edge node of a live-commerce storefront: catalog, addresses, browsing signals, "
        "prerendered order pages and durable order acknowledgements. Every error has the body "
        '{"error": {"code", "message", "field"}}.',
        OPERATIONS,
    )
