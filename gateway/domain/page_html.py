"""The order page as one HTML document, built to be visible within 0.5 s on a weak mobile network.

It fits one initial TCP window (14 KB after gzip or brotli): critical CSS inline, no scripts, no
external assets. Its form is a plain ``application/x-www-form-urlencoded`` POST to ``/v1/orders``
(field names in :data:`gateway.domain.order_page.FORM_FIELDS`), so it works before, or without,
any JavaScript.
"""

from __future__ import annotations

from html import escape

from gateway.domain.order_page import (
    ADDRESS_HINT,
    GREETING_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    QTY_MAX,
    QTY_MIN,
    OrderPage,
)
from gateway.domain.privacy import mask_phone


def yuan(cents: int) -> str:
    """``23190`` → ``¥231.90``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}¥{whole}.{part:02d}"


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
        f'{escape(mask_phone(address.phone))}<br><span class="m">{escape(place)}</span></label>'
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
