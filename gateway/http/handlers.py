"""Starlette's exception handlers for the JSON error model: every failure a JSON body, never a trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ExceptionHandler

from gateway.errors import ApiError, error_body
from gateway.responses import json_response

logger = logging.getLogger("gateway.errors")


def error_response(error: ApiError) -> Response:
    return json_response(
        error_body(error.code, error.message, error.field), status=error.status, headers=error.headers
    )


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}


async def _api_error(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):
        raise exc
    return error_response(exc)


async def _http_exception(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return json_response(error_body(code, str(exc.detail)), status=exc.status_code, headers=exc.headers)


async def _unhandled(request: Request, exc: Exception) -> Response:
    # Starlette re-raises after this handler, so the traceback still reaches the server log.
    logger.error("unhandled error on %s %s: %r", request.method, request.url.path, exc)
    return json_response(error_body("internal_error", "internal error"), status=500)


EXCEPTION_HANDLERS: dict[type[Exception] | int, ExceptionHandler] = {
    ApiError: _api_error,
    HTTPException: _http_exception,
    Exception: _unhandled,
}
