"""The JSON error model: ``{"error": {"code", "message", "field"}}`` for every failure, never a trace.

Plain Python, so that services can raise what the client must fix without importing a framework;
the handlers that render it are in :mod:`gateway.http.handlers`.
"""

from __future__ import annotations


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
