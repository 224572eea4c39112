"""Entries in the shared cache store are unpickled only when an edge signed them."""

from __future__ import annotations

import pickle

from gateway.cache.layer import Envelope
from gateway.cache.signed import SignedPickleSerializer

RAN: list[str] = []


def _record(what: str) -> None:
    RAN.append(what)


class _Payload:
    """Unpickling this calls a function of the writer's choosing, as a hostile entry would."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_record, ("code ran",))


def test_what_an_edge_wrote_reads_back() -> None:
    serializer = SignedPickleSerializer(b"k" * 32, "gateway:east:reference:v3")
    envelope = Envelope({"c-10off99": "coupon"}, 1.0, 2.0, 3.0, "coupons", ("coupons",))
    assert serializer.loads(serializer.dumps(envelope)) == envelope
    assert serializer.loads(None) is None


def test_an_entry_not_signed_with_the_edges_key_is_a_miss_and_never_unpickled() -> None:
    serializer = SignedPickleSerializer(b"k" * 32, "gateway:east:reference:v3")
    hostile = pickle.dumps(_Payload())
    signed_elsewhere = SignedPickleSerializer(b"x" * 32, "gateway:east:reference:v3").dumps(_Payload())
    tampered = bytearray(serializer.dumps(Envelope(1, 1.0, 2.0, 3.0, "k")))
    tampered[-3] ^= 1
    another_region = SignedPickleSerializer(b"k" * 32, "gateway:west:reference:v3").dumps(
        Envelope(1, 1.0, 2.0, 3.0, "k")
    )
    for entry in (hostile, signed_elsewhere, bytes(tampered), another_region, b"", b"short"):
        assert serializer.loads(entry) is None
    assert RAN == []
