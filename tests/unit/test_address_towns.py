from __future__ import annotations

import pytest

from gateway.divisions import load_towns
from gateway.domain.address.towns import TownIndex, village_after


@pytest.fixture(scope="module")
def towns() -> TownIndex:
    return TownIndex(load_towns(), {})


def test_towns_are_loaded_with_nine_digit_codes_under_their_county() -> None:
    towns = load_towns()
    assert sum(map(len, towns.values())) > 38_000
    assert all(t.adcode == adcode and len(t.code) == 9 for adcode, found in towns.items() for t in found)
    assert {t.name for t in towns["500112"]} >= {"龙溪街道", "回兴街道"}  # 渝北区


def test_a_town_is_found_with_every_county_that_has_one_so_named(towns: TownIndex) -> None:
    [match] = towns.find("重庆渝北区龙溪街道红锦大道12号")
    assert (match.start, match.end) == (5, 9)
    assert match.towns["500112"][0].name == "龙溪街道"
    assert match.towns["500112"][1] is True
    assert match.official == 3  # 重庆渝北, 湖州吴兴 and 汕尾海丰 have a 龙溪街道
    assert match.counties > match.official  # and more a 龙溪镇 or 龙溪乡


@pytest.mark.parametrize(
    ("text", "adcode", "official"),
    [
        ("江苏省吴江市松陵镇中山南路1号", "320509", "松陵街道"),  # a 镇 become 街道
        ("云南大理市太邑乡", "532901", "太邑彝族乡"),  # an ethnic township by its short name
    ],
)
def test_a_town_under_another_suffix_is_found_but_not_exact(
    towns: TownIndex, text: str, adcode: str, official: str
) -> None:
    [match] = towns.find(text)
    town, exact = match.towns[adcode]
    assert (town.name, exact) == (official, False)


@pytest.mark.parametrize(
    ("text", "end", "village"),
    [
        ("王庄镇前进村3组12号", 3, "前进村"),
        ("谋道镇苏拉口村", 3, "苏拉口村"),
        ("长安镇新安社区8号", 3, "新安社区"),
        ("长安镇中山路村口1号", 3, ""),  # a street, not a village
        ("长安镇长青路1号", 3, ""),
    ],
)
def test_the_village_is_what_follows_the_town_up_to_its_cun(text: str, end: int, village: str) -> None:
    assert village_after(text, end) == village
