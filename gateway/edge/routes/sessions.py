"""``POST /v1/sessions``, the demo identity: validated at the edge, issued (and the user created) by the
central store. It hands a session for any user id to anyone, so it exists only where demo login is on
(``GATEWAY_DEMO_LOGIN=1``, set by ``demo`` and ``fleet``); elsewhere shoppers bring tokens from the
storefront's identity service and this path is 404.

The session also comes back as the ``session`` cookie, for pages that post without JavaScript (the
order page's form): ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page can
make a browser send it, a form post included; the origin check in ``csrf.py`` is the second lock), and
``Secure`` when the request came over TLS. A storefront on another site links to the order page with
a bearer token (an app) rather than this cookie."""

from __future__ import annotations

import time

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from gateway.clients.central import CentralUnavailable
from gateway.edge.auth import SESSION_COOKIE
from gateway.edge.requests import edge_context
from gateway.errors import ApiError
from gateway.models import SessionGrant, SessionRequest
from gateway.responses import JSON_MEDIA_TYPE
from gateway.validation import decode_json


async def create_session(request: Request) -> Response:
    context = edge_context(request)
    if not context.settings.demo_login:
        raise ApiError(404, "not_found", "sessions come from the storefront's identity service")
    body = await request.body()
    decode_json(body, SessionRequest)
    try:
        status, answer = await context.central.forward(
            "POST", "/v1/sessions", body, time_limit=context.settings.central_timeout_seconds
        )
    except CentralUnavailable:
        raise ApiError(
            503, "upstream_unavailable", "sessions cannot be issued right now", headers={"retry-after": "2"}
        ) from None
    if status >= 500:
        raise ApiError(
            503, "upstream_unavailable", "sessions cannot be issued right now", headers={"retry-after": "2"}
        )
    response = Response(answer, status_code=status, media_type=JSON_MEDIA_TYPE)
    if status in (200, 201):
        grant = msgspec.json.decode(answer, type=SessionGrant)
        response.set_cookie(
            SESSION_COOKIE,
            grant.token,
            max_age=max(0, grant.expires_at - int(time.time())),
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="strict",
        )
    return response
