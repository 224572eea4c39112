from __future__ import annotations

import re
from collections import Counter

import pytest

from gateway.divisions import load_divisions
from gateway.seed import COUPONS, SeedData, build_seed, item_sku, user_id


@pytest.fixture(scope="module")
def seed() -> SeedData:
    return build_seed()


def test_catalog_is_large_and_predictably_named(seed: SeedData) -> None:
    assert len(seed.items) == 10_000
    assert [item.sku for item in seed.items[:3]] == ["sku-00000", "sku-00001", "sku-00002"]
    assert seed.items[-1].sku == item_sku(9_999)
    assert len({item.sku for item in seed.items}) == len(seed.items)


def test_items_are_well_formed(seed: SeedData) -> None:
    for item in seed.items:
        assert item.specs, item.sku
        assert len(set(item.specs)) == len(item.specs)
        assert set(item.spec_stock) == set(item.specs)
        assert item.stock == sum(item.spec_stock.values())
        assert item.price_cents > 0
        assert item.version >= 1
    categories = Counter(item.category for item in seed.items)
    assert len(categories) >= 5
    assert any(count == 0 for item in seed.items for count in item.spec_stock.values())


def test_address_books_use_real_divisions_across_the_country(seed: SeedData) -> None:
    by_adcode = {d.adcode: d for d in load_divisions()}
    addresses = [address for book in seed.addresses.values() for address in book]
    assert user_id(0) in seed.addresses
    assert user_id(999) in seed.addresses
    assert len(addresses) > 1_000
    for address in addresses:
        division = by_adcode[address.adcode]
        assert (address.province, address.city, address.county) == (
            division.province, division.city, division.county,
        )  # fmt: skip
        assert re.fullmatch(r"1[3-9]\d{9}", address.phone)
        assert address.detail
    assert len({a.adcode[:2] for a in addresses}) >= 25
    assert len({a.adcode for a in addresses}) >= 500
    assert any(not book for book in seed.addresses.values()), "some shoppers start with an empty book"
    for book in seed.addresses.values():
        assert sum(a.is_default for a in book) == (1 if book else 0)


def test_seed_is_deterministic() -> None:
    first, second = build_seed(items=50, users=20), build_seed(items=50, users=20)
    assert [i.price_cents for i in first.items] == [i.price_cents for i in second.items]
    assert first.addresses == second.addresses
    assert build_seed(items=50, users=20, seed=8).addresses != first.addresses


def test_coupons_cover_stackable_and_exclusive_kinds(seed: SeedData) -> None:
    assert seed.coupons == list(COUPONS)
    assert {c.kind for c in COUPONS} == {"amount_off", "percent_off"}
    assert {c.stackable for c in COUPONS} == {True, False}
