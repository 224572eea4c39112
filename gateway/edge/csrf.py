"""Cross-site request forgery: a write that authenticates by cookie must come from a trusted page.

A bearer token is sent only by code that holds it, but a browser attaches the ``session`` cookie to
any request for the edge, including a form that another site submits: the order page's no-JavaScript
form is such a POST, and a ``text/plain`` body shaped like JSON reaches the JSON decoder too. So an
unsafe request whose session comes from the cookie must name, in ``Origin`` (or ``Referer`` where a
browser sends no Origin), the edge's own host or one of ``EDGE_TRUSTED_ORIGINS``. Current browsers
send Origin with every cross-origin POST; a request with neither header goes on, as one from a
program rather than a page (very old browsers, or a page that suppresses its referrer, send neither:
the cookie's own ``SameSite`` attribute, set where the session cookie is issued, is the defence
there). This is the origin check of OWASP's CSRF cheat sheet, which covers the form and the JSON
path alike without a per-session token in prerendered pages. The origin is compared whole, scheme
included: behind a TLS proxy that the edge does not trust for ``X-Forwarded-Proto`` (uvicorn trusts
loopback proxies only), or one that rewrites ``Host``, the edge's public origin belongs in
``EDGE_TRUSTED_ORIGINS``.

Signals are exempt: storefront pages of any origin post them with ``navigator.sendBeacon``, which
can only use the cookie. A forged signal can have pages prerendered for the shopper and spend their
per-minute signal allowance, nothing more.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.edge.auth import SESSION_COOKIE
from gateway.errors import ApiError
from gateway.http.asgi import send_error
from gateway.http.headers import authorization_of, bearer_of, first_headers
from gateway.settings import SettingsError

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_EXEMPT_PATHS = frozenset({"/v1/signals"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CookieOriginCheck:
    def __init__(self, app: ASGIApp, trusted_origins: frozenset[str]) -> None:
        self.app = app
        self.trusted_origins = trusted_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in _SAFE_METHODS
            and scope["path"] not in _EXEMPT_PATHS
        ):
            headers = first_headers(scope)
            if _session_from_cookie(scope, headers):
                # An Origin header that is there but empty is a claim about the source too: not trusted.
                source = headers[b"origin"] if b"origin" in headers else headers.get(b"referer")
                if source is not None and not self._trusted(source, scope, headers.get(b"host", b"")):
                    await send_error(send, _cross_site(source))
                    return
        await self.app(scope, receive, send)

    def _trusted(self, source: bytes, scope: Scope, host: bytes) -> bool:
        try:
            parts = urlsplit(source.decode("latin-1").lower())
        except ValueError:  # "http://[x": not a URL, so no origin anyone trusts
            return False
        if not parts.scheme or not parts.netloc:  # "null" (a sandboxed or opaque origin), or garbage
            return False
        netloc = _without_default_port(parts.scheme, parts.netloc)
        # The same host over another scheme is another origin: an http page must not write to https.
        same_origin = parts.scheme == scope.get("scheme", "http") and netloc == _without_default_port(
            parts.scheme, host.decode("latin-1").lower()
        )
        return same_origin or f"{parts.scheme}://{netloc}" in self.trusted_origins


def _session_from_cookie(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """The request may be authenticated by a cookie: no bearer token, and a session cookie in any of
    its Cookie headers (however the application merges repeated ones, a session among them counts)."""
    if bearer_of(authorization_of(headers)):
        return False
    cookies = (value.decode("latin-1") for name, value in scope["headers"] if name == b"cookie")
    return any(cookie_parser(cookie).get(SESSION_COOKIE) for cookie in cookies)


def _without_default_port(scheme: str, netloc: str) -> str:
    """Browsers leave a scheme's default port out of Origin; so do the comparisons here."""
    default = _DEFAULT_PORTS.get(scheme)
    return netloc.removesuffix(f":{default}") if default else netloc


def _cross_site(source: bytes) -> ApiError:
    return ApiError(
        403,
        "cross_site_request",
        f"a write signed in by cookie must come from this site's pages, not {source.decode('latin-1')!r}",
        field="origin",
    )


def trusted_origins(setting: str) -> frozenset[str]:
    """``EDGE_TRUSTED_ORIGINS``: comma-separated ``scheme://host[:port]`` origins."""
    origins = set()
    for origin in (entry.strip().rstrip("/").lower() for entry in setting.split(",") if entry.strip()):
        try:
            parts = urlsplit(origin)
            valid = (
                parts.scheme in _DEFAULT_PORTS and bool(parts.hostname) and not parts.path and not parts.query
            )
        except ValueError:
            valid = False
        if not valid:
            raise SettingsError(
                f"EDGE_TRUSTED_ORIGINS: {origin!r} is not an origin like https://shop.example"
            )
        origins.add(f"{parts.scheme}://{_without_default_port(parts.scheme, parts.netloc)}")
    return frozenset(origins)
