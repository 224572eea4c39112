"""Names of China's divisions as people write them: suffixes, short forms, typos of suffixes,
and the normalization that matching (and caching) starts from. Plain data and small functions,
used by the resolver in ``address``."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ABBREVIATION", "BARE", "CHANGED", "CITY", "COUNTY", "COUNTY_ENDINGS", "FORMER", "FULL", "FUZZY",
    "HOLE", "NAME_GOES_ON", "NEAR_TYPO", "NOT_AFTER_SHORT", "NOT_AFTER_SHORT_PAIRS", "PROVINCE",
    "SHORT", "SUFFIX_TYPOS", "TYPO", "city_abbreviation", "city_short_names", "county_short_names",
    "normalize", "province_short_names", "strip_ethnic",
]  # fmt: skip

_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_SPECIAL_SHORT = {"内蒙古自治区": ("内蒙古", "内蒙")}
_CITY_SUFFIXES = ("市", "地区", "盟", "自治州")
# Longest first: 浦东新区 is 浦东, but 清新区 is 清新 (stripping 新区 would leave one character).
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "特区", "林区", "区", "县", "市", "旗")
# 自治州/自治县/自治旗 names carry the peoples they are for; people write 恩施州, 白沙县, 鄂伦春旗.
_ETHNIC_GROUPS = sorted(
    (
        "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
        "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
        "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
        "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
        "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
    ),
    key=len,
    reverse=True,
)  # fmt: skip
# Homophone and look-alike typos of the administrative suffixes.
SUFFIX_TYPOS = {"区": "去曲驱", "县": "线现", "市": "是事", "省": "生"}
# After a short (suffix-less) name these make it a street, a town or a landmark, not a division:
# 南京路, 南山街道, 朝阳门 (which is in 东城区), 白云机场.
NOT_AFTER_SHORT = frozenset("路街道巷弄胡桥村镇乡门站")
NOT_AFTER_SHORT_PAIRS = frozenset(
    (
        "大道", "大街", "广场", "公园", "大厦", "大学", "中学", "小学", "医院", "机场",
        *(direction + way for direction in "东西南北中一二三四五六七八九" for way in "路街道"),
    )
)  # fmt: skip
COUNTY_ENDINGS = frozenset("区县市旗")
# A suffix-less name followed by a suffix or the peoples of an autonomous county is part of a
# longer (misspelt) name: 凌海区 (凌河区), 镇康彝族哈尼族拉祜族自治县 (镇沅…自治县).
NAME_GOES_ON: dict[str, tuple[str, ...]] = {}
for _tail in ("自治", *(g + "族" for g in _ETHNIC_GROUPS), *(g for g in _ETHNIC_GROUPS if len(g) >= 2)):
    NAME_GOES_ON[_tail[0]] = (*NAME_GOES_ON.get(_tail[0], ()), _tail)
# House numbers keep their joiners (3-201, 5#楼); every other punctuation mark is dropped.
_DROP = re.compile(r"[^\w#\-]|_")
_LOOSE_JOINERS = re.compile(r"(?<![0-9A-Za-z])[#\-]+|-+(?![0-9A-Za-z])")

PROVINCE, CITY, COUNTY = 0, 1, 2
# How a name is written: in full, short (南京, 恩施州, 白沙县), without suffix (南山), with a misspelt
# suffix (南山去), with one wrong character (南三区, only near its city), a city as 哈市 (ABBREVIATION),
# a name the division had before (襄樊市), a county with another county's suffix (萧山市 for 萧山区).
FULL, SHORT, BARE, TYPO, FUZZY, NEAR_TYPO, ABBREVIATION, FORMER, CHANGED = range(9)

HOLE = "\x00"  # never in normalized text


def normalize(text: str) -> str:
    """The text as matched, and the key callers should cache resolutions under.

    Full-width letters, digits and punctuation become half-width (NFKC), 巿 becomes 市; whitespace
    and punctuation are dropped, except the joiners of house numbers (``3-201``, ``5#``).
    """
    text = _DROP.sub("", unicodedata.normalize("NFKC", text))
    if "巿" in text:  # U+5DFF looks like 市 and is often typed for it
        text = text.replace("巿", "市")
    return _LOOSE_JOINERS.sub("", text) if "#" in text or "-" in text else text


def province_short_names(province: str) -> tuple[str, ...]:
    if province in _SPECIAL_SHORT:
        return _SPECIAL_SHORT[province]
    for suffix in _PROVINCE_SUFFIXES:
        if province.endswith(suffix) and len(province) - len(suffix) >= 2:
            return (province[: -len(suffix)],)
    return ()


def city_abbreviation(city: str) -> str | None:
    """哈市 for 哈尔滨市, 呼市 for 呼和浩特市: the first character and 市, for names of three or more."""
    if city.endswith("市") and len(city) >= 4:
        return city[0] + "市"
    return None


def city_short_names(city: str) -> tuple[str, ...]:
    """Short forms people write for a city: 南京 (南京市), 恩施州 and 恩施 (恩施土家族苗族自治州)."""
    if city.endswith("自治州") or city.endswith("自治县"):
        stem = strip_ethnic(city[:-3])
        if len(stem) >= 2 and stem != city[:-3]:
            return (stem + city[-1], stem)
    for suffix in (*_CITY_SUFFIXES, "林区", "县"):
        if city.endswith(suffix) and len(city) - len(suffix) >= 2:
            return (city[: -len(suffix)],)
    return ()


def county_short_names(county: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names as good as the full one, suffix-less names) for a county.

    白沙黎族自治县 is also written 白沙县 (as good as the full name) and 白沙 (suffix-less);
    南山区 is written 南山. A suffix-less name keeps at least two characters.
    """
    if county.endswith(("自治县", "自治旗")):
        stem = strip_ethnic(county[:-3])
        if len(stem) >= 2:
            return ((stem + county[-1],) if stem != county[:-3] else ()), (stem,)
        return (), ()
    for suffix in _COUNTY_SUFFIXES:
        if county.endswith(suffix) and len(county) - len(suffix) >= 2:
            return (), (county[: -len(suffix)],)
    return (), ()


def strip_ethnic(stem: str) -> str:
    """Drop the peoples from the end of an autonomous division's name, keeping two characters."""
    stripped = True
    while stripped:
        stripped = False
        for group in _ETHNIC_GROUPS:
            # One-character names only with 族 (水族, 白族), so a place name ending in 白 survives.
            for tail in (group + "族", group) if len(group) >= 2 else (group + "族",):
                if stem.endswith(tail) and len(stem) - len(tail) >= 2:
                    stem = stem[: -len(tail)]
                    stripped = True
                    break
            if stripped:
                break
    # 东乡族自治县 is 东乡县: the people's name is the place's name.
    return stem[:-1] if stem.endswith("族") and len(stem) >= 3 else stem
