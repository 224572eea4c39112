"""The prerender fast path reads a query as the application would, or leaves it to the application."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from gateway.edge.fast_path import _query


@pytest.mark.parametrize(
    "fields",
    [
        {"sku": "sku-00042", "spec": "black-M", "qty": "2"},
        {"sku": "sku-00042", "spec": "黑色-M", "qty": "1"},  # percent-encoded on the wire
        {"sku": "sku-00042", "spec": "red XL"},  # a space travels as "+"
        {},
    ],
)
def test_a_query_reads_as_parse_qsl_reads_it(fields: dict[str, str]) -> None:
    raw = urlencode(fields).encode()
    assert _query(raw) == dict(parse_qsl(raw.decode())) == fields


def test_an_empty_value_reads_as_empty_so_the_hit_is_not_exact_and_the_app_answers() -> None:
    assert _query(b"sku=sku-00042&spec=&qty=1&&flag") == {
        "sku": "sku-00042",
        "spec": "",
        "qty": "1",
        "flag": "",
    }
