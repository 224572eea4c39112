"""Order ingest from edges (signed batches) and the operators' views of orders and reviews."""

from __future__ import annotations

from typing import Annotated

import msgspec
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.central.access import int_param, require_ops
from gateway.central.context import central_context
from gateway.central.storage import IngestOrder
from gateway.errors import ApiError
from gateway.models import BatchResult, BatchResults
from gateway.responses import json_response
from gateway.validation import decode_json


class _Head(msgspec.Struct):
    """The two fields of a review packet the store indexes; the rest is kept verbatim."""

    user_id: str
    status: str


class BatchOrder(msgspec.Struct, forbid_unknown_fields=True):
    order_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    edge_seq: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]  # a signed 64-bit column
    packet: msgspec.Raw


class Batch(msgspec.Struct, forbid_unknown_fields=True):
    """Orders an edge forwards, in its outbox order, signed as a whole (``X-Batch-Signature``)."""

    edge: str
    orders: list[BatchOrder]


_head = msgspec.json.Decoder(_Head)


async def ingest_batch(request: Request) -> Response:
    context = central_context(request)
    body = await request.body()
    signature = request.headers.get("x-batch-signature", "")
    if not context.batch_signer.verify(body, signature):
        raise ApiError(401, "bad_signature", "the batch signature does not match", field="x-batch-signature")
    batch = decode_json(body, Batch)
    orders = []
    for index, order in enumerate(batch.orders):
        try:
            head = _head.decode(order.packet)
        except msgspec.DecodeError as exc:
            raise ApiError(422, "invalid_field", str(exc), field=f"orders.{index}.packet") from None
        status = "needs_review" if head.status == "needs_review" else "stored"
        orders.append(IngestOrder(order.order_id, order.edge_seq, head.user_id, status, bytes(order.packet)))
    results = await context.storage.ingest(batch.edge, orders)
    return json_response(BatchResults([BatchResult(r.order_id, r.status, r.duplicate) for r in results]))


async def list_orders(request: Request) -> Response:
    context = central_context(request)
    require_ops(request, context)
    after = int_param(request, "after", 0, 2**62)
    limit = int_param(request, "limit", 100, 1000)
    rows = await context.storage.orders(request.query_params.get("edge"), after, limit)
    return json_response(
        {
            "orders": [
                {
                    "order_id": row.order_id,
                    "edge": row.edge,
                    "edge_seq": row.edge_seq,
                    "user_id": row.user_id,
                    "status": row.status,
                    "stored_at": row.stored_at,
                }
                for row in rows
            ],
            "next": str(rows[-1].arrival) if len(rows) == limit else None,
        }
    )


async def review_queue(request: Request) -> Response:
    context = central_context(request)
    require_ops(request, context)
    after = int_param(request, "after", 0, 2**62)
    limit = int_param(request, "limit", 50, 500)
    items = await context.storage.review_queue(after, limit)
    return json_response(
        {
            "reviews": [
                {
                    "order_id": item.order_id,
                    "edge": item.edge,
                    "queued_at": item.queued_at,
                    "packet": orjson.Fragment(item.packet),
                }
                for _, item in items
            ],
            "next": str(items[-1][0]) if len(items) == limit else None,
        }
    )


ROUTES = [
    Route("/v1/order-batches", ingest_batch, methods=["POST"]),
    Route("/v1/orders", list_orders, methods=["GET"]),
    Route("/v1/review-queue", review_queue, methods=["GET"]),
]
