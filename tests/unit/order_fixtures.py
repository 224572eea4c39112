"""The item and saved addresses the order tests share: a phone with one spec low and one sold out,
and a shopper's home and office."""

from __future__ import annotations

from gateway.models import Address, Item

PHONE = Item(
    sku="sku-00042",
    title="星河智能手机 43号款",
    category="phones",
    price_cents=259_990,
    specs=["black-128g", "black-256g", "blue-128g"],
    spec_stock={"black-128g": 40, "black-256g": 1, "blue-128g": 0},
    stock=41,
    version=3,
    updated_at=0.0,
)
HOME = Address(
    "a-0042-0", "王芳", "13800138000", "江苏省", "南京市", "鼓楼区", "320106", "中山路100号阳光花园3栋", True
)
OFFICE = Address("a-0042-1", "王芳", "13800138000", "北京市", "北京市", "海淀区", "110108", "中关村大街27号")
