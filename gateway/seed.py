"""A realistic, deterministic demo data set: catalog, users with Chinese address books, coupons.

Names are predictable so tools can rely on them: items ``sku-00000``…, users ``u-0000``….
Addresses are drawn from the real administrative divisions in ``gateway/data/divisions.json``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from gateway.divisions import Division, load_divisions
from gateway.models import Address, Coupon, Item


@dataclass(frozen=True, slots=True)
class SeedData:
    items: list[Item]
    addresses: dict[str, list[Address]]
    coupons: list[Coupon] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Category:
    name: str
    products: tuple[str, ...]
    dimensions: tuple[tuple[str, ...], ...]
    price_range_cents: tuple[int, int]


_CATEGORIES = (
    _Category(
        "apparel",
        ("纯棉T恤", "加绒卫衣", "羽绒服", "牛仔裤", "针织开衫", "冲锋衣", "连衣裙", "运动短裤"),
        (("black", "white", "red", "navy", "grey"), ("S", "M", "L", "XL", "XXL")),
        (2_900, 89_900),
    ),
    _Category(
        "shoes",
        ("跑步鞋", "帆布鞋", "雪地靴", "板鞋", "登山鞋", "拖鞋"),
        (("black", "white", "beige"), ("36", "37", "38", "39", "40", "41", "42", "43", "44")),
        (3_900, 129_900),
    ),
    _Category(
        "phones",
        ("智能手机", "老人机", "平板电脑", "蓝牙耳机", "智能手表"),
        (("black", "silver", "blue"), ("64g", "128g", "256g", "512g")),
        (19_900, 899_900),
    ),
    _Category(
        "food",
        ("五常大米", "土蜂蜜", "腊肉", "红枣", "手工挂面", "核桃", "茶叶礼盒", "牛肉干"),
        (("original", "spicy", "sweet"), ("250g", "500g", "1kg", "2.5kg")),
        (990, 39_900),
    ),
    _Category(
        "beauty",
        ("保湿面霜", "口红", "防晒霜", "洗面奶", "精华液", "面膜"),
        (("01", "02", "03", "04", "05", "06"),),
        (2_900, 59_900),
    ),
    _Category(
        "home",
        ("电饭煲", "保温杯", "四件套", "空气炸锅", "暖风机", "收纳箱", "电热毯"),
        (("white", "pink", "green", "grey"), ("standard", "large")),
        (1_990, 159_900),
    ),
)
_BRANDS = ("山野", "北极绒", "南方优品", "乡村好物", "云上", "老字号", "星河", "禾田", "青禾", "暖冬")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文海燕鹏飞俊峰琳雪梅晨宇浩然欣怡子涵梓轩"
)
_ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华街", "朝阳路", "幸福路", "文化路", "胜利街")
_ESTATES = ("阳光花园", "锦绣小区", "幸福家园", "翠湖苑", "金桂园", "滨江小区", "书香门第", "碧水湾")
_VILLAGE_PARTS = ("镇", "乡")

COUPONS = (
    Coupon("c-10off99", "amount_off", 1_000, 9_900, True, "满99减10"),
    Coupon("c-30off299", "amount_off", 3_000, 29_900, False, "满299减30"),
    Coupon("c-100off999", "amount_off", 10_000, 99_900, False, "满999减100"),
    Coupon("c-95pct", "percent_off", 5, 0, False, "全场95折"),
    Coupon("c-88pct", "percent_off", 12, 19_900, False, "满199享88折"),
    Coupon("c-newuser15", "amount_off", 1_500, 0, True, "新人立减15"),
    Coupon("c-night5", "amount_off", 500, 5_000, True, "夜猫子满50减5"),
    Coupon("c-freeship", "amount_off", 800, 0, True, "运费券8元"),
)


def item_sku(index: int) -> str:
    return f"sku-{index:05d}"


def user_id(index: int) -> str:
    return f"u-{index:04d}"


def build_seed(items: int = 10_000, users: int = 1_000, seed: int = 7) -> SeedData:
    # Separate streams, so a user's address book does not depend on how many items were made.
    item_rng, user_rng = random.Random(seed), random.Random(seed * 7919 + 1)
    now = time.time()
    divisions = load_divisions()
    return SeedData(
        items=[_make_item(item_rng, index, now) for index in range(items)],
        addresses={user_id(i): _make_book(user_rng, user_id(i), divisions) for i in range(users)},
        coupons=list(COUPONS),
    )


def _make_item(rng: random.Random, index: int, now: float) -> Item:
    category = _CATEGORIES[index % len(_CATEGORIES)]
    specs = _specs(rng, category)
    spec_stock = {spec: (0 if rng.random() < 0.08 else rng.randint(1, 500)) for spec in specs}
    low, high = category.price_range_cents
    # Prices in live commerce cluster at "x9.9" points; round to end in 90 cents.
    price = int(rng.triangular(low, high, low + (high - low) * 0.15)) // 100 * 100 + 90
    return Item(
        sku=item_sku(index),
        title=f"{rng.choice(_BRANDS)}{rng.choice(category.products)} {index % 97 + 1}号款",
        category=category.name,
        price_cents=price,
        specs=specs,
        spec_stock=spec_stock,
        stock=sum(spec_stock.values()),
        version=1,
        updated_at=now,
    )


def _specs(rng: random.Random, category: _Category) -> list[str]:
    combos = [""]
    for dimension in category.dimensions:
        picked = sorted(rng.sample(dimension, k=rng.randint(min(2, len(dimension)), len(dimension))))
        combos = [f"{prefix}-{value}" if prefix else value for prefix in combos for value in picked]
    return combos


def _make_book(rng: random.Random, owner: str, divisions: list[Division]) -> list[Address]:
    # One user in twenty has an empty book, as new shoppers do.
    count = 0 if rng.random() < 0.05 else rng.choice((1, 1, 1, 2, 2, 3))
    name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
    return [
        _make_address(rng, f"a-{owner[2:]}-{n}", name, rng.choice(divisions), is_default=n == 0)
        for n in range(count)
    ]


def _make_address(
    rng: random.Random, address_id: str, name: str, division: Division, is_default: bool
) -> Address:
    if rng.random() < 0.3:
        detail = (
            f"{division.county[:2]}{rng.choice(_VILLAGE_PARTS)}{rng.choice('东南西北')}村"
            f"{rng.randint(1, 20)}组{rng.randint(1, 99)}号"
        )
    else:
        detail = (
            f"{rng.choice(_ROADS)}{rng.randint(1, 300)}号{rng.choice(_ESTATES)}"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
    return Address(
        address_id=address_id,
        name=name,
        phone=f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
        province=division.province,
        city=division.city,
        county=division.county,
        adcode=division.adcode,
        detail=detail,
        is_default=is_default,
    )
