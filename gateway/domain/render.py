"""The order page: its data (:class:`OrderPage`), its HTML and its compressed bodies.

The page must be visible within 0.5 s on a weak mobile network, so it is built to fit one initial
TCP window (14 KB after gzip or brotli): one HTML document, critical CSS inline, no scripts, no
external assets. Its form is a plain ``application/x-www-form-urlencoded`` POST to ``/v1/orders``
(field names in :data:`FORM_FIELDS`), so it works before, or without, any JavaScript.

Everything here is plain and synchronous: no lookups, no I/O. :func:`render_variant` reprices a
page for another spec or quantity from the page's own data, so a change keeps a good prerender.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import brotli
import msgspec

from gateway.domain.pricing import price_order
from gateway.models import Address, Coupon, Item
from gateway.settings import PaymentMethod

QTY_MIN, QTY_MAX = 1, 200
NOTE_MAX_LENGTH = 200
GREETING_MAX_LENGTH = 100
ADDRESS_HINT = "请添加收货地址"

# Every name the form can post; the form decoder of POST /v1/orders reads exactly these.
# ``address_id`` is sent when the shopper has a saved address, ``name``/``phone``/``text`` (an
# inline address, resolved like /v1/address/resolve) when not. ``coupons`` may repeat.
FORM_FIELDS = (
    "idempotency_key", "sku", "spec", "qty", "address_id", "name", "phone", "text",
    "coupons", "payment_method", "note", "gift", "gift_greeting", "gift_deliver_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeliveryEstimate:
    days_min: int
    days_max: int
    label: str


def _estimate(days_min: int, days_max: int) -> DeliveryEstimate:
    return DeliveryEstimate(days_min, days_max, f"预计{days_min}-{days_max}天送达")


def delivery_estimate(adcode: str | None, remote_prefixes: tuple[str, ...]) -> DeliveryEstimate:
    """How long delivery takes, from the county's adcode alone: a heuristic, not a carrier quote.

    * no address, or not a six-digit adcode: 2-7 days (we cannot tell, so say so widely);
    * a remote county (its adcode starts with one of ``remote_prefixes``): 5-10 days;
    * a city district (county part of the adcode 01-20, 市辖区): 2-3 days;
    * any other county or county-level city (21-99, 县 / 县级市): 3-5 days.
    """
    if adcode is None or len(adcode) != 6 or not adcode.isdigit():
        return _estimate(2, 7)
    if remote_prefixes and adcode.startswith(remote_prefixes):
        return _estimate(5, 10)
    if int(adcode[4:]) <= 20:
        return _estimate(2, 3)
    return _estimate(3, 5)


@dataclass(frozen=True, slots=True)
class CouponOffer:
    """A coupon that applies to this order on its own, with what it takes off."""

    code: str
    title: str
    discount_cents: int
    stackable: bool


@dataclass(frozen=True, slots=True)
class OrderPage:
    sku: str
    title: str
    category: str
    version: int
    unit_price_cents: int
    specs: tuple[tuple[str, int], ...]  # every spec of the item with its stock, in catalog order
    spec: str
    qty: int
    # Every coupon the shopper holds (code, coupon), kept so another quantity can be repriced.
    held_coupons: tuple[tuple[str, Coupon], ...]
    subtotal_cents: int
    offers: tuple[CouponOffer, ...]  # those that apply, largest discount first
    address: Address | None
    delivery: DeliveryEstimate
    payment_methods: tuple[tuple[str, str], ...]  # (id, title)
    idempotency_key: str

    @property
    def spec_stock(self) -> int:
        return dict(self.specs).get(self.spec, 0)

    @property
    def best_offer(self) -> CouponOffer | None:
        return self.offers[0] if self.offers else None

    @property
    def total_cents(self) -> int:
        """The total with the best single coupon (stacking is the pricing rules' business)."""
        best = self.best_offer
        return self.subtotal_cents - (best.discount_cents if best else 0)

    def model(self) -> dict[str, Any]:
        """The page as JSON for app clients (lists and plain values only, so it round-trips)."""
        best = self.best_offer
        return {
            "product": {
                "sku": self.sku,
                "title": self.title,
                "category": self.category,
                "version": self.version,
            },
            "spec": {"name": self.spec, "stock": self.spec_stock},
            "specs": [{"name": name, "stock": stock} for name, stock in self.specs],
            "qty": self.qty,
            "qty_range": {"min": QTY_MIN, "max": QTY_MAX},
            "unit_price_cents": self.unit_price_cents,
            "subtotal_cents": self.subtotal_cents,
            "coupons": [
                {
                    "code": offer.code,
                    "title": offer.title,
                    "discount_cents": offer.discount_cents,
                    "stackable": offer.stackable,
                }
                for offer in self.offers
            ],
            "best_coupon": best.code if best else None,
            "total_cents": self.total_cents,
            "address": _address_model(self.address),
            "address_hint": None if self.address else ADDRESS_HINT,
            "delivery": {
                "days_min": self.delivery.days_min,
                "days_max": self.delivery.days_max,
                "label": self.delivery.label,
            },
            "payment_methods": [{"id": id_, "title": title} for id_, title in self.payment_methods],
            "gift": {
                "greeting": {"max_length": GREETING_MAX_LENGTH},
                "deliver_at": {"format": "date-time", "max_length": 40},
            },
            "note": {"max_length": NOTE_MAX_LENGTH},
            "idempotency_key": self.idempotency_key,
        }


def _address_model(address: Address | None) -> dict[str, Any] | None:
    return msgspec.structs.asdict(address) if address is not None else None


def _check_qty(qty: int) -> None:
    if not QTY_MIN <= qty <= QTY_MAX:
        raise ValueError(f"qty must be {QTY_MIN}..{QTY_MAX}, not {qty}")


def _offers(unit_price_cents: int, qty: int, held: tuple[tuple[str, Coupon], ...]) -> tuple[CouponOffer, ...]:
    """Each held coupon priced alone against this order; those that apply, best first."""
    by_code = dict(held)
    offers = []
    for code, coupon in held:
        pricing = price_order(unit_price_cents, qty, (code,), by_code)
        if pricing.applied:
            applied = pricing.applied[0]
            offers.append(CouponOffer(code, applied.title, applied.discount_cents, coupon.stackable))
    # Stable sort: equal discounts keep the holder's order, so output is deterministic.
    return tuple(sorted(offers, key=lambda offer: -offer.discount_cents))


def build_page(
    item: Item,
    spec: str,
    qty: int,
    *,
    coupons: Mapping[str, Coupon],
    address: Address | None,
    payment_methods: Sequence[PaymentMethod],
    remote_prefixes: tuple[str, ...],
    idempotency_key: str,
) -> OrderPage:
    """The order page for one item, spec and quantity; ``ValueError`` for an unknown spec or bad qty."""
    if spec not in item.specs:
        raise ValueError(f"{item.sku} has no spec {spec!r}")
    _check_qty(qty)
    held = tuple(coupons.items())
    return OrderPage(
        sku=item.sku,
        title=item.title,
        category=item.category,
        version=item.version,
        unit_price_cents=item.price_cents,
        specs=tuple((name, item.spec_stock.get(name, 0)) for name in item.specs),
        spec=spec,
        qty=qty,
        held_coupons=held,
        subtotal_cents=item.price_cents * qty,
        offers=_offers(item.price_cents, qty, held),
        address=address,
        delivery=delivery_estimate(address.adcode if address else None, remote_prefixes),
        payment_methods=tuple((method.id, method.title) for method in payment_methods),
        idempotency_key=idempotency_key,
    )


def render_qty_variant(page: OrderPage, qty: int) -> OrderPage:
    """The same page for another quantity, repriced from the page's own data (no lookups)."""
    return render_variant(page, spec=page.spec, qty=qty)


def render_variant(page: OrderPage, *, spec: str, qty: int) -> OrderPage:
    """The same page for another spec and quantity, from the page's own data (no lookups): the page
    knows every spec's stock and every coupon the shopper holds, and prices do not vary by spec."""
    _check_qty(qty)
    if spec not in dict(page.specs):
        raise ValueError(f"{page.sku} has no spec {spec!r}")
    if (spec, qty) == (page.spec, page.qty):
        return page
    return dataclasses.replace(
        page,
        spec=spec,
        qty=qty,
        subtotal_cents=page.unit_price_cents * qty,
        offers=_offers(page.unit_price_cents, qty, page.held_coupons),
    )


def yuan(cents: int) -> str:
    """``23190`` → ``¥231.90``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}¥{whole}.{part:02d}"


def _mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


# Mobile-first and small: system fonts, one column, the total and the button stay in view.
_CSS = (
    "*{box-sizing:border-box}"
    'body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;'
    "background:#f4f4f4;color:#222}"
    "form{max-width:40em;margin:auto;padding:.5em}"
    "fieldset,header{background:#fff;border:0;border-radius:8px;margin:0 0 .5em;padding:.6em .8em}"
    "legend{float:left;width:100%;font-weight:600}"
    "h1{font-size:1.05em;margin:0}"
    "label{display:block;padding:.35em 0}"
    ".k label{display:inline-block;border:1px solid #ddd;border-radius:4px;padding:.2em .5em;"
    "margin:.2em .3em 0 0}"
    ".x{color:#aaa}"
    "input:not([type=radio],[type=checkbox]),textarea{display:block;width:100%;font:inherit;"
    "padding:.4em;border:1px solid #ccc;border-radius:4px}"
    "input[type=number]{width:6em}"
    ".p,.s b{color:#e4393c;font-weight:600}"
    ".m{color:#777;font-size:.875em}"
    ".s{position:sticky;bottom:0;display:flex;align-items:center;gap:.5em;background:#fff;"
    "padding:.6em .8em;border-top:1px solid #eee}"
    ".s b{flex:1;font-size:1.2em}"
    "button{font:inherit;background:#e4393c;color:#fff;border:0;border-radius:2em;padding:.55em 1.6em}"
)


def _specs_html(page: OrderPage) -> str:
    chips = []
    for name, stock in page.specs:
        chosen = name == page.spec
        # A sold-out spec cannot be picked, but the chosen one stays enabled so it is still posted.
        state = " checked" if chosen else (" disabled" if stock <= 0 else "")
        css = ' class="x"' if stock <= 0 else ""
        text = escape(name)
        chips.append(f'<label{css}><input type="radio" name="spec" value="{text}"{state}> {text}</label>')
    return '<fieldset class="k"><legend>规格</legend>' + "".join(chips) + "</fieldset>"


def _address_html(page: OrderPage) -> str:
    address = page.address
    delivery = f'<p class="m">{escape(page.delivery.label)}</p>'
    if address is None:
        return (
            f'<fieldset><legend>收货地址</legend><p class="m">{ADDRESS_HINT}</p>'
            '<label>收货人<input name="name" maxlength="64" autocomplete="name" required></label>'
            '<label>手机号<input type="tel" name="phone" pattern="1[3-9][0-9]{9}" maxlength="11" '
            'autocomplete="tel" required></label>'
            '<label>详细地址<textarea name="text" rows="2" minlength="2" maxlength="200" required '
            'placeholder="省市区县、街道、门牌号"></textarea></label>'
            f"{delivery}</fieldset>"
        )
    place = f"{address.province}{address.city}{address.county}{address.detail}"
    return (
        f'<fieldset><legend>收货地址</legend><label><input type="radio" name="address_id" '
        f'value="{escape(address.address_id)}" checked> {escape(address.name)} '
        f'{escape(_mask_phone(address.phone))}<br><span class="m">{escape(place)}</span></label>'
        f"{delivery}</fieldset>"
    )


def _coupons_html(page: OrderPage) -> str:
    if not page.offers:
        return ""
    best = page.best_offer
    rows = [
        f'<label><input type="checkbox" name="coupons" value="{escape(offer.code)}"'
        f"{' checked' if offer is best else ''}> {escape(offer.title)} "
        f'<span class="p">-{yuan(offer.discount_cents)}</span></label>'
        for offer in page.offers
    ]
    return "<fieldset><legend>优惠券</legend>" + "".join(rows) + "</fieldset>"


def _payment_html(page: OrderPage) -> str:
    rows = [
        f'<label><input type="radio" name="payment_method" value="{escape(id_)}"'
        f"{' checked' if n == 0 else ''}> {escape(title)}</label>"
        for n, (id_, title) in enumerate(page.payment_methods)
    ]
    return "<fieldset><legend>支付方式</legend>" + "".join(rows) + "</fieldset>"


def render_html(page: OrderPage) -> str:
    """The complete order page: one HTML5 document, inline CSS, a form that needs no JavaScript."""
    best = page.best_offer
    discount = f' 已优惠 <span class="p">{yuan(best.discount_cents)}</span>' if best else ""
    return "".join(
        (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>确认订单</title><style>{_CSS}</style></head><body>",
            '<form method="post" action="/v1/orders" accept-charset="utf-8">',
            f'<input type="hidden" name="idempotency_key" value="{escape(page.idempotency_key)}">',
            f'<input type="hidden" name="sku" value="{escape(page.sku)}">',
            f'<header><h1>{escape(page.title)}</h1><p><span class="p">{yuan(page.unit_price_cents)}</span>',
            f' <span class="m">{escape(page.spec)} 库存 {page.spec_stock}</span></p></header>',
            _specs_html(page),
            '<fieldset><legend>数量</legend><input type="number" name="qty" ',
            f'min="{QTY_MIN}" max="{QTY_MAX}" value="{page.qty}" inputmode="numeric" required></fieldset>',
            _address_html(page),
            _coupons_html(page),
            _payment_html(page),
            "<fieldset><legend>备注</legend>",
            f'<textarea name="note" rows="2" maxlength="{NOTE_MAX_LENGTH}"></textarea></fieldset>',
            "<fieldset><legend>礼物</legend>",
            '<label><input type="checkbox" name="gift" value="1"> 作为礼物赠送</label>',
            f'<label>祝福语<input name="gift_greeting" maxlength="{GREETING_MAX_LENGTH}"></label>',
            '<label>送达时间<input type="datetime-local" name="gift_deliver_at"></label></fieldset>',
            f'<p class="m">小计 {yuan(page.subtotal_cents)}{discount}</p>',
            f'<div class="s"><b>合计 {yuan(page.total_cents)}</b>',
            '<button type="submit">提交订单</button></div>',
            "</form></body></html>",
        )
    )


@dataclass(frozen=True, slots=True)
class CompressedPage:
    html: bytes
    gzip: bytes
    brotli: bytes
    etag: str  # strong, over the HTML; a route serving an encoded body should use etag_for()

    def etag_for(self, coding: str) -> str:
        """A strong ETag per content coding (``identity``, ``gzip``, ``br``), as RFC 9110 asks."""
        return self.etag if coding == "identity" else f'{self.etag[:-1]}-{coding}"'


# Measured on a 6 KB order page: quality 8 with a 64 KB window takes ~60 us and is ~6% larger than
# quality 11 (~5 ms, 80x slower); both are far inside one TCP window, and misses render on the
# request path. Quality 9 and up with the default 4 MB window cost milliseconds too.
_BROTLI_QUALITY, _BROTLI_LGWIN = 8, 16


def compress(html: str) -> CompressedPage:
    """UTF-8 HTML with its gzip (level 9, mtime 0) and brotli (text mode) bodies; reproducible."""
    data = html.encode()
    return CompressedPage(
        html=data,
        gzip=gzip.compress(data, compresslevel=9, mtime=0),
        brotli=bytes(
            brotli.compress(data, mode=brotli.MODE_TEXT, quality=_BROTLI_QUALITY, lgwin=_BROTLI_LGWIN)
        ),
        etag=f'"{hashlib.sha256(data).hexdigest()[:32]}"',
    )
