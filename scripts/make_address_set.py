"""Generate the labelled address set for the resolver's accuracy test: tests/data/addresses.jsonl.

Stdlib only and seeded, so the file is reproducible:

    python scripts/make_address_set.py            # writes tests/data/addresses.jsonl
    python scripts/make_address_set.py --count 1000 --seed 7 --out /tmp/more.jsonl

Each line is ``{"text": ..., "adcode": "440305" | null, "noise": [...]}``. Addresses are built from
the vendored divisions (gateway/data/divisions.json) in the formats people type: province, city,
county and a street or village detail, with noise (dropped or shortened province, dropped city,
suffix-less names, suffix and one-character typos, separators, full-width characters, a recipient
and phone number in front). The label does not come from the resolver: it is the set of divisions
the text is consistent with, computed here from the data. One division gives its adcode; more than
one (a county name used in several places with nothing to tell them apart) gives null.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = ROOT / "gateway" / "data" / "divisions.json"
OUT = ROOT / "tests" / "data" / "addresses.jsonl"

SUFFIX_TYPOS = {"区": "去曲驱", "县": "线现", "市": "是事", "省": "生"}
# Short forms a person would write; the data has the official names.
PROVINCE_SHORT = {
    "内蒙古自治区": ("内蒙古", "内蒙"),
    "广西壮族自治区": ("广西",),
    "宁夏回族自治区": ("宁夏",),
    "新疆维吾尔自治区": ("新疆",),
    "西藏自治区": ("西藏",),
    "香港特别行政区": ("香港",),
    "澳门特别行政区": ("澳门",),
}
# What a county name may be missing when written without its suffix (浦东 for 浦东新区).
COUNTY_SUFFIXES = ("新区", "特区", "林区", "区", "县", "市", "旗")
# Characters a one-character typo may put in (homophones and look-alikes are not modelled:
# any wrong character is a typo the resolver must survive or refuse).
TYPO_CHARS = "东南西北中山水江河湖海阳平安宁新城乐康泰和德福宝龙华兴长青白石金天"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞刚"
ROADS = (
    "人民路", "中山路", "解放路", "建设路", "北京路", "南京路", "长江路", "黄河路", "和平路", "文化路",
    "胜利路", "新华街", "朝阳大街", "科技园南路", "滨江大道", "光明巷", "青年路", "工业大道", "迎宾路",
    "学府路",
)  # fmt: skip
ESTATES = (
    "阳光花园",
    "幸福小区",
    "锦绣家园",
    "翠苑",
    "金色家园",
    "万科城",
    "碧桂园",
    "东方明珠小区",
    "世纪城",
)
TOWNS = (
    "城关",
    "太平",
    "永安",
    "长乐",
    "东风",
    "红旗",
    "白石",
    "马坊",
    "柳树",
    "杨庄",
    "大王",
    "李家",
    "三合",
)
VILLAGES = ("王家", "李庄", "张湾", "刘屯", "高岭", "石门", "杏花", "桃园", "河口", "前进", "团结", "沙坪")
SEPARATORS = (" ", ",", "，", "、", "  ", "/", " , ")


@dataclass(frozen=True, slots=True)
class Division:
    adcode: str
    province: str
    city: str
    county: str


def load() -> list[Division]:
    return [Division(**row) for row in json.loads(DIVISIONS.read_text(encoding="utf-8"))]


def province_short(province: str) -> tuple[str, ...]:
    if province in PROVINCE_SHORT:
        return PROVINCE_SHORT[province]
    return (province[:-1],) if province.endswith(("省", "市")) else ()


def city_short(city: str) -> str | None:
    for suffix in ("市", "地区", "盟"):
        if city.endswith(suffix) and len(city) - len(suffix) >= 2:
            return city[: -len(suffix)]
    return None


def county_short(county: str) -> str | None:
    if "自治" in county:
        return None
    for suffix in COUNTY_SUFFIXES:
        if county.endswith(suffix) and len(county) - len(suffix) >= 2:
            return county[: -len(suffix)]
    return None


def suffix_typo(rng: random.Random, name: str) -> str | None:
    return name[:-1] + rng.choice(SUFFIX_TYPOS[name[-1]]) if name[-1] in SUFFIX_TYPOS else None


def one_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def fullwidth(text: str) -> str:
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and c not in ",/" else c
        for c in text
    )


def detail(rng: random.Random, noise: list[str]) -> str:
    if rng.random() < 0.35:
        noise.append("village")
        town = rng.choice(TOWNS) + rng.choice(("镇", "镇", "乡", "街道"))
        return f"{town}{rng.choice(VILLAGES)}村{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
    noise.append("street")
    if rng.random() < 0.5:
        return (
            f"{rng.choice(ROADS)}{rng.randint(1, 399)}号{rng.choice(ESTATES)}"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
    building = f"{rng.randint(1, 12)}号楼{rng.randint(1, 6)}-{rng.randint(101, 2404)}"
    return f"{rng.choice(ROADS)}{rng.randint(1, 399)}号院{building}"


@dataclass(slots=True)
class Draft:
    """One address being written, and what it keeps of its division."""

    division: Division
    noise: list[str] = field(default_factory=list)
    keep_province: bool = True
    keep_city: bool = False
    province_text: str = ""
    city_text: str = ""
    county_text: str = ""
    # Which divisions the county part of the text is consistent with.
    matches: Callable[[Division], bool] = field(default=lambda d: False)

    def __post_init__(self) -> None:
        division = self.division
        self.province_text, self.city_text, self.county_text = (
            division.province,
            division.city,
            division.county,
        )
        self.matches = lambda d: d.county == division.county

    @property
    def municipality(self) -> bool:
        return self.division.province == self.division.city  # 北京市, 香港特别行政区

    @property
    def city_is_county(self) -> bool:
        return self.division.city == self.division.county  # 仙桃市, 东莞市, 海南's 定安县


class Generator:
    def __init__(self, divisions: list[Division], rng: random.Random) -> None:
        self.divisions = divisions
        self.rng = rng
        self.county_names = {d.county for d in divisions}
        counts = Counter(d.county for d in divisions)
        self.duplicated = [d for d in divisions if counts[d.county] > 1]

    def consistent(
        self, province: bool, city: bool, division: Division, matches: Callable[[Division], bool]
    ) -> list[Division]:
        """The divisions a reader could take the text for, given what it keeps."""
        return [
            d
            for d in self.divisions
            if (not province or d.province == division.province)
            and (not city or d.city == division.city)
            and matches(d)
        ]

    def one(self) -> dict[str, object]:
        rng = self.rng
        pool = self.duplicated if rng.random() < 0.12 else self.divisions
        draft = Draft(rng.choice(pool))
        self.province(draft)
        self.city(draft)
        self.county(draft)
        self.suffix_typos(draft)
        text = self.text(draft)
        found = self.consistent(draft.keep_province, draft.keep_city, draft.division, draft.matches)
        assert draft.division in found, (text, draft.division)  # noqa: S101 - a generator bug
        label = draft.division.adcode if len(found) == 1 else None
        return {"text": text, "adcode": label, "noise": draft.noise}

    def province(self, draft: Draft) -> None:
        """Full, short or dropped (a dropped city of a municipality drops it too)."""
        roll = self.rng.random()
        draft.keep_province = roll < 0.75
        if not draft.keep_province:
            draft.noise.append("dropped_province")
        elif roll < 0.35 and (short := province_short(draft.division.province)):
            draft.province_text = self.rng.choice(short)
            draft.noise.append("short_province")

    def city(self, draft: Draft) -> None:
        """Full, without suffix, or dropped."""
        roll = self.rng.random()
        if draft.municipality:
            draft.keep_city = draft.keep_province  # the same name names both
        elif not draft.city_is_county:
            draft.keep_city = roll < 0.8
            if not draft.keep_city:
                draft.noise.append("dropped_city")
            elif roll < 0.2 and (short := city_short(draft.division.city)):
                draft.city_text = short
                draft.noise.append("city_no_suffix")

    def county(self, draft: Draft) -> None:
        """Full, without suffix, with a suffix typo, or with one wrong character.

        A suffix-less or misspelt name only when a province or city is there to confirm it.
        """
        county = draft.division.county
        confirmed = draft.keep_province or draft.keep_city
        roll = self.rng.random()
        if roll < 0.12 and confirmed and (short := county_short(county)):
            draft.county_text = short
            draft.noise.append("county_no_suffix")

            def same_base(d: Division, short: str = short) -> bool:
                return d.county.startswith(short) and d.county[len(short) :] in COUNTY_SUFFIXES

            draft.matches = same_base
        elif roll < 0.24 and (typo := suffix_typo(self.rng, county)):
            draft.county_text = typo
            draft.noise.append("suffix_typo")
        elif roll < 0.36 and confirmed and len(county) >= 3 and (typo := self.misspell(county)):
            draft.county_text = typo
            draft.noise.append("county_typo")

            def near(d: Division, typo: str = typo) -> bool:
                return one_substitution(d.county, typo) and d.county[-1] == typo[-1]

            draft.matches = near

    def suffix_typos(self, draft: Draft) -> None:
        """Suffix typos in the province or the city name."""
        division = draft.division
        if draft.keep_province and draft.province_text == division.province and self.rng.random() < 0.06:
            draft.province_text = suffix_typo(self.rng, draft.province_text) or draft.province_text
            draft.noise.append("suffix_typo_province")
        if (
            draft.keep_city
            and draft.city_text == division.city
            and not draft.municipality
            and self.rng.random() < 0.06
        ):
            draft.city_text = suffix_typo(self.rng, draft.city_text) or draft.city_text
            draft.noise.append("suffix_typo_city")

    def text(self, draft: Draft) -> str:
        rng = self.rng
        division = draft.division
        # 香港特别行政区 is province, city and county at once: it is written once.
        parts = [draft.province_text] if draft.keep_province and division.province != division.county else []
        if draft.keep_city and not draft.municipality:
            parts.append(draft.city_text)
        parts += [draft.county_text, detail(rng, draft.noise)]
        if rng.random() < 0.3:
            draft.noise.append("separators")
            text = parts[0]
            for part in parts[1:]:
                text += rng.choice(SEPARATORS) + part
        else:
            text = "".join(parts)
        if rng.random() < 0.1:
            draft.noise.append("recipient")
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
            text = f"{name} 1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d} {text}"
        if rng.random() < 0.12:
            draft.noise.append("fullwidth")
            text = fullwidth(text)
        return text

    def misspell(self, county: str) -> str | None:
        """The county with one character of its name (never the suffix) replaced."""
        for _ in range(10):
            position = self.rng.randrange(len(county) - 1)
            char = self.rng.choice(TYPO_CHARS)
            typo = county[:position] + char + county[position + 1 :]
            if typo != county and typo not in self.county_names:
                return typo
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    generator = Generator(load(), random.Random(args.seed))  # noqa: S311 - reproducible test data
    rows = [generator.one() for _ in range(args.count)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    ambiguous = sum(row["adcode"] is None for row in rows)
    print(f"wrote {len(rows)} addresses ({ambiguous} ambiguous) to {args.out}")


if __name__ == "__main__":
    main()
