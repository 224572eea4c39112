"""Resolve a free-text Chinese address to a county-level division.

The text is normalized (full-width to half-width, whitespace and punctuation dropped), then every
known name is found in one left-to-right pass over a dictionary indexed by its first two characters:
provinces, cities and counties under their full names, their short forms (广西, 内蒙, 深圳, 恩施州,
白沙县, the suffix-less 南山) and their suffix typos (南山去, 沛线, 昆山是, 江苏生).

Each county a name can mean becomes a candidate, scored by what the text around it confirms: a
province or city mentioned before it that it lies in raises the score, one it does not lie in sinks
it. Weak readings only count when confirmed: a suffix-less county name must directly follow its
city or province (深圳南山, never the 南山 of a street name), and a county name with one wrong
character (南三区) is only looked for right after a city or province, among that city's (or
province's) counties. An answer is given with high confidence (>= 0.8) only when one division
explains the text better than every other; otherwise the caller gets ranked candidates.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.divisions import Division

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
_SUFFIX_TYPOS = {"区": "去曲驱", "县": "线现", "市": "是事", "省": "生"}
# After a short (suffix-less) name these make it a street, a town or a landmark, not a division:
# 南京路, 南山街道, 朝阳门 (which is in 东城区), 白云机场.
_NOT_AFTER_SHORT = frozenset("路街道巷弄胡桥村镇乡门站")
_NOT_AFTER_SHORT_PAIRS = frozenset(
    ("大道", "大街", "广场", "公园", "大厦", "大学", "中学", "小学", "医院", "机场")
)
_COUNTY_ENDINGS = frozenset("区县市旗")
# A suffix-less name followed by a suffix or the peoples of an autonomous county is part of a
# longer (misspelt) name: 凌海区 (凌河区), 镇康彝族哈尼族拉祜族自治县 (镇沅…自治县).
_NAME_GOES_ON: dict[str, tuple[str, ...]] = {}
for _tail in ("自治", *(g + "族" for g in _ETHNIC_GROUPS), *(g for g in _ETHNIC_GROUPS if len(g) >= 2)):
    _NAME_GOES_ON[_tail[0]] = (*_NAME_GOES_ON.get(_tail[0], ()), _tail)
# House numbers keep their joiners (3-201, 5#楼); every other punctuation mark is dropped.
_DROP = re.compile(r"[^\w#\-]|_")
_LOOSE_JOINERS = re.compile(r"(?<![0-9A-Za-z])[#\-]+|-+(?![0-9A-Za-z])")

_PROVINCE, _CITY, _COUNTY = 0, 1, 2
_FULL, _SHORT, _BARE, _TYPO, _FUZZY, _NEAR_TYPO = 0, 1, 2, 3, 4, 5

_HOLE = "\x00"  # never in normalized text

CERTAIN = 0.8


@dataclass(frozen=True, slots=True)
class Resolution:
    division: Division | None
    confidence: float
    candidates: tuple[Division, ...] = ()
    detail: str = ""
    # How the answer (or the best candidate) was found, for logs and review: e.g. "county+city",
    # "county-typo+city", "suffix-less+province", "ambiguous", "contradicted".
    evidence: str = ""

    @property
    def certain(self) -> bool:
        return self.division is not None and self.confidence >= CERTAIN


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


def city_short_names(city: str) -> tuple[str, ...]:
    """Short forms people write for a city: 南京 (南京市), 恩施州 and 恩施 (恩施土家族苗族自治州)."""
    if city.endswith("自治州") or city.endswith("自治县"):
        stem = _strip_ethnic(city[:-3])
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
        stem = _strip_ethnic(county[:-3])
        if len(stem) >= 2:
            return ((stem + county[-1],) if stem != county[:-3] else ()), (stem,)
        return (), ()
    for suffix in _COUNTY_SUFFIXES:
        if county.endswith(suffix) and len(county) - len(suffix) >= 2:
            return (), (county[: -len(suffix)],)
    return (), ()


def _strip_ethnic(stem: str) -> str:
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


@dataclass(frozen=True, slots=True)
class _Reading:
    """One thing a name in the text can mean."""

    kind: int  # _PROVINCE, _CITY or _COUNTY
    form: int  # _FULL, _SHORT, _BARE, _TYPO, _FUZZY or _NEAR_TYPO
    key: str  # the province or city name; the county name for counties
    divisions: tuple[Division, ...]  # the counties it can stand for (all of a city's, a province's)


@dataclass(frozen=True, slots=True)
class _Meanings:
    """What a name found in the text can mean, with facts about it worked out once."""

    readings: tuple[_Reading, ...]
    full: bool  # a full name (not a short form or a typo)
    place: bool  # it can name a province or a city
    # Names inside this one are no mentions of their own (城区 in 东城区); not so for a suffix
    # typo: 河北曲阳 is 河北 and 曲阳, not 河北区 misspelt.
    hides: bool

    @classmethod
    def of(cls, readings: Iterable[_Reading]) -> _Meanings:
        found = tuple(readings)
        return cls(
            found,
            any(r.form == _FULL for r in found),
            any(r.kind != _COUNTY for r in found),
            any(r.form != _TYPO for r in found),
        )


# What a name means: anywhere, before a street word (南京路), before a county suffix (凌海区).
_Entry = tuple[_Meanings, _Meanings, _Meanings]


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    readings: tuple[_Reading, ...]
    # Full province or city name ending in 省/市: 济南市中区 shares that 市 with 市中区.
    shares_suffix: bool = False
    place: bool = False  # it can name a province or a city
    hides: bool = True
    # A county name starting inside a province or city name that nothing else accounts for:
    # 西城区 in 山西城区 (which is 山西 and 城区). It is no county, and hides no shorter name.
    cut: bool = False


@dataclass(frozen=True, slots=True)
class _Context:
    """What the text before a county's name says about one division it may be."""

    in_province: bool
    in_city: bool
    gap: int  # characters between the nearest confirming name and the county's (0: adjacent; -1: none)
    contradicted: bool

    @property
    def adjacent(self) -> bool:
        return self.gap == 0

    @property
    def where(self) -> str:
        return "+city" if self.in_city else ("+province" if self.in_province else "")


@dataclass(slots=True)
class _Score:
    confidence: float
    mention: _Mention
    evidence: str


_EVIDENCE = {
    _FULL: "county",
    _SHORT: "county",
    _TYPO: "suffix-typo",
    _BARE: "suffix-less",
    _FUZZY: "county-typo",
    _NEAR_TYPO: "suffix-typo",
}


class AddressResolver:
    def __init__(self, divisions: Iterable[Division]) -> None:
        by_province: dict[str, list[Division]] = defaultdict(list)
        by_city: dict[str, list[Division]] = defaultdict(list)
        by_county: dict[str, list[Division]] = defaultdict(list)
        for division in divisions:
            by_province[division.province].append(division)
            by_city[division.city].append(division)
            by_county[division.county].append(division)
        self._by_county = {name: tuple(found) for name, found in by_county.items()}
        readings = _readings_by_name(by_province, by_city, by_county)
        self._names: dict[str, _Entry] = {}
        lengths: dict[str, set[int]] = defaultdict(set)  # by the first two characters
        for name, found in readings.items():
            self._names[name] = (
                _Meanings.of(found),
                _Meanings.of(r for r in found if not _is_short(r)),
                _Meanings.of(r for r in found if not (r.kind == _COUNTY and r.form == _BARE)),
            )
            lengths[name[:2]].add(len(name))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}
        self._near = {**_near_names(by_province), **_near_names(by_city)}
        # (科尔沁, 内蒙古自治区): a county of the province starts with this suffix-less name and is
        # not the one it stands for (科尔沁左翼中旗), so 科尔沁 in the text may be a name cut short.
        self._prefix_of_another = {
            (name[:size], division.province)
            for name, found in by_county.items()
            for division in found
            for size in range(2, len(name))
            if any(r.form == _BARE for r in readings.get(name[:size], ()))
            and name[:size] not in county_short_names(name)[1]
        }

    def resolve(self, text: str) -> Resolution:
        compact = normalize(text)
        mentions = self._mentions(compact)
        scores = self._score(mentions, mentions)
        if not any(s.confidence >= CERTAIN for s in scores.values()):
            fuzzy = self._fuzzy_mentions(mentions, compact)
            if fuzzy:
                for division, score in self._score(fuzzy, [*mentions, *fuzzy]).items():
                    if score.confidence > scores.get(division, _NO_SCORE).confidence:
                        scores[division] = score
        if not scores:
            return Resolution(None, 0.0)
        ranked = sorted(
            scores.items(), key=lambda item: (-item[1].confidence, item[1].mention.start, item[0].adcode)
        )
        division, best = ranked[0]
        candidates = tuple(d for d, _ in ranked[:5])
        if best.confidence < CERTAIN:
            return Resolution(None, best.confidence, candidates, "", best.evidence)
        # Another division as good, or nearly as good and named no later: ask.
        if any(s.confidence >= CERTAIN and s.mention.start <= best.mention.start for _, s in ranked[1:]):
            return Resolution(None, 0.5, candidates, "", "ambiguous")
        return Resolution(division, best.confidence, (division,), compact[best.mention.end :], best.evidence)

    def _mentions(self, compact: str) -> list[_Mention]:
        """Every known name in the text, except those inside a longer one (城区 in 东城区)."""
        raw = self._scan(compact)
        starts = {start for start, _, _ in raw}
        size = len(compact)
        found: list[_Mention] = []
        places: list[_Mention] = []
        for start, end, (everything, before_street, before_suffix) in raw:
            if end == size:
                meanings = everything
            elif _name_goes_on(compact, end):
                meanings = before_suffix
            elif end not in starts and _street_follows(compact, end):
                # 南京路 is a street, but 唐山路南区 is 唐山 and 路南区: a name may follow a name.
                meanings = before_street
            else:
                meanings = everything
            if meanings.readings:
                shares = meanings.full and compact[end - 1] in "省市"
                mention = _Mention(start, end, meanings.readings, shares, meanings.place, meanings.hides)
                found.append(mention)
                if meanings.place:
                    places.append(mention)
        if len(found) < 2:
            return found
        if places:
            _mark_cut(found, places)
        return _drop_hidden(found)

    def _scan(self, compact: str) -> list[tuple[int, int, _Entry]]:
        raw: list[tuple[int, int, _Entry]] = []
        size = len(compact)
        names = self._names
        for start in range(size - 1):
            lengths = self._lengths.get(compact[start : start + 2])
            if lengths is None:
                continue
            for length in lengths:
                end = start + length
                if end <= size and (entry := names.get(compact[start:end])) is not None:
                    raw.append((start, end, entry))
        return raw

    def _fuzzy_mentions(self, mentions: list[_Mention], compact: str) -> list[_Mention]:
        """County names with one wrong character right after a province or city name.

        南三区 for 南山区, or 盂线 for 盂县 (a suffix typo of a name too short to index). Only that
        city's (or province's) counties are compared, the suffix must be right (or a known typo of
        it), and no other province or city name may start the window, so 江苏省苏州市 is never read
        as 邳州市. Names inside the window do not block it: 新县 in 宜新县 (宜阳县).
        """
        hits: dict[tuple[int, int, int], set[Division]] = defaultdict(set)
        size = len(compact)
        for mention in mentions:
            start = mention.end
            for reading in mention.readings:
                if reading.kind == _COUNTY:
                    continue
                lengths, near = self._near[reading.key]
                for length in lengths:
                    end = start + length
                    if end > size:
                        break
                    window = compact[start:end]
                    if window not in self._by_county:
                        for key in _holes(window):
                            hits[start, end, _FUZZY].update(near.get(key, ()))
                        hits[start, end, _NEAR_TYPO].update(near.get(window, ()))
        blocking = [m for m in mentions if any(r.form != _BARE for r in m.readings)]
        return [
            _Mention(
                start, end, (_Reading(_COUNTY, form, compact[start:end], tuple(sorted(found, key=_adcode))),)
            )
            for (start, end, form), found in hits.items()
            if found
            and not any(
                m.start < end and start < m.end and (m.start <= start or m.end > end) for m in blocking
            )
        ]

    def _score(self, candidates: list[_Mention], mentions: list[_Mention]) -> dict[Division, _Score]:
        """The best score of every division the candidate names may stand for, in all the text."""
        scores: dict[Division, _Score] = {}
        for mention in candidates:
            for reading in mention.readings:
                if reading.kind == _COUNTY:
                    form = reading.form
                elif len(reading.divisions) == 1:
                    # A city or province with a single county names it: 仙桃, 东莞市, 香港.
                    form = _BARE if reading.form == _SHORT and reading.kind == _CITY else reading.form
                else:
                    continue
                for division in reading.divisions:
                    confidence, evidence = self._confidence(division, mention, reading, form, mentions)
                    known = scores.get(division, _NO_SCORE)
                    # On a tie the longer of two overlapping names wins: 南山去 over 南山.
                    if confidence > known.confidence or (
                        confidence == known.confidence
                        and _overlaps(mention, known.mention)
                        and mention.end > known.mention.end
                    ):
                        scores[division] = _Score(confidence, mention, evidence)
        return scores

    def _confidence(
        self, division: Division, mention: _Mention, reading: _Reading, form: int, mentions: list[_Mention]
    ) -> tuple[float, str]:
        if mention.cut:
            return 0.3, "cut"
        context = _context(division, mention, form != _BARE, mentions)
        if context.contradicted:
            # A place named before the county that it does not lie in: ask, never guess.
            return 0.2, "contradicted"
        names = len(reading.divisions)
        if form in (_FULL, _SHORT):
            confidence = _full_confidence(division, names, context)
        elif form == _TYPO:
            lone = reading.key[-1] in "区县" and not any(
                o is not mention and o.place and _overlaps(o, mention) for o in mentions
            )
            confidence = _typo_confidence(names, lone, context)
        elif form == _BARE:
            cut_short = (reading.key, division.province) in self._prefix_of_another
            doubtful = cut_short or (not context.in_city and _names_a_city_too(mention, division))
            confidence = _bare_confidence(names, doubtful, context)
        else:
            confidence = _fuzzy_confidence(division, names, form, context)
        return confidence, _EVIDENCE[form] + context.where


_NO_SCORE = _Score(-1.0, _Mention(0, 0, ()), "")


def _readings_by_name(
    by_province: dict[str, list[Division]],
    by_city: dict[str, list[Division]],
    by_county: dict[str, list[Division]],
) -> dict[str, list[_Reading]]:
    """Every name to look for, and what it can mean."""
    readings: dict[str, list[_Reading]] = defaultdict(list)
    for kind, groups, short_names in (
        (_PROVINCE, by_province, province_short_names),
        (_CITY, by_city, city_short_names),
    ):
        for key, found in groups.items():
            readings[key].append(_Reading(kind, _FULL, key, tuple(found)))
            for name in short_names(key):
                readings[name].append(_Reading(kind, _SHORT, key, tuple(found)))
    strong: dict[str, list[Division]] = defaultdict(list)
    bare: dict[str, list[Division]] = defaultdict(list)
    for county, found in by_county.items():
        readings[county].append(_Reading(_COUNTY, _FULL, county, tuple(found)))
        strong_names, bare_names = county_short_names(county)
        for name in strong_names:
            strong[name] += found
        for name in bare_names:
            bare[name] += found
    full_names = {*by_province, *by_city, *by_county}
    for name, found in strong.items():
        if name not in full_names:
            readings[name].append(_Reading(_COUNTY, _SHORT, found[0].county, tuple(found)))
    for name, found in bare.items():
        if name not in full_names and name not in strong:
            readings[name].append(_Reading(_COUNTY, _BARE, name, tuple(found)))
    readings.update(_suffix_typos(readings))
    return readings


def _suffix_typos(readings: dict[str, list[_Reading]]) -> dict[str, list[_Reading]]:
    """Suffix typos of every full name (and of 白沙县-like names): 南山去, 江苏生, 昆山是."""
    typos: dict[str, list[_Reading]] = defaultdict(list)
    for name, found in readings.items():
        if len(name) < 3 or name[-1] not in _SUFFIX_TYPOS:
            continue
        for reading in found:
            if reading.form not in (_FULL, _SHORT) or (name[-1] == "省" and reading.kind != _PROVINCE):
                continue
            for typo in _SUFFIX_TYPOS[name[-1]]:
                if (variant := name[:-1] + typo) not in readings:
                    typos[variant].append(_Reading(reading.kind, _TYPO, reading.key, reading.divisions))
    return typos


def _near_names(
    groups: dict[str, list[Division]],
) -> dict[str, tuple[tuple[int, ...], dict[str, list[Division]]]]:
    """Per province or city: the lengths of its county names, and the names with one character
    (never the suffix) replaced by a hole, or with the suffix misspelt, to look windows up in."""
    near_names = {}
    for key, found in groups.items():
        near: dict[str, list[Division]] = defaultdict(list)
        for division in found:
            name = division.county
            if len(name) >= 3:
                for hole in _holes(name):
                    near[hole].append(division)
            for typo in _SUFFIX_TYPOS.get(name[-1], ""):
                near[name[:-1] + typo].append(division)
        near_names[key] = (tuple(sorted({len(d.county) for d in found})), dict(near))
    return near_names


def _holes(name: str) -> list[str]:
    return [name[:position] + _HOLE + name[position + 1 :] for position in range(len(name) - 1)]


def _mark_cut(found: list[_Mention], places: list[_Mention]) -> None:
    ends = {m.end for m in found}
    for mention in found:
        if mention.start in ends:
            continue
        for place in places:
            if place.start < mention.start < place.end and not (
                place.shares_suffix and place.end == mention.start + 1
            ):
                mention.cut = True
                mention.hides = False
                break


def _drop_hidden(found: list[_Mention]) -> list[_Mention]:
    kept = []
    for mention in found:
        start, end = mention.start, mention.end
        for other in found:
            if (
                other.hides
                and other.start <= start
                and end <= other.end
                and other.end - other.start > end - start
            ):
                break
        else:
            kept.append(mention)
    return kept


def _context(
    division: Division, mention: _Mention, shared_suffix: bool, mentions: list[_Mention]
) -> _Context:
    """Which names before the county's confirm the division, and whether one contradicts it.

    A full county name may share the 市 of the city before it (济南市中区); a suffix-less one not.
    A name overlapping a confirming one is no contradiction (江西 in 浙江西湖区).
    """
    in_province = in_city = False
    nearest = -1
    supports: list[_Mention] = []
    others: list[_Mention] = []
    for other in mentions:
        if other.start >= mention.start or not other.place:
            continue
        if other.end > mention.start and not (
            shared_suffix and other.shares_suffix and other.end == mention.start + 1
        ):
            continue  # overlaps the county's own name
        province = city = False
        for r in other.readings:
            if r.kind == _PROVINCE:
                province = province or r.key == division.province
            elif r.kind == _CITY:
                city = city or r.key == division.city
        if province or city:
            supports.append(other)
            in_province = in_province or province
            in_city = in_city or city
            nearest = max(nearest, min(other.end, mention.start))
        else:
            others.append(other)
    contradicted = bool(others) and any(not any(_overlaps(o, s) for s in supports) for o in others)
    gap = mention.start - nearest if nearest >= 0 else -1
    return _Context(in_province, in_city, gap, contradicted)


def _full_confidence(division: Division, names: int, context: _Context) -> float:
    if context.where:
        # 南县 glued into 益阳市安南县 (a misspelt 安化县), 江达县 into 西藏金布江达县 (工布江达县).
        if context.adjacent or (len(division.county) >= 3 and context.gap > 2):
            return 0.95
        return 0.5 if len(division.county) < 3 else 0.6
    if names > 1:
        return 0.3
    # A lone two-character name (东区, 新县) is as likely a word of the street address.
    return 0.85 if len(division.county) >= 3 else 0.6


def _typo_confidence(names: int, lone: bool, context: _Context) -> float:
    if context.where:
        return 0.9 if context.adjacent or context.gap > 2 else 0.6
    # 稻城线 alone is 稻城县; but 昆山是 may be a sentence, and 河北曲阳 is 河北 and 曲阳.
    if names > 1:
        return 0.3
    return 0.8 if lone else 0.6


def _bare_confidence(names: int, doubtful: bool, context: _Context) -> float:
    if not context.where:
        return 0.6 if names == 1 else 0.3
    if not context.adjacent or doubtful:
        return 0.5
    return 0.9 if context.in_city else 0.85


def _fuzzy_confidence(division: Division, names: int, form: int, context: _Context) -> float:
    """A county name with one wrong character, among the counties of the place right before it."""
    if not context.adjacent or names > 1:
        return 0.4
    if form == _NEAR_TYPO:
        return 0.9 if context.in_city else 0.85
    long_name = len(division.county) >= 4
    if context.in_city:
        return 0.9 if long_name else 0.85
    # Three characters with one wrong and only a province to go by: too many near misses.
    return 0.8 if long_name else 0.7


def _overlaps(a: _Mention, b: _Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _is_short(reading: _Reading) -> bool:
    return reading.form == _BARE or (reading.kind != _COUNTY and reading.form == _SHORT)


def _name_goes_on(compact: str, end: int) -> bool:
    char = compact[end]
    if char in _COUNTY_ENDINGS:
        return True
    tails = _NAME_GOES_ON.get(char)
    return tails is not None and any(compact.startswith(tail, end) for tail in tails)


def _street_follows(compact: str, end: int) -> bool:
    return compact[end] in _NOT_AFTER_SHORT or compact[end : end + 2] in _NOT_AFTER_SHORT_PAIRS


def _names_a_city_too(mention: _Mention, division: Division) -> bool:
    """辽宁朝阳 is more likely the city 朝阳市 than its county 朝阳县: do not pick the county."""
    return any(
        r.kind == _CITY and r.divisions[0].province == division.province and r.divisions != (division,)
        for r in mention.readings
    )


def _adcode(division: Division) -> str:
    return division.adcode
