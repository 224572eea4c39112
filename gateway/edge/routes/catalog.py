"""``GET /v1/catalog/items/{sku}``: read through the edge cache, revalidate with ETags."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from gateway.edge.requests import edge_context
from gateway.errors import ApiError
from gateway.http.etags import none_match
from gateway.http.middleware import record_phase
from gateway.models import SKU_PATTERN
from gateway.resilience import OriginUnavailable
from gateway.responses import JSON_MEDIA_TYPE


async def get_item(request: Request) -> Response:
    context = edge_context(request)
    sku = request.path_params["sku"]
    if not SKU_PATTERN.fullmatch(sku):  # never a path, a cache key or a negative entry for anything else
        raise ApiError(404, "unknown_sku", f"no item {sku}", field="sku")

    started = time.perf_counter()
    try:
        entry, found = await context.reference.item_entry(sku, context.settings.central_timeout_seconds)
    except OriginUnavailable:
        raise ApiError(
            503,
            "upstream_unavailable",
            "the catalog is unreachable and this item is not cached at the edge",
            field="sku",
            headers={"retry-after": "2"},
        ) from None
    finally:
        record_phase(request.scope, "item", started)
    if entry is None:
        raise ApiError(404, "unknown_sku", f"no item {sku}", field="sku")
    headers = {"etag": entry.etag, "cache-control": "no-cache", "x-cache": found}
    if none_match(request.headers.get("if-none-match", ""), entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type=JSON_MEDIA_TYPE, headers=headers)
