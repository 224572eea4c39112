from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from gateway.domain.payments import DEFAULT_PAYMENT_METHODS, PaymentCatalog, PaymentMethod

KEY = b"a-test-redirect-key"
PATH_ONLY = PaymentMethod("wallet", "钱包", "https://pay.example.com/wallet/{order_id}/{amount_cents}")


@pytest.fixture
def catalog() -> PaymentCatalog:
    return PaymentCatalog([*DEFAULT_PAYMENT_METHODS, PATH_ONLY], KEY)


def _expected_signature(method_id: str, order_id: str, amount_cents: int, key: bytes = KEY) -> str:
    """What a payment page computes to verify a redirect."""
    message = f"{method_id}:{order_id}:{amount_cents}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def test_catalog_knows_its_methods_in_configured_order(catalog: PaymentCatalog) -> None:
    assert catalog.ids[:4] == ["alipay", "wechat_pay", "unionpay", "cash_on_delivery"]
    assert catalog.ids[-1] == "wallet"
    assert "alipay" in catalog
    assert "paypal" not in catalog


def test_redirect_fills_the_template_and_appends_the_signature(catalog: PaymentCatalog) -> None:
    url = catalog.redirect_url("alipay", "o-abc123", 259_990)
    signature = _expected_signature("alipay", "o-abc123", 259_990)
    assert url == f"https://pay.example.com/alipay?order=o-abc123&amount=259990&sig={signature}"
    query = parse_qs(urlsplit(url).query)
    assert query == {"order": ["o-abc123"], "amount": ["259990"], "sig": [signature]}


def test_a_template_without_a_query_gets_one_for_the_signature(catalog: PaymentCatalog) -> None:
    url = catalog.redirect_url("wallet", "o-abc123", 1_990)
    signature = _expected_signature("wallet", "o-abc123", 1_990)
    assert url == f"https://pay.example.com/wallet/o-abc123/1990?sig={signature}"


def test_a_relative_template_with_a_query_is_signed_too(catalog: PaymentCatalog) -> None:
    url = catalog.redirect_url("cash_on_delivery", "o-abc123", 9_900)
    assert url.startswith("/v1/orders/o-abc123?cod=1&sig=")
    assert url.count("?") == 1


@pytest.mark.parametrize(
    ("method_id", "order_id", "amount_cents"),
    [("wechat_pay", "o-abc123", 259_990), ("alipay", "o-abc124", 259_990), ("alipay", "o-abc123", 1)],
    ids=["method", "order", "amount"],
)
def test_the_signature_binds_method_order_and_amount(
    catalog: PaymentCatalog, method_id: str, order_id: str, amount_cents: int
) -> None:
    original = catalog.signature("alipay", "o-abc123", 259_990)
    assert catalog.signature(method_id, order_id, amount_cents) != original


def test_an_edited_amount_in_the_redirect_no_longer_verifies(catalog: PaymentCatalog) -> None:
    url = catalog.redirect_url("alipay", "o-abc123", 259_990)
    query = parse_qs(urlsplit(url.replace("amount=259990", "amount=1")).query)
    presented = query["sig"][0]
    assert presented != _expected_signature("alipay", query["order"][0], int(query["amount"][0]))
    assert presented == _expected_signature("alipay", "o-abc123", 259_990)


def test_the_signature_depends_on_the_key() -> None:
    ours = PaymentCatalog(DEFAULT_PAYMENT_METHODS, KEY).signature("alipay", "o-abc123", 100)
    theirs = PaymentCatalog(DEFAULT_PAYMENT_METHODS, b"another-key").signature("alipay", "o-abc123", 100)
    assert ours != theirs
    assert len(ours) == 32
    assert ours == _expected_signature("alipay", "o-abc123", 100)


def test_an_unknown_method_has_no_redirect(catalog: PaymentCatalog) -> None:
    with pytest.raises(KeyError):
        catalog.redirect_url("paypal", "o-abc123", 100)
