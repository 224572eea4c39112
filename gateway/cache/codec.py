"""What the shared cache store (Redis) holds: typed msgpack, signed, never pickle.

An entry is an envelope (lifetimes, the key it was written for, tags) around a value of one of the
kinds the cache was told about (an item, an address book, the coupons, a resolution), encoded with
msgspec's msgpack and decoded only into that kind's type: reading an entry can build those types and
nothing else, whoever wrote it. Each entry also carries an HMAC-SHA256, under a key derived from
``GATEWAY_SECRET``, of the store's namespace (region, cache, format) and the bytes: an entry that
fails it, or names a kind this cache does not hold, is logged and reads as a miss, and the origin
fills it again. An entry copied from another region or cache fails the check; one copied to another
key of the same namespace passes it, but its envelope names the key it was written for and the cache
refuses it (``EdgeCache._written_under``). Written here because aiocache's serializers neither sign
nor decode into declared types.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any

import msgspec
from aiocache.serializers import BaseSerializer

from gateway.cache.layer import Envelope

logger = logging.getLogger(__name__)

_DIGEST_BYTES = hashlib.sha256().digest_size
_NEGATIVE = "none"  # the kind of a negative entry: the origin has no such key


class _Stored(msgspec.Struct, array_like=True):
    kind: str
    value: msgspec.Raw
    fresh_until: float
    stale_until: float
    error_until: float
    key: str
    tags: tuple[str, ...]


class SignedTypedSerializer(BaseSerializer):  # type: ignore[misc]  # aiocache is untyped
    """``kinds``: name → type of every value this cache stores (a struct, a dataclass, a typed dict)."""

    DEFAULT_ENCODING = None  # bytes in, bytes out

    def __init__(self, key: bytes, namespace: str, kinds: Mapping[str, Any]) -> None:
        super().__init__()
        self._mac = hmac.new(key, namespace.encode() + b"\0", digestmod=hashlib.sha256)
        self._decoders = {name: msgspec.msgpack.Decoder(kind) for name, kind in kinds.items()}
        self._kind_of = {_runtime_class(kind): name for name, kind in kinds.items()}
        self._encoder = msgspec.msgpack.Encoder()
        self._stored = msgspec.msgpack.Decoder(_Stored)

    def dumps(self, envelope: Envelope) -> bytes:
        value = envelope.value
        kind = _NEGATIVE if value is None else self._kind_of.get(type(value))
        if kind is None:
            raise TypeError(f"this cache stores no {type(value).__name__} (kinds: {sorted(self._decoders)})")
        stored = _Stored(
            kind,
            msgspec.Raw(self._encoder.encode(value)),
            envelope.fresh_until,
            envelope.stale_until,
            envelope.error_until,
            envelope.key,
            envelope.tags,
        )
        data = self._encoder.encode(stored)
        return self._digest(data) + data

    def loads(self, value: bytes | None) -> Envelope | None:
        if value is None:  # no such key
            return None
        digest, data = value[:_DIGEST_BYTES], value[_DIGEST_BYTES:]
        if not hmac.compare_digest(digest, self._digest(data)):
            logger.warning("a cache entry failed its signature check (written by something else); ignored")
            return None
        try:
            stored = self._stored.decode(data)
            decoded = None if stored.kind == _NEGATIVE else self._decoders[stored.kind].decode(stored.value)
        except (msgspec.DecodeError, KeyError) as exc:  # signed by an edge of another release, say
            logger.warning("a cache entry could not be read as this cache's kinds (%r); ignored", exc)
            return None
        return Envelope(
            decoded, stored.fresh_until, stored.stale_until, stored.error_until, stored.key, stored.tags
        )

    def _digest(self, data: bytes) -> bytes:
        mac = self._mac.copy()
        mac.update(data)
        return mac.digest()


def _runtime_class(kind: Any) -> type:
    """The class a value of ``kind`` has at run time: ``dict`` for ``dict[str, Coupon]``."""
    origin = getattr(kind, "__origin__", None)
    return origin if isinstance(origin, type) else kind
