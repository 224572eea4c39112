"""``POST /v1/address/resolve`` and the session user's address book (``GET``/``POST /v1/address/book``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from gateway.cache.layer import Loader, Policy
from gateway.clients.central import CentralRejected, CentralUnavailable
from gateway.domain.address import Resolution, normalize
from gateway.domain.privacy import masked
from gateway.edge.context import EdgeContext
from gateway.edge.requests import edge_context, require_session
from gateway.edge.services.reference import book_key
from gateway.errors import ApiError
from gateway.models import NewAddress, Phone, ShortText, text_field
from gateway.resilience import OriginUnavailable
from gateway.responses import json_response
from gateway.validation import decode_json

FALLBACKS = ["pick_on_map", "manual_entry"]
AddressText = Annotated[str, text_field(200, 2)]
# Resolutions depend only on the text and the shipped data set: cache them for long.
_RESOLUTION_POLICY = Policy(fresh_seconds=24 * 3600, stale_seconds=0, error_seconds=0, negative_seconds=0)


class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    text: AddressText


class SaveAddressRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Free ``text``, or the parts; either way the county is resolved before saving."""

    name: ShortText
    phone: Phone
    text: AddressText | None = None
    province: Annotated[str, text_field(32)] | None = None
    city: Annotated[str, text_field(32)] | None = None
    county: Annotated[str, text_field(32)] | None = None
    detail: Annotated[str, text_field(200)] | None = None
    is_default: bool = False


async def resolve_address(request: Request) -> Response:
    context = edge_context(request)
    body = decode_json(await request.body(), ResolveRequest)
    return json_response(_resolution_body(context, await _resolve(context, body.text)))


async def book(request: Request) -> Response:
    """One route for both methods, so that a 405 names them both in ``Allow``."""
    return await (save_address(request) if request.method == "POST" else get_book(request))


async def get_book(request: Request) -> Response:
    context = edge_context(request)
    session = require_session(request, context.signer)
    try:
        book = await context.reference.address_book(session.user_id, context.settings.central_timeout_seconds)
    except OriginUnavailable:
        raise ApiError(
            503,
            "upstream_unavailable",
            "the address book cannot be read right now",
            headers={"retry-after": "2"},
        ) from None
    return json_response(msgspec.structs.replace(book, addresses=[masked(a) for a in book.addresses]))


async def save_address(request: Request) -> Response:
    context = edge_context(request)
    session = require_session(request, context.signer)
    body = decode_json(await request.body(), SaveAddressRequest)
    text = body.text or "".join(part for part in (body.province, body.city, body.county) if part)
    if not text:
        raise ApiError(422, "invalid_field", "give `text` or `province`, `city` and `county`", field="text")
    resolution = await _resolve(context, text)
    if not resolution.certain or resolution.division is None:
        names = "、".join(f"{d.province}{d.city}{d.county}" for d in resolution.candidates) or "none"
        field = "text" if body.text else "county"
        raise ApiError(
            422, "address_unresolved", f"the county is not certain; candidates: {names}", field=field
        )
    detail = (resolution.detail if body.text else body.detail) or ""
    if len(detail) < 2:
        raise ApiError(
            422, "invalid_field", "the street address is missing", field="text" if body.text else "detail"
        )
    division = resolution.division
    new = NewAddress(
        name=body.name,
        phone=body.phone,
        province=division.province,
        city=division.city,
        county=division.county,
        adcode=division.adcode,
        detail=detail,
        is_default=body.is_default,
    )
    try:
        address = await context.central.add_address(
            session.user_id, new, context.settings.central_timeout_seconds
        )
    except CentralRejected as refused:
        message = f"the address was not saved: {refused}"
        raise ApiError(422, "address_refused", message, field="body") from None
    except CentralUnavailable:
        raise ApiError(
            503,
            "upstream_unavailable",
            "the address could not be saved; nothing was changed",
            headers={"retry-after": "2"},
        ) from None
    # The change feed purges every edge; this one need not wait for it.
    await context.reference.cache.purge(book_key(session.user_id))
    return json_response(masked(address), status=201)


async def _resolve(context: EdgeContext, text: str) -> Resolution:
    async def compute(_: float) -> Resolution:
        return context.resolver.resolve(text)

    resolution, _ = await context.addresses.get(
        f"addr:{normalize(text)}", Loader(compute, _RESOLUTION_POLICY, size=512), 1.0
    )
    # compute always answers; a cache that still gives nothing (its store failing) costs one resolve
    return resolution if resolution is not None else context.resolver.resolve(text)


def _resolution_body(context: EdgeContext, resolution: Resolution) -> dict[str, Any]:
    division = resolution.division if resolution.certain else None
    town = resolution.town if division else None
    policy = context.policy
    body: dict[str, Any] = {
        "province": division.province if division else None,
        "city": division.city if division else None,
        "county": division.county if division else None,
        "adcode": division.adcode if division else None,
        "town": town.name if town else None,
        "town_code": town.code if town else None,
        "village": resolution.village or None if town else None,
        "region": context.region_of(division.adcode) if division else None,
        "remote": (
            division.adcode.startswith(policy.remote_adcode_prefixes)
            or (town is not None and town.code in policy.remote_town_codes)
            if division
            else None
        ),
        "confidence": round(resolution.confidence, 2),
        "detail": resolution.detail if division else None,
    }
    if division is None:
        body["candidates"] = [
            {
                "province": d.province,
                "city": d.city,
                "county": d.county,
                "adcode": d.adcode,
                "region": context.region_of(d.adcode),
            }
            for d in resolution.candidates
        ]
        body["fallbacks"] = FALLBACKS
    return body
