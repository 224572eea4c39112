from __future__ import annotations

import pytest

from gateway.divisions import load_divisions
from gateway.domain.address import (
    AddressResolver,
    city_short_names,
    county_short_names,
    normalize,
    province_short_names,
)


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


# --- normalization -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("广东省 深圳市，南山区　科技园（南区）", "广东省深圳市南山区科技园南区"),
        ("北京市东城区东华门大街１号", "北京市东城区东华门大街1号"),
        ("ＡＢＣ大厦３－２０１室", "ABC大厦3-201室"),
        ("5#楼 - 3单元 / 201", "5#楼3单元201"),
        ("深圳巿南山区", "深圳市南山区"),  # 巿 (U+5DFF) looks like 市
        ("  \t\n", ""),
    ],
)
def test_normalize_makes_characters_half_width_and_drops_whitespace_and_punctuation(
    text: str, normalized: str
) -> None:
    assert normalize(text) == normalized
    assert normalize(normalized) == normalized  # a cache key: normalizing twice changes nothing


def test_texts_that_differ_only_in_width_and_spacing_share_a_normalized_form_and_an_answer(
    resolver: AddressResolver,
) -> None:
    texts = [
        "广东省深圳市南山区科技园1号",
        "广东省 深圳市 南山区 科技园 1 号",
        "广东省，深圳市，南山区，科技园１号",
    ]
    assert len({normalize(text) for text in texts}) == 1
    assert {resolver.resolve(text) for text in texts} == {resolver.resolve(texts[0])}


# --- short forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("内蒙包头青山区钢铁大街", "150204"),  # 青山区 is also in 武汉
        ("内蒙古青山区钢铁大街", "150204"),
        ("西藏城关区北京中路", "540102"),  # 城关区 is also in 兰州
        ("甘肃城关区庆阳路", "620102"),
        ("黑龙江南山区", "230404"),  # 南山区 is also in 深圳
        ("广西城中区解放路1号", "450202"),
        ("宁夏兴庆区解放西街", "640104"),
        ("新疆天山区解放南路", "650102"),
    ],
)
def test_short_province_names_confirm_and_disambiguate(
    resolver: AddressResolver, text: str, adcode: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("呼和浩特新城区人民路3号", "150102"),
        ("深圳南山区科技园", "440305"),
        ("恩施州利川市", "422802"),  # 恩施土家族苗族自治州
        ("青海海南共和县", "632521"),  # 海南 is the prefecture 海南藏族自治州 here, not the province
        ("河北唐山路南区", "130202"),  # 路南区 starts with 路 and is still a county
    ],
)
def test_cities_without_their_suffix_confirm_the_county(
    resolver: AddressResolver, text: str, adcode: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode


def test_city_short_names_of_autonomous_prefectures() -> None:
    assert city_short_names("恩施土家族苗族自治州") == ("恩施州", "恩施")
    assert city_short_names("海西蒙古族藏族自治州") == ("海西州", "海西")
    assert county_short_names("白沙黎族自治县") == (("白沙县",), ("白沙",))
    assert county_short_names("东乡族自治县") == (("东乡县",), ("东乡",))
    assert county_short_names("南山区") == ((), ("南山",))
    assert county_short_names("浦东新区") == ((), ("浦东",))
    assert county_short_names("沛县") == ((), ())


# --- counties without their suffix ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "adcode", "detail"),
    [
        ("广东深圳南山科技园科苑路15号", "440305", "科技园科苑路15号"),
        ("深圳南山科技园", "440305", "科技园"),
        ("广东南山科技园", "440305", "科技园"),  # the province alone is enough when unique in it
        ("北京朝阳三里屯", "110105", "三里屯"),
        ("上海浦东陆家嘴", "310115", "陆家嘴"),
        ("辽宁朝阳市朝阳", "211321", ""),  # after the city 朝阳市, 朝阳 is its county 朝阳县
    ],
)
def test_a_county_without_its_suffix_counts_right_after_its_city_or_province(
    resolver: AddressResolver, text: str, adcode: str, detail: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode
    assert resolution.detail == detail


@pytest.mark.parametrize(
    "text",
    [
        "南山科技园",  # no city or province confirms it (and there are two 南山区)
        "上海南京路100号",  # a street named after a city
        "北京市朝阳门外大街",  # 朝阳门 is in 东城区, not 朝阳区
        "深圳市科技园南山街",  # a street after the city, not the county
        "辽宁朝阳",  # the city 朝阳市 more likely than its county 朝阳县
        "内蒙古通辽市科尔沁明仁大街1号",  # 科尔沁区, or 科尔沁左翼中旗 cut short?
        "江苏鼓楼",  # 南京 and 徐州 both have a 鼓楼区
    ],
)
def test_a_suffix_less_name_without_confirmation_is_not_certain(resolver: AddressResolver, text: str) -> None:
    assert not resolver.resolve(text).certain


# --- county-level cities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("仙桃市沙嘴街道", "429004"),  # directly administered: city and county at once
        ("湖北仙桃沙嘴街道", "429004"),
        ("湖北省仙桃市沙嘴街道", "429004"),
        ("昆山市玉山镇", "320583"),
        ("江苏昆山玉山镇", "320583"),
        ("苏州昆山玉山镇", "320583"),
        ("江苏省苏州市昆山市玉山镇", "320583"),
        ("广东东莞松山湖", "441900"),
        ("海南东方八所镇", "469007"),
    ],
)
def test_county_level_cities(resolver: AddressResolver, text: str, adcode: str) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode


@pytest.mark.parametrize(("text", "adcode"), [("仙桃钱沟路8号", "429004"), ("昆山前进中路18号", "320583")])
def test_a_county_level_city_alone_without_suffix_is_the_first_candidate_not_an_answer(
    resolver: AddressResolver, text: str, adcode: str
) -> None:
    # 东方, 中山 and 仙桃 alike: alone, a short name may be a word (东方明珠小区, 中山路).
    resolution = resolver.resolve(text)
    assert not resolution.certain
    assert resolution.candidates[0].adcode == adcode


@pytest.mark.parametrize(
    ("text", "adcode", "town"),
    [
        ("仙桃沙嘴街道", "429004", "沙嘴街道"),
        ("昆山玉山镇", "320583", "玉山镇"),
        ("内蒙古通辽市科尔沁大林镇", "150502", "大林镇"),  # 科尔沁区 has a 大林镇; 科尔沁左翼中旗 not
    ],
)
def test_a_town_of_the_county_makes_a_suffix_less_name_certain(
    resolver: AddressResolver, text: str, adcode: str, town: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode
    assert resolution.town is not None
    assert (resolution.town.name, resolution.town.adcode) == (town, adcode)
    assert resolution.evidence.endswith("+town")


def test_words_that_are_city_names_do_not_resolve_on_their_own(resolver: AddressResolver) -> None:
    assert not resolver.resolve("东方明珠小区3栋").certain
    assert resolver.resolve("中山路100号").candidates == ()


# --- typos --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "adcode", "detail"),
    [
        ("深圳市南山去科技园", "440305", "科技园"),  # 区 → 去
        ("深圳市南山曲科技园", "440305", "科技园"),  # 区 → 曲
        ("深圳市南山驱科技园", "440305", "科技园"),  # 区 → 驱
        ("徐州市丰线人民路", "320321", "人民路"),  # 县 → 线, a two-character name
        ("江苏徐州沛现汉城路", "320322", "汉城路"),  # 县 → 现
        ("苏州昆山是玉山镇", "320583", "玉山镇"),  # 市 → 是
        ("苏州昆山事玉山镇", "320583", "玉山镇"),  # 市 → 事
        ("江苏生南京市鼓楼区中山路1号", "320106", "中山路1号"),  # 省 → 生
        ("深圳是南山区科技园", "440305", "科技园"),  # the city's 市 → 是
        ("稻城线香格里拉镇", "513337", "香格里拉镇"),  # a unique name, misspelt suffix, nothing else
    ],
)
def test_suffix_typos(resolver: AddressResolver, text: str, adcode: str, detail: str) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode
    assert resolution.detail == detail


@pytest.mark.parametrize(
    ("text", "adcode", "detail"),
    [
        ("广东省深圳市南三区科技园", "440305", "科技园"),
        ("深圳福天区深南大道", "440304", "深南大道"),
        ("四川成都武候区", "510107", ""),
        ("江苏省苏州市昆三市玉山镇", "320583", "玉山镇"),
        ("益阳市安南县", "430923", ""),  # 安化县, though 南县 (also in 益阳) sits inside the typo
        ("河南洛阳宜新县", "410327", ""),  # 宜阳县, though 新县 (in 信阳) sits inside the typo
        ("内蒙古通辽市科尔沁石翼中旗", "150521", ""),  # 科尔沁左翼中旗, not 科尔沁区
        ("云南镇康彝族哈尼族拉祜族自治县", "530825", ""),  # 镇沅…自治县, not 镇康县
        ("西藏自治区金布江达县", "540421", ""),  # 工布江达县, not 江达县 (in 昌都)
    ],
)
def test_a_county_name_with_one_wrong_character_is_found_among_its_citys_counties(
    resolver: AddressResolver, text: str, adcode: str, detail: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode
    assert resolution.detail == detail
    assert resolution.evidence.startswith("county-typo")


def test_a_misspelt_county_that_could_be_several_gives_candidates(resolver: AddressResolver) -> None:
    resolution = resolver.resolve("广东省南三区")  # 南山区 (深圳) or 南沙区 (广州)?
    assert not resolution.certain
    assert {"440305", "440115"} <= {d.adcode for d in resolution.candidates}


@pytest.mark.parametrize(
    "text",
    [
        "南三区科技园",  # no city or province to compare against
        "江苏省苏州市工业园区星湖街",  # 苏州市 is one character from 邳州市, but it is a city
        "昆山是个好地方",  # 是 is a word here, not a misspelt 市
    ],
)
def test_typos_are_not_guessed_without_support(resolver: AddressResolver, text: str) -> None:
    assert not resolver.resolve(text).certain


# --- names overlapping names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("浙江西湖区", "330106"),  # not 江西 + 西湖区 (南昌)
        ("济南市中区", "370103"),  # 济南市 and 市中区 share the 市
        ("河北曲阳新华街", "130634"),  # 河北 曲阳, not 河北曲 (a misspelt 河北区, in 天津)
        ("王海 南京市鼓楼区", "320106"),  # 海南 in a recipient's name is no contradiction
        ("广西宁明县", "451422"),  # 西宁 across 广西宁明 is no contradiction
    ],
)
def test_overlapping_names_are_read_as_a_person_would(
    resolver: AddressResolver, text: str, adcode: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert resolution.division.adcode == adcode


def test_a_county_starting_inside_a_province_name_is_not_taken(resolver: AddressResolver) -> None:
    # 山西城区 is 山西 + 城区 (阳泉 or 晋城), not 山 + 西城区 (北京).
    resolution = resolver.resolve("山西城区黄河路180号")
    assert not resolution.certain
    assert {d.adcode for d in resolution.candidates} >= {"140302", "140502"}
    assert resolver.resolve("山西阳泉城区黄河路180号").division == resolver.resolve("阳泉市城区").division


def test_a_two_character_county_glued_to_other_text_needs_more_than_a_province(
    resolver: AddressResolver,
) -> None:
    assert not resolver.resolve("四川省船东区").certain  # 东区 (攀枝花) inside a misspelt 船山区
    assert not resolver.resolve("西区3栋").certain  # 东区/西区 alone are words of the street address


@pytest.mark.parametrize(
    ("text", "adcode", "evidence", "detail"),
    [
        ("渝北区龙溪街道红锦大道12号 重庆市", "500112", "county+city-after+town", "龙溪街道红锦大道12号"),
        (
            "宁海路街道宁海路122号 鼓楼区 南京市 江苏省",
            "320106",
            "county+city-after+town",
            "宁海路街道宁海路122号",
        ),
        ("哈市道里区兆麟街道友谊路8号", "230102", "county+city+town", "兆麟街道友谊路8号"),
        ("上海市闸北区宝山路街道宝山路100号", "310106", "former-name+city+town", "宝山路街道宝山路100号"),
        ("湖北省襄樊市樊城区汉江街道春园路1号", "420606", "county+city+town", "汉江街道春园路1号"),
        ("浙江省杭州市萧山市城厢街道人民路12号", "330109", "changed-suffix+city+town", "城厢街道人民路12号"),
        ("廣東省深圳市南山區粵海街道科技園路1號", "440305", "county+city+town", "粤海街道科技园路1号"),
        ("重庆龙溪街道红锦大道12号", "500112", "town+city", "龙溪街道红锦大道12号"),
        (
            "许昌 18912345678 河南省郑州市二七区铭功路街道解放路99号",
            "410103",
            "county+city+town",
            "铭功路街道解放路99号",
        ),
        ("重庆渝中区七星岗街道中山一路1号", "500103", "county+city+town", "七星岗街道中山一路1号"),
    ],
)
def test_hard_shapes_of_address_are_resolved_from_the_right_evidence(
    resolver: AddressResolver, text: str, adcode: str, evidence: str, detail: str
) -> None:
    resolution = resolver.resolve(text)
    assert resolution.certain
    assert resolution.division is not None
    assert (resolution.division.adcode, resolution.evidence, resolution.detail) == (adcode, evidence, detail)


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("重庆渝中区龙溪街道1号", {"500103", "500112"}),  # 龙溪街道 is in 渝北区, not 渝中区
        ("鼓楼区宁海路街道1号 徐州市 江苏省", {"320302"}),  # 宁海路街道 is in 南京's 鼓楼区
        ("江北区前进路1号", {"330205", "500105"}),
        ("朝阳区建国路88号", {"110105", "220104"}),
    ],
)
def test_competing_readings_leave_the_answer_unsure_with_them_as_candidates(
    resolver: AddressResolver, text: str, candidates: set[str]
) -> None:
    resolution = resolver.resolve(text)
    assert not resolution.certain
    assert resolution.town is None
    assert candidates <= {d.adcode for d in resolution.candidates}
