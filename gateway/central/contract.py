"""The central store's HTTP contract as operations: what its ``GET /openapi.json`` publishes."""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.central.orders import Batch
from gateway.http.openapi import BUSY, MALFORMED, Answer, Operation, Parameter, body_errors, document, error
from gateway.models import (
    Address,
    AddressBook,
    BatchResults,
    ChangeFeed,
    Coupon,
    Item,
    ItemChange,
    NewAddress,
    NewItem,
    SessionGrant,
    SessionRequest,
    Sku,
)


class StoredOrder(msgspec.Struct):
    order_id: str
    edge: str
    edge_seq: int
    user_id: str
    status: str
    stored_at: float


class OrdersPage(msgspec.Struct):
    orders: list[StoredOrder]
    next: str | None


class Review(msgspec.Struct):
    order_id: str
    edge: str
    queued_at: float
    packet: dict[str, Any]


class ReviewPage(msgspec.Struct):
    reviews: list[Review]
    next: str | None


_OBJECT: dict[str, Any] = {"type": "object"}
_SKU = msgspec.json.schema(Sku)
_USER = {"type": "string", "maxLength": 64}
_CURSOR = Parameter("after", "query", {"type": "integer", "minimum": 0})
_LIMIT = Parameter("limit", "query", {"type": "integer", "minimum": 0})
_NOT_OPS = error("No ops token, or the wrong one")
_OPS_OFF = error("The store has no ops token configured")
_NOT_EDGE = error("No edge credential, or the wrong one")


def _body(answers: dict[int, Answer]) -> dict[int, Answer]:
    return {**body_errors(), **answers}


OPERATIONS = (
    Operation(
        "POST",
        "/v1/sessions",
        "A session for a demo shopper (only where GATEWAY_DEMO_LOGIN=1)",
        "public",
        request=SessionRequest,
        answers=_body(
            {
                200: Answer("A session", SessionGrant),
                201: Answer("A session; the shopper was created", SessionGrant),
                404: error("Demo login is off"),
            }
        ),
    ),
    Operation(
        "GET",
        "/v1/items/{sku}",
        "An item",
        "public",
        parameters=(Parameter("sku", "path", _SKU),),
        answers={200: Answer("The item", Item), 404: error("No such item"), 503: BUSY},
    ),
    Operation(
        "PATCH",
        "/v1/items/{sku}",
        "Change an item's price, title or stock (a new version)",
        "ops",
        parameters=(Parameter("sku", "path", _SKU),),
        request=ItemChange,
        answers=_body(
            {200: Answer("The item", Item), 401: _NOT_OPS, 403: _OPS_OFF, 404: error("No such item")}
        ),
    ),
    Operation(
        "PUT",
        "/v1/items/{sku}",
        "Create or replace an item (a new version)",
        "ops",
        parameters=(Parameter("sku", "path", _SKU),),
        request=NewItem,
        answers=_body({200: Answer("The item", Item), 401: _NOT_OPS, 403: _OPS_OFF}),
    ),
    Operation(
        "GET",
        "/v1/users/{user_id}/address-book",
        "A shopper's address book, for an edge",
        "edge",
        parameters=(Parameter("user_id", "path", _USER),),
        answers={
            200: Answer("The book", AddressBook),
            401: _NOT_EDGE,
            404: error("No such user"),
            503: BUSY,
        },
    ),
    Operation(
        "POST",
        "/v1/users/{user_id}/addresses",
        "Save an address an edge has resolved",
        "edge",
        parameters=(Parameter("user_id", "path", _USER),),
        request=NewAddress,
        answers=_body({201: Answer("The saved address", Address), 401: _NOT_EDGE}),
    ),
    Operation(
        "GET",
        "/v1/coupons",
        "The coupons on offer",
        "public",
        answers={200: Answer("Every coupon", list[Coupon]), 503: BUSY},
    ),
    Operation(
        "GET",
        "/v1/changes",
        "The change feed edges follow (long poll with wait=S)",
        "edge",
        parameters=(
            _CURSOR,
            _LIMIT,
            Parameter("wait", "query", {"type": "integer", "minimum": 0, "maximum": 25}),
        ),
        answers={
            200: Answer("Changes after the cursor", ChangeFeed),
            400: MALFORMED,
            401: _NOT_EDGE,
            503: BUSY,
        },
    ),
    Operation(
        "POST",
        "/v1/order-batches",
        "Orders from an edge, signed (X-Batch-Signature); stored once each",
        "public",
        request=Batch,
        parameters=(Parameter("X-Batch-Signature", "header", {"type": "string"}, required=True),),
        answers=_body(
            {200: Answer("Each order's result", BatchResults), 401: error("The signature does not match")}
        ),
    ),
    Operation(
        "GET",
        "/v1/orders",
        "Stored orders in arrival order",
        "ops",
        parameters=(Parameter("edge", "query", {"type": "string"}), _CURSOR, _LIMIT),
        answers={
            200: Answer("A page", OrdersPage),
            400: MALFORMED,
            401: _NOT_OPS,
            403: _OPS_OFF,
            503: BUSY,
        },
    ),
    Operation(
        "GET",
        "/v1/review-queue",
        "Orders waiting for a person, oldest first",
        "ops",
        parameters=(_CURSOR, _LIMIT),
        answers={
            200: Answer("A page", ReviewPage),
            400: MALFORMED,
            401: _NOT_OPS,
            403: _OPS_OFF,
            503: BUSY,
        },
    ),
    Operation("GET", "/healthz", "Liveness", "public", answers={200: Answer("Alive", _OBJECT)}),
    Operation(
        "GET",
        "/metrics",
        "Prometheus metrics: request latency per route against its budget",
        "ops",
        answers={
            200: Answer("Metrics", {"type": "string"}, media_type="text/plain"),
            401: _NOT_OPS,
            403: _OPS_OFF,
        },
    ),
    Operation(
        "GET",
        "/readyz",
        "Readiness: the store holds a catalog",
        "public",
        answers={200: Answer("Ready", _OBJECT), 503: Answer("Not ready", _OBJECT)},
    ),
    Operation(
        "GET", "/openapi.json", "This document", "public", answers={200: Answer("OpenAPI 3.1", _OBJECT)}
    ),
)


def central_openapi(version: str) -> dict[str, Any]:
    return document(
        "Edge order gateway: central store",
        version,
        "The source of truth behind the edges: catalog, address books, coupons, the change feed, order "
        'ingest and the review queue. Every error has the body {"error": {"code", "message", "field"}}.',
        OPERATIONS,
    )
