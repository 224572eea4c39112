"""Keys derived from ``GATEWAY_SECRET``, session tokens, and batch signatures.

Each purpose gets its own key (HMAC-SHA256 of the secret over a purpose label, the PRF step of
HKDF), so a leaked batch key cannot mint sessions. Tokens are standard HS256 JWTs (PyJWT), so any
storefront back end holding the same secret can issue them too.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from gateway.models import USER_ID_PATTERN

_SESSION_PURPOSE = b"gateway/session-token/v1"
_BATCH_PURPOSE = b"gateway/order-batch/v1"
_EDGE_CREDENTIAL_PURPOSE = b"gateway/edge-credential/v1"
_PAYMENT_REDIRECT_PURPOSE = b"gateway/payment-redirect/v1"
_CACHE_ENTRY_PURPOSE = b"gateway/cache-entry/v1"
_ALGORITHM = "HS256"
_VERIFIED_CACHE_SIZE = 100_000


def derive_key(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


class Session(msgspec.Struct, frozen=True):
    user_id: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class TokenRules:
    """What tokens from the storefront's identity service must be: signed with the shared key (HS256)
    or with the private half of ``public_key`` (RS256, PS256, ES256, EdDSA), and naming ``issuer`` and
    ``audience`` where those are set. Each algorithm is checked with its own key only, so a public
    key can never be used as an HMAC secret."""

    public_key: str | None = None  # PEM
    issuer: str | None = None
    audience: str | None = None


class SessionSigner:
    """Issues (central store) and verifies (edges, locally, no round trip) session tokens."""

    def __init__(
        self, secret: str, ttl_seconds: int = 7 * 24 * 3600, rules: TokenRules | None = None
    ) -> None:
        self._key = derive_key(secret, _SESSION_PURPOSE)
        self._ttl = ttl_seconds
        self._rules = rules or TokenRules()
        # The algorithms a token may name, each with the one key it is checked with: HS256 with the
        # shared key, and those the identity service's key type allows with that key.
        self._keys: dict[str, object] = {_ALGORITHM: self._key}
        if self._rules.public_key:
            public_key = _load_public_key(self._rules.public_key)
            self._keys |= dict.fromkeys(_algorithms_for(public_key), public_key)
        self._verified: OrderedDict[str, Session] = OrderedDict()  # oldest first, O(1) to forget

    def issue(self, user_id: str, now: float | None = None) -> tuple[str, int]:
        issued_at = int(time.time() if now is None else now)
        expires_at = issued_at + self._ttl
        claims: dict[str, object] = {"sub": user_id, "iat": issued_at, "exp": expires_at}
        if self._rules.issuer:
            claims["iss"] = self._rules.issuer
        if self._rules.audience:
            claims["aud"] = self._rules.audience
        return jwt.encode(claims, self._key, _ALGORITHM), expires_at

    def verify(self, token: str) -> Session:
        """Check signature and expiry; a token seen recently is answered from memory.

        PyJWT takes ~18 µs a token and a shopper sends the same token with every request, so
        verified sessions are remembered (bounded) until they expire.
        """
        session = self.remembered(token)
        if session is not None:
            return session
        session = self._verify(token)
        if len(self._verified) >= _VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        self._verified[token] = session
        return session

    def remembered(self, token: str) -> Session | None:
        """The session of a token verified before and not yet expired; None means: verify it."""
        session = self._verified.get(token)
        return session if session is not None and session.expires_at > time.time() else None

    def _verify(self, token: str) -> Session:
        rules = self._rules
        required = ["sub", "exp", *(["iss"] if rules.issuer else []), *(["aud"] if rules.audience else [])]
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            key = self._keys.get(algorithm) if isinstance(algorithm, str) else None
            if key is None or not isinstance(algorithm, str):
                raise InvalidToken("signed with an algorithm or key this storefront does not use")
            claims = jwt.decode(
                token,
                key,  # type: ignore[arg-type]  # a PyJWT key object or bytes, as the algorithm needs
                algorithms=[algorithm],
                issuer=rules.issuer or None,
                audience=rules.audience or None,
                options={"require": required},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("expired") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("signature does not match") from None
        except (jwt.PyJWTError, TypeError, ValueError):  # messages quoting decoder internals: none wanted
            raise InvalidToken("malformed or not issued for this storefront") from None
        user_id = claims["sub"]
        # The id goes into the central store's paths and every log line about the shopper.
        if not isinstance(user_id, str) or not USER_ID_PATTERN.fullmatch(user_id):
            raise InvalidToken("the subject is not a user id")
        return Session(user_id=user_id, expires_at=int(claims["exp"]))


def _algorithms_for(key: object) -> tuple[str, ...]:
    if isinstance(key, rsa.RSAPublicKey):
        return ("RS256", "PS256")
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
        return ("ES256",)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return ("EdDSA",)
    raise ValueError(f"the identity service's key must be RSA, P-256 or Ed25519, not {type(key).__name__}")


def _load_public_key(pem: str) -> object:
    try:
        return serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise ValueError(f"the identity service's public key is not a PEM public key: {exc}") from None


class BatchSigner:
    """HMAC over a batch body, shared by an edge's forwarder and the central store's ingest."""

    def __init__(self, secret: str) -> None:
        self._key = derive_key(secret, _BATCH_PURPOSE)

    def sign(self, body: bytes) -> str:
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str) -> bool:
        # As bytes: compare_digest refuses a str with anything but ASCII in it, and a header may hold any.
        return hmac.compare_digest(self.sign(body).encode(), signature.encode("utf-8", "replace"))


def edge_credential(secret: str) -> str:
    """The bearer credential edges present to the central store for non-public reads."""
    return derive_key(secret, _EDGE_CREDENTIAL_PURPOSE).hex()


def payment_redirect_key(secret: str) -> bytes:
    """Signs payment redirects; the payment pages verify with the same derivation."""
    return derive_key(secret, _PAYMENT_REDIRECT_PURPOSE)


def cache_entry_key(secret: str) -> bytes:
    """Signs what the edges keep in a shared cache store (Redis), so that only they can write it."""
    return derive_key(secret, _CACHE_ENTRY_PURPOSE)


def credential_matches(presented: str | None, expected: str) -> bool:
    return presented is not None and hmac.compare_digest(
        presented.encode("utf-8", "replace"), expected.encode("utf-8", "replace")
    )
