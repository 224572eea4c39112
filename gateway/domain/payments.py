"""Payment redirects: the configured methods and a signed URL per order.

The signature binds order, amount and method, so a redirect edited on the way cannot change what
the payment page charges.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: str
    title: str
    # {order_id} and {amount_cents} are filled in; the gateway appends its signature.
    redirect: str


DEFAULT_PAYMENT_METHODS = (
    PaymentMethod(
        "alipay", "支付宝", "https://pay.example.com/alipay?order={order_id}&amount={amount_cents}"
    ),
    PaymentMethod(
        "wechat_pay", "微信支付", "https://pay.example.com/wechat?order={order_id}&amount={amount_cents}"
    ),
    PaymentMethod(
        "unionpay", "云闪付", "https://pay.example.com/unionpay?order={order_id}&amount={amount_cents}"
    ),
    PaymentMethod("cash_on_delivery", "货到付款", "/v1/orders/{order_id}?cod=1"),
    PaymentMethod(
        "huabei", "花呗分期", "https://pay.example.com/huabei?order={order_id}&amount={amount_cents}"
    ),
    PaymentMethod("jd_pay", "京东支付", "https://pay.example.com/jd?order={order_id}&amount={amount_cents}"),
    PaymentMethod(
        "douyin_pay", "抖音支付", "https://pay.example.com/douyin?order={order_id}&amount={amount_cents}"
    ),
    PaymentMethod(
        "bank_card", "银行卡快捷支付", "https://pay.example.com/card?order={order_id}&amount={amount_cents}"
    ),
)


class PaymentCatalog:
    def __init__(self, methods: Iterable[PaymentMethod], key: bytes) -> None:
        self._methods = {method.id: method for method in methods}
        # Keyed once: OpenSSL 3 sets a key up slowly, and copying a keyed state is cheap.
        self._mac = hmac.new(key, digestmod=hashlib.sha256)

    def __contains__(self, method_id: str) -> bool:
        return method_id in self._methods

    @property
    def ids(self) -> list[str]:
        return list(self._methods)

    def redirect_url(self, method_id: str, order_id: str, amount_cents: int) -> str:
        method = self._methods[method_id]
        url = method.redirect.format(order_id=order_id, amount_cents=amount_cents)
        signature = self.signature(method_id, order_id, amount_cents)
        return f"{url}{'&' if '?' in url else '?'}sig={signature}"

    def signature(self, method_id: str, order_id: str, amount_cents: int) -> str:
        message = f"{method_id}:{order_id}:{amount_cents}".encode()
        mac = self._mac.copy()
        mac.update(message)
        return mac.hexdigest()[:32]
