from __future__ import annotations

import pytest

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver, city_short_names, province_short_names


@pytest.fixture(scope="module")
def resolver() -> AddressResolver:
    return AddressResolver(load_divisions())


def test_divisions_are_loaded_once_with_unique_six_digit_codes() -> None:
    divisions = load_divisions()
    assert load_divisions() is divisions
    assert len(divisions) > 2_800
    assert len({d.adcode for d in divisions}) == len(divisions)
    assert all(len(d.adcode) == 6 and d.adcode.isdigit() for d in divisions)


@pytest.mark.parametrize(
    ("text", "adcode", "county", "detail"),
    [
        ("北京市东城区东华门大街1号", "110101", "东城区", "东华门大街1号"),
        ("江苏省南京市鼓楼区中山路100号阳光花园3栋", "320106", "鼓楼区", "中山路100号阳光花园3栋"),
        ("福州市鼓楼区五四路1号", "350102", "鼓楼区", "五四路1号"),
        ("山西省阳泉市城区南大街1号", "140302", "城区", "南大街1号"),
    ],
)
def test_a_named_province_or_city_makes_the_answer_certain(
    resolver: AddressResolver, text: str, adcode: str, county: str, detail: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert (resolution.division.adcode, resolution.division.county) == (adcode, county)
    assert resolution.confidence == pytest.approx(0.95)
    assert resolution.detail == detail
    assert resolution.candidates == (resolution.division,)


def test_a_county_name_unique_in_china_is_certain_on_its_own(resolver: AddressResolver) -> None:
    resolution = resolver.resolve("海淀区中关村大街27号")
    assert resolution.certain
    assert resolution.division is not None
    assert (resolution.division.province, resolution.division.adcode) == ("北京市", "110108")
    assert resolution.confidence == pytest.approx(0.85)


def test_a_longer_county_name_is_not_read_as_a_shorter_one_inside_it(resolver: AddressResolver) -> None:
    resolution = resolver.resolve("东城区东华门大街1号")  # 城区 is also a county, in three cities
    assert resolution.division is not None
    assert resolution.division.adcode == "110101"
    assert resolution.detail == "东华门大街1号"


def test_separators_are_ignored_and_the_detail_is_compacted(resolver: AddressResolver) -> None:
    resolution = resolver.resolve("北京市, 东城区 / 东华门大街 1号")
    assert resolution.division is not None
    assert resolution.division.adcode == "110101"
    assert resolution.detail == "东华门大街1号"


def test_an_ambiguous_county_without_a_city_gives_candidates_and_no_division(
    resolver: AddressResolver,
) -> None:
    resolution = resolver.resolve("鼓楼区中山路1号")
    assert resolution.division is None
    assert not resolution.certain
    assert resolution.confidence == pytest.approx(0.3)
    assert {(d.city, d.adcode) for d in resolution.candidates} == {
        ("南京市", "320106"),
        ("徐州市", "320302"),
        ("福州市", "350102"),
        ("开封市", "410204"),
    }
    assert resolution.detail == ""


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("南京鼓楼区中山路1号", "320106"),
        ("徐州市鼓楼区中山路1号", "320302"),
        ("福建鼓楼区中山路1号", "350102"),
        ("河南省鼓楼区中山路1号", "410204"),
    ],
)
def test_a_city_or_province_picks_one_of_the_ambiguous_counties(
    resolver: AddressResolver, text: str, adcode: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode
    assert resolution.detail == "中山路1号"


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("内蒙新城区人民路3号", "150102"),
        ("内蒙古新城区人民路3号", "150102"),
        ("陕西新城区人民路3号", "610102"),
        ("广西城中区解放路1号", "450202"),
        ("青海城中区解放路1号", "630103"),
    ],
)
def test_short_province_names_disambiguate(resolver: AddressResolver, text: str, adcode: str) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode


@pytest.mark.parametrize(("text", "count"), [("新城区人民路3号", 2), ("城中区解放路1号", 2)])
def test_the_same_counties_without_a_province_stay_ambiguous(
    resolver: AddressResolver, text: str, count: int
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.division is None
    assert len(resolution.candidates) == count


@pytest.mark.parametrize("text", ["随便写点什么", "", "北京市"])
def test_text_without_a_county_gives_nothing(resolver: AddressResolver, text: str) -> None:
    resolution = resolver.resolve(text)
    assert resolution.division is None
    assert not resolution.certain
    assert resolution.candidates == ()
    assert resolution.confidence == 0.0


@pytest.mark.parametrize(
    ("province", "short"),
    [
        ("内蒙古自治区", ("内蒙古", "内蒙")),
        ("广西壮族自治区", ("广西",)),
        ("宁夏回族自治区", ("宁夏",)),
        ("新疆维吾尔自治区", ("新疆",)),
        ("西藏自治区", ("西藏",)),
        ("香港特别行政区", ("香港",)),
        ("北京市", ("北京",)),
        ("江苏省", ("江苏",)),
    ],
)
def test_province_short_names(province: str, short: tuple[str, ...]) -> None:
    assert province_short_names(province) == short


@pytest.mark.parametrize(
    ("city", "short"),
    [("南京市", ("南京",)), ("大兴安岭地区", ("大兴安岭",)), ("锡林郭勒盟", ("锡林郭勒",)), ("沙市", ())],
)
def test_city_short_names_keep_at_least_two_characters(city: str, short: tuple[str, ...]) -> None:
    assert city_short_names(city) == short


def test_a_short_name_inside_a_longer_one_is_not_matched_even_after_the_province_filter(
    resolver: AddressResolver,
) -> None:
    # 东城区 (Beijing) contains 城区 (汕尾 in 广东): naming 广东 must not turn it into 汕尾's 城区.
    resolution = resolver.resolve("广东东城区")
    assert resolution.division is None or resolution.division.county != "城区"
    assert not resolution.certain


def test_a_province_that_contradicts_the_county_is_not_guessed_away(resolver: AddressResolver) -> None:
    resolution = resolver.resolve("广东省海淀区中关村")
    assert resolution.division is None
    assert not resolution.certain
    assert [d.adcode for d in resolution.candidates] == ["110108"]
