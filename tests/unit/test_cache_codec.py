"""The shared cache store holds typed msgpack, signed: what an edge wrote reads back as it was; anything
else (unsigned, signed by another key or namespace, a pickle, a kind this cache does not hold) is a miss,
and no entry can make the reader build anything but the cache's own kinds."""

from __future__ import annotations

import pickle

import msgspec
import pytest

from gateway.cache.codec import SignedTypedSerializer
from gateway.cache.items import CachedItem
from gateway.cache.layer import Envelope
from gateway.edge.services.reference import REFERENCE_KINDS
from gateway.models import AddressBook
from gateway.seed import COUPONS, build_seed

SEED = build_seed(items=3, users=1)
NAMESPACE = "gateway:east:reference:v4"
RAN: list[str] = []


def _serializer(key: bytes = b"k" * 32, namespace: str = NAMESPACE) -> SignedTypedSerializer:
    return SignedTypedSerializer(key, namespace, REFERENCE_KINDS)


class _Payload:
    """Unpickling this calls a function of the writer's choosing, as a hostile pickle would."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (RAN.append, ("code ran",))


@pytest.mark.parametrize(
    "value",
    [
        CachedItem.of(SEED.items[1]),
        AddressBook("u-0000", SEED.addresses["u-0000"], version=3),
        {coupon.code: coupon for coupon in COUPONS},
        None,  # a negative entry
    ],
    ids=["item", "book", "coupons", "negative"],
)
def test_what_an_edge_wrote_reads_back_as_it_was(value: object) -> None:
    envelope = Envelope(value, 1.0, 2.0, 3.0, "the-key", ("catalog",))
    serializer = _serializer()
    assert serializer.loads(serializer.dumps(envelope)) == envelope
    assert serializer.loads(None) is None


def test_anything_an_edge_did_not_sign_is_a_miss_and_never_runs() -> None:
    serializer = _serializer()
    entry = serializer.dumps(Envelope(None, 1.0, 2.0, 3.0, "k"))
    tampered = bytearray(entry)
    tampered[-3] ^= 1
    hostile = [
        pickle.dumps(_Payload()),
        b"\0" * 32 + pickle.dumps(_Payload()),
        _serializer(key=b"x" * 32).dumps(Envelope(None, 1.0, 2.0, 3.0, "k")),
        _serializer(namespace="gateway:west:reference:v4").dumps(Envelope(None, 1.0, 2.0, 3.0, "k")),
        bytes(tampered),
        b"",
        b"short",
    ]
    for candidate in hostile:
        assert serializer.loads(candidate) is None
    assert RAN == []


def test_a_signed_entry_of_a_kind_this_cache_does_not_hold_is_a_miss() -> None:
    writer = SignedTypedSerializer(b"k" * 32, NAMESPACE, {**REFERENCE_KINDS, "other": dict[str, int]})
    assert _serializer().loads(writer.dumps(Envelope({"a": 1}, 1.0, 2.0, 3.0, "k"))) is None


def test_a_value_of_no_registered_kind_is_refused_when_written() -> None:
    with pytest.raises(TypeError, match="stores no list"):
        _serializer().dumps(Envelope([1, 2], 1.0, 2.0, 3.0, "k"))


def test_a_signed_entry_decodes_only_into_its_kinds_type() -> None:
    serializer = _serializer()
    value = msgspec.msgpack.encode({"__reduce__": "os.system", "item": "rm -rf /"})
    stored = msgspec.msgpack.encode(["item", msgspec.Raw(value), 1.0, 2.0, 3.0, "k", []])
    signed = serializer._digest(stored) + stored  # as if the key had leaked
    assert serializer.loads(signed) is None, "not a CachedItem: refused, nothing built"
