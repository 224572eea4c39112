"""pytest-benchmark figures for the order domain (``make bench``): assessing an order (validation
against the catalog, pricing with coupons, every rule, the review packet)."""

from __future__ import annotations

from pytest_benchmark.fixture import BenchmarkFixture

from gateway.divisions import load_divisions
from gateway.domain.address import AddressResolver
from gateway.domain.orders import OrderContext, assess
from gateway.domain.payments import PaymentCatalog
from gateway.domain.pricing import price_order
from gateway.domain.rules import RulePolicy
from gateway.models import AddressBook, InlineAddress, OrderRequest
from gateway.seed import COUPONS, build_seed
from gateway.settings import DEFAULT_PAYMENT_METHODS

SEED = build_seed(items=50, users=5)
ITEM = SEED.items[42]
BOOK = AddressBook("u-0001", SEED.addresses["u-0001"])
COUPON_MAP = {coupon.code: coupon for coupon in COUPONS}
RESOLVER = AddressResolver(load_divisions())
PAYMENTS = PaymentCatalog(DEFAULT_PAYMENT_METHODS, b"k" * 32)
POLICY = RulePolicy(remote_adcode_prefixes=("54", "63", "65"))


def _assess(order: OrderRequest) -> str:
    return assess(
        order,
        OrderContext(item=ITEM, book=BOOK, coupons=COUPON_MAP),
        order_id="o-1",
        user_id="u-0001",
        edge="edge-bench",
        now=1_795_700_000.0,
        resolver=RESOLVER,
        payments=PAYMENTS,
        policy=POLICY,
    ).status


def test_assess_an_order_with_a_saved_address(benchmark: BenchmarkFixture) -> None:
    order = OrderRequest(
        sku=ITEM.sku, spec=ITEM.specs[0], qty=1, payment_method="alipay",
        address_id=BOOK.addresses[0].address_id, coupons=["c-10off99"],
    )  # fmt: skip
    assert benchmark(_assess, order) in ("accepted", "needs_review")


def test_assess_an_order_with_a_free_text_address(benchmark: BenchmarkFixture) -> None:
    address = InlineAddress(name="张三", phone="13800138000", text="广东省深圳市南山区科技园路1号")
    order = OrderRequest(
        sku=ITEM.sku, spec=ITEM.specs[0], qty=2, payment_method="wechat_pay", address=address
    )
    assert benchmark(_assess, order) in ("accepted", "needs_review")


def test_price_an_order_with_stacked_coupons(benchmark: BenchmarkFixture) -> None:
    pricing = benchmark(
        price_order, 29_900, 2, ["c-10off99", "c-30off299", "c-95pct", "c-newuser15"], COUPON_MAP
    )
    assert pricing.total_cents < pricing.subtotal_cents
