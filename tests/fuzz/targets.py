"""What the fuzzer feeds: every parser of untrusted input, each of which may refuse (ApiError, or None
for a skipped event) and must do nothing else. A crash found here becomes a test in
``tests/unit/test_fuzz_findings.py`` with the input that found it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import cache

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from gateway.edge.order_forms import decode_form
from gateway.edge.routes.signals import SignalsRequest, parse_signal
from gateway.errors import ApiError
from gateway.models import OrderRequest
from gateway.signing import InvalidToken, SessionSigner, TokenRules
from gateway.validation import decode_json


def order_body(data: bytes) -> None:
    with contextlib.suppress(ApiError):
        decode_json(data, OrderRequest)


def order_form(data: bytes) -> None:
    with contextlib.suppress(ApiError):
        decode_form(data)


def signals(data: bytes) -> None:
    try:
        events = decode_json(data, SignalsRequest).events
    except ApiError:
        return
    for event in events:
        parse_signal(event)


def signal_events(data: bytes) -> None:
    """Events that are well-formed JSON (the decoder's refusals aside): the parser's own branches."""
    try:
        event = orjson.loads(data)
    except orjson.JSONDecodeError:
        return
    parse_signal(event)
    if isinstance(event, dict):
        parse_signal({**event, "type": "view", "t": 1.0})


@cache
def _signer() -> SessionSigner:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return SessionSigner("fuzzing-secret-long-enough", rules=TokenRules(pem.decode(), "id.shop", "edge"))


def session_token(data: bytes) -> None:
    """A bearer token as a client sends it: any bytes, read as the header's Latin-1."""
    with contextlib.suppress(InvalidToken):
        _signer().verify(data.decode("latin-1"))


@cache
def _resolver() -> AddressResolver:
    return AddressResolver(load_divisions())


def address(data: bytes) -> None:
    _resolver().resolve(data.decode("utf-8", errors="replace"))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "order_body": order_body,
    "order_form": order_form,
    "signals": signals,
    "signal_events": signal_events,
    "address": address,
    "session_token": session_token,
}
