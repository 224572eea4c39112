"""Inputs the fuzzer (``tests/fuzz``) found crashing a parser, kept as regression tests."""

from __future__ import annotations

import pytest

from tests.fuzz.targets import TARGETS

# (target, input, what it did)
FOUND = [
    (
        "signal_events",
        b'{"t":1,"type":{"sku":"sku-00021","spec":""},"qty":0}',
        "an event whose type is an object: TypeError (unhashable), a 500 on /v1/signals",
    ),
    (
        "signals",
        b'{"events":[{"t":3,"type":["view"],"sku":"sku-00042"}]}',
        "the same, a list, inside a request's events",
    ),
]


@pytest.mark.parametrize(("target", "data", "found"), FOUND, ids=[found for _, _, found in FOUND])
def test_the_input_is_refused_or_skipped_not_raised(target: str, data: bytes, found: str) -> None:
    TARGETS[target](data)
