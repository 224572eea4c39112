"""The JSON error model: ``{"error": {"code", "message", "field"}}`` for every failure, never a trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ExceptionHandler

from gateway.responses import json_response

logger = logging.getLogger("gateway.errors")


class ApiError(Exception):
    """An error the client can act on; raised anywhere below a route and rendered by the handler."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    error: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


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
