"""Configuration as frozen dataclasses, read from ``EDGE_*`` / ``CENTRAL_*`` environment variables.

Nothing here has behaviour beyond parsing: the apps receive a settings object and never read the
environment themselves, so tests build settings directly and the CLI layers its flags on top.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from limits import parse_many

from gateway.domain.payments import DEFAULT_PAYMENT_METHODS, PaymentMethod

SettingsT = TypeVar("SettingsT")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How uvicorn serves a node; the defaults are chosen for an edge facing weak mobile networks.

    Keep-alive outlives a shopper's think time (handshakes cost several RTTs on a weak link),
    the connection cap bounds file descriptors, and the graceful window lets in-flight orders
    finish their durable write before the process exits.
    """

    keepalive_seconds: float = 75.0
    max_connections: int = 4096
    max_inflight_requests: int = 1024
    graceful_shutdown_seconds: float = 10.0
    backlog: int = 2048
    access_log: bool = False
    # Slow and abusive clients. A request's head is a few hundred bytes: even on a lossy 400 kbit/s
    # link it arrives in well under a second, so one that takes longer than this is trickled.
    header_read_timeout_seconds: float = 10.0
    max_header_bytes: int = 32 * 1024
    # The whole body, once the head is in: 64 KB at 400 kbit/s takes ~1.3 s, retransmits included a few.
    body_read_timeout_seconds: float = 15.0
    # Shoppers behind one carrier-grade NAT share an address, so this bounds a flood, not a town.
    max_connections_per_address: int = 256


@dataclass(frozen=True, slots=True)
class CentralSettings:
    secret: str
    ops_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8800
    data_dir: Path = Path("var/central")
    session_ttl_seconds: int = 7 * 24 * 3600
    seed_items: int = 10_000
    seed_users: int = 1_000
    max_body_bytes: int = 1 << 20
    # GATEWAY_DEMO_LOGIN: POST /v1/sessions issues a session for any user id (demo and tests only).
    demo_login: bool = False
    # Chaos: hold every /v1/ request this long (tests and drills only).
    fault_delay_seconds: float = 0.0
    server: ServerSettings = ServerSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> CentralSettings:
        values = _read(cls, "CENTRAL_", environ)
        values["secret"] = _secret(environ)
        values["demo_login"] = _demo_login(environ)
        return _build(cls, values, overrides)


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    secret: str
    admin_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8801
    central_url: str = "http://127.0.0.1:8800"
    data_dir: Path = Path("var/edge")
    region: str = "local"
    node_id: str = "edge-local"
    # Upstream calls never wait longer than this, whatever the request's own budget says.
    central_timeout_seconds: float = 0.6
    # "memory" (per process, bounded, LRU) or "redis" (shared by a region's workers).
    cache_backend: Literal["memory", "redis"] = "memory"
    cache_redis_url: str = "redis://127.0.0.1:6379/0"
    cache_max_entries: int = 200_000
    cache_max_bytes: int = 256 * 1024 * 1024
    item_cache_ttl_seconds: float = 300.0
    reference_cache_ttl_seconds: float = 60.0
    cache_stale_seconds: float = 30.0
    cache_error_seconds: float = 3600.0
    cache_negative_seconds: float = 5.0
    # How long a fresh entry is also kept in the process, ahead of the store (0: never).
    cache_near_seconds: float = 1.0
    max_body_bytes: int = 64 * 1024
    # Comma-separated origins besides the edge's own host whose pages may write with the session cookie.
    trusted_origins: str = ""
    # The order acknowledgement's budget; lookups get what remains of it minus the commit's share.
    ack_budget_seconds: float = 0.3
    order_page_budget_seconds: float = 0.5
    payment_budget_seconds: float = 1.2
    default_budget_seconds: float = 3.0
    prerender_ttl_seconds: float = 1800.0
    prerender_max_pages: int = 50_000
    prerender_per_shopper: int = 3
    prerender_concurrency: int = 2
    # "signals" (the edge's own predictor), "markov" (the baseline) or "every-view".
    prerender_strategy: Literal["signals", "markov", "every-view"] = "signals"
    outbox_max_depth: int = 100_000
    outbox_max_bytes: int = 2 << 30
    outbox_synchronous: Literal["FULL", "NORMAL", "EXTRA"] = "FULL"
    forward_batch_size: int = 200
    forward_max_backoff_seconds: float = 10.0
    breaker_failure_threshold: int = 5
    breaker_reset_seconds: float = 5.0
    # Comma-separated adcode prefixes; empty means those named by the region files.
    remote_adcode_prefixes: str = ""
    # Comma-separated nine-digit town codes (乡镇/街道) remote even where their county is not.
    remote_towns: str = ""
    # Region TOML files; empty means the ones shipped in edge_nodes/regions.
    regions_dir: str = ""
    # Stripe keeps keys for 24 hours; forwarded orders are pruned after this.
    idempotency_retention_seconds: float = 24 * 3600
    payment_methods: tuple[PaymentMethod, ...] = DEFAULT_PAYMENT_METHODS
    # GATEWAY_DEMO_LOGIN: POST /v1/sessions hands out a session for any user id (demo and tests only).
    # Without it, shoppers come with tokens from the storefront's identity service: signed with the
    # shared key, or with the private half of session_public_key (a PEM file: RS256, PS256, ES256,
    # EdDSA); with session_issuer / session_audience set, tokens must name them.
    demo_login: bool = False
    session_public_key: Path | None = None
    session_issuer: str = ""
    session_audience: str = ""
    # Rate limits ("N/second|minute|hour|day", several separated by ";"), per shopper (their user id)
    # and per client address. A shopper behind a carrier-grade NAT shares an address with a town,
    # so the per-address budgets bound a flood, not a household.
    rate_sessions_per_address: str = "60/minute"
    rate_address_per_address: str = "300/minute"
    rate_signals_per_shopper: str = "120/minute"
    rate_signals_per_address: str = "6000/minute"
    rate_orders_per_shopper: str = "20/minute;200/day"
    rate_orders_per_address: str = "1200/minute"
    # Chaos: hold every /v1/ request this long (tests and drills only).
    fault_delay_seconds: float = 0.0
    server: ServerSettings = ServerSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> EdgeSettings:
        values = _read(cls, "EDGE_", environ)
        values["secret"] = _secret(environ)
        values["demo_login"] = _demo_login(environ)
        if "EDGE_PAYMENT_METHODS" in environ:
            values["payment_methods"] = _payment_methods(environ["EDGE_PAYMENT_METHODS"])
        town_codes(values.get("remote_towns", ""))
        return _build(cls, values, overrides)


def lifted_rate_budgets() -> dict[str, str]:
    """``EDGE_RATE_*`` set above anything one generator sends: for an edge that a load tool or the
    replay evaluator drives from one address with a few hundred shoppers (more than a town sends)."""
    return {
        f"EDGE_{field.name.upper()}": "1000000000/minute"
        for field in dataclasses.fields(EdgeSettings)
        if field.name.startswith("rate_")
    }


def town_codes(raw: str) -> frozenset[str]:
    """``EDGE_REMOTE_TOWNS``: comma-separated nine-digit town codes."""
    codes = frozenset(code.strip() for code in raw.split(",") if code.strip())
    if bad := sorted(code for code in codes if len(code) != 9 or not code.isdigit()):
        raise SettingsError(f"EDGE_REMOTE_TOWNS must list nine-digit town codes, not {', '.join(bad)}")
    return codes


def _secret(environ: Mapping[str, str]) -> str:
    secret = environ.get("GATEWAY_SECRET", "")
    if len(secret) < 16:
        raise SettingsError("GATEWAY_SECRET must be set to at least 16 characters (it is never defaulted)")
    return secret


def _demo_login(environ: Mapping[str, str]) -> bool:
    return bool(_convert("GATEWAY_DEMO_LOGIN", environ.get("GATEWAY_DEMO_LOGIN", "0"), False))


def _read(cls: type[Any], prefix: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect ``PREFIX_FIELD`` variables for every field, and ``PREFIX_SERVER_FIELD`` for server ones,
    each checked against the field's type (a choice against its ``Literal``) as it is read."""
    values: dict[str, Any] = {}
    hints = get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if field.name in ("secret", "payment_methods", "demo_login"):
            continue
        if field.name == "server":
            server = _read(ServerSettings, f"{prefix}SERVER_", environ)
            values["server"] = ServerSettings(**server)
            continue
        name = f"{prefix}{field.name.upper()}"
        if name in environ:
            values[field.name] = _convert(name, environ[name], field.default, hints[field.name])
        if field.name.startswith("rate_"):
            _check_rate(name, values.get(field.name, field.default))
    return values


def _check_rate(name: str, value: str) -> None:
    try:
        parse_many(value)
    except ValueError:
        raise SettingsError(
            f"{name}={value!r} is not a rate like 60/minute (several: 20/minute;200/day)"
        ) from None


def _payment_methods(raw: str) -> tuple[PaymentMethod, ...]:
    """``EDGE_PAYMENT_METHODS``: a JSON list of ``{"id", "title", "redirect"}`` objects."""
    try:
        methods = tuple(
            PaymentMethod(str(m["id"]), str(m["title"]), str(m["redirect"])) for m in json.loads(raw)
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise SettingsError(
            f"EDGE_PAYMENT_METHODS must be a JSON list of {{id, title, redirect}}: {exc}"
        ) from None
    if len({m.id for m in methods}) != len(methods) or not methods:
        raise SettingsError("EDGE_PAYMENT_METHODS must name at least one method, each id once")
    return methods


def _convert(name: str, raw: str, default: Any, kind: Any = None) -> Any:
    if get_origin(kind) is Literal:
        choices = get_args(kind)
        if raw not in choices:
            raise SettingsError(f"{name}={raw!r} must be one of {', '.join(choices)}")
        return raw
    try:
        if isinstance(default, bool):
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path) or kind == Path | None:
            return Path(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a valid {type(default).__name__}") from None
    return raw


def _build(cls: type[SettingsT], values: dict[str, Any], overrides: Mapping[str, Any]) -> SettingsT:
    values.update({key: value for key, value in overrides.items() if value is not None})
    return cls(**values)
