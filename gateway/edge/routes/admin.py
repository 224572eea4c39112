"""``POST /admin/purge``: drop cache entries by key or by tag (admin token)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from gateway.edge.requests import edge_context, require_admin
from gateway.errors import ApiError
from gateway.responses import json_response
from gateway.validation import decode_json

CacheName = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class PurgeRequest(msgspec.Struct, forbid_unknown_fields=True):
    keys: Annotated[list[CacheName], msgspec.Meta(max_length=1000)] = []
    tags: Annotated[list[CacheName], msgspec.Meta(max_length=100)] = []


async def purge(request: Request) -> Response:
    context = edge_context(request)
    require_admin(request, context)
    body = decode_json(await request.body(), PurgeRequest)
    if not body.keys and not body.tags:
        raise ApiError(422, "invalid_field", "name at least one key or tag", field="keys")
    purged = 0
    for cache in context.caches:
        for key in body.keys:
            purged += await cache.purge(key)
        for tag in body.tags:
            purged += await cache.purge_tag(tag)
    return json_response({"purged": purged, "keys": body.keys, "tags": body.tags})
