"""``POST /v1/signals``: browsing events in, shopper state updated, prerenders scheduled; 202 at once.

The body is ``{"events": [...]}`` as JSON, also accepted as ``text/plain`` so that
``navigator.sendBeacon`` works. Events follow the trace format without ``session`` and ``user``
(the session token names the shopper; sessions are told apart by gaps, as analytics do).
Unknown types, malformed events and events past the per-request or per-shopper bounds are
skipped and counted, never fatal.
"""

from __future__ import annotations

import math
import time
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from gateway.domain.predictor import SIGNAL_TYPES, Signal
from gateway.edge.answers import SignalsAccepted
from gateway.edge.requests import edge_context, require_session
from gateway.errors import ApiError
from gateway.models import SKU_PATTERN
from gateway.ops import metrics
from gateway.responses import json_response
from gateway.validation import decode_json

MAX_EVENTS_PER_REQUEST = 100
MAX_EVENTS_PER_MINUTE = 600


class SignalsRequest(msgspec.Struct):
    """Browsing events in the trace format, without ``session`` and ``user``. Each event is checked on
    its own (:func:`parse_signal`): one that is malformed is skipped and counted, never fatal."""

    events: list[Any]


def _count(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def parse_signal(raw: Any) -> Signal | None:
    """A well-formed browsing event, or None (skipped): never an error."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    if not isinstance(kind, str) or kind not in SIGNAL_TYPES:  # a dict or list "type" is unhashable
        return None
    t, sku, spec, qty, ms = raw.get("t"), raw.get("sku"), raw.get("spec"), raw.get("qty"), raw.get("ms")
    if not isinstance(t, int | float) or isinstance(t, bool) or not math.isfinite(t):
        return None
    well_formed = (
        (sku is None or (isinstance(sku, str) and SKU_PATTERN.fullmatch(sku) is not None))
        and (sku is not None or raw["type"] == "leave")
        and (spec is None or (isinstance(spec, str) and 0 < len(spec) <= 64))
        and (qty is None or _count(qty, 1, 200))
        and (ms is None or _count(ms, 0, 86_400_000))
    )
    if not well_formed:
        return None
    return Signal(t=float(t), type=raw["type"], sku=sku, spec=spec, qty=qty, ms=ms)


async def receive_signals(request: Request) -> Response:
    context = edge_context(request)
    session = require_session(request, context.signer)
    await context.rate_limits.check("signals_per_shopper", session.user_id)
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in ("", "application/json", "text/plain"):
        raise ApiError(
            415, "unsupported_media_type", "send JSON, as application/json or text/plain", field="body"
        )
    events = decode_json(await request.body(), SignalsRequest).events

    wall = time.time()
    shopper = context.signals.shopper(session.user_id, wall)
    minute = int(wall // 60)
    if shopper.minute != minute:
        shopper.minute, shopper.events_this_minute = minute, 0
    room = min(MAX_EVENTS_PER_REQUEST, MAX_EVENTS_PER_MINUTE - shopper.events_this_minute)
    accepted = 0
    for raw in events[: max(0, room)]:
        signal = parse_signal(raw)
        if signal is not None:
            shopper.state.observe(signal)
            accepted += 1
    shopper.events_this_minute += accepted
    skipped = len(events) - accepted
    metrics.SIGNALS.labels("accepted").inc(accepted)
    metrics.SIGNALS.labels("skipped").inc(skipped)
    if accepted:
        save_data = request.headers.get("save-data", "").lower() == "on"
        context.prerenderer.consider(session.user_id, shopper.state, save_data=save_data)
    return json_response(SignalsAccepted(accepted=accepted, skipped=skipped), status=202)
