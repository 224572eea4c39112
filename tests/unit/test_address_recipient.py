from __future__ import annotations

import pytest

from gateway.domain.address.recipient import strip_recipient


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("张伟 13812345678 江苏省南京市鼓楼区湖南路1号", "江苏省南京市鼓楼区湖南路1号"),
        ("张三13800001111广东省东莞市长安镇", "广东省东莞市长安镇"),
        ("+86 138 0013 8000 吴朝阳 吉林省长春市朝阳区桂林路3号", "吉林省长春市朝阳区桂林路3号"),
        ("收货人：王丽江 手机：13912345678 地址：安徽省合肥市蜀山区潜山路8号", "安徽省合肥市蜀山区潜山路8号"),
        ("收件人:赵长安 电话:0531-88881234 山东省济南市历下区", "山东省济南市历下区"),
        ("浙江省金华市义乌市工人北路12号，李义乌，15857912345", "浙江省金华市义乌市工人北路12号"),
        ("所在地区：福建省福州市鼓楼区 详细地址：五四路1号", "福建省福州市鼓楼区 五四路1号"),
    ],
)
def test_phones_labels_and_the_name_beside_them_are_taken_out(text: str, address: str) -> None:
    assert strip_recipient(text) == address


def test_an_address_without_phone_or_label_is_left_as_it_is() -> None:
    text = "浙江省杭州市西湖区 文三路90号"
    assert strip_recipient(text) is text


def test_a_place_beside_a_phone_stays_when_nothing_else_is_the_address() -> None:
    assert strip_recipient("广东 东莞 13800001111") == "广东 东莞"


def test_house_numbers_are_no_phone_numbers() -> None:
    text = "北京市东城区东华门大街1号院3-201 邮编100006"
    assert strip_recipient(text) == text
