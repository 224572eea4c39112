"""msgspec vs pydantic: JSON body bytes -> validated typed object (edge gateway).

Run the standalone timeit table + error-format demo:
    /work/main/.venv/bin/python /tmp/valbench/bench_validation.py
Run the same cases under pytest-benchmark:
    cd /tmp/valbench && /work/main/.venv/bin/python -m pytest bench_validation.py -q \
        -p no:cacheprovider --benchmark-columns=min,median,ops --benchmark-sort=name
"""

from __future__ import annotations

import re
import sys
import timeit
from datetime import datetime
from typing import Annotated, Union

import msgspec
import orjson
import pydantic
from msgspec import Meta, Struct
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

# --------------------------------------------------------------------------- constraints
SKU_RE = r"^sku-\d{5}$"
PHONE_RE = r"^1[3-9]\d{9}$"
USER_RE = r"^u-\d{4,16}$"

# ============================================================================ msgspec
MSku = Annotated[str, Meta(pattern=SKU_RE)]
MQty = Annotated[int, Meta(ge=1, le=99)]
MPhone = Annotated[str, Meta(pattern=PHONE_RE)]
MName = Annotated[str, Meta(min_length=1, max_length=64)]
MShort = Annotated[str, Meta(min_length=1, max_length=32)]
MText = Annotated[str, Meta(min_length=1, max_length=200)]

_STRUCTURED = ("province", "city", "county", "detail")


class MAddress(Struct, forbid_unknown_fields=True):
    """Workaround for the untagged union: ONE struct, shape checked after decode.
    Text form  {name, phone, text}  |  structured form {name, phone, province, city, county, detail}."""

    name: MName
    phone: MPhone
    text: MText | None = None
    province: MShort | None = None
    city: MShort | None = None
    county: MShort | None = None
    detail: MText | None = None

    def __post_init__(self):  # ValueError here -> msgspec.ValidationError "... - at `$.address`"
        have = [f for f in _STRUCTURED if getattr(self, f) is not None]
        if self.text is None:
            if len(have) != 4:
                missing = [f for f in _STRUCTURED if f not in have]
                raise ValueError(
                    f"address needs `text` or all of province/city/county/detail (missing {missing})"
                )
        elif have:
            raise ValueError("address: `text` cannot be combined with structured fields")


class MGift(Struct, forbid_unknown_fields=True):
    greeting: Annotated[str, Meta(max_length=100)]
    deliver_at: Annotated[datetime, Meta(tz=True)] | None = None


class MOrder(Struct, forbid_unknown_fields=True):
    sku: MSku
    qty: MQty
    payment_method: Annotated[str, Meta(min_length=1, max_length=32)]
    spec: MShort | None = None
    address_id: MShort | None = None
    address: MAddress | None = None
    coupons: Annotated[list[MShort], Meta(max_length=5)] = []
    note: Annotated[str, Meta(max_length=200)] | None = None
    gift: MGift | None = None

    def __post_init__(self):
        if (self.address_id is None) == (self.address is None):
            raise ValueError("exactly one of `address_id` / `address` is required")


class MSession(Struct, forbid_unknown_fields=True):
    user_id: Annotated[str, Meta(pattern=USER_RE)]


# Alternative: tagged union (requires the client to send "kind": "text"|"structured")
class MAddrText(Struct, tag_field="kind", tag="text", forbid_unknown_fields=True):
    name: MName
    phone: MPhone
    text: MText


class MAddrStruct(Struct, tag_field="kind", tag="structured", forbid_unknown_fields=True):
    name: MName
    phone: MPhone
    province: MShort
    city: MShort
    county: MShort
    detail: MText


class MOrderTagged(MOrder, forbid_unknown_fields=True):
    address: MAddrText | MAddrStruct | None = None


M_ORDER_DEC = msgspec.json.Decoder(MOrder)
M_TAGGED_DEC = msgspec.json.Decoder(MOrderTagged)
M_SESSION_DEC = msgspec.json.Decoder(MSession)

# ============================================================================ pydantic
PSku = Annotated[str, Field(pattern=SKU_RE)]
PQty = Annotated[int, Field(ge=1, le=99)]
PPhone = Annotated[str, Field(pattern=PHONE_RE)]
PName = Annotated[str, Field(min_length=1, max_length=64)]
PShort = Annotated[str, Field(min_length=1, max_length=32)]
PText = Annotated[str, Field(min_length=1, max_length=200)]
FORBID = ConfigDict(extra="forbid")


class PAddrText(BaseModel):
    model_config = FORBID
    name: PName
    phone: PPhone
    text: PText


class PAddrStruct(BaseModel):
    model_config = FORBID
    name: PName
    phone: PPhone
    province: PShort
    city: PShort
    county: PShort
    detail: PText


def _addr_kind(v):
    if isinstance(v, dict):
        return "text" if "text" in v else "structured"
    return "text" if hasattr(v, "text") else "structured"


# (a) pydantic "smart" untagged union: works out of the box, but error loc includes the member class name
PAddrSmart = Union[PAddrText, PAddrStruct]  # noqa: UP007 - a runtime alias, as pydantic users write it
# (b) callable discriminator: picks one branch up front -> one error set, loc includes the tag
PAddrDisc = Annotated[
    Annotated[PAddrText, Tag("text")] | Annotated[PAddrStruct, Tag("structured")],
    Discriminator(_addr_kind),
]


class PGift(BaseModel):
    model_config = FORBID
    greeting: Annotated[str, Field(max_length=100)]
    deliver_at: pydantic.AwareDatetime | None = None


class _POrderBase(BaseModel):
    model_config = FORBID
    sku: PSku
    qty: PQty
    payment_method: Annotated[str, Field(min_length=1, max_length=32)]
    spec: PShort | None = None
    address_id: PShort | None = None
    coupons: Annotated[list[PShort], Field(max_length=5)] = []
    note: Annotated[str, Field(max_length=200)] | None = None
    gift: PGift | None = None

    @model_validator(mode="after")
    def _one_address(self):
        if (self.address_id is None) == (self.address is None):
            raise ValueError("exactly one of `address_id` / `address` is required")
        return self


class POrder(_POrderBase):  # smart union (default pydantic behaviour)
    address: PAddrSmart | None = None


class POrderDisc(_POrderBase):  # callable-discriminated union
    address: PAddrDisc | None = None


class PSession(BaseModel):
    model_config = FORBID
    user_id: Annotated[str, Field(pattern=USER_RE)]


# ============================================================================ bodies
ADDR_TEXT = {"name": "张三", "phone": "13800138000", "text": "广东省深圳市南山区科技园路1号"}
ADDR_STRUCT = {
    "name": "张三",
    "phone": "13800138000",
    "province": "广东省",
    "city": "深圳市",
    "county": "南山区",
    "detail": "科技园路1号",
}
BASE = {
    "sku": "sku-00042",
    "spec": "red-XL",
    "qty": 2,
    "coupons": ["c-10off"],
    "payment_method": "alipay",
    "note": "请尽快发货",
    "gift": {"greeting": "生日快乐", "deliver_at": "2026-11-27T10:00:00+08:00"},
}


def body(**kw) -> bytes:
    d = {k: v for k, v in {**BASE, **kw}.items() if v is not ...}
    return orjson.dumps(d)


BODIES = {
    "order_addr_id": body(address_id="a-1"),
    "order_addr_text": body(address=ADDR_TEXT),
    "order_addr_struct": body(address=ADDR_STRUCT, gift=None),
    "order_bad_qty": body(address_id="a-1", qty=0),
    "order_bad_phone": body(address={**ADDR_TEXT, "phone": "12345"}),
    "order_malformed": body(address_id="a-1")[:-7],  # truncated JSON
    "session": b'{"user_id":"u-0001"}',
    "session_bad": b'{"user_id":"x-1"}',
    "session_malformed": b'{"user_id":"u-0001"',
}
TAGGED_STRUCT = body(address={"kind": "structured", **ADDR_STRUCT}, gift=None)

# ============================================================================ error -> field path
_IDX = re.compile(r"\[(\d+)\]")
_KEYED = re.compile(r"^Object (?:missing required|contains unknown) field `([^`]+)`")


def msgspec_error(e: msgspec.DecodeError) -> dict:
    """'Expected `int` >= 1 - at `$.qty`' -> {'field': 'qty', ...}; '$.coupons[5]' -> 'coupons.5'."""
    if not isinstance(e, msgspec.ValidationError):  # plain DecodeError = malformed JSON
        return {"error": "malformed_json", "field": None, "msg": str(e)}
    msg, sep, path = str(e).rpartition(" - at `$")
    if sep:
        path = path[:-1]  # drop closing backtick
    else:  # error at the root: no " - at" suffix
        msg, path = path, ""
    if "[" in path:
        path = _IDX.sub(r".\1", path)
    path = path.lstrip(".")
    if msg.startswith("Object "):  # missing/unknown field: path is the *parent*
        k = _KEYED.match(msg)
        if k:
            path = f"{path}.{k[1]}" if path else k[1]
    return {"error": "validation", "field": path or None, "msg": msg}


def pydantic_error(e: ValidationError, union_tags=("PAddrText", "PAddrStruct", "text", "structured")) -> dict:
    errs = e.errors(include_url=False, include_context=False, include_input=False)
    if errs[0]["type"] == "json_invalid":
        return {"error": "malformed_json", "field": None, "msg": errs[0]["msg"]}
    # union members show up as loc elements: ('address', 'PAddrText', 'phone') -> drop them
    # (NB: 'text' is also a real field name; only strip a tag right after the union field)
    out = []
    for er in errs:
        loc = list(er["loc"])
        if len(loc) > 1 and loc[0] == "address" and loc[1] in union_tags:
            del loc[1]
        out.append({"field": ".".join(map(str, loc)) or None, "msg": er["msg"]})
    return {"error": "validation", "field": out[0]["field"], "msg": out[0]["msg"], "all": out}


# ============================================================================ callables
def _m(dec, b):
    return lambda: dec.decode(b)


def _m_generic(t, b):
    return lambda: msgspec.json.decode(b, type=t)


def _p(model, b):
    return lambda: model.model_validate_json(b)


def _catch(fn, exc, extract=None):
    def run():
        try:
            fn()
        except exc as e:
            if extract:
                extract(e)
            return
        raise AssertionError("expected an error")

    return run


def cases():
    """(case, library-variant, callable) triples."""
    B = BODIES
    c = []
    for name in ("order_addr_id", "order_addr_text", "order_addr_struct"):
        c.append((name, "msgspec Decoder", _m(M_ORDER_DEC, B[name])))
        c.append((name, "msgspec decode(type=)", _m_generic(MOrder, B[name])))
        c.append((name, "pydantic smart union", _p(POrder, B[name])))
        c.append((name, "pydantic discriminator", _p(POrderDisc, B[name])))
    c.append(("order_addr_struct(tagged)", "msgspec Decoder", _m(M_TAGGED_DEC, TAGGED_STRUCT)))
    c.append(("order_addr_struct", "orjson.loads only", lambda b=B["order_addr_struct"]: orjson.loads(b)))
    c.append(
        (
            "order_addr_struct",
            "orjson+model_validate",
            lambda b=B["order_addr_struct"]: POrder.model_validate(orjson.loads(b)),
        )
    )
    for name in ("order_bad_qty", "order_bad_phone", "order_malformed"):
        c.append((name, "msgspec Decoder", _catch(_m(M_ORDER_DEC, B[name]), msgspec.DecodeError)))
        c.append(
            (
                name,
                "msgspec Decoder+path",
                _catch(_m(M_ORDER_DEC, B[name]), msgspec.DecodeError, msgspec_error),
            )
        )
        c.append((name, "pydantic smart union", _catch(_p(POrder, B[name]), ValidationError)))
        c.append((name, "pydantic smart+path", _catch(_p(POrder, B[name]), ValidationError, pydantic_error)))
        c.append(
            (name, "pydantic discr+path", _catch(_p(POrderDisc, B[name]), ValidationError, pydantic_error))
        )
    for name in ("session", "session_bad", "session_malformed"):
        ok = name == "session"
        mf, pf = _m(M_SESSION_DEC, B[name]), _p(PSession, B[name])
        c.append(
            (
                name,
                "msgspec Decoder" + ("" if ok else "+path"),
                mf if ok else _catch(mf, msgspec.DecodeError, msgspec_error),
            )
        )
        c.append(
            (
                name,
                "pydantic" + ("" if ok else "+path"),
                pf if ok else _catch(pf, ValidationError, pydantic_error),
            )
        )
    return c


# ============================================================================ pytest-benchmark
def _ids():
    return [f"{n}|{v}" for n, v, _ in cases()]


try:
    import pytest

    @pytest.mark.parametrize("idx", range(len(cases())), ids=_ids())
    def test_bench(benchmark, idx):
        _, _, fn = cases()[idx]
        benchmark(fn)
except ImportError:  # pragma: no cover
    pass


# ============================================================================ standalone
def ns_per_op(fn, target=0.2, repeat=7):
    n, t = 1, 0.0
    while t < target / 10:
        n *= 2
        t = timeit.timeit(fn, number=n)
    n = max(1, int(n * (target / 10) / t * 10 / repeat))
    runs = [timeit.timeit(fn, number=n) / n * 1e9 for _ in range(repeat)]
    return min(runs), sorted(runs)[repeat // 2]


def demo_errors():
    print("\n== error format / extracted field path ==")
    samples = {
        "qty=0": BODIES["order_bad_qty"],
        "text addr, bad phone": BODIES["order_bad_phone"],
        "struct addr, bad phone": body(address={**ADDR_STRUCT, "phone": "1"}),
        "struct addr, missing city": body(address={k: v for k, v in ADDR_STRUCT.items() if k != "city"}),
        "coupons 6 items": body(address_id="a-1", coupons=["c"] * 6),
        "coupons[1] too long": body(address_id="a-1", coupons=["c", "x" * 40]),
        "note 201 chars": body(address_id="a-1", note="请" * 201),
        "qty='2' (string)": body(address_id="a-1", qty="2"),
        "sku missing": body(address_id="a-1", sku=...),
        "unknown field": body(address_id="a-1", foo=1),
        "gift naive datetime": body(
            address_id="a-1", gift={"greeting": "hi", "deliver_at": "2026-11-27T10:00:00"}
        ),
        "no address at all": body(),
        "malformed": BODIES["order_malformed"],
    }
    for label, b in samples.items():
        print(f"-- {label}")
        try:
            M_ORDER_DEC.decode(b)
            print("   msgspec : OK (accepted)")
        except msgspec.DecodeError as e:
            print(f"   msgspec : {type(e).__name__}: {str(e)!r}\n             -> {msgspec_error(e)}")
        try:
            POrder.model_validate_json(b)
            print("   pydantic: OK (accepted)")
        except ValidationError as e:
            r = pydantic_error(e)
            raw = [(er["type"], er["loc"]) for er in e.errors()]
            print(
                f"   pydantic: {e.error_count()} err, raw (type, loc)={raw}"
                f"\n             -> {r.get('all', r)}"
            )
        try:
            POrderDisc.model_validate_json(b)
        except ValidationError as e:
            print(f"   pydantic-disc raw loc={[er['loc'] for er in e.errors()]}")
    # msgspec untagged union of two Structs
    print("\n-- msgspec untagged Union[Struct, Struct]:")

    class _A(Struct):
        text: str

    class _B(Struct):
        province: str

    try:
        msgspec.json.decode(b'{"x":{"text":"t"}}', type=dict[str, _A | _B])
    except TypeError as e:
        print(f"   TypeError at decode/Decoder() time: {e}")
    try:
        M_TAGGED_DEC.decode(body(address={**ADDR_STRUCT, "kind": "structured", "phone": "1"}))
    except msgspec.ValidationError as e:
        print(f"   tagged union bad phone : {str(e)!r}")
    try:
        M_TAGGED_DEC.decode(body(address=ADDR_STRUCT))
    except msgspec.ValidationError as e:
        print(f"   tagged union, no 'kind': {str(e)!r}")


def _strip_none(d):
    return {k: _strip_none(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}


def main():
    print(
        f"python {sys.version.split()[0]}  msgspec {msgspec.__version__}  pydantic {pydantic.__version__}"
        f"  pydantic-core {__import__('pydantic_core').__version__}  orjson {orjson.__version__}"
    )
    # sanity: valid bodies decode to equal data in both libs
    for n in ("order_addr_id", "order_addr_text", "order_addr_struct"):
        m, p = M_ORDER_DEC.decode(BODIES[n]), POrder.model_validate_json(BODIES[n])
        pm = orjson.loads(p.model_dump_json(exclude_none=True))
        mm = _strip_none(msgspec.to_builtins(m))
        mm["gift"] = pm["gift"] = None if "gift" not in mm else 1  # datetime repr differs ("+08:00")
        pm.setdefault("gift", None)
        assert mm == pm, (n, mm, pm)
    res = {}
    print(f"\n{'case':28} {'variant':24} {'min ns':>9} {'median ns':>10}")
    for case, var, fn in cases():
        mn, md = ns_per_op(fn)
        res[(case, var)] = md
        print(f"{case:28} {var:24} {mn:9.0f} {md:10.0f}")
    print("\n== ratio pydantic(smart) / msgspec Decoder (median) ==")
    for case in (
        "order_addr_id",
        "order_addr_text",
        "order_addr_struct",
        "order_bad_qty",
        "order_bad_phone",
        "order_malformed",
        "session",
        "session_bad",
        "session_malformed",
    ):
        mv = res.get((case, "msgspec Decoder+path")) or res[(case, "msgspec Decoder")]
        pv = (
            res.get((case, "pydantic smart+path"))
            or res.get((case, "pydantic smart union"))
            or res.get((case, "pydantic+path"))
            or res[(case, "pydantic")]
        )
        print(f"{case:22} msgspec {mv:8.0f}  pydantic {pv:8.0f}  x{pv / mv:5.1f}")
    demo_errors()


if __name__ == "__main__":
    main()
