"""The shapes of the edge's JSON answers, as the OpenAPI document states them and clients may rely on.

Answers may gain fields (a contract is extended, never broken), so none of these forbids unknown ones.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from gateway.domain.rules import Flag


class Health(msgspec.Struct):
    status: Literal["ok"]


class Readiness(msgspec.Struct):
    """Anyone is told whether the node takes orders; the details need the admin token."""

    ready: bool
    node: str | None = None
    region: str | None = None
    outbox: dict[str, Any] | None = None
    central: dict[str, Any] | None = None
    forwarder: dict[str, Any] | None = None


class Division(msgspec.Struct):
    province: str
    city: str
    county: str
    adcode: str
    region: str | None


class AddressResolution(msgspec.Struct):
    """Where free text points: certain (the division's fields), or not (``candidates`` and ``fallbacks``)."""

    province: str | None
    city: str | None
    county: str | None
    adcode: str | None
    region: str | None
    remote: bool | None
    confidence: float
    detail: str | None
    # The town (乡镇, 街道), its nine-digit code and the village (村) after it, where written.
    town: str | None = None
    town_code: str | None = None
    village: str | None = None
    candidates: list[Division] | None = None
    fallbacks: list[Literal["pick_on_map", "manual_entry"]] | None = None


class SignalsAccepted(msgspec.Struct):
    accepted: int
    skipped: int


class Payment(msgspec.Struct):
    method: str
    redirect_url: str | None


class Totals(msgspec.Struct):
    subtotal_cents: int
    discount_cents: int
    total_cents: int


AckStatus = Literal["accepted", "needs_review"]


class OrderAck(msgspec.Struct):
    order_id: str
    status: AckStatus
    flags: list[Flag]
    queued: bool
    payment: Payment
    totals: Totals | None
    suggestions: list[str]
    edge: str


class OrderStatus(msgspec.Struct):
    order_id: str
    status: Literal["queued", "stored", "needs_review"]
    queued: bool
    placed_at: float
    stored_at: float | None
    ack: OrderAck


class Purged(msgspec.Struct):
    purged: int
    keys: list[str]
    tags: list[str]
