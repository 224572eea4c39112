from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import brotli
import msgspec
import orjson
import pytest

from gateway.domain.order_page import (
    ADDRESS_HINT,
    FORM_FIELDS,
    DeliveryEstimate,
    OrderPage,
    build_page,
    delivery_estimate,
    render_qty_variant,
)
from gateway.domain.page_html import render_html, yuan
from gateway.domain.payments import DEFAULT_PAYMENT_METHODS, PaymentMethod
from gateway.domain.pricing import price_order
from gateway.http.compression import compress
from gateway.models import Address, Coupon, Item, OrderRequest
from gateway.seed import SeedData, build_seed

ONE_TCP_WINDOW = 14 * 1024  # ten segments of ~1.4 KB: what a new connection may send in its first RTT
REMOTE = ("54", "63", "65", "5132", "5133")
KEY = "4f0c2a8e-6a53-4c3e-9d1e-2b7f0e9c1a55"


@pytest.fixture(scope="module")
def seed() -> SeedData:
    return build_seed(items=600, users=300)


@pytest.fixture(scope="module")
def coupons(seed: SeedData) -> dict[str, Coupon]:
    return {coupon.code: coupon for coupon in seed.coupons}


@pytest.fixture(scope="module")
def address(seed: SeedData) -> Address:
    return next(book[0] for book in seed.addresses.values() if book)


def _page(
    item: Item,
    coupons: dict[str, Coupon],
    address: Address | None,
    *,
    qty: int = 1,
    spec: str | None = None,
    key: str = KEY,
) -> OrderPage:
    return build_page(
        item,
        spec or item.specs[0],
        qty,
        coupons=coupons,
        address=address,
        payment_methods=DEFAULT_PAYMENT_METHODS,
        remote_prefixes=REMOTE,
        idempotency_key=key,
    )


def _largest_page(seed: SeedData, coupons: dict[str, Coupon]) -> OrderPage:
    """The biggest page real data can make: every limit of the models at its maximum."""
    item = max(seed.items, key=lambda i: (len(i.specs), len(i.title), i.price_cents))
    # ItemChange allows a 120-character title; escaping makes '&' five bytes in the HTML.
    title = ("北极绒加厚加绒保暖羽绒服男女同款冬季新款 & 防风防水 <2025款> " * 4)[:120]
    item = msgspec.structs.replace(item, title=title)
    addresses = [a for book in seed.addresses.values() for a in book]
    longest = max(addresses, key=lambda a: len(a.province + a.city + a.county + a.detail))
    # NewAddress allows 64 characters of name and 200 of detail.
    detail = (longest.detail + "（请放在门口快递柜，如无人接听请致电家人代收）") * 10
    address = msgspec.structs.replace(longest, name=("欧阳" * 32)[:64], detail=detail[:200])
    # qty 200 meets every minimum spend, so every coupon applies.
    return _page(item, coupons, address, qty=200, key="k" * 255)


def test_the_largest_page_fits_one_initial_tcp_window(seed: SeedData, coupons: dict[str, Coupon]) -> None:
    page = _largest_page(seed, coupons)
    assert len(page.specs) == max(len(item.specs) for item in seed.items)
    assert len(page.offers) == len(coupons), "every coupon applies, so every coupon is shown"
    assert len(page.payment_methods) == 8
    body = compress(render_html(page))
    assert len(body.gzip) <= ONE_TCP_WINDOW, f"gzip {len(body.gzip)} bytes"
    assert len(body.brotli) <= ONE_TCP_WINDOW, f"brotli {len(body.brotli)} bytes"


EVIL = '"><script>alert(1)</script>'


def _hostile(where: str, item: Item, coupons: dict[str, Coupon], address: Address) -> OrderPage:
    methods: tuple[PaymentMethod, ...] = DEFAULT_PAYMENT_METHODS
    key = KEY
    if where == "title":
        item = msgspec.structs.replace(item, title=EVIL)
    elif where == "spec":
        item = msgspec.structs.replace(item, specs=[EVIL], spec_stock={EVIL: 3})
    elif where == "coupon":
        coupons = {EVIL: Coupon(EVIL, "amount_off", 100, 0, True, EVIL)}
    elif where == "payment_method":
        methods = (PaymentMethod(EVIL, EVIL, "/"), *methods[1:])
    elif where == "address":
        address = msgspec.structs.replace(address, address_id=EVIL, name=EVIL, detail=EVIL)
    elif where == "idempotency_key":
        key = EVIL
    return build_page(
        item,
        item.specs[0],
        1,
        coupons=coupons,
        address=address,
        payment_methods=methods,
        remote_prefixes=REMOTE,
        idempotency_key=key,
    )


@pytest.mark.parametrize(
    ("where", "control"),
    [
        ("title", None),
        ("spec", "spec"),
        ("coupon", "coupons"),
        ("payment_method", "payment_method"),
        ("address", "address_id"),
        ("idempotency_key", "idempotency_key"),
    ],
)
def test_hostile_text_is_escaped_wherever_it_appears(
    where: str, control: str | None, seed: SeedData, coupons: dict[str, Coupon], address: Address
) -> None:
    html = render_html(_hostile(where, seed.items[0], coupons, address))
    assert "<script" not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if control is not None:  # and a control still posts the text exactly as it was
        assert EVIL in _Form.parse(html).values_of(control)


@dataclass
class _Control:
    tag: str
    attrs: dict[str, str | None]

    @property
    def name(self) -> str:
        return self.attrs.get("name") or ""

    @property
    def type(self) -> str:
        return self.attrs.get("type") or ("text" if self.tag == "input" else self.tag)

    @property
    def checked(self) -> bool:
        return "checked" in self.attrs

    @property
    def value(self) -> str:
        return self.attrs.get("value") or ""


class _Form(HTMLParser):
    """What a browser without JavaScript sees of the page: its tags, the form and its controls."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.controls: list[_Control] = []
        self.forms: list[dict[str, str | None]] = []

    @classmethod
    def parse(cls, html: str) -> _Form:
        form = cls()
        form.feed(html)
        form.close()
        return form

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "form":
            self.forms.append(attributes)
        elif tag in ("input", "textarea", "select", "button") and attributes.get("name"):
            self.controls.append(_Control(tag, attributes))

    def named(self, name: str) -> list[_Control]:
        return [control for control in self.controls if control.name == name]

    def values_of(self, name: str) -> list[str]:
        return [control.value for control in self.named(name)]

    def submission(self) -> list[tuple[str, str]]:
        """The fields a browser posts when the shopper submits without changing anything."""
        sent = []
        for control in self.controls:
            if "disabled" in control.attrs:
                continue
            if control.type in ("radio", "checkbox") and not control.checked:
                continue
            sent.append((control.name, control.value))
        return sent


def _as_order(fields: list[tuple[str, str]]) -> OrderRequest:
    """The JSON body the gateway's form decoder has to produce from these fields."""
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    one = {name: values[0] for name, values in form.items()}
    body: dict[str, object] = {
        "sku": one["sku"],
        "spec": one["spec"],
        "qty": int(one["qty"]),
        "payment_method": one["payment_method"],
        "coupons": form.get("coupons", []),
        "note": one.get("note", ""),
    }
    if "address_id" in one:
        body["address_id"] = one["address_id"]
    else:
        body["address"] = {"name": one["name"], "phone": one["phone"], "text": one["text"]}
    return msgspec.convert(body, OrderRequest)


def test_the_form_posts_to_the_orders_endpoint_without_javascript(
    seed: SeedData, coupons: dict[str, Coupon], address: Address
) -> None:
    html = render_html(_page(seed.items[1], coupons, address))
    parsed = _Form.parse(html)
    assert html.startswith("<!doctype html>")
    tags = dict(parsed.tags)
    assert tags["html"] == {"lang": "zh-CN"}
    assert {"charset": "utf-8"} in [attrs for tag, attrs in parsed.tags if tag == "meta"]
    assert any(tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in parsed.tags)
    assert {tag for tag, _ in parsed.tags}.isdisjoint({"script", "link", "img", "iframe"})
    assert not [attrs for _, attrs in parsed.tags if "src" in attrs or "href" in attrs]
    assert len(parsed.forms) == 1
    assert parsed.forms[0]["method"] == "post"
    assert parsed.forms[0]["action"] == "/v1/orders"
    assert parsed.forms[0].get("enctype") in (None, "application/x-www-form-urlencoded")


@pytest.mark.parametrize("with_address", [True, False], ids=["saved_address", "inline_address"])
def test_form_field_names_are_what_the_gateway_reads(
    with_address: bool, seed: SeedData, coupons: dict[str, Coupon], address: Address
) -> None:
    item = seed.items[2]
    page = _page(item, coupons, address if with_address else None, qty=3)
    parsed = _Form.parse(render_html(page))
    address_fields = {"address_id"} if with_address else {"name", "phone", "text"}
    expected = set(FORM_FIELDS) - ({"address_id", "name", "phone", "text"} - address_fields)
    assert {control.name for control in parsed.controls} == expected

    (key,) = parsed.named("idempotency_key")
    assert (key.type, key.value) == ("hidden", KEY)
    assert parsed.values_of("sku") == [item.sku]
    assert parsed.values_of("spec") == item.specs
    assert [c.value for c in parsed.named("spec") if c.checked] == [item.specs[0]]
    (qty,) = parsed.named("qty")
    assert (qty.type, qty.attrs["min"], qty.attrs["max"], qty.value) == ("number", "1", "200", "3")
    methods = parsed.named("payment_method")
    assert [(m.type, m.value) for m in methods] == [("radio", m.id) for m in DEFAULT_PAYMENT_METHODS]
    assert [m.checked for m in methods] == [True] + [False] * 7
    assert {c.type for c in parsed.named("coupons")} == {"checkbox"}
    (note,) = parsed.named("note")
    assert (note.tag, note.attrs["maxlength"]) == ("textarea", "200")
    assert [c.type for c in parsed.named("gift")] == ["checkbox"]
    assert [c.type for c in parsed.named("gift_deliver_at")] == ["datetime-local"]
    assert parsed.named("gift_greeting")[0].attrs["maxlength"] == "100"
    if with_address:
        (choice,) = parsed.named("address_id")
        assert (choice.type, choice.value, choice.checked) == ("radio", address.address_id, True)
        assert address.phone not in render_html(page), "the page shows a masked phone number"
    else:
        assert ADDRESS_HINT in render_html(page)
        assert parsed.named("phone")[0].type == "tel"

    sent = parsed.submission()
    if not with_address:
        sent += [("name", "张伟"), ("phone", "13812345678"), ("text", "浙江省杭州市西湖区文三路1号")]
        sent = [(name, value) for name, value in sent if value or name not in ("name", "phone", "text")]
    order = _as_order(sent)
    assert (order.sku, order.spec, order.qty) == (item.sku, item.specs[0], 3)
    assert order.payment_method == DEFAULT_PAYMENT_METHODS[0].id
    assert order.coupons == [page.offers[0].code], "the best coupon is ticked"


@pytest.mark.parametrize("qty", [1, 2, 7, 200])
@pytest.mark.parametrize("index", [0, 3, 11, 40])
def test_coupons_shown_are_exactly_those_that_apply_with_pricing_discounts(
    index: int, qty: int, seed: SeedData, coupons: dict[str, Coupon], address: Address
) -> None:
    item = seed.items[index]
    page = _page(item, coupons, address, qty=qty)
    expected = {}
    for code in coupons:
        pricing = price_order(item.price_cents, qty, [code], coupons)
        if pricing.applied:
            expected[code] = pricing.applied[0].discount_cents
    assert {offer.code: offer.discount_cents for offer in page.offers} == expected
    assert page.subtotal_cents == item.price_cents * qty
    assert page.total_cents == page.subtotal_cents - max(expected.values(), default=0)
    html = render_html(page)
    assert set(_Form.parse(html).values_of("coupons")) == set(expected)
    for offer in page.offers:
        assert f"-{yuan(offer.discount_cents)}" in html
    assert f"合计 {yuan(page.total_cents)}" in html


def test_no_coupon_section_when_none_applies(seed: SeedData, address: Address) -> None:
    rich_only = {"c-big": Coupon("c-big", "amount_off", 50_000, 10_000_000, False, "满十万减五百")}
    page = _page(seed.items[0], rich_only, address)
    assert page.offers == ()
    assert page.total_cents == page.subtotal_cents
    assert page.model()["best_coupon"] is None
    html = render_html(page)
    assert _Form.parse(html).named("coupons") == []
    assert "优惠券" not in html


def test_a_qty_variant_reprices_from_the_page_alone(seed: SeedData, coupons: dict[str, Coupon]) -> None:
    item = next(i for i in seed.items if 5_000 <= i.price_cents <= 9_000)  # one alone misses 满99
    page = _page(item, coupons, None)
    assert "c-10off99" not in {offer.code for offer in page.offers}
    for qty in (2, 5, 200, 1):
        variant = render_qty_variant(page, qty)
        assert variant == _page(item, coupons, None, qty=qty)
        assert variant.subtotal_cents == item.price_cents * qty
    assert "c-10off99" in {offer.code for offer in render_qty_variant(page, 2).offers}
    assert render_qty_variant(page, 1) is page


@pytest.mark.parametrize("qty", [0, -1, 201])
def test_quantities_outside_the_contract_are_refused(qty: int, seed: SeedData) -> None:
    with pytest.raises(ValueError, match="qty"):
        _page(seed.items[0], {}, None, qty=qty)
    with pytest.raises(ValueError, match="qty"):
        render_qty_variant(_page(seed.items[0], {}, None), qty)


def test_an_unknown_spec_is_refused(seed: SeedData) -> None:
    with pytest.raises(ValueError, match="no spec"):
        _page(seed.items[0], {}, None, spec="purple-XXXL")


@pytest.mark.parametrize("with_address", [True, False], ids=["saved_address", "no_address"])
def test_the_json_model_round_trips_through_orjson(
    with_address: bool, seed: SeedData, coupons: dict[str, Coupon], address: Address
) -> None:
    item = seed.items[5]
    page = _page(item, coupons, address if with_address else None, qty=2, spec=item.specs[-1])
    model = page.model()
    assert orjson.loads(orjson.dumps(model)) == model
    assert model["product"] == {
        "sku": item.sku,
        "title": item.title,
        "category": item.category,
        "version": item.version,
    }
    assert model["spec"] == {"name": item.specs[-1], "stock": item.spec_stock[item.specs[-1]]}
    assert (model["qty"], model["unit_price_cents"]) == (2, item.price_cents)
    assert model["subtotal_cents"] == item.price_cents * 2
    assert model["total_cents"] == page.total_cents
    assert [m["id"] for m in model["payment_methods"]] == [m.id for m in DEFAULT_PAYMENT_METHODS]
    assert set(model["gift"]) == {"greeting", "deliver_at"}
    assert model["idempotency_key"] == KEY
    if with_address:
        assert model["address"]["address_id"] == address.address_id
        assert model["address_hint"] is None
    else:
        assert (model["address"], model["address_hint"]) == (None, ADDRESS_HINT)
        assert model["delivery"] == {"days_min": 2, "days_max": 7, "label": "预计2-7天送达"}


def test_output_is_deterministic_down_to_the_compressed_bytes(coupons: dict[str, Coupon]) -> None:
    def once() -> tuple[bytes, bytes, bytes, str]:
        seed = build_seed(items=30, users=10)
        book = next(b for b in seed.addresses.values() if b)
        body = compress(render_html(_page(seed.items[17], coupons, book[0], qty=4)))
        return body.html, body.gzip, body.brotli, body.etag

    first, second = once(), once()
    assert first == second
    html, gzipped, brotlied, etag = first
    assert gzip.decompress(gzipped) == html
    assert brotli.decompress(brotlied) == html
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag), "a strong etag"


def test_etags_differ_per_page_and_per_content_coding(seed: SeedData, coupons: dict[str, Coupon]) -> None:
    one = compress(render_html(_page(seed.items[0], coupons, None, qty=1)))
    two = compress(render_html(_page(seed.items[0], coupons, None, qty=2)))
    assert one.etag != two.etag
    codings = {one.etag_for(coding) for coding in ("identity", "gzip", "br")}
    assert len(codings) == 3
    assert one.etag_for("identity") == one.etag


@pytest.mark.parametrize(
    ("adcode", "expected"),
    [
        (None, DeliveryEstimate(2, 7, "预计2-7天送达")),
        ("", DeliveryEstimate(2, 7, "预计2-7天送达")),
        ("11010", DeliveryEstimate(2, 7, "预计2-7天送达")),
        ("54010A", DeliveryEstimate(2, 7, "预计2-7天送达")),
        ("110105", DeliveryEstimate(2, 3, "预计2-3天送达")),  # 北京 朝阳区
        ("130121", DeliveryEstimate(3, 5, "预计3-5天送达")),  # 河北 井陉县
        ("330182", DeliveryEstimate(3, 5, "预计3-5天送达")),  # 浙江 建德市 (county-level city)
        ("540102", DeliveryEstimate(5, 10, "预计5-10天送达")),  # 拉萨 城关区: remote even as a district
        ("513226", DeliveryEstimate(5, 10, "预计5-10天送达")),  # 阿坝 金川县
    ],
)
def test_delivery_estimate(adcode: str | None, expected: DeliveryEstimate) -> None:
    assert delivery_estimate(adcode, REMOTE) == expected


def test_delivery_estimate_without_remote_prefixes() -> None:
    assert delivery_estimate("540102", ()) == DeliveryEstimate(2, 3, "预计2-3天送达")


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "¥0.00"), (5, "¥0.05"), (23_190, "¥231.90"), (1_000_000, "¥10000.00")]
)
def test_prices_show_in_yuan(cents: int, text: str) -> None:
    assert yuan(cents) == text
