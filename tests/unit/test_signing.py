from __future__ import annotations

import base64
import hashlib
import hmac
import time

import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.signing import (
    BatchSigner,
    InvalidToken,
    SessionSigner,
    TokenRules,
    credential_matches,
    edge_credential,
)

SECRET = "a-shared-secret-of-enough-length"


def test_token_round_trip() -> None:
    signer = SessionSigner(SECRET, ttl_seconds=60)
    token, expires_at = signer.issue("u-0001")
    session = signer.verify(token)
    assert session.user_id == "u-0001"
    assert session.expires_at == expires_at


def test_token_from_another_secret_is_rejected() -> None:
    token, _ = SessionSigner("another-secret-entirely-here").issue("u-0001")
    with pytest.raises(InvalidToken):
        SessionSigner(SECRET).verify(token)


def test_expired_token_is_rejected() -> None:
    signer = SessionSigner(SECRET, ttl_seconds=10)
    token, _ = signer.issue("u-0001", now=time.time() - 3600)
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(token)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_malformed_tokens_are_rejected(token: str) -> None:
    with pytest.raises(InvalidToken):
        SessionSigner(SECRET).verify(token)


def test_tampered_token_is_rejected() -> None:
    signer = SessionSigner(SECRET)
    token, _ = signer.issue("u-0001")
    header, payload, signature = token.split(".")
    forged = SessionSigner(SECRET).issue("u-0002")[0].split(".")[1]
    with pytest.raises(InvalidToken):
        signer.verify(f"{header}.{forged}.{signature}")
    assert payload != forged


def test_batch_signatures_verify_and_detect_changes() -> None:
    signer = BatchSigner(SECRET)
    signature = signer.sign(b'{"orders": []}')
    assert signer.verify(b'{"orders": []}', signature)
    assert not signer.verify(b'{"orders": [1]}', signature)
    assert not BatchSigner("other-secret-of-enough-length").verify(b'{"orders": []}', signature)


def test_purposes_get_distinct_keys() -> None:
    session_token, _ = SessionSigner(SECRET).issue("u-0001")
    credential = edge_credential(SECRET)
    assert credential not in session_token
    assert BatchSigner(SECRET).sign(b"") != credential
    assert credential_matches(credential, edge_credential(SECRET))
    assert not credential_matches(None, credential)
    tampered = credential[:-1] + ("1" if credential[-1] != "1" else "2")
    assert not credential_matches(tampered, credential)


def _identity_service_keys() -> tuple[bytes, str]:
    """A storefront identity service's key pair: (private PEM, public PEM)."""
    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem.decode()


def _claims(**changes: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "sub": "u-0042",
        "exp": int(time.time()) + 600,
        "iss": "id.shop",
        "aud": "edge",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _hmac_signed_with(key: bytes) -> str:
    """An HS256 token made by hand: PyJWT itself refuses to use a PEM key as an HMAC secret."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{part(orjson.dumps({'alg': 'HS256', 'typ': 'JWT'}))}.{part(orjson.dumps(_claims()))}"
    return f"{signing_input}.{part(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())}"


def test_tokens_of_the_identity_service_are_verified_with_its_public_key_issuer_and_audience() -> None:
    private, public = _identity_service_keys()
    signer = SessionSigner(SECRET, rules=TokenRules(public, issuer="id.shop", audience="edge"))
    assert signer.verify(jwt.encode(_claims(), private, "ES256")).user_id == "u-0042"
    refused = [
        jwt.encode(_claims(iss="someone.else"), private, "ES256"),
        jwt.encode(_claims(aud="another-app"), private, "ES256"),
        jwt.encode(_claims(iss=None), private, "ES256"),
        jwt.encode(_claims(), _identity_service_keys()[0], "ES256"),  # another service's key
        _hmac_signed_with(public.encode()),  # the public key as an HMAC secret: algorithm confusion
        jwt.encode(_claims(), None, "none"),
    ]
    for token in refused:
        with pytest.raises(InvalidToken):
            signer.verify(token)


def test_shared_key_tokens_must_name_the_issuer_and_audience_where_they_are_set() -> None:
    strict = SessionSigner(SECRET, rules=TokenRules(issuer="id.shop", audience="edge"))
    with pytest.raises(InvalidToken):
        strict.verify(SessionSigner(SECRET).issue("u-0001")[0])
    assert strict.verify(strict.issue("u-0001")[0]).user_id == "u-0001"


def test_a_key_that_is_not_a_public_key_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="not a PEM public key"):
        SessionSigner(SECRET, rules=TokenRules("-----BEGIN NONSENSE-----"))


@pytest.mark.parametrize("alg", [["HS256"], {}, None, 7, "RS256", "ES512", "none"])
def test_a_token_naming_an_odd_or_foreign_algorithm_is_refused_not_raised(alg: object) -> None:
    _, public = _identity_service_keys()  # a P-256 key: ES256 only
    signer = SessionSigner(SECRET, rules=TokenRules(public))

    def part(data: object) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()

    token = f"{part({'alg': alg, 'typ': 'JWT'})}.{part(_claims())}.c2ln"
    with pytest.raises(InvalidToken):
        signer.verify(token)


def test_a_key_of_a_type_no_algorithm_here_takes_is_refused_at_start() -> None:
    p384_pem = (
        ec.generate_private_key(ec.SECP384R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ValueError, match="RSA, P-256 or Ed25519"):
        SessionSigner(SECRET, rules=TokenRules(p384_pem.decode()))
