"""Liveness, readiness and the metrics.

``/healthz`` and ``/readyz`` answer anyone (load balancers and supervisors ask them), but readiness
tells only whether the node takes orders; its details (outbox depth, the forwarder's last error) and
``/metrics`` need the admin token, because they show how much a node sells and how it fails.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.edge.requests import edge_context, is_admin, require_admin
from gateway.ops.endpoints import metrics_response
from gateway.responses import json_response


async def healthz(_: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the outbox can take orders; a central outage alone does not make an edge unready."""
    context = edge_context(request)
    outbox = context.outbox
    writable = outbox.writable
    status = 200 if writable else 503
    if not is_admin(request, context):
        return json_response({"ready": writable}, status=status)
    body = {
        "ready": writable,
        "node": context.settings.node_id,
        "region": context.settings.region,
        "outbox": {
            "writable": writable,
            "depth": outbox.depth,
            "max_depth": context.settings.outbox_max_depth,
            "oldest_pending_seconds": round(outbox.oldest_pending_age(), 3),
        },
        "central": {"circuit": context.central.breaker.state},
        "forwarder": {
            "forwarded": context.forwarder.stats.forwarded,
            "failures": context.forwarder.stats.failures,
            "last_error": context.forwarder.stats.last_error,
        },
    }
    return json_response(body, status=status)


async def metrics(request: Request) -> Response:
    require_admin(request, edge_context(request))
    return metrics_response()
