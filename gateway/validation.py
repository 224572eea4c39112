"""Decode request bodies into structs, turning every failure into a 4xx that names the field."""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from gateway.errors import ApiError
from gateway.models import PATTERN_WORDS

T = TypeVar("T")

_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_NAMED_CHILD = re.compile(r"Object (?:missing required|contains unknown) field `(?P<name>[^`]+)`")
_INDEX = re.compile(r"\[(\d+)\]")


def decode_json(body: bytes, model: type[T]) -> T:
    if not body:
        raise ApiError(400, "empty_body", "request body must be a JSON object", field="body")
    try:
        return msgspec.json.decode(body, type=model)
    except msgspec.ValidationError as exc:
        message, field = describe(exc)
        raise ApiError(422, "invalid_field", message, field=field) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_json", f"body is not valid JSON: {exc}", field="body") from None


def describe(exc: msgspec.ValidationError) -> tuple[str, str]:
    """Split msgspec's message into a human part and a dotted field path (``address.phone``).

    msgspec reports the path only inside its message (`` - at `$.coupons[1]` ``), and reports a
    missing or unknown key at its parent's path, so the key name is appended here.
    """
    text = str(exc)
    match = _PATH.search(text)
    path = _INDEX.sub(r".\1", match.group("path")) if match else ""
    message = text[: match.start()] if match else text
    for pattern, words in PATTERN_WORDS.items():
        message = message.replace(f"`str` matching regex {pattern!r}", words)
    child = _NAMED_CHILD.search(message)
    if child:
        path = f"{path}.{child.group('name')}" if path else child.group("name")
    return message, path.lstrip(".") or "body"
