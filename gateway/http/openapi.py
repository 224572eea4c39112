"""OpenAPI 3.1 documents built from the structs the handlers decode and answer with.

msgspec emits the JSON Schema of every struct (its constraints included), so a request's documented
shape is the one its decoder enforces. What msgspec cannot know is said here, once per operation: the
path, who may call it, its parameters, and every status it answers with. The JSON error model is one
schema every error status refers to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal

import msgspec
import orjson
from starlette.requests import Request
from starlette.responses import Response

Security = Literal["session", "admin", "ops", "edge", "public"]


class ErrorDetail(msgspec.Struct):
    code: str
    message: str
    field: str | None = None


class ErrorBody(msgspec.Struct):
    """The JSON error model: every 4xx and 5xx the gateway sends has this body."""

    error: ErrorDetail


@dataclass(frozen=True, slots=True)
class Answer:
    description: str
    body: type | dict[str, Any] | None = None  # a struct, a raw JSON Schema, or no body
    media_type: str = "application/json"
    headers: tuple[str, ...] = ()
    # Other media types the same answer may come in (the order page: HTML or JSON), by negotiation.
    also: Mapping[str, type | dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    where: Literal["path", "query", "header"]
    schema: dict[str, Any]
    required: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    summary: str
    security: Security
    answers: Mapping[int, Answer]
    request: Any = None  # a struct, or one annotated with examples (msgspec.Meta)
    request_media: tuple[str, ...] = ("application/json",)
    # Other media types the same operation takes, each with its own schema (an HTML form's fields).
    request_also: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    # A cookie session works too (the order page's form, the storefront page's beacons).
    cookie_session: bool = False

    @property
    def operation_id(self) -> str:
        words = "".join(c if c.isalnum() else " " for c in self.path).split()
        return "_".join([self.method.lower(), *words])


_SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "session": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A shopper's session",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The same, as a cookie",
    },
    "admin": {"type": "http", "scheme": "bearer", "description": "The edge's admin token (EDGE_ADMIN_TOKEN)"},
    "ops": {"type": "http", "scheme": "bearer", "description": "The central store's ops token"},
    "edge": {
        "type": "http",
        "scheme": "bearer",
        "description": "The credential edges derive from the secret",
    },
}


def error(description: str, *headers: str) -> Answer:
    return Answer(description, ErrorBody, headers=headers)


MALFORMED = error("The body is not JSON, or not the object this operation takes")
INVALID = error("A field is missing or out of bounds; `field` names it")
BUSY = error("Shedding load, or an upstream is unavailable; retry after `Retry-After`", "retry-after")


def body_errors() -> dict[int, Answer]:
    """What any operation that takes a body may answer besides its own: the request policy's refusals."""
    too_large = error("The body is over the node's limit", "connection")
    too_slow = error("The body did not arrive in time", "connection")
    return {400: MALFORMED, 408: too_slow, 413: too_large, 422: INVALID, 503: BUSY}


def document(title: str, version: str, description: str, operations: Sequence[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations``."""
    structs = _structs(operations)
    refs, components = msgspec.json.schema_components(structs, ref_template="#/components/schemas/{name}")
    ref_of = dict(zip(structs, refs, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, ref_of)
    used = {name for operation in operations for name in _scheme_names(operation)}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {name: _SECURITY_SCHEMES[name] for name in sorted(used)},
        },
    }


def _structs(operations: Sequence[Operation]) -> tuple[Any, ...]:
    found: dict[Any, None] = {ErrorBody: None}
    for operation in operations:
        if operation.request is not None:
            found[operation.request] = None
        for answer in operation.answers.values():
            for body in (answer.body, *answer.also.values()):
                if body is not None and not isinstance(body, dict):
                    found[body] = None
    return tuple(found)


def _scheme_names(operation: Operation) -> list[str]:
    if operation.security == "public":
        return []
    if operation.security == "session":
        return ["session", "sessionCookie"] if operation.cookie_session else ["session"]
    return [operation.security]


def _schema(body: Any, ref_of: Mapping[Any, Any]) -> dict[str, Any]:
    return dict(body) if isinstance(body, dict) else dict(ref_of[body])


def _operation(operation: Operation, ref_of: Mapping[Any, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "security": [{name: []} for name in _scheme_names(operation)],
        "responses": {
            str(status): _answer(answer, ref_of) for status, answer in sorted(operation.answers.items())
        },
    }
    if operation.parameters:
        described["parameters"] = [_parameter(parameter) for parameter in operation.parameters]
    if operation.request is not None:
        schema = _schema(operation.request, ref_of)
        content = {media: {"schema": schema} for media in operation.request_media}
        content |= {media: {"schema": other} for media, other in operation.request_also.items()}
        described["requestBody"] = {"required": True, "content": content}
    return described


def _answer(answer: Answer, ref_of: Mapping[Any, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {"description": answer.description}
    content = {}
    if answer.body is not None:
        content[answer.media_type] = {"schema": _schema(answer.body, ref_of)}
    for media, body in answer.also.items():
        content[media] = {"schema": _schema(body, ref_of)}
    if content:
        described["content"] = content
    if answer.headers:
        described["headers"] = {name: {"schema": {"type": "string"}} for name in answer.headers}
    return described


def _parameter(parameter: Parameter) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": parameter.name,
        "in": parameter.where,
        "required": parameter.required or parameter.where == "path",
        "schema": parameter.schema,
    }
    if parameter.description:
        described["description"] = parameter.description
    return described


def package_version() -> str:
    try:
        return version("edge-order-gateway")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def openapi_endpoint(build: Callable[[str], dict[str, Any]]) -> Callable[[Request], Awaitable[Response]]:
    """A ``GET /openapi.json`` handler: the document is built once, when the app is made."""
    body = orjson.dumps(build(package_version()))

    async def openapi(_: Request) -> Response:
        return Response(body, media_type="application/json")

    return openapi
