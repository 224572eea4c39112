"""Catalog and address-book changes: the operators' item edits, saved addresses, and the feed
that edges follow (long-polled) to purge or refresh what they cached."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.central.access import int_param, require_edge, require_ops
from gateway.central.context import central_context
from gateway.errors import ApiError
from gateway.models import SKU_PATTERN, USER_ID_PATTERN, ChangeFeed, ItemChange, NewAddress, NewItem
from gateway.responses import json_response
from gateway.validation import decode_json

_MAX_WAIT_SECONDS = 25


async def update_item(request: Request) -> Response:
    context = central_context(request)
    require_ops(request, context)
    sku = request.path_params["sku"]
    change = decode_json(await request.body(), ItemChange)
    try:
        item = await context.storage.update_item(sku, change)
    except ValueError as exc:
        raise ApiError(422, "invalid_field", str(exc), field="spec_stock") from None
    if item is None:
        raise ApiError(404, "unknown_sku", f"no item {sku}", field="sku")
    context.changes.notify()
    return json_response(item)


async def put_item(request: Request) -> Response:
    context = central_context(request)
    require_ops(request, context)
    sku = request.path_params["sku"]
    if not SKU_PATTERN.fullmatch(sku):
        raise ApiError(422, "invalid_field", "sku must look like sku-00042", field="sku")
    item = await context.storage.put_item(sku, decode_json(await request.body(), NewItem))
    context.changes.notify()
    return json_response(item)


async def add_address(request: Request) -> Response:
    context = central_context(request)
    require_edge(request, context)
    user_id = request.path_params["user_id"]
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise ApiError(422, "invalid_field", "not a user id", field="user_id")
    new = decode_json(await request.body(), NewAddress)
    address = await context.storage.add_address(user_id, new)
    context.changes.notify()
    return json_response(address, status=201)


async def change_feed(request: Request) -> Response:
    """Changes after ``after``; with ``wait=S``, holds the request up to S seconds for the first one."""
    context = central_context(request)
    require_edge(request, context)
    wait = int_param(request, "wait", 0, _MAX_WAIT_SECONDS)
    limit = int_param(request, "limit", 500, 5000)
    if "after" not in request.query_params:  # a new follower starts from now
        return json_response(ChangeFeed(changes=[], next=await context.storage.change_head()))
    after = int_param(request, "after", 0, 2**62)
    changes = await context.storage.changes(after, limit)
    if not changes and wait:
        # A reader that hangs up (an edge shutting down) must not hold the store's own shutdown.
        await context.changes.wait(wait, request.is_disconnected)
        changes = await context.storage.changes(after, limit)
    return json_response(ChangeFeed(changes=changes, next=changes[-1].seq if changes else after))


ROUTES = [
    Route("/v1/users/{user_id}/addresses", add_address, methods=["POST"]),
    Route("/v1/changes", change_feed, methods=["GET"]),
]
